"""The field app's pages and files. The shell is one page; its scripts render the forms and the queue
from IndexedDB, so it works with no network once the service worker has kept it.

Every answer here is for a signed-in agent (FIELD_SYNC): the shell, the reference data and the session
token. The manifest and the service worker carry nothing personal and are public, so the browser can
fetch them while installing and updating without the session."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm
from cakupan.fieldapp.reference import agent_status, reference_for, region_codes_payload

# The files the shell loads, kept by the service worker on install (cache-first afterwards).
STATIC_FILES = (
    "fieldapp/app.js",
    "fieldapp/forms.js",
    "fieldapp/nik.js",
    "fieldapp/store.js",
    "fieldapp/sync.js",
    "fieldapp/fieldapp.css",
    "fieldapp/icon-192.png",
    "fieldapp/icon-512.png",
    "web/favicon.svg",
    "web/site.css",
    "web/site.js",
    "django_htmx/htmx-2.min.js",
)


@cache
def _static_version() -> str:
    """A digest of the files the service worker keeps: a new release makes a new cache, and the worker
    drops the old one when it activates."""
    digest = hashlib.sha256()
    for name in (*STATIC_FILES, "fieldapp/sw.js"):
        found = finders.find(name)
        if found:
            digest.update(Path(str(found)).read_bytes())
    return digest.hexdigest()[:12]


def _strings() -> dict[str, str]:
    """Words the scripts write into the page, in the page's language."""
    return {
        "kind_enrolment": _("Enrolment"),
        "kind_collection": _("Cash collection"),
        "state_queued": _("waiting to send"),
        "state_sending": _("sending"),
        "state_accepted": _("accepted"),
        "state_duplicate": _("already received"),
        "state_rejected": _("rejected"),
        "queue_empty": _("Nothing captured yet."),
        "saved": _("Saved on this phone. It is sent when you sync."),
        "offline": _("Offline: what you capture is kept on this phone."),
        "online": _("Online."),
        "synced": _("Sync finished."),
        "sync_failed": _("Sync failed; everything stays queued. Try again later."),
        "sign_in_again": _("Your session has ended: sign in again, then sync."),
        "nothing_to_send": _("Nothing to send."),
        "required": _("Required."),
        "consent_required": _("The worker's consent is required."),
        "fix_fields": _("Check the fields marked below."),
        "not_a_number": _("Enter a whole number."),
        "at_least_one": _("Must be at least 1."),
        "months_range": _("From 1 to 12 months."),
        "program_required": _("JKK and JKM are required."),
        "sponsor_required": _("Choose the sponsor."),
        "discard": _("Discard"),
        "correct": _("Correct and capture again"),
        "discarded": _("Removed from this phone."),
        "warning": _("Please check"),
        "receipt": _("Receipt"),
        "months": _("months"),
        "no_reference": _("Open the app once online to load the regions and sponsors."),
        "not_approved": _(
            "Your agent account has not been approved by the branch office yet. You can enrol workers and "
            "record collections once it is approved."
        ),
        "suspended": _(
            "Your agent account has been suspended by the branch office. Contact the office; nothing can be "
            "captured or sent meanwhile."
        ),
        "unsent": _("{n} captures have not been sent yet."),
        "unsent_choice": _("Send them now, or discard them from this phone and sign out."),
        "cleared": _(
            "The queue has been removed from this phone. Connect to the network to finish signing out."
        ),
    }


@permission_required(Perm.FIELD_SYNC)
def shell(request: HttpRequest) -> HttpResponse:
    context = {
        "config": {
            "reference": reverse("fieldapp:reference"),
            "regionCodes": reverse("fieldapp:region_codes"),
            "session": reverse("fieldapp:session"),
            "sync": "/api/v1/field/batches/",
            "serviceWorker": reverse("fieldapp:sw"),
            "scope": reverse("fieldapp:shell"),
            "login": reverse("login"),
            "logout": reverse("logout"),
            "agent": request.user.get_username(),
            # Refreshed by the reference data, kept on the phone for the next offline start.
            "agentStatus": agent_status(user=request.user),
        },
        "strings": _strings(),
    }
    return render(request, "fieldapp/shell.html", context)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "Cakupan Lapangan",
        "short_name": "Lapangan",
        "description": _("Enrol workers and record cash collections in the field, also without signal."),
        "lang": "id",
        "start_url": reverse("fieldapp:shell"),
        "scope": reverse("fieldapp:shell"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f9",
        "theme_color": "#0b6b3a",
        "icons": [
            {"src": static(f"fieldapp/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
            for n in (192, 512)
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's script with what it must keep: the shell, the static files and the reference data.
    Served from /lapangan/ so that its scope is /lapangan/; never cached by the browser's HTTP cache, so a
    new release is seen at the next visit."""
    found = finders.find("fieldapp/sw.js")
    script = Path(str(found)).read_text(encoding="utf-8")
    settings_line = "const CONFIG = " + json.dumps(
        {
            "version": _static_version(),
            "shell": reverse("fieldapp:shell"),
            "data": [reverse("fieldapp:reference"), reverse("fieldapp:region_codes")],
            "static": [static(name) for name in STATIC_FILES],
        }
    )
    response = HttpResponse(settings_line + ";\n" + script, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("fieldapp:shell")
    return response


@permission_required(Perm.FIELD_SYNC)
def reference(request: HttpRequest) -> JsonResponse:
    return JsonResponse(reference_for(user=request.user, scope=scope_of(request)))


@permission_required(Perm.FIELD_SYNC)
def region_codes_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(region_codes_payload())


@permission_required(Perm.FIELD_SYNC)
def session(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for the sync request: the shell kept offline may hold one from before the agent
    signed in again. Never kept by the service worker."""
    return JsonResponse({"csrf_token": get_token(request), "agent": request.user.get_username()})
