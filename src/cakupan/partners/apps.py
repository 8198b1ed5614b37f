from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "cakupan.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.partners.models import PartnerAgency

        register("agency_sector", model_choices(PartnerAgency.Sector))
