# Trees get one stored form (Tree.compiled); outcome links point at the tree and the outcome's
# key. Step 1 of 3: the new columns, beside the old ones. OutcomeLink.node becomes nullable
# here (rather than in 0006) so that going back can fill it in before it is required again.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trees', '0003_walk_paths_and_answers_taken_back'),
    ]

    operations = [
        migrations.AddField(
            model_name='tree',
            name='compiled',
            field=models.JSONField(blank=True, editable=False, help_text='The checked definition, as TreeSpec.to_dict.', null=True),
        ),
        migrations.AddField(
            model_name='outcomelink',
            name='tree',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='outcome_links', to='trees.tree'),
        ),
        migrations.AddField(
            model_name='outcomelink',
            name='node_key',
            field=models.CharField(default='', help_text="The outcome's key.", max_length=100),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='outcomelink',
            name='node',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='links', to='trees.node'),
        ),
    ]
