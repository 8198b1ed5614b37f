"""Read-only reference data: Kemendagri regions and the branch offices. Not scoped: every signed-in user
needs them to fill in forms and read codes."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from cakupan.core.api import ErrorOutput
from cakupan.core.api_parsing import JSONParser
from cakupan.regions.models import BranchOffice, Region


class RegionOutput(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent"]
        read_only_fields = fields


class BranchOfficeOutput(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    regions = serializers.SerializerMethodField(help_text=_("Codes of the regencies/cities it serves."))

    class Meta:
        model = BranchOffice
        fields = ["id", "code", "name", "region", "region_name", "regions"]
        read_only_fields = fields

    def get_regions(self, obj: BranchOffice) -> list[str]:
        # Sorted in Python: the prefetched rows are already in memory, no query per office.
        return sorted(region.code for region in obj.regions.all())


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Region.Level.choices)
    parent = django_filters.CharFilter(field_name="parent_id", label=_("parent region code"))
    code = django_filters.CharFilter(method="filter_code", label=_("code prefix: 35 gives 35 and below"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))

    class Meta:
        model = Region
        fields: list[str] = []

    def filter_code(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        code = value.strip().rstrip(".")
        return queryset.filter(Q(code=code) | Q(code__startswith=f"{code}."))


class BranchOfficeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")
    serves = django_filters.CharFilter(field_name="regions", label=_("serves this regency/city code"))

    class Meta:
        model = BranchOffice
        fields: list[str] = []


_NOT_FOUND = {404: ErrorOutput}


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]


@extend_schema(tags=["reference"])
@extend_schema_view(
    list=extend_schema(summary="List regions", responses={200: RegionOutput(many=True), 400: ErrorOutput}),
    retrieve=extend_schema(
        summary="One region",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. 35.73")],
        responses={200: RegionOutput, **_NOT_FOUND},
    ),
)
class RegionViewSet(_ReadOnly):
    serializer_class = RegionOutput
    filterset_class = RegionFilter
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"

    def get_queryset(self) -> Any:
        return Region.objects.all()


@extend_schema(tags=["reference"])
@extend_schema_view(
    list=extend_schema(
        summary="List branch offices", responses={200: BranchOfficeOutput(many=True), 400: ErrorOutput}
    ),
    retrieve=extend_schema(summary="One branch office", responses={200: BranchOfficeOutput, **_NOT_FOUND}),
)
class BranchOfficeViewSet(_ReadOnly):
    serializer_class = BranchOfficeOutput
    filterset_class = BranchOfficeFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> Any:
        return BranchOffice.objects.select_related("region").prefetch_related("regions").distinct()


# SimpleRouter: the API root view comes from the registry's router, included first.
router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("branch-offices", BranchOfficeViewSet, basename="branch-office")
urlpatterns = router.urls
