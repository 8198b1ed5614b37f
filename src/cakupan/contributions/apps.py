from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "cakupan.contributions"
    label = "contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from cakupan.contributions.services.billing_jobs import register_job_kinds

        register_job_kinds()
