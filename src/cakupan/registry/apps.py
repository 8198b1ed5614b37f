from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "cakupan.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # The words for this app's stored codes on pages, PDFs and exports (core.labels).
        from cakupan.core.labels import model_choices, register
        from cakupan.registry.models import Employer, Membership, Segment, Sponsor

        register("segment", model_choices(Segment))
        register("facility_type", model_choices(Employer.FacilityType))
        register("sponsor_kind", model_choices(Sponsor.Kind))
        register("membership_status", model_choices(Membership.Status))
        register("bpu_sector", model_choices(Membership.BpuSector))
