"""Django admin: the site's titles. Who may use it (national administrators only) is decided in
accounts.admin, which also registers the audit log: core imports no app."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Cakupan administration")
admin.site.site_title = _("Cakupan administration")
admin.site.index_title = _("Reference data, accounts and audit log")
