"""REST endpoints of the year-end dossier (mounted under /api/v1/ by `api_urls.py`).

| endpoint | what |
|---|---|
| `GET dossier/{org}/{year}/` | the dossier's sections as JSON: every registered section in order, its blocks (heading, paragraph, facts, table) and the names and sources of its files; an empty one says so (`empty`) |
| `POST dossier/{org}/{year}/pdf/` | start the PDF as a background export: 202 with the job |
| `POST dossier/{org}/{year}/zip/` | start the zip (the PDF, every section's files, `manifest.csv`): 202 with the job |
| `GET dossier/exports/{id}/` | the job: status, error, and the file's address once done |
| `GET dossier/exports/{id}/file/` | the file (the job's owner only) |

The same access as the pages (`access.access_dossier_org`): outside the user's scope or not
a branch 404, a branch they see but may not produce (a member) 403, a year outside 2000 to
this year 404. Starting the same export twice within a minute answers the job already made
(`juli.core.exports.start_export`), so a retried POST makes one file. Jobs are the owner's:
anyone else's id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ERRORS, READ_ERRORS
from juli.api.ids import path_id
from juli.core.exports import access_export, start_export
from juli.core.models import ExportJob

from . import access, assemble, exports


class DossierOrgSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class DossierBlockSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField(help_text="heading, paragraph, facts or table.")
    text = serializers.CharField(allow_blank=True, help_text="Heading and paragraph.")
    head = serializers.ListField(child=serializers.CharField(), help_text="Table: the columns.")
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="Facts: [label, value] pairs; table: the rows, cells as text.",
    )


class DossierFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(help_text="Its name inside the section's folder of the zip.")
    source = serializers.CharField(allow_blank=True)  # type: ignore[assignment]


class DossierSectionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    empty = serializers.BooleanField(help_text="No records for this year.")
    failed = serializers.BooleanField(help_text="The section could not be assembled.")
    blocks = DossierBlockSerializer(many=True)
    files = DossierFileSerializer(many=True)


class DossierSerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = DossierOrgSerializer()
    upper = DossierOrgSerializer(allow_null=True)
    year = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    sections = DossierSectionSerializer(many=True)


class DossierExportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, done or failed.")
    error = serializers.CharField(allow_blank=True)
    filename = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="This job.")
    file_url = serializers.CharField(allow_null=True, help_text="The file, once done.")


def _org(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "code": org.code, "name": org.name}


def dossier_json(dossier: assemble.Dossier) -> dict[str, Any]:
    return {
        "org": _org(dossier.org),
        "upper": _org(dossier.upper),
        "year": dossier.year,
        "generated_at": dossier.generated_at,
        "sections": [
            {
                "key": part.key,
                "title": part.title,
                "order": part.kind.order,
                "empty": part.empty,
                "failed": part.failed,
                "blocks": [
                    {"kind": b.kind, "text": b.text, "head": list(b.head), "rows": b.rows}
                    for b in (part.section.blocks if part.section else [])
                ],
                "files": [
                    {"name": f.name, "source": f.source}
                    for f in (part.section.files if part.section else [])
                ],
            }
            for part in dossier.parts
        ],
    }


def job_json(job: ExportJob) -> dict[str, Any]:
    done = job.status == ExportJob.Status.DONE and bool(job.file)
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "error": job.error,
        "filename": job.filename,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "url": reverse("api-dossier-export", args=[job.pk]),
        "file_url": reverse("api-dossier-export-file", args=[job.pk]) if done else None,
    }


class DossierApiView(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)


class DossierView(DossierApiView):
    serializer_class = DossierSerializer

    @extend_schema(
        operation_id="dossier_read",
        summary="A branch's year-end dossier, section by section",
        responses={200: DossierSerializer, **ERRORS},
    )
    def get(self, request: Request, org_id: int, year: int) -> Response:
        org = access.access_dossier_org(request.user, path_id(org_id))
        dossier = assemble.assemble(org, access.check_year(year), request.user)
        return Response(DossierSerializer(dossier_json(dossier)).data)


class _StartView(DossierApiView):
    kind = ""
    serializer_class = DossierExportSerializer

    def post(self, request: Request, org_id: int, year: int) -> Response:
        org = access.access_dossier_org(request.user, path_id(org_id))
        year = access.check_year(year)
        params = {"org": org.pk, "year": year, "back": reverse("dossier", args=[org.pk, year])}
        job, _created = start_export(request.user, self.kind, params)
        job.refresh_from_db()
        return Response(
            DossierExportSerializer(job_json(job)).data, status=status.HTTP_202_ACCEPTED
        )


class DossierPdfView(_StartView):
    kind = exports.PDF_KIND

    @extend_schema(
        operation_id="dossier_pdf",
        summary="Start the dossier's PDF (a background export)",
        request=None,
        responses={202: DossierExportSerializer, **ERRORS},
    )
    def post(self, request: Request, org_id: int, year: int) -> Response:
        return super().post(request, org_id, year)


class DossierZipView(_StartView):
    kind = exports.ZIP_KIND

    @extend_schema(
        operation_id="dossier_zip",
        summary="Start the dossier's zip of evidence (a background export)",
        request=None,
        responses={202: DossierExportSerializer, **ERRORS},
    )
    def post(self, request: Request, org_id: int, year: int) -> Response:
        return super().post(request, org_id, year)


def _dossier_job(user: Any, pk: Any) -> ExportJob:
    job = access_export(user, path_id(pk))
    if job.kind not in (exports.PDF_KIND, exports.ZIP_KIND):
        raise Http404
    return job


class ExportView(DossierApiView):
    serializer_class = DossierExportSerializer

    @extend_schema(
        operation_id="dossier_export_read",
        summary="A dossier export job of yours",
        responses={200: DossierExportSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DossierExportSerializer(job_json(_dossier_job(request.user, pk))).data)


class ExportFileView(DossierApiView):
    @extend_schema(
        operation_id="dossier_export_file",
        summary="The file of a finished dossier export of yours",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF or the zip."
            ),
            **READ_ERRORS,
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = _dossier_job(request.user, pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


urlpatterns = [
    path("dossier/<int:org_id>/<int:year>/", DossierView.as_view(), name="api-dossier"),
    path("dossier/<int:org_id>/<int:year>/pdf/", DossierPdfView.as_view(), name="api-dossier-pdf"),
    path("dossier/<int:org_id>/<int:year>/zip/", DossierZipView.as_view(), name="api-dossier-zip"),
    path("dossier/exports/<int:pk>/", ExportView.as_view(), name="api-dossier-export"),
    path(
        "dossier/exports/<int:pk>/file/",
        ExportFileView.as_view(),
        name="api-dossier-export-file",
    ),
]
