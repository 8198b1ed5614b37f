"""Registry endpoints under /api/v1/. Reads call a selector (which applies the user's scope), writes call
one service; see `base` for how refusals are answered."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cakupan.accounts.permissions import Perm
from cakupan.registry import selectors, services
from cakupan.registry.api import serializers as s
from cakupan.registry.api.base import ApiViewSet, error_responses
from cakupan.registry.api.filters import (
    EmployerFilter,
    EmploymentFilter,
    MembershipFilter,
    PersonFilter,
    SponsorFilter,
)
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor

# Ids are integers; without this the document would only know the URL pattern.
ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema(tags=["employers"])
@extend_schema_view(
    list=extend_schema(
        summary="List employers", responses={200: s.EmployerOutput(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(
        summary="One employer",
        parameters=[ID_PARAM],
        responses={200: s.EmployerOutput, **error_responses(404)},
    ),
)
class EmployerViewSet(ApiViewSet):
    """Employers (NPP). Branch staff see their offices' regencies, agencies their regency (health agencies:
    health facilities only), employer HR its own employer. National admin and branch staff register and
    change employers."""

    model = Employer
    filterset_class = EmployerFilter
    read_permission = Perm.EMPLOYER_READ
    write_permission = Perm.EMPLOYER_WRITE

    def list_queryset(self) -> Any:
        return selectors.employer_list(user=self.request.user, scope=self.scope)

    def list(self, request: Request) -> Response:
        return self.render_page(self.filter_queryset(self.get_queryset()), s.EmployerOutput)

    @extend_schema(
        summary="Register an employer",
        request=s.EmployerCreateInput,
        responses={201: s.EmployerOutput, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.EmployerCreateInput, request)
        employer = services.employer_register(actor=request.user, **data)
        return self.render(employer, s.EmployerOutput, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(selectors.employer_get(user=request.user, pk=pk), s.EmployerOutput)

    @extend_schema(
        summary="Change an employer",
        parameters=[ID_PARAM],
        request=s.EmployerUpdateInput,
        responses={200: s.EmployerOutput, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        employer = selectors.employer_get(user=request.user, pk=pk)
        data = self.parse(s.EmployerUpdateInput, request)
        employer = services.employer_update(actor=request.user, employer=employer, **data)
        return self.render(employer, s.EmployerOutput)


@extend_schema(tags=["persons"])
@extend_schema_view(
    list=extend_schema(
        summary="List persons", responses={200: s.PersonOutput(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(
        summary="One person", parameters=[ID_PARAM], responses={200: s.PersonOutput, **error_responses(404)}
    ),
)
class PersonViewSet(ApiViewSet):
    """Persons (NIK), as far as the role's scope reaches. Sponsors see the NIK masked (UU 27/2022 on personal
    data: only what the purpose needs). National admin, branch staff and employer HR register and change."""

    model = Person
    filterset_class = PersonFilter
    read_permission = Perm.PERSON_VIEW
    write_permission = Perm.REGISTRY_EDIT

    def list_queryset(self) -> Any:
        return selectors.person_list(user=self.request.user, scope=self.scope)

    def list(self, request: Request) -> Response:
        return self.render_page(self.filter_queryset(self.get_queryset()), s.PersonOutput)

    @extend_schema(
        summary="Register a person",
        request=s.PersonCreateInput,
        responses={201: s.PersonOutput, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.PersonCreateInput, request)
        person = services.person_register(actor=request.user, **data)
        return self.render(person, s.PersonOutput, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(selectors.person_get(user=request.user, pk=pk), s.PersonOutput)

    @extend_schema(
        summary="Change a person",
        parameters=[ID_PARAM],
        request=s.PersonUpdateInput,
        responses={200: s.PersonOutput, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        person = selectors.person_get(user=request.user, pk=pk)
        data = self.parse(s.PersonUpdateInput, request)
        person = services.person_update(actor=request.user, person=person, **data)
        return self.render(person, s.PersonOutput)

    @extend_schema(
        summary="A person's employments (those you may see)",
        parameters=[ID_PARAM],
        responses={200: s.EmploymentOutput(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], filterset_class=None)
    def employments(self, request: Request, pk: str) -> Response:
        person = selectors.person_get(user=request.user, pk=pk)
        employments = selectors.employment_list(user=request.user, scope=self.scope)
        return self.render_page(employments.filter(person=person), s.EmploymentOutput)

    @extend_schema(
        summary="A person's memberships (those you may see)",
        parameters=[ID_PARAM],
        responses={200: s.MembershipOutput(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], filterset_class=None)
    def memberships(self, request: Request, pk: str) -> Response:
        person = selectors.person_get(user=request.user, pk=pk)
        memberships = selectors.membership_list(user=request.user, scope=self.scope)
        return self.render_page(memberships.filter(person=person), s.MembershipOutput)


@extend_schema(tags=["persons"])
class WorkerViewSet(ApiViewSet):
    """A new person and their employment in one call, as employers and branch staff register new workers."""

    model = Employment
    write_permission = Perm.REGISTRY_EDIT

    @extend_schema(
        summary="Register a new worker and their employment in one call",
        request=s.WorkerCreateInput,
        responses={201: s.WorkerOutput, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.WorkerCreateInput, request)
        employment = services.worker_register(
            actor=request.user,
            person={k: v for k, v in data.items() if k in s.WorkerCreateInput.PERSON_KEYS},
            employer=data["employer"],
            employment={k: v for k, v in data.items() if k in s.WorkerCreateInput.EMPLOYMENT_KEYS},
        )
        worker = {"person": employment.person, "employment": employment}
        return self.render(worker, s.WorkerOutput, status.HTTP_201_CREATED)


@extend_schema(tags=["employments"])
@extend_schema_view(
    list=extend_schema(
        summary="List employments", responses={200: s.EmploymentOutput(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(
        summary="One employment",
        parameters=[ID_PARAM],
        responses={200: s.EmploymentOutput, **error_responses(404)},
    ),
)
class EmploymentViewSet(ApiViewSet):
    """Employment of persons by employers: wage (upah pokok + tunjangan tetap, whole Rupiah) and dates."""

    model = Employment
    filterset_class = EmploymentFilter
    read_permission = Perm.EMPLOYMENT_READ
    write_permission = Perm.REGISTRY_EDIT

    def list_queryset(self) -> Any:
        return selectors.employment_list(user=self.request.user, scope=self.scope)

    def list(self, request: Request) -> Response:
        return self.render_page(self.filter_queryset(self.get_queryset()), s.EmploymentOutput)

    @extend_schema(
        summary="Start an employment",
        request=s.EmploymentCreateInput,
        responses={201: s.EmploymentOutput, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.EmploymentCreateInput, request)
        employment = services.employment_start(actor=request.user, **data)
        return self.render(employment, s.EmploymentOutput, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(selectors.employment_get(user=request.user, pk=pk), s.EmploymentOutput)

    @extend_schema(
        summary="Change an employment (wage, dates, end it)",
        parameters=[ID_PARAM],
        request=s.EmploymentUpdateInput,
        responses={200: s.EmploymentOutput, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        employment = selectors.employment_get(user=request.user, pk=pk)
        data = self.parse(s.EmploymentUpdateInput, request)
        employment = services.employment_update(actor=request.user, employment=employment, **data)
        return self.render(employment, s.EmploymentOutput)


@extend_schema(tags=["memberships"])
@extend_schema_view(
    list=extend_schema(
        summary="List memberships", responses={200: s.MembershipOutput(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(
        summary="One membership",
        parameters=[ID_PARAM],
        responses={200: s.MembershipOutput, **error_responses(404)},
    ),
)
class MembershipViewSet(ApiViewSet):
    """Memberships (KPJ): a person's segment, programmes and who pays. Sponsors see the ones they pay for."""

    model = Membership
    filterset_class = MembershipFilter
    read_permission = Perm.MEMBERSHIP_READ
    write_permission = Perm.REGISTRY_EDIT

    def list_queryset(self) -> Any:
        return selectors.membership_list(user=self.request.user, scope=self.scope)

    def list(self, request: Request) -> Response:
        return self.render_page(self.filter_queryset(self.get_queryset()), s.MembershipOutput)

    @extend_schema(
        summary="Enrol a person in a segment and programmes",
        request=s.MembershipCreateInput,
        responses={201: s.MembershipOutput, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.MembershipCreateInput, request)
        membership = services.membership_enrol(actor=request.user, **data)
        return self.render(membership, s.MembershipOutput, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(selectors.membership_get(user=request.user, pk=pk), s.MembershipOutput)

    @extend_schema(
        summary="End a membership",
        parameters=[ID_PARAM],
        request=s.MembershipEndInput,
        responses={200: s.MembershipOutput, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], filterset_class=None)
    def end(self, request: Request, pk: str) -> Response:
        membership = selectors.membership_get(user=request.user, pk=pk)
        data = self.parse(s.MembershipEndInput, request)
        membership = services.membership_end(actor=request.user, membership=membership, **data)
        return self.render(membership, s.MembershipOutput)


@extend_schema(tags=["sponsors"])
@extend_schema_view(
    list=extend_schema(
        summary="List sponsors", responses={200: s.SponsorOutput(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(
        summary="One sponsor", parameters=[ID_PARAM], responses={200: s.SponsorOutput, **error_responses(404)}
    ),
)
class SponsorViewSet(ApiViewSet):
    """Payers for others: regional budgets (APBD), companies' CSR, donors."""

    model = Sponsor
    filterset_class = SponsorFilter
    read_permission = Perm.SPONSOR_READ
    write_permission = Perm.SPONSOR_WRITE

    def list_queryset(self) -> Any:
        return selectors.sponsor_list(user=self.request.user, scope=self.scope)

    def list(self, request: Request) -> Response:
        return self.render_page(self.filter_queryset(self.get_queryset()), s.SponsorOutput)

    @extend_schema(
        summary="Register a sponsor",
        request=s.SponsorCreateInput,
        responses={201: s.SponsorOutput, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.SponsorCreateInput, request)
        sponsor = services.sponsor_register(actor=request.user, **data)
        return self.render(sponsor, s.SponsorOutput, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.render(selectors.sponsor_get(user=request.user, pk=pk), s.SponsorOutput)

    @extend_schema(
        summary="Set a sponsor's income basis",
        parameters=[ID_PARAM],
        request=s.SponsorUpdateInput,
        responses={200: s.SponsorOutput, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        sponsor = selectors.sponsor_get(user=request.user, pk=pk)
        data = self.parse(s.SponsorUpdateInput, request)
        sponsor = services.sponsor_income_basis_set(actor=request.user, sponsor=sponsor, **data)
        return self.render(sponsor, s.SponsorOutput)
