from __future__ import annotations

from django import forms

from trees.models import Tree
from trees.services import tree_check


class TreeAdminForm(forms.ModelForm):
    """Refuses a broken tree, with one error per problem, each naming its node and line."""

    class Meta:
        model = Tree
        fields = ("title", "slug", "intro", "definition")
        widgets = {
            "definition": forms.Textarea(
                attrs={"rows": 24, "class": "tree-definition", "spellcheck": "false"}
            ),
            "intro": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_definition(self) -> str:
        definition = self.cleaned_data["definition"]
        _, problems = tree_check(definition)
        if problems:
            raise forms.ValidationError([str(problem) for problem in problems])
        return definition
