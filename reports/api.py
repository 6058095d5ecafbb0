"""The annual figures over the API: ``GET /api/v1/reports/annual-figures/?fiscal_year=2020
&format=json|csv|xlsx`` (administrators). The same data and the same files as the page's
downloads and ``manage.py export_annual_figures``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.views import APIView

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.openapi import VALIDATION_ERROR_SCHEMA, PortalSchema
from procurement_portal.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, current_fiscal_year

from .figures import annual_figures, as_data, clean_fiscal_year
from .figures import export as figures_export


class _FileRenderer(renderers.BaseRenderer):
    """Lets DRF's ``?format=`` choose a file format; the view answers the file itself."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class AnnualFiguresView(APIView):
    """A fiscal year's annual figures for the sustainability report, every field as
    docs/annual-figures.md defines it, each with the filter of the records behind it."""

    renderer_classes = [renderers.JSONRenderer, CsvRenderer, XlsxRenderer]
    schema = PortalSchema()  # documents 403 and 429 beside the files

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ``?format=`` with a bare 404 before the handler runs; here
        # it is a parameter like any other: the handler's 400 names it, in JSON.
        if request.query_params.get("format") not in (None, "", *figures_export.FORMATS):
            return renderers.JSONRenderer(), renderers.JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        operation_id="reports_annual_figures",
        parameters=[
            OpenApiParameter(
                "fiscal_year",
                int,
                required=True,
                description=f"Named by the year it ends in ({MIN_FISCAL_YEAR}-{MAX_FISCAL_YEAR}).",
            ),
            OpenApiParameter("format", str, enum=list(figures_export.FORMATS), required=False),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XlsxRenderer.media_type): OpenApiTypes.BINARY,
            400: VALIDATION_ERROR_SCHEMA,
        },
    )
    def get(self, request, *args, **kwargs):
        if not access.can(request.user, Action.EXPORT_ANNUAL_FIGURES):
            raise PermissionDenied()
        fmt = request.query_params.get("format") or "json"
        if fmt not in figures_export.FORMATS:
            raise ApiValidationError({"format": ["Use json, csv or xlsx."]})
        if not request.query_params.get("fiscal_year"):
            raise ApiValidationError({"fiscal_year": ["Give the fiscal year, such as 2020."]})
        try:
            year = clean_fiscal_year(
                request.query_params.get("fiscal_year"), current_fiscal_year().year
            )
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from exc
        return figures_export.response(as_data(year, annual_figures(year)), fmt)
