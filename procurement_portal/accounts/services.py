"""Writes about people: invitations, joining a supplier, deactivation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.outbox.services import email_enqueue

from .models import Invitation, SupplierMembership, User
from .roles import Role


class InvitationError(ValidationError):
    """An invitation link that cannot be used (unknown, expired, used or withdrawn)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_invite(*, actor: User, supplier) -> bool:
    """Staff who manage suppliers invite anyone's contacts; a supplier's own administrator
    invites colleagues of the same supplier only."""
    if access.can(actor, access.Action.MANAGE_SUPPLIERS):
        return True
    return SupplierMembership.objects.filter(
        user_id=actor.pk, supplier_id=supplier.pk, is_supplier_admin=True, user__is_active=True
    ).exists()


@transaction.atomic
def invitation_create(
    *, actor: User, supplier, email: str, contact=None, is_supplier_admin: bool = False
) -> tuple[Invitation, str]:
    """Invite a person to act for ``supplier``. Returns the invitation and the one-time
    token (only its hash is stored). A pending invitation for the same person is withdrawn,
    so only the newest link works."""
    if not may_invite(actor=actor, supplier=supplier):
        raise PermissionDenied(_("You may not invite people to this supplier."))
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.role != Role.SUPPLIER:
        raise ValidationError({"email": _("This address belongs to a company staff account.")})
    if existing is not None and existing.memberships.filter(supplier=supplier).exists():
        raise ValidationError({"email": _("This person already has access to this supplier.")})
    if is_supplier_admin and not access.can(actor, access.Action.MANAGE_SUPPLIERS):
        is_supplier_admin = False  # supplier administrators appoint no new administrators
    now = timezone.now()
    Invitation.objects.pending().filter(supplier=supplier, email__iexact=email).update(
        revoked_at=now, updated_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        supplier=supplier,
        email=email,
        contact=contact,
        is_supplier_admin=is_supplier_admin,
        invited_by=actor,
        token_hash=_hash(token),
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    language = getattr(contact, "language", None) or supplier.preferred_language or "en"
    email_enqueue(
        key=f"invitation:{invitation.pk}",
        to=email,
        template="invitation",
        language=language,
        context={
            "supplier_name": supplier.local_name
            if language == "ja" and supplier.local_name
            else supplier.legal_name,
            "inviter": actor.get_full_name(),
            "path": f"/accounts/invitation/{token}/",
            "expires_at": invitation.expires_at,
        },
    )
    return invitation, token


def invitation_for_token(*, token: str) -> Invitation:
    """The usable invitation behind a link, or InvitationError saying why not."""
    invitation = (
        Invitation.objects.select_related("supplier").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."), code="unknown")
    state = invitation.state
    if state == "accepted":
        raise InvitationError(_("This invitation link has already been used."), code="used")
    if state == "withdrawn":
        raise InvitationError(
            _("This invitation was withdrawn. A newer invitation may have been sent to you."),
            code="withdrawn",
        )
    if state == "expired":
        raise InvitationError(
            _("This invitation link has expired. Please ask your contact for a new one."),
            code="expired",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    """Create the person's account (or add the supplier to it) and use up the link."""
    found = invitation_for_token(token=token)
    # Lock, then check again: two tabs submitting the same link make one account.
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    invitation_for_token(token=token)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, role=Role.SUPPLIER, full_name=full_name.strip())
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password1": exc.messages}) from exc
        user.set_password(password)
        user.preferred_language = invitation.supplier.preferred_language
        user.save()
    elif not user.check_password(password):
        raise ValidationError(
            {"password1": _("You already have an account: enter its current password.")}
        )
    elif not user.is_active:
        raise ValidationError(_("Your account is deactivated. Please contact the company."))
    SupplierMembership.objects.get_or_create(
        user=user,
        supplier=invitation.supplier,
        defaults={"is_supplier_admin": invitation.is_supplier_admin},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user", "updated_at"])
    return user


@transaction.atomic
def invitation_withdraw(*, actor: User, invitation: Invitation) -> None:
    if not may_invite(actor=actor, supplier=invitation.supplier):
        raise PermissionDenied(_("You may not withdraw this invitation."))
    if invitation.state == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])


@transaction.atomic
def supplier_user_deactivate(*, actor: User, user: User, supplier) -> None:
    """Staff (or the supplier's own administrator) end a supplier user's access."""
    if user.role != Role.SUPPLIER or not user.memberships.filter(supplier=supplier).exists():
        raise ValidationError(_("This person is not a user of this supplier."))
    if not may_invite(actor=actor, supplier=supplier) or user.pk == actor.pk:
        raise PermissionDenied(_("You may not deactivate this user."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
    # Open sessions end too: Django's ModelBackend refuses inactive users on every request.
