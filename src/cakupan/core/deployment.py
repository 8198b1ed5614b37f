"""The secret key a deployment must set, enforced where the server starts and in `check --deploy`.

Without CAKUPAN_SECRET_KEY the settings fall back to the public demo key so that a fresh clone can migrate,
load the demo and run its tests with nothing configured. Anyone who knows that key can forge sessions,
so outside demo mode (DEBUG or CAKUPAN_DEMO=1) the server refuses to start with it: wsgi.py (gunicorn,
any WSGI host) and `cakupan serve` call `secret_key_require()` before serving a request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DEMO_KEY_MESSAGE = (
    "CAKUPAN_SECRET_KEY is not set: the public demo key is only used in demo mode (CAKUPAN_DEMO=1 or "
    "CAKUPAN_DEBUG=1). Set CAKUPAN_SECRET_KEY to a long random value, e.g. the output of "
    '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
)


def demo_key_in_use() -> bool:
    """The public demo key signs sessions outside demo mode."""
    return bool(settings.SECRET_KEY == settings.DEMO_SECRET_KEY and not settings.DEMO_MODE)


def secret_key_require() -> None:
    if demo_key_in_use():
        raise ImproperlyConfigured(DEMO_KEY_MESSAGE)


def _demo_key_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if demo_key_in_use():
        return [checks.Error(DEMO_KEY_MESSAGE, id="cakupan.E001")]
    return []


def register_checks() -> None:
    checks.register(_demo_key_check, checks.Tags.security, deploy=True)
