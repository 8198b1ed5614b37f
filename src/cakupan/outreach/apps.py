from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "cakupan.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.outreach.kpis import conversions_batch
        from cakupan.outreach.models import Audience, Event
        from cakupan.partners.kpis import KpiDefinition, Unit, register_kpi
        from cakupan.partners.kpis.catalogue import EVENT_CONVERSIONS

        register("outreach_audience", model_choices(Audience))
        register("outreach_status", model_choices(Event.Status))
        # The agreements' "event conversions" KPI (issue 16 point 2), over the catalogue's placeholder.
        register_kpi(KpiDefinition(EVENT_CONVERSIONS, _("event conversions"), Unit.COUNT, conversions_batch))
