from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "cakupan.coverage"
    label = "coverage"
    verbose_name = _("Coverage")

    def ready(self) -> None:
        # `cakupan jobs run <id>` (and `cakupan coverage snapshot --due`) find the snapshot job kind.
        from cakupan.coverage.services.snapshots import JOB_KIND, snapshot_job
        from cakupan.jobs.services import job_kind_register

        # Safe to repeat: a month built is replaced, a second run of the due months finds nothing due.
        job_kind_register(JOB_KIND, snapshot_job, retries=2, heavy=True)
