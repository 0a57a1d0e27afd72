# Step 2 of 3: each stored tree's nodes and choices written as its compiled spec, and each
# outcome link given its tree and node key, so a deployed site keeps every tree. The spec's
# shape is written out here (version 1 of trees.definition.TreeSpec.to_dict) rather than
# imported, so that this migration keeps meaning what it meant when the shape changes.
# Going back rebuilds the nodes and choices from the compiled specs.

from collections import defaultdict

from django.db import migrations


def compile_trees(apps, schema_editor):
    Tree = apps.get_model("trees", "Tree")
    Node = apps.get_model("trees", "Node")
    Choice = apps.get_model("trees", "Choice")
    OutcomeLink = apps.get_model("trees", "OutcomeLink")
    for tree in Tree.objects.exclude(start=None).only("id", "start_id"):
        nodes = list(Node.objects.filter(tree=tree).order_by("position"))
        keys = {node.pk: node.key for node in nodes}
        choices = defaultdict(list)
        for choice in Choice.objects.filter(node__tree=tree).order_by("node_id", "position"):
            choices[choice.node_id].append(
                {"label": choice.label, "target": keys[choice.target_id], "why": choice.why}
            )
        compiled = {
            "version": 1,
            "start": keys[tree.start_id],
            "nodes": [
                {
                    "key": node.key,
                    "kind": node.kind,
                    "text": node.text,
                    "explanation": node.explanation,
                    "explanation_html": node.explanation_html,
                    "choices": choices[node.pk],
                }
                for node in nodes
            ],
        }
        # update(), not save(): updated_at stays as the instructor's last edit left it.
        Tree.objects.filter(pk=tree.pk).update(compiled=compiled)
    for link in OutcomeLink.objects.select_related("node"):
        link.tree_id = link.node.tree_id
        link.node_key = link.node.key
        link.save(update_fields=["tree", "node_key"])


def rebuild_nodes(apps, schema_editor):
    Tree = apps.get_model("trees", "Tree")
    Node = apps.get_model("trees", "Node")
    Choice = apps.get_model("trees", "Choice")
    OutcomeLink = apps.get_model("trees", "OutcomeLink")
    for tree in Tree.objects.exclude(compiled=None):
        spec = tree.compiled
        by_key = {
            node["key"]: Node.objects.create(
                tree=tree,
                key=node["key"],
                kind=node["kind"],
                text=node["text"],
                explanation=node["explanation"],
                explanation_html=node["explanation_html"],
                position=position,
            )
            for position, node in enumerate(spec["nodes"])
        }
        Choice.objects.bulk_create(
            Choice(node=by_key[node["key"]], target=by_key[choice["target"]], label=choice["label"],
                   why=choice["why"], position=position)
            for node in spec["nodes"]
            for position, choice in enumerate(node["choices"])
        )
        Tree.objects.filter(pk=tree.pk).update(start=by_key[spec["start"]])
    for link in OutcomeLink.objects.all():
        link.node = Node.objects.get(tree_id=link.tree_id, key=link.node_key)
        link.save(update_fields=["node"])


class Migration(migrations.Migration):

    dependencies = [
        ('trees', '0004_compiled_spec_and_links_by_tree'),
    ]

    operations = [
        migrations.RunPython(compile_trees, rebuild_nodes),
    ]
