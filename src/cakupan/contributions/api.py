"""Contribution endpoints under /api/v1/: bills, a payer account's statement, recording a payment.

Reads go through selectors_payments (the user's scope); an account outside the scope is a 404. Payments are
recorded by national admin and branch staff only (403 for other roles, before the body is read); bad input
is a 400 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cakupan.accounts.api_access import RoleMayRead
from cakupan.accounts.permissions import Perm, require
from cakupan.contributions import selectors_payments as sel
from cakupan.contributions.filters import BillFilter, PayerAccountFilter
from cakupan.contributions.models import Bill
from cakupan.contributions.services.payment_review import payment_reject, payment_release
from cakupan.contributions.services.payments import payment_record, today
from cakupan.core.api import ErrorOutput, Pagination
from cakupan.core.api_parsing import JSONParser
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.core.filtering import filter_or_refuse


class BillOutput(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    virtual_account = serializers.CharField(source="account.virtual_account")
    payer = serializers.SerializerMethodField()
    period = serializers.CharField()
    due_date = serializers.DateField()
    members = serializers.IntegerField()
    amount_due = serializers.IntegerField()
    paid = serializers.IntegerField()
    outstanding = serializers.IntegerField()

    def get_payer(self, bill: Any) -> str:
        return sel.payer_name(bill.account)


class PaymentInput(serializers.Serializer):
    account = serializers.IntegerField()
    amount = serializers.JSONField(help_text="Whole Rupiah, more than zero.")
    paid_on = serializers.CharField(help_text="YYYY-MM-DD, not in the future.")
    reference = serializers.CharField(allow_blank=True, help_text="The bank reference, unique per account.")


class PaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    amount = serializers.IntegerField()
    paid_on = serializers.DateField()
    reference = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField(help_text="accepted | held (for review, not allocated) | rejected")
    allocations = serializers.SerializerMethodField()

    def get_allocations(self, payment: Any) -> list[dict[str, Any]]:
        return [
            {"bill": a.bill_id, "period": a.bill.period, "amount": a.amount}
            for a in payment.allocations.select_related("bill").order_by("id")
        ]


class _Base(GenericAPIView):
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated]


def _as_of(request: Request) -> dt.date:
    text = request.query_params.get("as_of")
    if not text:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput.single("as_of", _("Must be a date written YYYY-MM-DD.")) from exc


class BillListView(_Base):
    permission_classes = [IsAuthenticated, RoleMayRead]
    read_permission = Perm.BILL_READ
    pagination_class = Pagination
    serializer_class = BillOutput
    queryset = Bill.objects.none()  # for the schema generator only; reads go through sel.bill_list

    @extend_schema(
        tags=["contributions"],
        summary="Bills in your scope",
        parameters=[OpenApiParameter("period", str), OpenApiParameter("account", int)],
        responses={200: BillOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        bills = filter_or_refuse(
            BillFilter, request.query_params, sel.bill_list(user=request.user), request=request
        )
        page = self.paginate_queryset(bills)
        return self.get_paginated_response(BillOutput(page, many=True).data)


class PayerAccountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    virtual_account = serializers.CharField()
    payer = serializers.SerializerMethodField()

    def get_payer(self, account: Any) -> str:
        return sel.payer_name(account)


class PayerAccountListView(_Base):
    pagination_class = Pagination
    serializer_class = PayerAccountOutput
    queryset = Bill.objects.none()  # for the schema generator only; reads go through sel.payer_accounts

    @extend_schema(
        tags=["contributions"],
        summary="Payer accounts in your scope",
        parameters=[OpenApiParameter("q", str), OpenApiParameter("kind", str)],
        responses={200: PayerAccountOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        require(request.user, Perm.BILL_READ)
        accounts = filter_or_refuse(
            PayerAccountFilter, request.query_params, sel.payer_accounts(user=request.user), request=request
        )
        page = self.paginate_queryset(accounts)
        return self.get_paginated_response(PayerAccountOutput(page, many=True).data)


class StatementView(_Base):
    @extend_schema(
        tags=["contributions"],
        summary="A payer account's statement",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH), OpenApiParameter("as_of", str)],
        responses={200: dict, 400: ErrorOutput, 404: ErrorOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            account = sel.payer_account_get(user=request.user, pk=pk)
        except NotInScope as exc:
            raise Http404 from exc
        st = sel.statement(account=account, as_of=_as_of(request))
        standing = st["standing"]
        return Response(
            {
                "account": account.pk,
                "virtual_account": account.virtual_account,
                "kind": account.kind,
                "payer": st["payer"],
                "as_of": st["as_of"].isoformat(),
                "bills": [
                    {
                        "id": r["bill"].pk,
                        "period": r["bill"].period,
                        "due_date": r["bill"].due_date.isoformat(),
                        "amount_due": r["bill"].amount_due,
                        "paid": r["bill"].paid,
                        "outstanding": r["bill"].outstanding,
                        "fine": r["fine"],
                    }
                    for r in st["bills"]
                ],
                "payments": [
                    {
                        "id": p["payment"].pk,
                        "paid_on": p["payment"].paid_on.isoformat(),
                        "amount": p["payment"].amount,
                        "reference": p["payment"].reference,
                        "source": p["payment"].source,
                        "status": p["payment"].status,
                        "allocations": [{"bill": a.bill_id, "amount": a.amount} for a in p["allocations"]],
                    }
                    for p in st["payments"]
                ],
                **{k: st[k] for k in ("billed", "paid", "held", "outstanding", "fines", "credit", "balance")},
                "standing": None
                if standing is None
                else {
                    "behind": standing.behind,
                    "months_behind": standing.months_behind,
                    "unpaid_bills": standing.unpaid_bills,
                    "oldest_due": standing.oldest_due.isoformat() if standing.oldest_due else None,
                    "rule": standing.rule,
                    "confirmed": standing.confirmed,
                },
            }
        )


class PaymentCreateView(_Base):
    @extend_schema(
        tags=["contributions"],
        summary="Record a payment",
        request=PaymentInput,
        responses={201: PaymentOutput, 400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        # Refused before the body is read: the answer does not depend on the payload.
        scope = require(request.user, Perm.PAYMENT_RECORD)
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            account = sel.payer_account_get(user=request.user, pk=data.validated_data["account"], scope=scope)
        except NotInScope as exc:
            raise Http404 from exc
        payment = payment_record(
            actor=request.user,
            account=account,
            amount=data.validated_data["amount"],
            paid_on=data.validated_data["paid_on"],
            reference=data.validated_data["reference"],
            source="api",
        )
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class ReviewInput(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why (required to reject)."
    )


class PaymentReviewView(_Base):
    """Release (accept and allocate) or reject a payment held for review; national admin and branch staff."""

    decision = ""

    @extend_schema(
        tags=["contributions"],
        summary="Release or reject a payment held for review",
        request=ReviewInput,
        responses={200: PaymentOutput, 400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            payment = sel.payment_get(user=request.user, pk=pk)
        except NotInScope as exc:
            raise Http404 from exc
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        if self.decision == "release":
            payment_release(actor=request.user, payment=payment, note=note)
        else:
            payment_reject(actor=request.user, payment=payment, note=note)
        return Response(PaymentOutput(payment).data)


urlpatterns = [
    path("bills/", BillListView.as_view(), name="api-bill-list"),
    path("payer-accounts/", PayerAccountListView.as_view(), name="api-payer-account-list"),
    path("payer-accounts/<int:pk>/statement/", StatementView.as_view(), name="api-payer-statement"),
    path("payments/", PaymentCreateView.as_view(), name="api-payment-create"),
    path(
        "payments/<int:pk>/release/",
        PaymentReviewView.as_view(decision="release"),
        name="api-payment-release",
    ),
    path(
        "payments/<int:pk>/reject/", PaymentReviewView.as_view(decision="reject"), name="api-payment-reject"
    ),
]
