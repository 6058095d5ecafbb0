"""Staff pages of declarations: versions, signatures, paper records, bulk load, coverage.

Every company-side role reads them (the CSCO included); writing asks the services,
which check the capability (publishing: administrators; paper records, revocations,
reminders: procurement staff).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from procurement_portal import access
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.core.text import parse_digits
from procurement_portal.fiscal import FiscalYear
from procurement_portal.uploads import validate_upload

from . import reminders, selectors, services
from .forms import CoverageForm, PaperImportForm, PaperSignatureForm
from .imports import PaperDeclarationImport, paper_import
from .models import DeclarationKind, VersionStatus
from .views import version_for_staff

PAGE_SIZE = 50
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _render(request, template: str, context: dict):
    """Every staff page shows the same tabs; recording ones only for those who may."""
    context["can_record"] = access.can(request.user, services.RECORD_ACTION)
    return render(request, template, context)


@login_required
@require_safe
def version_list(request):
    access.require_staff(request.user)
    versions = (
        selectors.versions_visible_to(request.user)
        .annotate(
            signed=Count("signatures", filter=Q(signatures__revocation__isnull=True)),
        )
        .order_by("kind__code", "-number")
    )
    return _render(
        request,
        "declarations/versions.html",
        {
            "versions": versions,
            "can_author": access.can(request.user, services.AUTHOR_ACTION),
        },
    )


@login_required
@require_safe
def version_detail(request, pk: int):
    version = version_for_staff(request.user, pk)  # scope first: a draft is 404 to suppliers
    access.require_staff(request.user)
    signatures = selectors.signatures_visible_to(request.user).filter(version=version)
    page = Paginator(signatures, PAGE_SIZE).get_page(request.GET.get("page"))
    asked = selectors.audience_suppliers(version).count()
    return _render(
        request,
        "declarations/version_detail.html",
        {
            "version": version,
            "page": page,
            "asked": asked,
            "missing": (
                reminders.missing_for_version(version).count()
                if version.status == VersionStatus.PUBLISHED
                else None
            ),
            "can_publish": version.status == VersionStatus.DRAFT
            and access.can(request.user, services.AUTHOR_ACTION),
            "can_remind": version.status == VersionStatus.PUBLISHED
            and access.can(request.user, services.RECORD_ACTION),
        },
    )


@login_required
@require_POST
def version_publish(request, pk: int):
    version = version_for_staff(request.user, pk)  # scope first: a draft is 404 to suppliers
    access.require_staff(request.user)
    try:
        services.version_publish(actor=request.user, version_id=version.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Published: the suppliers it concerns are asked to sign it."))
    return redirect("declarations:version-detail", pk=version.pk)


@login_required
@require_POST
def version_remind(request, pk: int):
    version = version_for_staff(request.user, pk)  # scope first: a draft is 404 to suppliers
    access.require_staff(request.user)
    queued = reminders.requests_send(actor=request.user, version_id=version.pk)
    _queued_message(request, queued)
    return redirect("declarations:version-detail", pk=version.pk)


def _queued_message(request, queued: int) -> None:
    if queued:
        messages.success(
            request, _("%(count)s e-mail(s) queued to the missing suppliers.") % {"count": queued}
        )
    else:
        messages.info(
            request, _("No new e-mail: everyone missing was already written to this week.")
        )


@login_required
@require_safe
def signature_list(request):
    """Signatures, newest first, by supplier code or version."""
    access.require_staff(request.user)
    signatures = selectors.signatures_visible_to(request.user)
    code = request.GET.get("supplier", "").strip()[:40]
    if code:
        signatures = signatures.filter(supplier__code__iexact=code)
    version_id = request.GET.get("version", "")
    version_pk = parse_digits(version_id, max_digits=9)
    if version_pk is not None:
        signatures = signatures.filter(version_id=version_pk)
    page = Paginator(signatures, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "declarations/signatures.html",
        {
            "page": page,
            "supplier_code": code,
            "version_id": version_id if version_pk is not None else "",
            "versions": selectors.versions_visible_to(request.user).order_by(
                "kind__code", "-number"
            ),
        },
    )


@login_required
def paper_record(request):
    access.require_capability(request.user, services.RECORD_ACTION)
    form = PaperSignatureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signature = services.paper_signature_record(
                actor=request.user,
                supplier_code=data["supplier_code"],
                version_id=data["version"].pk,
                signed_on=data["signed_on"],
                signer_name=data["signer_name"],
                signer_title=data["signer_title"],
                language=data["language"],
                scan=data["scan"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The paper declaration is recorded."))
            return redirect(signature.get_absolute_url())
    return _render(request, "declarations/paper.html", {"form": form})


@login_required
def paper_bulk(request):
    access.require_capability(request.user, services.RECORD_ACTION)
    access.require_capability(request.user, access.Action.IMPORT_DATA)
    form = PaperImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kind = validate_upload(upload, allowed={"csv", "xlsx"}, max_bytes=IMPORT_MAX_BYTES)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            with tempfile.TemporaryDirectory() as folder:
                # openpyxl opens a workbook by its extension; the kind is the detected one.
                path = Path(folder) / f"upload.{kind}"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                report = paper_import(actor=request.user, path=path)
            if report.ok:
                messages.success(
                    request,
                    _("%(created)s declaration(s) recorded, %(unchanged)s already on record.")
                    % {"created": report.created, "unchanged": report.unchanged},
                )
                return redirect("declarations:signatures")
    return _render(
        request,
        "declarations/paper_import.html",
        {"form": form, "report": report, "columns": PaperDeclarationImport.columns},
    )


def _coverage_form(request) -> tuple[CoverageForm, int, DeclarationKind]:
    form = CoverageForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["fiscal_year"], form.cleaned_data["kind"]
    kind = DeclarationKind.objects.get(code=form.fields["kind"].initial)
    return form, form.fields["fiscal_year"].initial, kind


@login_required
@require_safe
def coverage(request):
    """New suppliers of a fiscal year by region, how many hold a valid declaration of the
    kind, and the list of those missing (the CSCO reads it; staff write to them)."""
    access.require_staff(request.user)
    form, fiscal_year, kind = _coverage_form(request)
    figures = selectors.coverage(user=request.user, fiscal_year=fiscal_year, kind=kind)
    page = Paginator(figures.missing_pages(), PAGE_SIZE).get_page(request.GET.get("page"))
    current = selectors.current_versions().filter(kind=kind).first()
    return _render(
        request,
        "declarations/coverage.html",
        {
            "form": form,
            "figures": figures,
            "fiscal_year_label": str(FiscalYear(fiscal_year)),
            "page": page,
            "current_version": current,
            "can_remind": current is not None and access.can(request.user, services.RECORD_ACTION),
        },
    )


@login_required
@require_POST
def coverage_remind(request):
    """Write to the contacts of every supplier missing on the coverage page, asking them to
    sign the kind's current version (this week's round, never twice)."""
    access.require_capability(request.user, services.RECORD_ACTION)
    form = CoverageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a fiscal year and a declaration."))
        return redirect("declarations:coverage")
    fiscal_year, kind = form.cleaned_data["fiscal_year"], form.cleaned_data["kind"]
    current = selectors.current_versions().filter(kind=kind).first()
    if current is None:
        messages.error(request, _("This declaration has no published version to sign."))
    else:
        figures = selectors.coverage(user=request.user, fiscal_year=fiscal_year, kind=kind)
        queued = reminders.requests_send(
            actor=request.user,
            version_id=current.pk,
            supplier_ids=figures.missing.values_list("pk", flat=True),
        )
        _queued_message(request, queued)
    query = urlencode({"fiscal_year": fiscal_year, "kind": kind.code})
    return redirect(f"{reverse('declarations:coverage')}?{query}")
