"""PMI memberships hold the optional JHT amount the worker chose and whether the worker goes without a placement
agency (Permenaker 4/2023 Pasal 18, rules.md §3.2), so billing bills the JHT and the pre-placement fee."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_person_upper_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="pmi_individual",
            field=models.BooleanField(
                db_default=False,
                default=False,
                verbose_name="individual migrant worker (no placement agency)",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="pmi_jht_amount",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="JHT amount chosen (PMI)"),
        ),
    ]
