from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "cakupan.coverage"
    label = "coverage"
    verbose_name = _("Coverage")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.registry.models import Employer, Segment

        # The coverage snapshot's sector key (coverage/services/snapshots.py): a health facility's type, who
        # pays for a sponsored member, or "other".
        register(
            "sector",
            lambda: {
                **model_choices(Employer.FacilityType)(),
                "vulnerable-apbd": _("vulnerable workers paid by a regional budget (APBD)"),
                "csr": _("sponsored by a company (CSR)"),
                "donor": _("sponsored by a donor"),
                "other": _("other employers and workers"),
            },
        )
        # A coverage target or filter without a segment is for all of them.
        register("segment_or_all", lambda: {"": _("all segments"), **model_choices(Segment)()})
        # `cakupan jobs run <id>` (and `cakupan coverage snapshot --due`) find the snapshot job kind.
        from cakupan.coverage.services.snapshots import JOB_KIND, snapshot_job
        from cakupan.jobs.services import job_kind_register

        # Safe to repeat: a month built is replaced, a second run of the due months finds nothing due.
        job_kind_register(JOB_KIND, snapshot_job, retries=2, heavy=True)
