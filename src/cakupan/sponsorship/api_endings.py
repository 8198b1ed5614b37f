"""Ending sponsored cover through the API (issue 15 point 3), as `cakupan sponsors end-cover / answer-move`
and the sponsor's page: decide for a cohort or some members, answer a hand-over, read the retention figures.
Bad input is 400 {"errors": [{"field", "message"}]} with nothing written; out of scope 404."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.permissions import Perm, require
from cakupan.core.api import ErrorOutput, validated
from cakupan.core.api_parsing import JSONParser
from cakupan.sponsorship.selectors_endings import retention
from cakupan.sponsorship.services.endings import cover_endings_decide, cover_moves_answer

TAGS = ["sponsorship"]


class DecideInput(serializers.Serializer):
    month = serializers.CharField()
    action = serializers.CharField()
    memberships = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False)
    to_sponsor = serializers.IntegerField(required=False)


class DecideOutput(serializers.Serializer):
    action = serializers.CharField()
    month = serializers.CharField()
    members = serializers.IntegerField()
    state = serializers.CharField()


class AnswerInput(serializers.Serializer):
    from_sponsor = serializers.IntegerField()
    month = serializers.CharField()
    accept = serializers.BooleanField()


class AnswerOutput(serializers.Serializer):
    accepted = serializers.BooleanField()
    members = serializers.IntegerField()


class FollowUpOutput(serializers.Serializer):
    months = serializers.IntegerField()
    still = serializers.IntegerField()
    followed = serializers.IntegerField()


class RetentionRowOutput(serializers.Serializer):
    month = serializers.CharField()
    members = serializers.IntegerField()
    actions = serializers.DictField(child=serializers.IntegerField())
    follow_ups = FollowUpOutput(many=True)


class RetentionOutput(serializers.Serializer):
    rows = RetentionRowOutput(many=True)
    unpaid_months = serializers.IntegerField()
    rule_confidence = serializers.CharField()
    rule_citation = serializers.CharField()


class EndingsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Decide for members whose sponsored cover ends with a month (all, or those listed)",
        request=DecideInput,
        responses={201: DecideOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.SPONSORSHIP_END)
        data = validated(DecideInput(data=request.data))
        out = cover_endings_decide(
            actor=request.user,
            sponsor=pk,
            month=data["month"],
            action=data["action"],
            memberships=data.get("memberships"),
            to_sponsor=data.get("to_sponsor"),
        )
        return Response(out, status=status.HTTP_201_CREATED)


class MovesView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Accept or decline members another sponsor hands over",
        request=AnswerInput,
        responses={200: AnswerOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.SPONSORSHIP_ACCEPT)
        data = validated(AnswerInput(data=request.data))
        return Response(
            cover_moves_answer(
                actor=request.user,
                to_sponsor=pk,
                from_sponsor=data["from_sponsor"],
                month=data["month"],
                accept=data["accept"],
            )
        )


class RetentionView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Ended cohorts still active 3, 6 and 12 months later",
        responses={200: RetentionOutput, 404: ErrorOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        report = retention(user=request.user, sponsor_id=pk)
        rule = report.rule.unpaid_months
        body: dict[str, Any] = {
            "rows": [
                {
                    "month": row.month,
                    "members": row.members,
                    "actions": row.actions,
                    "follow_ups": [
                        {"months": f.months, "still": f.still, "followed": f.followed} for f in row.follow_ups
                    ],
                }
                for row in report.rows
            ],
            "unpaid_months": rule.value,
            "rule_confidence": rule.source.confidence,
            "rule_citation": rule.source.citation,
        }
        return Response(body)


urlpatterns = [
    path("sponsors/<int:pk>/endings/", EndingsView.as_view(), name="sponsor_endings"),
    path("sponsors/<int:pk>/moves/", MovesView.as_view(), name="sponsor_moves"),
    path("sponsors/<int:pk>/retention/", RetentionView.as_view(), name="sponsor_retention"),
]
