from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "cakupan.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.partners.models import (
            AgreementParty,
            AgreementStatus,
            KpiStatus,
            Obligation,
            PartnerAgency,
        )

        register("agency_sector", model_choices(PartnerAgency.Sector))
        register("agreement_status", model_choices(AgreementStatus))
        register("agreement_party", model_choices(AgreementParty.Kind))
        register("obligation", model_choices(Obligation.Kind))
        register("kpi_status", model_choices(KpiStatus))
