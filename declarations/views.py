"""The supplier's declaration pages: what to sign, the signing page, a signature.

Thin views: the form parses, ``services.signature_create`` decides and names the field of
every refusal, the page shows it there. Staff pages are in ``staff_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from procurement_portal import access
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.core.net import client_ip
from procurement_portal.uploads import serve_private_file
from suppliers.models import Supplier

from . import selectors, services
from .forms import RevokeForm, SignForm
from .models import DeclarationVersion, VersionStatus


def _language() -> str:
    return "ja" if (get_language() or "en").startswith("ja") else "en"


@login_required
@require_safe
def declaration_home(request):
    """Supplier users: per company, the declarations to sign and those signed. Staff
    land on the versions list."""
    if access.sees_all_suppliers(request.user):
        return redirect("declarations:versions")
    if not access.is_supplier_user(request.user):
        raise PermissionDenied
    companies = []
    for supplier in Supplier.objects.visible_to(request.user).order_by("code"):
        to_sign, signatures = selectors.declarations_for_supplier(supplier)
        companies.append({"supplier": supplier, "to_sign": to_sign, "signatures": signatures})
    return render(request, "declarations/home.html", {"companies": companies})


@login_required
@require_http_methods(["GET", "POST"])
def sign(request, pk: int):
    """Read the text in the user's language, type name and title, confirm, sign."""
    version = selectors.versions_visible_to(request.user).filter(pk=pk).first()
    if version is None:
        raise Http404
    if not access.is_supplier_user(request.user):
        raise PermissionDenied(_("Only a supplier's own users sign its declarations."))
    suppliers = list(Supplier.objects.visible_to(request.user).order_by("code"))
    form = SignForm(request.POST or None, suppliers=suppliers)
    if request.method == "POST" and form.is_valid():
        try:
            signature = services.signature_create(
                actor=request.user,
                supplier_id=form.cleaned_data["supplier"],
                version_id=version.pk,
                signer_name=form.cleaned_data["signer_name"],
                signer_title=form.cleaned_data["signer_title"],
                confirmed=form.cleaned_data["confirmed"],
                language=_language(),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Thank you: the declaration is signed."))
            return redirect(signature.get_absolute_url())
    language = _language()
    return render(
        request,
        "declarations/sign.html",
        {
            "version": version,
            "form": form,
            "text": version.text_in(language),
            "title": version.title_in(language),
            "signable": version.status == VersionStatus.PUBLISHED,
        },
    )


@login_required
@require_safe
def signature_detail(request, pk: int):
    signature = selectors.signatures_visible_to(request.user).filter(pk=pk).first()
    if signature is None:
        raise Http404
    revocation = getattr(signature, "revocation", None)
    return render(
        request,
        "declarations/signature_detail.html",
        {
            "signature": signature,
            "revocation": revocation,
            "text": signature.version.text_in(signature.language),
            "title": signature.version.title_in(signature.language),
            "can_revoke": revocation is None
            and access.can(request.user, services.RECORD_ACTION, signature),
            "sees_all": access.sees_all_suppliers(request.user),
        },
    )


@login_required
@require_safe
def signature_scan(request, pk: int):
    """The scanned paper declaration, for whoever may see the signature."""
    signature = selectors.signatures_visible_to(request.user).filter(pk=pk).first()
    if signature is None or not signature.scan:
        raise Http404
    return serve_private_file(
        request,
        file_field_or_path=signature.scan.name,
        download_name=signature.scan_name or f"declaration-{signature.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def signature_revoke(request, pk: int):
    signature = selectors.signatures_visible_to(request.user).filter(pk=pk).first()
    if signature is None:
        raise Http404
    access.require(request.user, services.RECORD_ACTION, signature)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_revoke(
                actor=request.user,
                signature_id=signature.pk,
                reason=form.cleaned_data["reason"],
                effective_date=form.cleaned_data["effective_date"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The signature is revoked."))
            return redirect(signature.get_absolute_url())
    return render(request, "declarations/revoke.html", {"signature": signature, "form": form})


def version_for_staff(user, pk: int) -> DeclarationVersion:
    version = selectors.versions_visible_to(user).filter(pk=pk).first()
    if version is None:
        raise Http404
    return version
