"""Writes of campaigns: authoring a draft, launch, the launch chunks run by workers,
opening scheduled campaigns, reminders and overdue notices, resending to one contact.

Every step is safe to run twice (tasks are late-acknowledged and redelivered when a
worker dies): assessments are unique per supplier, questionnaire and fiscal year and
created through the self-assessment's own bulk assignment, and each message has an
outbox key naming the campaign, the kind and the contact, so it is queued once:

* ``campaign:<id>:invite:<contact id>``
* ``campaign:<id>:reminder:<step>:<contact id>`` and ``campaign:<id>:overdue:<step>:<contact id>``
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from assessments.answering.services import assessments_assign_many
from assessments.models import (
    Campaign,
    CampaignStatus,
    CampaignSupplier,
    QuestionnaireVersion,
    TargetRule,
    VersionStatus,
)
from assessments.workflow import TransitionConflict
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.accounts.services import AssessmentLink, contact_assessment_links
from procurement_portal.fiscal import FiscalYear, validate_fiscal_year
from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from procurement_portal.outbox.services import (
    EmailSpec,
    email_enqueue,
    email_resend,
    emails_enqueue_many,
    outbox_dispatch,
)
from suppliers.models import Category, Contact, Supplier
from suppliers.regions import Region

from .selectors import (
    SUBMITTED_STATUSES,
    TargetSpec,
    already_submitted,
    campaign_invitees,
    target_queryset,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

logger = logging.getLogger(__name__)

MAX_REMINDERS = 20
MAX_DAYS_BEFORE = 365
UNKNOWN_CODES_SHOWN = 50

# The fields a draft is made of (the arguments of campaign_create / campaign_update).
DRAFT_FIELDS = (
    "name",
    "version",
    "fiscal_year",
    "opens_on",
    "due_date",
    "target_rule",
    "critical_only",
    "confidential_only",
    "regions",
    "countries",
    "categories",
    "supplier_codes",
    "reminder_days_before",
    "overdue_every_days",
    "reminder_max",
)


# --- authoring ------------------------------------------------------------------------


def parse_supplier_codes(text: str) -> list[str]:
    """Supplier codes from an uploaded list: one per line (plain text), or the first column
    of a CSV (a header cell "code" is skipped); commas, semicolons and blanks also separate.
    Order is kept, repeats dropped."""
    codes: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        first = line.replace(";", ",").split(",")[0].strip().strip('"').strip()
        for code in first.split():
            if code.lower() in {"code", "supplier_code"} and not codes:
                continue
            if code not in seen:
                seen.add(code)
                codes.append(code)
    return codes


def _check_can_manage(actor: User) -> None:
    if not access.can(actor, Action.ASSIGN_ASSESSMENTS):
        raise PermissionDenied(_("You may not manage survey campaigns."))


def _check_version(version: QuestionnaireVersion | None, errors: dict) -> None:
    if version is None:
        errors["version"] = [_("Choose a questionnaire version.")]
    elif version.status != VersionStatus.PUBLISHED:
        errors["version"] = [_("Only a published questionnaire version can be sent.")]


def _check_dates(data: dict, errors: dict) -> None:
    try:
        validate_fiscal_year(data["fiscal_year"])
    except (ValidationError, TypeError, ValueError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        errors["fiscal_year"] = messages
    opens_on, due_date = data.get("opens_on"), data.get("due_date")
    if not isinstance(opens_on, dt.date):
        errors["opens_on"] = [_("Give the date the campaign opens.")]
    if not isinstance(due_date, dt.date):
        errors["due_date"] = [_("Give the due date.")]
    elif isinstance(opens_on, dt.date) and due_date < opens_on:
        errors["due_date"] = [_("The due date cannot be before the open date.")]


def _check_reminders(data: dict, errors: dict) -> None:
    days = data.get("reminder_days_before") or []
    if any(not isinstance(d, int) or not 1 <= d <= MAX_DAYS_BEFORE for d in days):
        errors["reminder_days_before"] = [
            _("Give whole numbers of days from 1 to %(max)s.") % {"max": MAX_DAYS_BEFORE}
        ]
    every = data.get("overdue_every_days")
    if not isinstance(every, int) or not 0 <= every <= MAX_DAYS_BEFORE:
        errors["overdue_every_days"] = [_("Give a number of days from 0 to 365.")]
    most = data.get("reminder_max")
    if not isinstance(most, int) or not 0 <= most <= MAX_REMINDERS:
        errors["reminder_max"] = [_("Give a number from 0 to %(max)s.") % {"max": MAX_REMINDERS}]


def _check_target(data: dict, errors: dict) -> None:
    rule = data.get("target_rule")
    if rule not in TargetRule.values:
        errors["target_rule"] = [_("Choose whom to ask.")]
        return
    if rule == TargetRule.CODES:
        codes = list(data.get("supplier_codes") or [])
        if not codes:
            errors["supplier_codes"] = [_("Upload a list with at least one supplier code.")]
            return
        known = set(Supplier.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            shown = ", ".join(unknown[:UNKNOWN_CODES_SHOWN])
            more = len(unknown) - UNKNOWN_CODES_SHOWN
            message = _("Unknown supplier codes (%(count)s): %(codes)s") % {
                "count": len(unknown),
                "codes": shown + (f" … (+{more})" if more > 0 else ""),
            }
            errors["supplier_codes"] = [message]
        return
    bad_regions = [r for r in data.get("regions") or [] if r not in Region.values]
    if bad_regions:
        errors["regions"] = [_("Unknown regions: %(v)s") % {"v": ", ".join(map(str, bad_regions))}]
    bad_countries = [c for c in data.get("countries") or [] if c not in dict(all_countries)]
    if bad_countries:
        errors["countries"] = [
            _("Unknown country codes: %(v)s") % {"v": ", ".join(map(str, bad_countries))}
        ]


def _spec(data: dict) -> TargetSpec:
    return TargetSpec(
        fiscal_year=data["fiscal_year"],
        target_rule=data["target_rule"],
        critical_only=bool(data.get("critical_only")),
        confidential_only=bool(data.get("confidential_only")),
        regions=tuple(data.get("regions") or ()),
        countries=tuple(data.get("countries") or ()),
        category_ids=tuple(c.pk for c in data.get("categories") or ()),
        supplier_codes=tuple(data.get("supplier_codes") or ()),
    )


def _validated(data: dict) -> dict:
    """``data`` checked as a whole: every problem at once, keyed by field. A target that
    names no supplier is refused here already, so a draft always has someone to ask."""
    errors: dict[str, list[str]] = {}
    if not str(data.get("name") or "").strip():
        errors["name"] = [_("Give the campaign a name.")]
    _check_version(data.get("version"), errors)
    _check_dates(data, errors)
    _check_reminders(data, errors)
    _check_target(data, errors)
    if not errors and not target_queryset(_spec(data)).exists():
        errors["target_rule"] = [_("No supplier matches this target: nobody would be asked.")]
    if errors:
        raise ValidationError(errors)
    data["name"] = str(data["name"]).strip()[:200]
    data["reminder_days_before"] = sorted(set(data.get("reminder_days_before") or []), reverse=True)
    data["regions"] = sorted(set(data.get("regions") or []))
    data["countries"] = sorted(set(data.get("countries") or []))
    data["supplier_codes"] = list(data.get("supplier_codes") or [])
    return data


def _defaults() -> dict[str, Any]:
    return {
        "target_rule": TargetRule.FILTERS,
        "critical_only": False,
        "confidential_only": False,
        "regions": [],
        "countries": [],
        "categories": [],
        "supplier_codes": [],
        "reminder_days_before": [14, 3],
        "overdue_every_days": 7,
        "reminder_max": 5,
    }


def _store(campaign: Campaign, data: dict) -> Campaign:
    categories: Iterable[Category] = data.pop("categories", None) or []
    for name, value in data.items():
        setattr(campaign, name, value)
    campaign.save()
    campaign.categories.set(categories)
    return campaign


@transaction.atomic
def campaign_create(*, actor: User, **fields: Any) -> Campaign:
    """A new draft campaign from ``DRAFT_FIELDS`` (missing ones take their defaults:
    every active supplier, reminders 14 and 3 days before, then weekly, at most 5)."""
    _check_can_manage(actor)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    data = _validated({**_defaults(), **fields})
    return _store(Campaign(created_by=actor, status=CampaignStatus.DRAFT), data)


@transaction.atomic
def campaign_update(*, actor: User, campaign_id: int, **fields: Any) -> Campaign:
    """Change a draft (only a draft: a launched campaign's target and dates are fixed)."""
    _check_can_manage(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise TransitionConflict(
            _("This campaign is no longer a draft: it cannot be changed."), status=campaign.status
        )
    current = {name: getattr(campaign, name) for name in DRAFT_FIELDS if name != "categories"}
    current["categories"] = list(campaign.categories.all())
    data = _validated({**current, **{k: v for k, v in fields.items() if k in DRAFT_FIELDS}})
    return _store(campaign, data)


# --- launch ---------------------------------------------------------------------------


@transaction.atomic
def campaign_launch(*, actor: User, campaign_id: int) -> Campaign:
    """Launch a draft: checked once more as a whole (the registry may have changed since
    it was saved), then handed to the workers once this transaction commits. A campaign
    whose open date is still ahead is scheduled instead; beat opens it on that date."""
    _check_can_manage(actor)
    campaign = Campaign.objects.select_for_update().select_related("version").get(pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise TransitionConflict(
            _("This campaign has already been launched."), status=campaign.status
        )
    current = {name: getattr(campaign, name) for name in DRAFT_FIELDS if name != "categories"}
    current["categories"] = list(campaign.categories.all())
    _validated(current)
    campaign.launched_by = actor
    campaign.launched_at = timezone.now()
    if campaign.opens_on > timezone.localdate():
        campaign.status = CampaignStatus.SCHEDULED
    else:
        campaign.status = CampaignStatus.LAUNCHING
        _dispatch_launch(campaign.pk)
    campaign.save(update_fields=["launched_by", "launched_at", "status", "updated_at"])
    return campaign


def _dispatch_launch(campaign_id: int) -> None:
    from assessments.tasks import launch_campaign

    transaction.on_commit(lambda: launch_campaign.delay(campaign_id))


@transaction.atomic
def campaign_open(*, campaign_id: int) -> bool:
    """A scheduled campaign whose open date has come starts launching (beat calls this)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED or campaign.opens_on > timezone.localdate():
        return False
    campaign.status = CampaignStatus.LAUNCHING
    campaign.save(update_fields=["status", "updated_at"])
    _dispatch_launch(campaign.pk)
    return True


@transaction.atomic
def campaign_prepare(*, campaign_id: int) -> list[tuple[int, int]]:
    """First step of a launch (in a worker): fix the target list, once, as
    ``CampaignSupplier`` rows, and return the chunks still to invite as (first, last)
    row-id ranges of ``CAMPAIGN_CHUNK_SIZE`` rows. Run again, it fixes nothing new and
    returns only what is left."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.LAUNCHING:
        return []
    if campaign.targets_frozen_at is None:
        # Suppliers that have already submitted this questionnaire for the year are not
        # asked again (an accepted assessment stays accepted); only their number is kept.
        supplier_ids = campaign_invitees(campaign).values_list("pk", flat=True)
        CampaignSupplier.objects.bulk_create(
            [CampaignSupplier(campaign=campaign, supplier_id=pk) for pk in supplier_ids],
            ignore_conflicts=True,
            batch_size=2000,
        )
        campaign.targets_frozen_at = timezone.now()
        campaign.target_count = CampaignSupplier.objects.filter(campaign=campaign).count()
        campaign.skipped_count = (
            target_queryset(TargetSpec.of(campaign)).filter(already_submitted(campaign)).count()
        )
        campaign.save(
            update_fields=["targets_frozen_at", "target_count", "skipped_count", "updated_at"]
        )
    pending = list(
        CampaignSupplier.objects.filter(campaign=campaign, invited_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        _mark_launched(campaign)
        return []
    size = max(int(settings.CAMPAIGN_CHUNK_SIZE), 1)
    return [(chunk[0], chunk[-1]) for chunk in _chunks(pending, size)]


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _mark_launched(campaign: Campaign) -> None:
    campaign.status = CampaignStatus.LAUNCHED
    campaign.completed_at = timezone.now()
    # Reminder steps already past at launch are not sent: the invitation has just gone.
    today = timezone.localdate()
    campaign.reminder_step = sum(1 for step in reminder_schedule(campaign) if step.date <= today)
    campaign.save(update_fields=["status", "completed_at", "reminder_step", "updated_at"])


def _language(contact_language: str, supplier_language: str) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    for lang in (contact_language, supplier_language):
        if lang in languages:
            return lang
    return settings.LANGUAGE_CODE


def _context(
    campaign: Campaign,
    *,
    supplier: Supplier,
    contact: Contact,
    assessment_id: int,
    lang: str,
    link: AssessmentLink | None = None,
) -> dict:
    version = campaign.version
    with translation.override(lang):
        year = str(FiscalYear(campaign.fiscal_year))
    ja = lang == "ja"
    return {
        "contact_name": contact.name,
        "supplier_name": (
            supplier.local_name if ja and supplier.local_name else supplier.legal_name
        ),
        "questionnaire": (version.title_ja if ja and version.title_ja else version.title_en),
        "fiscal_year": year,
        "due_date": campaign.due_date,
        "opens_on": campaign.opens_on,
        # A contact with no account yet gets a one-time link that creates it (accounts).
        "path": (
            link.path if link else reverse("assessments:overview", kwargs={"pk": assessment_id})
        ),
        "invitation_expires_at": link.invitation_expires_at if link else None,
    }


def _contacts_by_supplier(supplier_ids: Iterable[int]) -> dict[int, list[Contact]]:
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(supplier_id__in=list(supplier_ids)).order_by("pk"):
        contacts[contact.supplier_id].append(contact)
    return contacts


@transaction.atomic
def campaign_launch_chunk(*, campaign_id: int, first_id: int, last_id: int) -> int:
    """Invite the suppliers of one chunk (``CampaignSupplier`` ids first..last not yet
    invited): their assessments through the self-assessment's bulk assignment (one that
    exists already is reused), then one invitation per contact into the outbox, all in one
    transaction. Returns the number of invitations queued by this call."""
    campaign = Campaign.objects.select_related("version", "launched_by").get(pk=campaign_id)
    if campaign.status != CampaignStatus.LAUNCHING:
        return 0
    recipients = list(
        CampaignSupplier.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("supplier")
        .filter(campaign=campaign, pk__gte=first_id, pk__lte=last_id, invited_at__isnull=True)
        .order_by("pk")
    )
    queued = 0
    if recipients:
        queued = _invite(campaign, recipients)
    else:
        _wake_delivery(campaign, first_id=first_id, last_id=last_id)
    # Whoever finishes the last chunk marks the campaign launched; the lock makes the
    # finishing chunks take turns, so the last one sees every other's rows.
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status == CampaignStatus.LAUNCHING:
        if not CampaignSupplier.objects.filter(campaign=campaign, invited_at__isnull=True).exists():
            _mark_launched(campaign)
        else:
            campaign.save(update_fields=["updated_at"])  # a sign of life for campaigns_tick
    return queued


def _wake_delivery(campaign: Campaign, *, first_id: int, last_id: int) -> None:
    """A chunk delivered again after its transaction had committed: its worker may have
    died before waking delivery, so wake it now for the chunk's still-queued invitations
    rather than wait for beat's sweep (delivery takes due messages from the outbox, once)."""
    supplier_ids = CampaignSupplier.objects.filter(
        campaign=campaign, pk__gte=first_id, pk__lte=last_id
    ).values("supplier_id")
    keys = [
        campaign.invitation_key(pk)
        for pk in Contact.objects.filter(supplier_id__in=supplier_ids).values_list("pk", flat=True)
    ]
    waiting = OutboxMessage.objects.filter(key__in=keys, status=MessageStatus.QUEUED).count()
    if waiting:
        transaction.on_commit(lambda: outbox_dispatch(count=waiting))


def _invite(campaign: Campaign, recipients: list[CampaignSupplier]) -> int:
    suppliers = [r.supplier for r in recipients]
    assessments = assessments_assign_many(
        actor=campaign.launched_by,
        suppliers=suppliers,
        version=campaign.version,
        fiscal_year=campaign.fiscal_year,
        due_date=campaign.due_date,
    )
    by_supplier = {a.supplier_id: a.pk for a in assessments}
    contacts = _contacts_by_supplier(by_supplier)
    links = contact_assessment_links(
        actor=campaign.launched_by,
        entries=[(c, by_supplier[pk]) for pk, group in contacts.items() for c in group],
    )
    specs = []
    now = timezone.now()
    for recipient in recipients:
        supplier = recipient.supplier
        recipient.assessment_id = by_supplier[supplier.pk]
        recipient.invited_at = now
        recipient.contacts_invited = len(contacts[supplier.pk])
        for contact in contacts[supplier.pk]:
            lang = _language(contact.language, supplier.preferred_language)
            specs.append(
                EmailSpec(
                    key=campaign.invitation_key(contact.pk),
                    to=contact.email,
                    template="campaign_invitation",
                    language=lang,
                    context=_context(
                        campaign,
                        supplier=supplier,
                        contact=contact,
                        assessment_id=recipient.assessment_id,
                        lang=lang,
                        link=links.get(contact.pk),
                    ),
                )
            )
    queued = emails_enqueue_many(messages=specs, group=campaign.outbox_group)
    CampaignSupplier.objects.bulk_update(
        recipients, ["assessment", "invited_at", "contacts_invited"], batch_size=1000
    )
    return len(queued)


@transaction.atomic
def campaign_close(*, actor: User, campaign_id: int) -> Campaign:
    """End a launched campaign: no more reminders (assessments stay open to answer)."""
    _check_can_manage(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status not in (CampaignStatus.LAUNCHED, CampaignStatus.SCHEDULED):
        raise TransitionConflict(
            _("Only a launched or scheduled campaign can be closed."), status=campaign.status
        )
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


# --- reminders ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderStep:
    number: int  # 1-based, in date order
    date: dt.date
    kind: str  # "reminder" (before the due date) or "overdue"


def reminder_schedule(campaign: Campaign) -> list[ReminderStep]:
    """The dates reminders go out: the chosen days before the due date (not before the
    open date), then every ``overdue_every_days`` after it, at most ``reminder_max``."""
    limit = campaign.reminder_max
    dates = sorted(
        {
            campaign.due_date - dt.timedelta(days=d)
            for d in campaign.reminder_days_before or []
            if campaign.due_date - dt.timedelta(days=d) > campaign.opens_on
        }
    )
    steps = [(day, "reminder") for day in dates][:limit]
    every = campaign.overdue_every_days
    n = 1
    while every and len(steps) < limit:
        steps.append((campaign.due_date + dt.timedelta(days=every * n), "overdue"))
        n += 1
    return [ReminderStep(i, day, kind) for i, (day, kind) in enumerate(steps, start=1)]


def due_reminder_step(campaign: Campaign, today: dt.date) -> ReminderStep | None:
    """The latest step whose date has come, if it is not sent yet. Older unsent steps
    (beat was down) are skipped: one reminder now, not a burst of them."""
    due = [step for step in reminder_schedule(campaign) if step.date <= today]
    if due and due[-1].number > campaign.reminder_step:
        return due[-1]
    return None


def campaign_send_reminders(*, campaign_id: int, step_number: int) -> int:
    """Queue step ``step_number``'s reminder (or overdue notice) for every contact of the
    campaign's suppliers that have not submitted, chunk by chunk. The keys name the step,
    so running it again (two beat ticks, a redelivered task) queues nothing twice. The step
    is recorded as sent only at the end, so a run that died halfway is done again by the
    next tick. Returns the number queued now."""
    campaign = Campaign.objects.select_related("version").get(pk=campaign_id)
    steps = {s.number: s for s in reminder_schedule(campaign)}
    step = steps.get(step_number)
    if step is None or campaign.status != CampaignStatus.LAUNCHED:
        return 0
    pending = (
        CampaignSupplier.objects.filter(campaign=campaign, assessment__isnull=False)
        .exclude(assessment__status__in=list(SUBMITTED_STATUSES))
        .select_related("supplier")
        .order_by("pk")
    )
    queued = 0
    size = max(int(settings.CAMPAIGN_CHUNK_SIZE), 1)
    last = 0
    while True:
        chunk = list(pending.filter(pk__gt=last)[:size])
        if not chunk:
            break
        last = chunk[-1].pk
        queued += _remind(campaign, step, chunk)
    Campaign.objects.filter(pk=campaign.pk, reminder_step__lt=step.number).update(
        reminder_step=step.number, updated_at=timezone.now()
    )
    return queued


def _remind(campaign: Campaign, step: ReminderStep, recipients: list[CampaignSupplier]) -> int:
    contacts = _contacts_by_supplier(r.supplier_id for r in recipients)
    specs = []
    for recipient in recipients:
        supplier = recipient.supplier
        for contact in contacts[supplier.pk]:
            lang = _language(contact.language, supplier.preferred_language)
            context = _context(
                campaign,
                supplier=supplier,
                contact=contact,
                assessment_id=recipient.assessment_id,
                lang=lang,
            )
            context["days_left"] = (campaign.due_date - step.date).days
            context["days_overdue"] = (step.date - campaign.due_date).days
            specs.append(
                EmailSpec(
                    key=f"campaign:{campaign.pk}:{step.kind}:{step.number}:{contact.pk}",
                    to=contact.email,
                    template=f"campaign_{step.kind}",
                    language=lang,
                    context=context,
                )
            )
    return len(emails_enqueue_many(messages=specs, group=campaign.outbox_group))


def campaigns_stalled() -> list[int]:
    """Launches whose work was lost with a worker, marked as handed out again now (beat asks every
    CAMPAIGN_WATCH_SECONDS): still launching, no chunk finished for
    CAMPAIGN_STALLED_SECONDS, and no chunk at work now. A chunk at work holds its
    suppliers' rows locked in its transaction until it commits; a killed worker's
    transaction is rolled back and its locks released at once, so unlocked pending rows
    and no progress mean nobody is doing them. Handing out a chunk that was only waiting
    in the broker is harmless: the chunk that runs second finds its rows invited."""
    stalled_before = timezone.now() - dt.timedelta(seconds=settings.CAMPAIGN_STALLED_SECONDS)
    stalled = []
    for pk in Campaign.objects.filter(
        status=CampaignStatus.LAUNCHING, updated_at__lt=stalled_before
    ).values_list("pk", flat=True):
        with transaction.atomic():
            pending = CampaignSupplier.objects.filter(campaign_id=pk, invited_at__isnull=True)
            unlocked = pending.select_for_update(skip_locked=True).values_list("pk", flat=True)
            if pending.count() == len(unlocked):  # nobody holds any of them
                stalled.append(pk)
    # Handed out now: the next look waits another CAMPAIGN_STALLED_SECONDS for progress.
    Campaign.objects.filter(pk__in=stalled).update(updated_at=timezone.now())
    return stalled


def campaigns_due(*, today: dt.date) -> dict[str, list]:
    """What beat's tick has to do today: campaigns to open, to remind, and stalled
    launches (see ``campaigns_stalled``) to hand out again."""
    return {
        "open": list(
            Campaign.objects.filter(status=CampaignStatus.SCHEDULED, opens_on__lte=today)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "remind": [
            (c.pk, step.number)
            for c in Campaign.objects.filter(status=CampaignStatus.LAUNCHED).order_by("pk")
            if (step := due_reminder_step(c, today)) is not None
        ],
        "stalled": campaigns_stalled(),
    }


# --- resend ---------------------------------------------------------------------------


@transaction.atomic
def campaign_invitation_resend(*, actor: User, campaign_id: int, contact_id: int):
    """Staff send one contact's invitation again. A failed message is retried as it is; a
    sent one is copied under a new key (``...:invite:<contact>:again:<n>``): two requests at
    the same moment (a double click) compute the same key and make one copy, while a resend
    asked for again later is a new copy, as the staff member meant; a contact added after
    the launch gets its first invitation."""
    _check_can_manage(actor)
    campaign = Campaign.objects.select_related("version").get(pk=campaign_id)
    recipient = (
        CampaignSupplier.objects.select_related("supplier")
        .filter(campaign=campaign, assessment__isnull=False)
        .get(supplier__contacts__pk=contact_id)
    )
    contact = Contact.objects.get(pk=contact_id, supplier_id=recipient.supplier_id)
    key = campaign.invitation_key(contact.pk)
    original = OutboxMessage.objects.filter(key=key).first()
    if original is not None and original.status == MessageStatus.FAILED:
        return email_resend(message_id=original.pk)
    if original is not None:
        copies = OutboxMessage.objects.filter(key__startswith=f"{key}:again:").count()
        key = f"{key}:again:{copies + 1}"
    lang = _language(contact.language, recipient.supplier.preferred_language)
    return email_enqueue(
        key=key,
        to=contact.email,
        template="campaign_invitation",
        language=lang,
        group=campaign.outbox_group,
        context=_context(
            campaign,
            supplier=recipient.supplier,
            contact=contact,
            assessment_id=recipient.assessment_id,
            lang=lang,
            link=contact_assessment_links(
                actor=actor, entries=[(contact, recipient.assessment_id)]
            ).get(contact.pk),
        ),
    )
