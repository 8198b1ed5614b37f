"""Audience keys for employer HR (`e:<employer>`) and sponsors (`s:<sponsor>`), and the person's name on
every audience row with the index (key, full_name, person), so a scoped person list is one index range in
its own order; then every key derived again (registry/services/scope_keys.py)."""

import django.db.models.deletion
from django.db import migrations, models


def rebuild(apps, schema_editor):  # noqa: ANN001, ARG001 - the migration framework's signature
    # The one derivation there is, so that an upgraded registry holds exactly what the write paths keep;
    # in bulk: the audience emptied at once and its keys built once over the new rows (10 M persons).
    from cakupan.registry.services.scope_keys import scope_keys_rebuild  # noqa: PLC0415

    scope_keys_rebuild(follow=False, bulk=True)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_list_order_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="personaudience",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="audiences", to="registry.person"
            ),
        ),
        migrations.AddField(
            model_name="personaudience",
            name="full_name",
            field=models.CharField(db_default="", editable=False, max_length=160),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="personaudience",
            index=models.Index(fields=["key", "full_name", "person"], name="personaudience_list_order"),
        ),
    ]
