from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldAppConfig(AppConfig):
    """The installable phone app for field agents (issue 17): its shell page, web manifest, service worker
    and the reference data it keeps for offline use. No models: what the app captures goes to the field
    app's sync API (`cakupan.field`); until then it lives only in the phone's IndexedDB."""

    name = "cakupan.fieldapp"
    label = "fieldapp"
    verbose_name = _("Field app")
