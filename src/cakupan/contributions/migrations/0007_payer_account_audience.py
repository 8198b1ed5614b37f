"""Who sees a payer account, stored (contributions.PayerAccountAudience, services/account_keys.py) with the
index (key, kind, account), and the index (kind, id) of the account list's order; then the keys derived for
the accounts already there."""

import django.db.models.deletion
from django.db import migrations, models


def derive(apps, schema_editor):  # noqa: ANN001, ARG001 - the migration framework's signature
    # The one derivation there is, so that an upgraded database holds exactly what the write paths keep.
    from cakupan.contributions.services.account_keys import account_keys_follow  # noqa: PLC0415

    account_keys_follow(None, ())


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0006_merge_partitions_and_jobs"),
        ("registry", "0006_person_audience_list_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="PayerAccountAudience",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "key", "account", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key", models.CharField(max_length=16)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="audiences",
                        to="contributions.payeraccount",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("employer", "employer"),
                            ("self", "self-paying participant"),
                            ("sponsor", "sponsor"),
                            ("government", "government (APBN)"),
                        ],
                        editable=False,
                        max_length=10,
                    ),
                ),
            ],
            options={
                "verbose_name": "payer account audience",
                "verbose_name_plural": "payer account audiences",
                "indexes": [
                    models.Index(fields=["key", "kind", "account"], name="payeraccountaudience_order")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="payeraccount",
            index=models.Index(fields=["kind", "id"], name="payeraccount_list_order"),
        ),
        migrations.RunPython(derive, migrations.RunPython.noop, elidable=True),
    ]
