"""Writes about people: invitations, joining a supplier, deactivation; the link a supplier
contact gets to an assessment (straight in, or through a one-time invitation)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.outbox.services import email_enqueue

from .models import Invitation, SupplierMembership, User
from .roles import Role


class InvitationError(ValidationError):
    """An invitation link that cannot be used (unknown, expired, used or withdrawn)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@access.rule("suppliers.Supplier", access.Action.INVITE_USERS)
def invite_rule(actor: User, supplier) -> bool:
    """Staff who manage suppliers invite anyone's contacts; a supplier's own administrator
    invites colleagues of the same supplier only (registered when accounts is ready; ask
    ``access.can(user, Action.INVITE_USERS, supplier)``)."""
    if access.can(actor, access.Action.INVITE_USERS):
        return True
    return SupplierMembership.objects.filter(
        user_id=actor.pk, supplier_id=supplier.pk, is_supplier_admin=True, user__is_active=True
    ).exists()


def _may_invite(actor: User, supplier) -> bool:
    return access.can(actor, access.Action.INVITE_USERS, supplier)


def safe_next_path(path: str) -> str:
    """A page of this portal (a path, never another site), or ""."""
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith("//") or len(path) > 200:
        return ""
    return path if url_has_allowed_host_and_scheme(path, allowed_hosts=None) else ""


def invitation_path(token: str) -> str:
    return reverse("accounts:invitation", kwargs={"token": token})


def _expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


def _send_invitation(invitation: Invitation, token: str, *, inviter_name: str) -> None:
    supplier = invitation.supplier
    contact = invitation.contact
    language = getattr(contact, "language", None) or supplier.preferred_language or "en"
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    email_enqueue(
        key=f"invitation:{invitation.pk}",
        to=invitation.email,
        template="invitation",
        language=language,
        context={
            "supplier_name": supplier.local_name
            if language == "ja" and supplier.local_name
            else supplier.legal_name,
            "inviter": inviter_name,
            "path": invitation_path(token),
            "expires_at": invitation.expires_at,
        },
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    supplier,
    email: str,
    contact=None,
    is_supplier_admin: bool = False,
    next_path: str = "",
) -> tuple[Invitation, str]:
    """Invite a person to act for ``supplier``. Returns the invitation and the one-time
    token (only its hash is stored). A pending invitation for the same person is withdrawn,
    so only the newest link works. ``next_path`` is the page they land on after joining."""
    if not _may_invite(actor, supplier):
        raise PermissionDenied(_("You may not invite people to this supplier."))
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not access.acts_for_suppliers(existing):
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
        expires_at=_expiry(),
        next_path=safe_next_path(next_path),
    )
    _send_invitation(invitation, token, inviter_name=actor.get_full_name())
    return invitation, token


@dataclass(frozen=True)
class AssessmentLink:
    """Where a contact's e-mail leads: ``path`` on the portal, and when it is a one-time
    invitation (the contact has no account for the supplier yet), when that expires."""

    path: str
    invitation_expires_at: datetime | None = None


def contact_assessment_links(*, actor: User, entries) -> dict[int, AssessmentLink]:
    """The link each supplier contact gets to their assessment, for many at once (a
    campaign's chunk): ``entries`` are ``(contact, assessment_id)`` pairs. A contact whose
    address has an account that acts for the contact's supplier (or a company account)
    gets the assessment's own page; anybody else a one-time, expiring invitation that
    creates their supplier-user account for that supplier and lands on the assessment.
    Returns ``{contact.pk: AssessmentLink}``. Runs in the caller's transaction: if the
    caller's e-mails are not queued, no invitation is left behind."""
    entries = [(contact, assessment_id) for contact, assessment_id in entries if contact.email]
    if not entries:
        return {}
    if not access.can(actor, access.Action.ASSIGN_ASSESSMENTS):
        raise PermissionDenied(_("You may not invite people to this supplier."))
    emails = {contact.email.strip().lower() for contact, _id in entries}
    members = set(
        SupplierMembership.objects.filter(user__email__in=emails).values_list(
            "user__email", "supplier_id"
        )
    )
    company_accounts = set(
        User.objects.filter(email__in=emails)
        .exclude(role=Role.SUPPLIER)
        .values_list("email", flat=True)
    )
    links: dict[int, AssessmentLink] = {}
    invitations: list[tuple[int, Invitation, str]] = []
    expires_at = _expiry()
    for contact, assessment_id in entries:
        email = contact.email.strip().lower()
        target = reverse("assessments:overview", kwargs={"pk": assessment_id})
        if (email, contact.supplier_id) in members or email in company_accounts:
            links[contact.pk] = AssessmentLink(target)
            continue
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            supplier_id=contact.supplier_id,
            email=email,
            contact=contact,
            invited_by=actor,
            token_hash=_hash(token),
            expires_at=expires_at,
            next_path=target,
        )
        invitations.append((contact.pk, invitation, token))
    Invitation.objects.bulk_create([inv for _pk, inv, _token in invitations], batch_size=1000)
    for contact_pk, _invitation, token in invitations:
        links[contact_pk] = AssessmentLink(invitation_path(token), expires_at)
    return links


def invitation_lookup(*, token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state."""
    return Invitation.objects.select_related("supplier").filter(token_hash=_hash(token)).first()


def _renewal_allowed(invitation: Invitation) -> bool:
    """A fresh link for the same address, at most INVITATION_RENEW_LIMIT a day."""
    key = f"invitation-renew:{_hash(invitation.email.lower())}"
    cache.add(key, 0, timeout=24 * 60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=24 * 60 * 60)
        count = 1
    return count <= settings.INVITATION_RENEW_LIMIT


@transaction.atomic
def invitation_renew(*, token: str) -> bool:
    """Send a fresh link in place of an expired one, to the address it was sent to (never
    anywhere else). Returns whether a new link was queued; a withdrawn or used link, or
    too many requests for one address, get none."""
    invitation = invitation_lookup(token=token)
    if invitation is None or invitation.state != "expired":
        return False
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None and (
        not access.acts_for_suppliers(user)
        or user.memberships.filter(supplier=invitation.supplier_id).exists()
    ):
        return False  # they are in already: log in (or reset the password)
    if not _renewal_allowed(invitation):
        return False
    now = timezone.now()
    # Only the newest link works; expired ones stay expired (and may ask again, counted).
    Invitation.objects.pending().filter(
        supplier=invitation.supplier, email__iexact=invitation.email, expires_at__gt=now
    ).update(revoked_at=now, updated_at=now)
    fresh_token = secrets.token_urlsafe(32)
    fresh = Invitation.objects.create(
        supplier=invitation.supplier,
        email=invitation.email,
        contact=invitation.contact,
        is_supplier_admin=invitation.is_supplier_admin,
        invited_by=invitation.invited_by,
        token_hash=_hash(fresh_token),
        expires_at=_expiry(),
        next_path=invitation.next_path,
    )
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else ""
    _send_invitation(fresh, fresh_token, inviter_name=inviter)
    return True


def invitation_for_token(*, token: str) -> Invitation:
    """The usable invitation behind a link, or InvitationError saying why not."""
    invitation = (
        Invitation.objects.select_related("supplier").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."), code="unknown")
    state = invitation.state
    if state == "accepted":
        raise InvitationError(
            _(
                "This invitation link has already been used. Log in with your e-mail address "
                "and password; if you forgot the password, you can choose a new one."
            ),
            code="used",
        )
    if state == "withdrawn":
        raise InvitationError(
            _("This invitation was withdrawn. A newer invitation may have been sent to you."),
            code="withdrawn",
        )
    if state == "expired":
        raise InvitationError(
            _("This invitation link has expired. You can have a new one sent to you below."),
            code="expired",
        )
    return invitation


def _first_language(*candidates: str) -> str:
    """The first of ``candidates`` that the portal speaks ("ja-jp" counts as "ja")."""
    spoken = {code for code, _name in settings.LANGUAGES}
    for candidate in candidates:
        code = (candidate or "").split("-")[0].lower()
        if code in spoken:
            return code
    return settings.LANGUAGE_CODE.split("-")[0]


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str, language: str = "") -> User:
    """Create the person's account (or add the supplier to it) and use up the link.

    A new account speaks ``language`` (the language of the page the person accepted on),
    else the invited contact's, else the supplier's."""
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
        contact = invitation.contact.language if invitation.contact_id else ""
        user.preferred_language = _first_language(
            language, contact, invitation.supplier.preferred_language
        )
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
    if not _may_invite(actor, invitation.supplier):
        raise PermissionDenied(_("You may not withdraw this invitation."))
    if invitation.state == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])


@transaction.atomic
def supplier_user_deactivate(*, actor: User, user: User, supplier) -> None:
    """Staff (or the supplier's own administrator) end a supplier user's access."""
    if (
        not access.acts_for_suppliers(user)
        or not user.memberships.filter(supplier=supplier).exists()
    ):
        raise ValidationError(_("This person is not a user of this supplier."))
    if not _may_invite(actor, supplier) or user.pk == actor.pk:
        raise PermissionDenied(_("You may not deactivate this user."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
    # Open sessions end too: Django's ModelBackend refuses inactive users on every request.
