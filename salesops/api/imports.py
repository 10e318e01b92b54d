"""POST /api/v1/imports/ runs a CRM import; GET lists the import history. Sales ops and admins."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from salesops.api.base import ScopedViewSet
from salesops.importer.filters import ImportRunFilter
from salesops.importer.queue import crm_import_queue
from salesops.importer.selectors import import_run_get, import_run_list
from salesops.importer.services import (
    FILE_COLUMNS_HELP,
    FILE_KINDS,
    STAGE_MAP_HELP,
    stage_map_build,
)
from salesops.models import ImportRun
from salesops.permissions import IsSalesOpsOrAdmin


def _file_field(kind: str) -> serializers.FileField:
    return serializers.FileField(required=False, help_text=f"CSV: {FILE_COLUMNS_HELP[kind]}")


class ImportInputSerializer(serializers.Serializer):
    teams = _file_field("teams")
    products = _file_field("products")
    accounts = _file_field("accounts")
    opportunities = _file_field("opportunities")
    costs = _file_field("costs")
    stage_map = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=STAGE_MAP_HELP
    )
    dry_run = serializers.BooleanField(required=False, default=False)
    strict = serializers.BooleanField(required=False, default=False)

    def validate_stage_map(self, value: str) -> str:
        stage_map_build(value)  # raises ValidationError({"stage_map": …}) → 400
        return value


class ImportIssueSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["error", "warning", "info"])
    file = serializers.CharField()
    line = serializers.IntegerField(help_text="Physical line; the header is line 1.")
    column = serializers.CharField()
    reason = serializers.CharField()
    value = serializers.CharField()
    count = serializers.IntegerField(help_text="Rows with this same warning or note.")


class ImportFileReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    rows = serializers.IntegerField()
    error_rows = serializers.IntegerField()
    warnings = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="entity → {created, updated, unchanged}",
    )
    issues = ImportIssueSerializer(many=True)
    issues_left_off = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    status = serializers.CharField()
    dry_run = serializers.BooleanField()
    strict = serializers.BooleanField()
    committed = serializers.BooleanField()
    message = serializers.CharField()
    duration_seconds = serializers.FloatField()
    error_rows = serializers.IntegerField()
    warnings = serializers.IntegerField()
    summary = serializers.ListField(child=serializers.DictField())
    files = serializers.DictField(child=ImportFileReportSerializer())


class ImportRunOutputSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", default=None)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "user",
            "origin",
            "started_at",
            "finished_at",
            "status",
            "dry_run",
            "strict",
            "files",
            "error_count",
            "warning_count",
            "progress_done",
            "progress_total",
        ]


class ImportRunDetailSerializer(ImportRunOutputSerializer):
    report = ImportReportSerializer()

    class Meta(ImportRunOutputSerializer.Meta):
        fields = [*ImportRunOutputSerializer.Meta.fields, "report"]


@extend_schema_view(
    list=extend_schema(summary="Import history (sales ops and admins)"),
    retrieve=extend_schema(summary="One import run with its full report"),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    permission_classes = [IsSalesOpsOrAdmin]
    serializer_class = ImportRunOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ImportRunFilter
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportRun]:
        return import_run_list(user=self.request.user)

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        if request.user.is_authenticated:  # out of scope reads as absent, as on /ops/imports/
            raise NotFound()
        super().permission_denied(request, message=message, code=code)

    def get_object(self) -> ImportRun:
        return import_run_get(user=self.request.user, run_id=int(self.kwargs["pk"]))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return ImportRunDetailSerializer
        return ImportRunOutputSerializer

    @extend_schema(
        summary="Import a CRM export",
        description="Multipart upload of any subset of the five CSV files (at most "
        "IMPORT_MAX_UPLOAD_BYTES together). The files are stored and a worker runs the same "
        "import as `manage.py import_crm`: the answer is 202 with the queued import run; follow "
        "it at `GET /api/v1/imports/{id}/` (`progress_done` of `progress_total` lines) until "
        "its status is no longer `running`; its `report` is then the row-level report: "
        "success, partial (bad rows skipped), failed (strict mode with bad rows: nothing "
        "written) or dry_run.",
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: ImportRunDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = crm_import_queue(
            files={kind: values.get(kind) for kind in FILE_KINDS},
            stage_map=values["stage_map"],
            dry_run=values["dry_run"],
            strict=values["strict"],
            user=request.user,
            origin="api",
        )
        body = ImportRunDetailSerializer(import_run_get(user=request.user, run_id=run.pk)).data
        return Response(
            body,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"{request.path.rstrip('/')}/{run.pk}/"},
        )
