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

    def __init__(self, *args, preview_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if preview_url:
            # Live preview: htmx posts the definition as it is typed and shows the map or the
            # problems beside it. The CSRF token comes from the admin form's own hidden input.
            self.fields["definition"].widget.attrs.update(
                {
                    "hx-post": preview_url,
                    "hx-trigger": "input changed delay:400ms, load",
                    "hx-target": "#tree-preview",
                    "hx-include": "[name=csrfmiddlewaretoken]",
                }
            )

    def clean_definition(self) -> str:
        definition = self.cleaned_data["definition"]
        _, problems = tree_check(definition)
        if problems:
            raise forms.ValidationError([str(problem) for problem in problems])
        return definition
