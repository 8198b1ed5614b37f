from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "cakupan.enrolment"
    label = "enrolment"
    verbose_name = _("Bulk enrolment")

    def ready(self) -> None:
        # `cakupan jobs run <id>` finds the roster and retention job kinds once Django is set up.
        from cakupan.enrolment.services import retention
        from cakupan.enrolment.services.background import JOB_KIND, roster_job
        from cakupan.jobs.services import job_kind_register

        # An import is one transaction (a failed one changed nothing) but its failures repeat (the file, the
        # memory limit): not retried, the user starts it again. A purge is safe to repeat.
        job_kind_register(JOB_KIND, roster_job, heavy=True)
        job_kind_register(retention.JOB_KIND, retention.retention_job, retries=2)
