"""Contribution pages: payer accounts, bills, a payer's statement, arrears, recording payments, importing a
bank statement, starting a billing run, and the XLSX exports. Thin: scope and rules live in the selectors
and services; every role reads what its scope allows, only national admin and branch staff write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.contributions import exports
from cakupan.contributions import selectors_payments as sel
from cakupan.contributions.filters import BillFilter, PayerAccountFilter
from cakupan.contributions.services.billing_jobs import billing_run_start
from cakupan.contributions.services.payments import MAX_AMOUNT, allocate_credit, payment_record, today
from cakupan.contributions.services.statement_import import statement_import
from cakupan.contributions.views_review import HELD_MESSAGE
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.core.filtering import filter_rows
from cakupan.registry.views.common import list_page, page


class PaymentForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Amount (Rupiah)"), min_value=1, max_value=MAX_AMOUNT)
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=64)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement (CSV)"),
        help_text=gettext_lazy("Columns: virtual_account, amount, date (YYYY-MM-DD), reference."),
    )


class BillingForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Period (YYYY-MM)"), max_length=7)


def _service_errors(form: forms.Form, exc: InvalidInput) -> None:
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _account(request: HttpRequest, pk: int) -> Any:
    try:
        return sel.payer_account_get(user=request.user, pk=pk, scope=scope_of(request))
    except NotInScope as exc:
        raise Http404 from exc


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return today()


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _ctx(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(request)
    return {"may_pay": may(scope, Perm.PAYMENT_RECORD), "may_bill": may(scope, Perm.BILLING_RUN)}


@permission_required(Perm.BILL_READ)
def account_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        template="contributions/account_list.html",
        table="contributions/partials/account_table.html",
        rows=sel.payer_accounts(user=request.user, scope=scope_of(request)),
        filterset=PayerAccountFilter,  # the API's (/api/v1/payer-accounts/)
        context=_ctx(request),
    )


@permission_required(Perm.BILL_READ)
def account_statement(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    st = sel.statement(account=account, as_of=_as_of(request))
    return page(request, "contributions/statement.html", {"st": st, **_ctx(request)})


@permission_required(Perm.BILL_READ)
def account_statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    st = sel.statement(account=account, as_of=_as_of(request))
    return _xlsx(exports.statement_xlsx(st), f"statement-{account.virtual_account}.xlsx")


@permission_required(Perm.PAYMENT_RECORD)
@require_POST
def account_apply_credit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    made = allocate_credit(actor=request.user, account=account)
    messages.success(request, _("Credit applied: %(n)s allocations.") % {"n": len(made)})
    return redirect("contributions:account_statement", pk=account.pk)


@permission_required(Perm.PAYMENT_RECORD)
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = PaymentForm(request.POST or None, initial={"paid_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            payment = payment_record(actor=request.user, account=account, source="page", **form.cleaned_data)
        except InvalidInput as exc:
            _service_errors(form, exc)
        else:
            if payment.status == payment.Status.HELD:
                messages.warning(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Payment recorded."))
            return redirect("contributions:account_statement", pk=account.pk)
    status = 400 if request.method == "POST" else 200
    title = _("Record a payment: %(payer)s") % {"payer": sel.payer_name(account)}
    return page(
        request, "contributions/form.html", {"form": form, "title": title, "account": account}, status
    )


def _bills(request: HttpRequest) -> Any:
    """The bills the query string's filters keep; refused filters keep none (the page shows why)."""
    bills = sel.bill_list(user=request.user, scope=scope_of(request))
    return filter_rows(BillFilter, request.GET, bills, request=request)[0]


@permission_required(Perm.BILL_READ)
def bill_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        template="contributions/bill_list.html",
        table="contributions/partials/bill_table.html",
        rows=sel.bill_list(user=request.user, scope=scope_of(request)),
        filterset=BillFilter,
        context={"period": request.GET.get("period", ""), "account": request.GET.get("account", "")},
    )


@permission_required(Perm.BILL_READ)
def bill_list_xlsx(request: HttpRequest) -> HttpResponse:
    return _xlsx(exports.bills_xlsx(_bills(request)[:100_000]), "bills.xlsx")


@permission_required(Perm.BILL_READ)
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        bill = sel.bill_get(user=request.user, pk=pk, scope=scope_of(request))
    except NotInScope as exc:
        raise Http404 from exc
    lines = sel.bill_lines(bill)
    return page(
        request,
        "contributions/bill_detail.html",
        {
            "bill": bill,
            "payer": sel.payer_name(bill.account),
            "lines": lines[:500],
            "line_count": lines.count(),
        },
    )


@permission_required(Perm.ARREARS_READ)
def arrears(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("as_of", "")
    try:
        dt.date.fromisoformat(text or today().isoformat())
    except ValueError:
        # A date the API refuses (as_of of /api/v1/payer-accounts/<id>/statement/): refused here too
        # (400, the message beside the form, no figures) instead of being read as today.
        return page(
            request,
            "contributions/arrears.html",
            {"as_of": today(), "as_of_error": _("Must be a date written YYYY-MM-DD.")},
            status=400,
        )
    as_of = _as_of(request)
    scope = scope_of(request)
    payers = sel.arrears_by_payer(user=request.user, as_of=as_of, scope=scope)
    area = sel.arrears_by_area(user=request.user, as_of=as_of, scope=scope)
    return page(request, "contributions/arrears.html", {"as_of": as_of, "payers": payers[:200], "area": area})


@permission_required(Perm.ARREARS_READ)
def arrears_xlsx(request: HttpRequest) -> HttpResponse:
    as_of = _as_of(request)
    scope = scope_of(request)
    payers = sel.arrears_by_payer(user=request.user, as_of=as_of, scope=scope)
    area = sel.arrears_by_area(user=request.user, as_of=as_of, scope=scope)
    return _xlsx(exports.arrears_xlsx(payers, area), f"arrears-{as_of.isoformat()}.xlsx")


@permission_required(Perm.PAYMENT_RECORD)
@require_http_methods(["GET", "POST"])
def statement_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = statement_import(
                    actor=request.user,
                    content=form.cleaned_data["file"].read(),
                    accounts=sel.payer_accounts(user=request.user, scope=scope_of(request)),
                ).as_dict()
            except InvalidInput as exc:
                _service_errors(form, exc)
        if form.errors:
            status = 400
    return page(request, "contributions/upload.html", {"form": form, "report": report}, status)


@permission_required(Perm.BILLING_RUN)
@require_http_methods(["GET", "POST"])
def billing_start(request: HttpRequest) -> HttpResponse:
    form = BillingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = billing_run_start(period=form.cleaned_data["period"], actor=request.user)
        except InvalidInput as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Billing run started (job %(id)s).") % {"id": job.pk})
            return redirect("contributions:bill_list")
    status = 400 if request.method == "POST" else 200
    return page(request, "contributions/form.html", {"form": form, "title": _("Start a billing run")}, status)
