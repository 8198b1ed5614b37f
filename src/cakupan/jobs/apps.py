from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "cakupan.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # The "command" kind the schedule's entries run as (jobs/schedule.py), and any kinds of
        # CAKUPAN_JOB_MODULES.
        from importlib import import_module

        from django.conf import settings

        from cakupan.jobs.schedule import register_job_kinds

        register_job_kinds()
        for module in settings.CAKUPAN_JOB_MODULES:
            import_module(module)
