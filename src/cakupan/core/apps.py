from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cakupan.core"
    label = "core"
    verbose_name = "Core"
