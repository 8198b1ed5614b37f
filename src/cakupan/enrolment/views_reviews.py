"""The branch office's queue of roster rows held for review: the list, one row beside the registry's
record, approve and reject. Thin: the selector scopes, the services decide (enrolment.services.reviews)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cakupan.accounts.access import permission_required, scope_of, ui_flags
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.core.pagination import list_page_for
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.selectors import link_review_get, link_review_list
from cakupan.enrolment.services.reviews import link_review_approve, link_review_reject

PER_PAGE = 25


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200) -> HttpResponse:
    scope = scope_of(request)
    return render(request, template, {"scope": scope, "ui": ui_flags(scope), **context}, status=status)


@permission_required(Perm.LINK_REVIEW)
def review_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", LinkReview.Status.PENDING)
    rows = link_review_list(user=request.user, scope=scope_of(request))
    if status in LinkReview.Status.values:
        rows = rows.filter(status=status)
    page_obj, errors = list_page_for(rows, request.GET, per_page=PER_PAGE)
    return _page(
        request,
        "enrolment/review_list.html",
        {
            "page_obj": page_obj,
            "list_errors": errors,
            "status": status,
            "statuses": LinkReview.Status.choices,
        },
        status=400 if errors else 200,
    )


@permission_required(Perm.LINK_REVIEW)
@require_http_methods(["GET"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        review = link_review_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc
    return _page(request, "enrolment/review_detail.html", {"review": review})


@permission_required(Perm.LINK_REVIEW)
@require_POST
def review_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404
    try:
        review = link_review_get(user=request.user, pk=pk)
        if decision == "approve":
            link_review_approve(actor=request.user, review=review)
            messages.success(request, _("Approved: the person is linked."))
        else:
            link_review_reject(actor=request.user, review=review)
            messages.success(request, _("Rejected: nothing was linked."))
    except NotInScope as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        return _page(
            request,
            "enrolment/review_detail.html",
            {"review": review, "errors": [e.as_dict() for e in exc.errors]},
            status=400,
        )
    return redirect("enrolment:review_list")
