"""Card pages: the worker's own card, a person's card for the office, the PDFs, and the public verify page.

Thin: parse, check the permission, call one service or selector, render. Who may see whose card is the
selectors' and services' business (the person is looked up through the user's scope).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cakupan.accounts.access import permission_required, scope_of, ui_flags
from cakupan.accounts.permissions import Perm
from cakupan.cards import selectors, services
from cakupan.cards.pdf import card_pdf
from cakupan.cards.qr import qr_data_uri
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Person
from cakupan.registry.selectors import person_get


def _own_person(request: HttpRequest) -> Person:
    person_id = scope_of(request).person_id
    if person_id is None:  # a worker login not tied to a person has no card
        raise Http404
    return person_get(user=request.user, pk=person_id)


def _card_page(request: HttpRequest, person: Person, *, mine: bool) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "issue")
        try:
            if action == "revoke":
                services.card_revoke(actor=request.user, person_id=person.pk)
                messages.success(request, _("The card was revoked: its QR code now says so."))
            else:
                services.card_issue(actor=request.user, person_id=person.pk)
                messages.success(request, _("A new card was issued; any earlier card is no longer valid."))
        except InvalidInput as exc:
            for error in exc.errors:
                messages.error(request, str(error.message))
        return redirect(request.path)
    card = selectors.card_current(person=person)
    face = selectors.card_face(card=card, person=person) if card else None
    scope = scope_of(request)
    context: dict[str, Any] = {
        "person": person,
        "face": face,
        "qr": qr_data_uri(face.url) if face and face.url else "",
        "mine": mine,
        "memberships": selectors.memberships_today(person_id=person.pk) if face is None else face.memberships,
        "scope": scope,
        "ui": ui_flags(scope),
    }
    return render(request, "cards/card.html", context)


@permission_required(Perm.CARD_MINE)
@require_http_methods(["GET", "POST"])
def card_mine(request: HttpRequest) -> HttpResponse:
    return _card_page(request, _own_person(request), mine=True)


@permission_required(Perm.CARD_ISSUE)
@require_http_methods(["GET", "POST"])
def card_person(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_page(request, person_get(user=request.user, pk=pk), mine=False)


def _pdf(person: Person) -> HttpResponse:
    card = selectors.card_current(person=person)
    face = selectors.card_face(card=card, person=person) if card else None
    if face is None or face.url is None:
        raise Http404
    response = HttpResponse(card_pdf(face), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="kartu-peserta.pdf"'
    return response


@permission_required(Perm.CARD_MINE)
@require_GET
def card_mine_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(_own_person(request))


@permission_required(Perm.CARD_ISSUE)
@require_GET
def card_person_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(person_get(user=request.user, pk=pk))


_VERIFY_STATUS = {
    selectors.Outcome.VALID: 200,
    selectors.Outcome.REVOKED: 410,
    selectors.Outcome.UNKNOWN: 404,
}


@never_cache
@require_GET
def card_verify_page(request: HttpRequest, token: str) -> HttpResponse:
    """Public, no sign-in: what a card proves today. A token that is not ours gets the same calm page
    (404) whatever was wrong with it; nothing is looked up before its signature checks out."""
    verification = selectors.card_verify(token)
    response = render(
        request,
        "cards/verify.html",
        {"verification": verification},
        status=_VERIFY_STATUS[verification.outcome],
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
