from django.apps import AppConfig


class CalculationsConfig(AppConfig):
    name = "cakupan.calculations"
    label = "calculations"
    verbose_name = "Calculations"
