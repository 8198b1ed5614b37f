from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "cakupan.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from cakupan.compliance.models import Case, StepKind
        from cakupan.core.labels import model_choices, register

        # The compliance pipeline's keys (compliance/selectors.py): a case's latest step, or its state.
        register(
            "case_stage",
            lambda: {
                "opened": _("opened, no letter yet"),
                **model_choices(StepKind)(),
                "closed": Case.Status.CLOSED.label,
            },
        )
