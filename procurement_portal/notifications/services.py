"""Sending notices: ``notify`` (one event, its recipients), preferences, daily digests.

``notify`` is what the apps call. For each recipient it honours their preferences (a kind
they turned off is skipped unless the programme requires it), puts the notice into a staff
member's daily digest when they chose one, and otherwise queues one e-mail through the
outbox in the recipient's language. Every message's key is the caller's event key plus the
kind and the recipient, so an event notified again (a retried task, a double click that
got through) never sends twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement_portal.outbox.services import EmailSpec, email_enqueue, emails_enqueue_many

from .kinds import KINDS, STAFF, SUPPLIER, NoticeKind, kind, kinds_for
from .models import DigestEntry, NotificationPreferences

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

KEY_MAX = 200


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: a portal user (``user_id`` set, preferences apply) or a supplier
    contact without an account (only an address, a name and a language)."""

    email: str
    language: str = "en"
    name: str = ""
    user_id: int | None = None
    is_staff: bool = False

    @classmethod
    def for_user(cls, user: User) -> Recipient:
        return cls(
            email=user.email,
            language=user.preferred_language or "en",
            name=user.get_full_name(),
            user_id=user.pk,
            is_staff=user.is_portal_staff,
        )

    @property
    def token(self) -> str:
        if self.user_id:
            return f"u{self.user_id}"
        return "c" + hashlib.sha256(self.email.lower().encode()).hexdigest()[:16]


@dataclass
class NotifyResult:
    emailed: list[str] = field(default_factory=list)
    digested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _language(code: str) -> str:
    known = {c for c, _name in settings.LANGUAGES}
    code = (code or "en").split("-")[0]
    return code if code in known else settings.LANGUAGE_CODE.split("-")[0]


def localise(value: Any, language: str) -> Any:
    """``value`` with every bilingual pair (a dict of exactly "en" and "ja") replaced by
    its text in ``language`` (English when that one is empty), through lists and dicts.
    Callers pass such pairs for whatever depends on the reader's language (titles, names,
    "FY2026" / "2026年度"), since the event happens in the actor's language."""
    if isinstance(value, dict):
        if value and set(value) <= {"en", "ja"}:
            return value.get(language) or value.get("en") or ""
        return {k: localise(v, language) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [localise(v, language) for v in value]
    return value


def _preferences(user_ids: Iterable[int]) -> dict[int, NotificationPreferences]:
    ids = [i for i in user_ids if i]
    if not ids:
        return {}
    return {p.user_id: p for p in NotificationPreferences.objects.filter(user_id__in=ids)}


def _group(subject_obj: models.Model | None, notice: NoticeKind) -> str:
    if subject_obj is None or subject_obj.pk is None:
        return f"notice:{notice.code}"
    return f"notice:{subject_obj._meta.label_lower}:{subject_obj.pk}"


def _message_key(notice: NoticeKind, key: str, recipient: Recipient) -> str:
    full = f"notice:{notice.code}:{key}:{recipient.token}"
    if len(full) <= KEY_MAX:
        return full
    # A very long event key is shortened by its hash, which stays the same on a retry.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"notice:{notice.code}:{digest}:{recipient.token}"


@transaction.atomic
def notify(
    *,
    kind: str,
    recipients: Sequence[Recipient],
    context: dict[str, Any],
    key: str,
    path: str = "",
    subject_obj: models.Model | None = None,
) -> NotifyResult:
    """Tell ``recipients`` that ``kind`` happened.

    ``context`` feeds the kind's templates (plain values: it is kept as JSON for digests);
    ``path`` is the page to open (made absolute with PORTAL_BASE_URL); ``key`` names the
    event (e.g. ``assessment:12:event:40``) and must be the same when the same event is
    notified again. ``subject_obj`` (the assessment, item...) groups the messages in the
    outbox. Runs inside the caller's transaction: nothing is sent if it rolls back.
    """
    notice = _kind(kind)
    result = NotifyResult()
    unique: dict[str, Recipient] = {}
    for r in recipients:
        if r.email:
            unique.setdefault(r.email.lower(), r)
    prefs = _preferences(r.user_id for r in unique.values())
    specs: list[EmailSpec] = []
    base = {
        **context,
        "path": path,
        "notice_kind": notice.code,
        "subject_template": notice.subject_template,
        "body_template": notice.body_template,
        "preferences_path": reverse("notifications:preferences"),
    }
    for r in unique.values():
        pref = prefs.get(r.user_id) if r.user_id else None
        if pref and not notice.required and notice.code in (pref.disabled_kinds or []):
            result.skipped.append(r.email)
            continue
        message_key = _message_key(notice, key, r)
        if pref and pref.digest and r.is_staff and not notice.required:
            DigestEntry.objects.get_or_create(
                key=message_key,
                defaults={
                    "user_id": r.user_id,
                    "kind": notice.code,
                    "context": context,
                    "path": path,
                },
            )
            result.digested.append(r.email)
            continue
        specs.append(
            EmailSpec(
                key=message_key,
                to=r.email,
                template="notification",
                context={
                    **localise(base, _language(r.language)),
                    "recipient_name": r.name,
                    "has_account": bool(r.user_id),
                },
                language=_language(r.language),
            )
        )
        result.emailed.append(r.email)
    if specs:
        emails_enqueue_many(messages=specs, group=_group(subject_obj, notice))
    return result


def _kind(code: str) -> NoticeKind:
    try:
        return kind(code)
    except KeyError as exc:
        raise ValueError(f"unknown notice kind {code!r}") from exc


# --- preferences ---------------------------------------------------------------------------


def audience_of(user: User) -> str:
    return STAFF if user.is_portal_staff else SUPPLIER


def preferences_for(user: User) -> NotificationPreferences:
    """The user's preferences (an unsaved default when they never changed them)."""
    return NotificationPreferences.objects.filter(user=user).first() or NotificationPreferences(
        user=user
    )


@transaction.atomic
def preferences_save(
    *, actor: User, enabled_kinds: Iterable[str], digest: bool = False
) -> NotificationPreferences:
    """Save which of the notices for the actor's side they want (every other optional kind
    of that side is turned off) and, for staff, the daily digest. Required kinds cannot be
    turned off; a supplier user cannot choose the digest."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    audience = audience_of(actor)
    offered = {k.code for k in kinds_for(audience)}
    wanted = set(enabled_kinds)
    unknown = sorted(wanted - offered)
    if unknown:
        raise ValidationError(
            {"enabled_kinds": _("Unknown notice: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    if digest and audience != STAFF:
        raise ValidationError({"digest": _("The daily digest is for company staff only.")})
    disabled = sorted(code for code in offered - wanted if not KINDS[code].required)
    prefs, _created = NotificationPreferences.objects.select_for_update().get_or_create(user=actor)
    prefs.disabled_kinds = disabled
    prefs.digest = bool(digest)
    prefs.save(update_fields=["disabled_kinds", "digest", "updated_at"])
    return prefs


# --- daily digest --------------------------------------------------------------------------


def _entry_line(entry: DigestEntry, language: str) -> dict[str, str]:
    notice = KINDS.get(entry.kind)
    if notice is None:
        return {"subject": entry.kind, "path": entry.path}
    context = {**localise(entry.context, language), "LANGUAGE_CODE": language}
    subject = " ".join(render_to_string(notice.subject_template, context).split())
    return {"subject": subject, "path": entry.path}


@transaction.atomic
def digest_send(*, user_id: int) -> int:
    """Put the user's waiting notices into one e-mail and mark them sent. Returns how many
    it held (0: nothing waiting). Safe to run twice: entries are locked and marked in the
    same transaction that queues the e-mail, whose key names the entries it holds."""
    entries = list(
        DigestEntry.objects.select_for_update(skip_locked=True)
        .filter(user_id=user_id, sent_at__isnull=True)
        .select_related("user")
        .order_by("id")
    )
    if not entries:
        return 0
    user = entries[0].user
    now = timezone.now()
    if user.is_active:
        language = _language(user.preferred_language)
        with translation.override(language):
            lines = [_entry_line(e, language) for e in entries]
        email_enqueue(
            key=f"notice:digest:u{user_id}:{entries[0].pk}-{entries[-1].pk}",
            to=user.email,
            template="notification_digest",
            context={
                "entries": lines,
                "recipient_name": user.get_full_name(),
                "preferences_path": reverse("notifications:preferences"),
                "count": len(lines),
            },
            language=language,
            group="notice:digest",
        )
    DigestEntry.objects.filter(pk__in=[e.pk for e in entries]).update(sent_at=now)
    return len(entries)


def digests_send() -> int:
    """Send every waiting digest (the daily beat task). Returns how many e-mails."""
    user_ids = (
        DigestEntry.objects.filter(sent_at__isnull=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(1 for user_id in list(user_ids) if digest_send(user_id=user_id))


def daily_checks_run() -> dict[str, int]:
    """Run the apps' daily checks named in ``NOTIFICATIONS_DAILY_CHECKS`` (dotted paths to
    functions taking no arguments, returning how many notices they queued). The ground
    floor names them by path so that it imports no app."""
    from django.utils.module_loading import import_string

    return {path: int(import_string(path)() or 0) for path in settings.NOTIFICATIONS_DAILY_CHECKS}
