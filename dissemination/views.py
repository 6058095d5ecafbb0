"""Pages of the guideline library: suppliers read and acknowledge; staff author,
publish and follow coverage (the meetings' pages are in ``meeting_views``).

Views parse, call one service or selector, and shape: objects are found through the
user's ``visible_to`` (another supplier's is a 404) before any role is checked.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from procurement_portal import access
from procurement_portal.core.errors import Conflict
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.uploads import serve_private_file

from . import selectors, services
from .forms import (
    DocumentForm,
    FileForm,
    VersionForm,
)
from .models import GuidelineDocument, GuidelineFile, GuidelineVersion

MANAGE = services.MANAGE


def _get(model, request: HttpRequest, pk: int):
    try:
        return model.objects.visible_to(request.user).get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


def _staff_object(model, request: HttpRequest, pk: int):
    """A company-side page's object: 404 unless the user sees it, then staff only."""
    obj = _get(model, request, pk)
    access.require_staff(request.user)
    return obj


# --- library ------------------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    user = request.user
    if access.sees_all_suppliers(user):
        return render(
            request,
            "dissemination/library_staff.html",
            {
                "documents": list(selectors.documents_for(user=user)),
                "can_manage": access.can(user, MANAGE),
            },
        )
    if not access.is_supplier_user(user):
        raise Http404
    entries = selectors.library_for(user=user)
    return render(
        request,
        "dissemination/library.html",
        {
            "entries": entries,
            "many_companies": len({e.request.supplier_id for e in entries}) > 1,
            "open_count": sum(1 for e in entries if e.can_acknowledge),
        },
    )


@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    access.require_capability(request.user, MANAGE)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Document added. Add its first version."))
            return redirect("dissemination:document-detail", pk=document.pk)
    return render(
        request,
        "dissemination/form.html",
        {"form": form, "title": _("New document"), "back": "dissemination:library"},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _staff_object(GuidelineDocument, request, pk)
    document = selectors.documents_for(user=request.user).get(pk=document.pk)
    return render(
        request,
        "dissemination/document.html",
        {"document": document, "can_manage": access.can(request.user, MANAGE)},
    )


@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    document = _staff_object(GuidelineDocument, request, pk)
    access.require(request.user, MANAGE, document)
    form = VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_create(
                actor=request.user, document_id=document.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Attach the PDFs, then publish."))
            return redirect("dissemination:version-detail", pk=version.pk)
    return render(
        request,
        "dissemination/version_form.html",
        {"form": form, "document": document},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_object(GuidelineVersion, request, pk)
    version = selectors.version_detail(user=request.user, pk=pk)
    return render(
        request,
        "dissemination/version.html",
        {
            "version": version,
            "coverage": selectors.version_coverage(user=request.user, version=version),
            "file_form": FileForm(),
            "can_manage": access.can(request.user, MANAGE),
        },
    )


def _back_to_version(version_id: int):
    return redirect("dissemination:version-detail", pk=version_id)


@login_required
@require_POST
def version_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_object(GuidelineVersion, request, pk)
    access.require(request.user, MANAGE, version)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.version_file_attach(
                actor=request.user,
                version_id=version.pk,
                language=form.cleaned_data["language"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back_to_version(version.pk)
    if form.errors:
        version = selectors.version_detail(user=request.user, pk=pk)
        return render(
            request,
            "dissemination/version.html",
            {
                "version": version,
                "coverage": selectors.version_coverage(user=request.user, version=version),
                "file_form": form,
                "can_manage": True,
            },
            status=400,
        )
    messages.success(request, _("File attached."))
    return _back_to_version(version.pk)


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_object(GuidelineVersion, request, pk)
    access.require(request.user, MANAGE, version)
    try:
        version = services.version_publish(actor=request.user, version_id=version.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "Published: %(n)s supplier is asked to read and acknowledge it.",
                "Published: %(n)s suppliers are asked to read and acknowledge it.",
                version.asked_count,
            )
            % {"n": version.asked_count},
        )
    return _back_to_version(pk)


@login_required
@require_POST
def version_retire(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_object(GuidelineVersion, request, pk)
    access.require(request.user, MANAGE, version)
    try:
        services.version_retire(actor=request.user, version_id=version.pk)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Version retired: it is no longer asked for."))
    return _back_to_version(pk)


@login_required
@require_POST
def version_remind(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_object(GuidelineVersion, request, pk)
    access.require(request.user, MANAGE, version)
    try:
        queued = services.version_remind(actor=request.user, version_id=version.pk)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("%(n)s reminder queued.", "%(n)s reminders queued.", queued) % {"n": queued},
        )
    return _back_to_version(pk)


@login_required
@require_POST
def version_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    supplier_id = request.POST.get("supplier") or None
    try:
        supplier_id = int(supplier_id) if supplier_id is not None else None
    except ValueError:
        raise Http404 from None
    try:
        _ack, created = services.acknowledgement_create(
            user=request.user, version_id=pk, supplier_id=supplier_id
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if created:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        else:
            messages.info(request, _("This version was already acknowledged; nothing changed."))
    return redirect("dissemination:library")


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    row = _get(GuidelineFile, request, pk)
    return serve_private_file(
        request,
        file_field_or_path=row.file,
        download_name=row.original_name or f"guideline-{row.language}.pdf",
        content_type="application/pdf",
    )
