# Step 3 of 3: the nodes, choices and start node go; every link now names its tree.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trees', '0005_compile_stored_trees'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='outcomelink',
            name='node',
        ),
        migrations.AlterField(
            model_name='outcomelink',
            name='tree',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outcome_links', to='trees.tree'),
        ),
        migrations.AlterModelOptions(
            name='outcomelink',
            options={'ordering': ['tree', 'node_key', 'position']},
        ),
        migrations.RemoveField(
            model_name='tree',
            name='start',
        ),
        migrations.DeleteModel(
            name='Choice',
        ),
        migrations.DeleteModel(
            name='Node',
        ),
    ]
