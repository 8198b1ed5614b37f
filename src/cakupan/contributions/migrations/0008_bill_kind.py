"""A bill has a kind: the regular contributions of a month, or the JP a qualifying employer deferred under
PP 49/2020 for that month (due by the repayment deadline, rules.md §2.7); one of each per account and month."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0007_payer_account_audience"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="bill",
            name="bill_one_per_account_period",
        ),
        migrations.AddField(
            model_name="bill",
            name="kind",
            field=models.CharField(
                choices=[("regular", "contributions"), ("pp49_jp_repayment", "PP 49/2020 JP repayment")],
                db_default="regular",
                default="regular",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="bill",
            constraint=models.UniqueConstraint(
                fields=("account", "period", "kind"), name="bill_one_per_account_period_kind"
            ),
        ),
    ]
