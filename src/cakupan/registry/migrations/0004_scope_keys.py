"""Scope keys stored on the rows (registry/services/scope_keys.py): the person audience, and the regencies
on employment and memberships; then derived once for the rows already there."""

import django.db.models.deletion
from django.db import migrations, models


def rebuild(apps, schema_editor):  # noqa: ANN001, ARG001 - the migration framework's signature
    # Nothing here any more: the derivation of today's code writes columns that later migrations add, so
    # the keys are derived once at the end of the chain (0006_person_audience_list_order), by the one
    # derivation there is.
    return


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_registry_redundant_indexes"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonAudience",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "key", "person", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key", models.CharField(max_length=16)),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="registry.person"
                    ),
                ),
            ],
            options={
                "verbose_name": "person audience",
                "verbose_name_plural": "person audiences",
            },
        ),
        migrations.AddField(
            model_name="employment",
            name="employer_regency",
            field=models.CharField(db_default="", editable=False, max_length=5),
        ),
        migrations.AddField(
            model_name="employment",
            name="person_regency",
            field=models.CharField(db_default="", editable=False, max_length=5),
        ),
        migrations.AddField(
            model_name="membership",
            name="employer_regency",
            field=models.CharField(db_default="", editable=False, max_length=5),
        ),
        migrations.AddField(
            model_name="membership",
            name="person_regency",
            field=models.CharField(db_default="", editable=False, max_length=5),
        ),
        migrations.AddIndex(
            model_name="employment",
            index=models.Index(fields=["person_regency"], name="employment_person_regency"),
        ),
        migrations.AddIndex(
            model_name="employment",
            index=models.Index(fields=["employer_regency"], name="employment_employer_regency"),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["person_regency"], name="membership_person_regency"),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["employer_regency"], name="membership_employer_regency"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True),
    ]
