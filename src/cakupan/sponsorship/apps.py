from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SponsorshipConfig(AppConfig):
    name = "cakupan.sponsorship"
    label = "sponsorship"
    verbose_name = _("Sponsorship")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.sponsorship.models import CoverEnding

        register("cover_action", model_choices(CoverEnding.Action))
        register("cover_state", model_choices(CoverEnding.State))
