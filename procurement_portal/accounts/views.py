"""Pages about one's account: two-factor (and a supplier user's optional one),
invitations, the people of a supplier."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement_portal import access
from procurement_portal.core.forms import apply_validation_error

from . import services, tokens
from . import two_factor as second_factor
from .forms import AcceptInvitationForm, InviteForm, TokenForm
from .middleware import ENROLLED_KEY
from .models import Invitation, User


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Confirm a code from the authenticator app after the password. Nobody enrols here:
    a staff device is made by an administrator (who hands over its secret once), so
    whoever learns a password cannot claim the second factor."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return render(request, "accounts/two_factor_missing.html", status=403)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a little and try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error("token", _("This code is not correct or has expired."))
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/two_factor.html", context)


class SecondFactorForm(TokenForm):
    """The current password and a code: to turn the optional second factor on or off."""

    password = forms.CharField(
        label=_lazy("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "token"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.pop("autofocus", None)


PENDING_KEY = "portal_2fa_pending_key"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """A supplier user's own, optional second factor: turn it on with a new key from an
    authenticator app, or off again. Staff get theirs from an administrator (403 here)."""
    user = request.user
    if not second_factor.may_choose_second_factor(user):
        raise PermissionDenied(_("Company accounts get their second factor from an administrator."))
    enrolled = second_factor.has_device(user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if enrolled:
                second_factor.totp_self_remove(
                    user=user, password=data["password"], token=data["token"]
                )
            else:
                device = second_factor.totp_self_enrol(
                    user=user,
                    key=request.session.get(PENDING_KEY, ""),
                    password=data["password"],
                    token=data["token"],
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if enrolled:
                messages.success(request, _("Two-factor verification is off for your account."))
            else:
                otp_login(request, device)
                request.session.pop(PENDING_KEY, None)
                messages.success(
                    request,
                    _("Two-factor verification is on: the log-in now also asks for a code."),
                )
            request.session[ENROLLED_KEY] = [user.pk, not enrolled]
            return redirect("accounts:2fa-setup")
    context = {"form": form, "enrolled": enrolled}
    if not enrolled:
        key = request.session.get(PENDING_KEY) or second_factor.new_totp_key()
        request.session[PENDING_KEY] = key
        device = second_factor.pending_device(user=user, key=key)
        context.update(
            secret=second_factor.totp_secret(device),
            otpauth=device.config_url,
            qr=second_factor.qr_data_uri(device.config_url),
        )
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "accounts/two_factor_setup.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _invitation_invalid(request: HttpRequest, token: str, exc: services.InvitationError):
    status = 404 if exc.code == "unknown" else 410
    context = {"reason": exc.messages[0], "code": exc.code, "token": token}
    if exc.code == "used":
        invitation = services.invitation_lookup(token=token)
        next_path = invitation.next_path if invitation else ""
        context["login_url"] = reverse("accounts:login") + (
            f"?{urlencode({'next': next_path})}" if next_path else ""
        )
    return render(request, "accounts/invitation_invalid.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token=token)
    except services.InvitationError as exc:
        return _invitation_invalid(request, token, exc)
    existing = User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None)
    if existing:
        form.fields["password2"].required = False
        form.fields["full_name"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data["password1"],
                language=translation.get_language() or "",
            )
        except services.InvitationError as exc:
            return _invitation_invalid(request, token, exc)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! You can now act for %(supplier)s.")
                % {"supplier": invitation.supplier.display_name},
            )
            # The page the invitation was sent for (an assessment), else their home.
            return redirect(services.safe_next_path(invitation.next_path) or "home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation, "existing": existing},
    )


@require_POST
def invitation_renew(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for a fresh link in place of an expired one. The answer is the same whether or
    not one was sent: the link goes only to the address the invitation was sent to."""
    if services.invitation_lookup(token=token) is None:
        raise Http404
    services.invitation_renew(token=token)
    return render(request, "accounts/invitation_renewed.html")


@login_required
@require_GET
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: when each was made, when it expires and was last used."""
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": tokens.api_tokens_of(user=request.user),
            "ttl_hours": int(tokens.token_ttl_for(request.user).total_seconds() // 3600),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    tokens.api_token_revoke(actor=request.user, token_id=pk)
    messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("accounts:api-tokens")


def _supplier_for_people(request: HttpRequest, pk: int):
    # The ground floor imports no app: the supplier model is found through the registry.
    suppliers = apps.get_model("suppliers", "Supplier").objects.visible_to(request.user)
    supplier = get_object_or_404(suppliers, pk=pk)
    access.require(request.user, access.Action.INVITE_USERS, supplier)
    return supplier


@login_required
@require_http_methods(["GET", "POST"])
def supplier_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Who acts for a supplier, pending invitations, and a form to invite someone."""
    supplier = _supplier_for_people(request, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                supplier=supplier,
                email=form.cleaned_data["email"],
                contact=supplier.contacts.filter(email__iexact=form.cleaned_data["email"]).first(),
                is_supplier_admin=form.cleaned_data["is_supplier_admin"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("accounts:supplier-people", pk=supplier.pk)
    members = supplier.memberships.select_related("user").order_by(
        "-user__is_active", "user__email"
    )
    invitations = (
        Invitation.objects.visible_to(request.user)
        .filter(supplier=supplier)
        .select_related("invited_by")[:50]
    )
    return render(
        request,
        "accounts/supplier_people.html",
        {"supplier": supplier, "members": members, "invitations": invitations, "form": form},
    )


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    services.invitation_withdraw(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:supplier-people", pk=invitation.supplier_id)


@login_required
@require_POST
def supplier_user_deactivate(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    supplier = _supplier_for_people(request, pk)
    membership = supplier.memberships.filter(user_id=user_pk).select_related("user").first()
    if membership is None:
        raise Http404
    try:
        services.supplier_user_deactivate(
            actor=request.user, user=membership.user, supplier=supplier
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(email)s can no longer log in.") % {"email": membership.user.email}
        )
    return redirect(reverse("accounts:supplier-people", kwargs={"pk": supplier.pk}))
