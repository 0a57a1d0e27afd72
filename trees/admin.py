from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from trees import selectors
from trees.forms import TreeAdminForm
from trees.maps import map_outline
from trees.models import Tree
from trees.services import tree_check, tree_save


@admin.register(Tree)
class TreeAdmin(admin.ModelAdmin):
    form = TreeAdminForm
    change_form_template = "admin/trees/tree/change_form.html"
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        preview_url = reverse("admin:trees_tree_preview")

        class FormWithPreview(form):
            def __init__(self, *args, **inner_kwargs):
                super().__init__(*args, preview_url=preview_url, **inner_kwargs)

        return FormWithPreview

    def save_model(self, request, obj: Tree, form, change: bool) -> None:
        # The service compiles the definition and rebuilds the links in one transaction.
        tree_save(
            tree=obj,
            slug=form.cleaned_data["slug"],
            title=form.cleaned_data["title"],
            intro=form.cleaned_data["intro"],
            definition=form.cleaned_data["definition"],
        )

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(require_POST(self.preview_view)),
            name="trees_tree_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        """The live preview: the map of the definition as typed, or what is wrong with it."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        spec, problems = tree_check(request.POST.get("definition", ""))
        outline = map_outline(spec) if spec is not None and not problems else None
        return TemplateResponse(
            request, "admin/trees/tree/preview.html", {"problems": problems, "outline": outline}
        )
