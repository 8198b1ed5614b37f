from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cakupan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Failed sign-ins are audited from Django's own auth signals (why: accounts/lockout.py).
        from django.contrib.auth.signals import user_login_failed

        from cakupan.accounts import lockout
        from cakupan.core import deployment

        user_login_failed.connect(lockout.audit_login_failed, dispatch_uid="cakupan-audit-login-failed")
        deployment.register_checks()
