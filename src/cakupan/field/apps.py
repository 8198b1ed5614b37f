from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "cakupan.field"
    label = "field"
    verbose_name = _("Field agents")

    def ready(self) -> None:
        from cakupan.core.labels import model_choices, register
        from cakupan.field.models import Agent, Conflict, SyncItem

        register("agent_status", model_choices(Agent.Status))
        register("field_item_kind", model_choices(SyncItem.Kind))
        register("field_item_outcome", model_choices(SyncItem.Outcome))
        register("field_conflict_kind", model_choices(Conflict.Kind))
        register("field_conflict_resolution", model_choices(Conflict.Resolution))
