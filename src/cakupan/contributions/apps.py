from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "cakupan.contributions"
    label = "contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from cakupan.contributions.models import PayerAccountAudience
        from cakupan.contributions.services.account_keys import account_keys_differences, account_keys_follow
        from cakupan.contributions.services.billing_jobs import register_job_kinds
        from cakupan.registry.services.scope_keys import scope_keys_follow

        register_job_kinds()
        # The accounts' audience follows the registry's keys, and is checked with them.
        scope_keys_follow(
            account_keys_follow, account_keys_differences, table=PayerAccountAudience._meta.db_table
        )
