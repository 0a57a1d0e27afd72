from __future__ import annotations

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.preview import LivePreviewAdmin, Preview
from trees import selectors
from trees.forms import TreeAdminForm
from trees.maps import map_outline
from trees.models import Tree
from trees.preview import tree_preview
from trees.services import tree_save


@admin.register(Tree)
class TreeAdmin(LivePreviewAdmin, admin.ModelAdmin):
    form = TreeAdminForm
    change_form_template = "admin/trees/tree/change_form.html"  # the preview's, and a guide
    list_display = ("title", "slug", "node_count", "updated_at")
    search_fields = ("title", "slug", "intro", "definition")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("figures", "imported_from", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "intro")}),
        ("Definition", {"fields": ("definition",), "description": "See the syntax guide below."}),
        ("What learners did", {"fields": ("figures",)}),
        ("History", {"fields": ("imported_from", "updated_at")}),
    )

    @admin.display(description="Nodes")
    def node_count(self, tree: Tree) -> int:
        return len(tree.to_spec().nodes) if tree.compiled is not None else 0

    @admin.display(description="Map with learners' walks")
    def figures(self, tree: Tree) -> str:
        if not tree.pk or tree.compiled is None:
            return "Save the tree to see how learners walk it."
        outline = map_outline(tree.to_spec(), figures=selectors.walk_figures(tree))
        return mark_safe(
            render_to_string(
                "admin/trees/tree/figures.html",
                {"outline": outline, "totals": selectors.walk_totals(tree)},
            )
        )

    def save_model(self, request, obj: Tree, form, change: bool) -> None:
        # The service compiles the definition and rebuilds the links in one transaction.
        tree_save(
            tree=obj,
            slug=form.cleaned_data["slug"],
            title=form.cleaned_data["title"],
            intro=form.cleaned_data["intro"],
            definition=form.cleaned_data["definition"],
        )

    # The live preview (portal/preview.py), beside the definition: the first step and the map.
    preview_fieldset = "Definition"

    def preview_from_data(self, request, data, obj=None) -> Preview:
        preview = tree_preview(data=data, user=request.user)
        return Preview(
            title=f"Preview of the tree “{preview.tree.title}” as learners walk it",
            document_template="trees/tree_preview.html",
            context=preview.context(),
            problems=preview.problems,
        )

    def preview_from_object(self, request, obj: Tree) -> Preview:
        saved = {field: getattr(obj, field) for field in ("title", "slug", "intro", "definition")}
        return self.preview_from_data(request, saved)
