from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "cakupan.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.outreach.models import Audience, Event

        register("outreach_audience", model_choices(Audience))
        register("outreach_status", model_choices(Event.Status))
