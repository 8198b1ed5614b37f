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

        job_kind_register(JOB_KIND, roster_job)
        job_kind_register(retention.JOB_KIND, retention.retention_job)
