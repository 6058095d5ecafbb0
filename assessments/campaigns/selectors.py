"""Reads of campaigns: the exact target list before launch, and progress after it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    CampaignSupplier,
    TargetRule,
)
from procurement_portal.accounts.models import User
from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from suppliers.models import CriticalDesignation, Supplier, SupplierStatus
from suppliers.regions import Region

PREVIEW_SIZE = 50
NAMED_WITHOUT_CONTACT = 200  # suppliers without a contact named on the progress page
SUBMITTED_STATUSES = frozenset({AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED})


@dataclass(frozen=True)
class TargetSpec:
    """Whom a campaign asks: the fields of ``Campaign`` that make up its target."""

    fiscal_year: int
    target_rule: str = TargetRule.FILTERS
    critical_only: bool = False
    confidential_only: bool = False
    regions: Sequence[str] = ()
    countries: Sequence[str] = ()
    category_ids: Sequence[int] = ()
    supplier_codes: Sequence[str] = ()

    @classmethod
    def of(cls, campaign: Campaign) -> TargetSpec:
        return cls(
            fiscal_year=campaign.fiscal_year,
            target_rule=campaign.target_rule,
            critical_only=campaign.critical_only,
            confidential_only=campaign.confidential_only,
            regions=tuple(campaign.regions or ()),
            countries=tuple(campaign.countries or ()),
            category_ids=tuple(campaign.categories.values_list("pk", flat=True))
            if campaign.pk
            else (),
            supplier_codes=tuple(campaign.supplier_codes or ()),
        )


def target_queryset(spec: TargetSpec) -> QuerySet[Supplier]:
    """The suppliers a target names, each once, in code order."""
    if spec.target_rule == TargetRule.CODES:
        return Supplier.objects.filter(code__in=list(spec.supplier_codes)).order_by("code")
    suppliers = Supplier.objects.filter(status=SupplierStatus.ACTIVE)
    if spec.critical_only:
        suppliers = suppliers.filter(
            Exists(
                CriticalDesignation.objects.filter(
                    supplier_id=OuterRef("pk"), fiscal_year=spec.fiscal_year
                )
            )
        )
    if spec.confidential_only:
        suppliers = suppliers.filter(handles_confidential_info=True)
    if spec.regions:
        suppliers = suppliers.filter(region__in=list(spec.regions))
    if spec.countries:
        suppliers = suppliers.filter(country__in=list(spec.countries))
    if spec.category_ids:
        through = Supplier.categories.through
        suppliers = suppliers.filter(
            Exists(
                through.objects.filter(
                    supplier_id=OuterRef("pk"), category_id__in=list(spec.category_ids)
                )
            )
        )
    return suppliers.order_by("code")


@dataclass
class TargetPreview:
    queryset: QuerySet[Supplier]
    count: int
    preview: list[Supplier]
    # Target suppliers that have already submitted (or had accepted) this questionnaire
    # for the fiscal year: not invited again. After launch only their number is kept.
    finished_count: int = 0
    finished: list[Supplier] = field(default_factory=list)


def already_submitted(campaign: Campaign) -> Exists:
    """Supplier filter: has submitted, or had accepted, the campaign's questionnaire (any
    version) for its fiscal year; such a supplier is not asked again."""
    return Exists(
        Assessment.objects.filter(
            supplier_id=OuterRef("pk"),
            questionnaire_id=campaign.version.questionnaire_id,
            fiscal_year=campaign.fiscal_year,
            status__in=list(SUBMITTED_STATUSES),
        )
    )


def campaign_invitees(campaign: Campaign) -> QuerySet[Supplier]:
    """The suppliers a launch invites now: the target less those already submitted."""
    return target_queryset(TargetSpec.of(campaign)).exclude(already_submitted(campaign))


def campaign_targets(campaign: Campaign, *, preview_size: int = PREVIEW_SIZE) -> TargetPreview:
    """The exact suppliers the campaign would ask (before launch) or asked (after, from its
    fixed list), their number and the first ``preview_size`` of them; and, apart, those of
    the target that have already submitted and are skipped."""
    if campaign.targets_frozen_at is not None:
        queryset = Supplier.objects.filter(
            pk__in=CampaignSupplier.objects.filter(campaign=campaign).values("supplier_id")
        ).order_by("code")
        count = queryset.count()
        return TargetPreview(
            queryset=queryset,
            count=count,
            preview=list(queryset[:preview_size]),
            finished_count=campaign.skipped_count,
        )
    queryset = campaign_invitees(campaign)
    finished = target_queryset(TargetSpec.of(campaign)).filter(already_submitted(campaign))
    return TargetPreview(
        queryset=queryset,
        count=queryset.count(),
        preview=list(queryset[:preview_size]),
        finished_count=finished.count(),
        finished=list(finished[:preview_size]),
    )


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    """Campaigns for staff pages (every staff role reads them; see views for who writes)."""
    from procurement_portal import access

    if not access.sees_all_suppliers(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("version__questionnaire").order_by(
        "-fiscal_year", "-opens_on", "-id"
    )


# --- progress -------------------------------------------------------------------------


@dataclass
class RegionProgress:
    region: str
    label: str
    suppliers: int = 0
    submitted: int = 0

    @property
    def response_rate(self) -> float:
        return round(100 * self.submitted / self.suppliers, 1) if self.suppliers else 0.0


@dataclass
class CampaignProgress:
    suppliers: int = 0
    skipped: int = 0  # already submitted when the list was fixed: not invited
    without_contact: int = 0
    without_contact_suppliers: list[Supplier] = field(default_factory=list)
    invited: int = 0  # invitations in the outbox
    delivered: int = 0
    failed: int = 0
    queued: int = 0
    # Invitations sent again because a worker died inside the SMTP exchange: these contacts
    # may have two copies (with the same Message-ID).
    unconfirmed: int = 0
    # The campaign's other e-mail (reminders, overdue notices) sent again likewise.
    unconfirmed_reminders: int = 0
    # Each supplier of the list is in exactly one of these five; they add up to suppliers.
    not_invited: int = 0  # the launch has not reached it yet
    not_started: int = 0
    started: int = 0  # answering, or returned for clarification
    submitted: int = 0  # waiting for review
    accepted: int = 0
    returned: int = 0  # of started
    overdue: int = 0  # not submitted, due date past
    by_region: list[RegionProgress] = field(default_factory=list)
    failed_messages: list[OutboxMessage] = field(default_factory=list)

    @property
    def responded(self) -> int:
        return self.submitted + self.accepted

    @property
    def response_rate(self) -> float:
        return round(100 * self.responded / self.suppliers, 1) if self.suppliers else 0.0


def _invitations(campaign: Campaign) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        group=campaign.outbox_group, key__startswith=f"campaign:{campaign.pk}:invite:"
    )


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    """Counts of the campaign's invitations and assessments, in a fixed number of queries."""
    progress = CampaignProgress(skipped=campaign.skipped_count)
    for status, count, unconfirmed, unconfirmed_other in _status_counts(campaign):
        progress.invited += count
        progress.unconfirmed += unconfirmed
        progress.unconfirmed_reminders += unconfirmed_other
        if status == MessageStatus.SENT:
            progress.delivered += count
        elif status == MessageStatus.FAILED:
            progress.failed += count
        else:  # queued, or being sent now
            progress.queued += count
    today = timezone.localdate()
    regions: dict[str, RegionProgress] = {
        r.value: RegionProgress(region=r.value, label=r.label) for r in Region
    }
    rows = CampaignSupplier.objects.filter(campaign=campaign).values_list(
        "supplier_id", "supplier__region", "assessment__status", "invited_at", "contacts_invited"
    )
    no_contact: list[int] = []
    for supplier_id, region, status, invited_at, contacts in rows:
        progress.suppliers += 1
        bucket = regions.setdefault(region or "", RegionProgress(region=region or "", label="-"))
        bucket.suppliers += 1
        if invited_at is not None and not contacts:
            progress.without_contact += 1
            no_contact.append(supplier_id)
        if status in SUBMITTED_STATUSES:
            bucket.submitted += 1
            if status == AssessmentStatus.ACCEPTED:
                progress.accepted += 1
            else:
                progress.submitted += 1
        elif status is None:
            progress.not_invited += 1
        else:
            if status == AssessmentStatus.NOT_STARTED:
                progress.not_started += 1
            else:
                progress.started += 1
            if status == AssessmentStatus.RETURNED:
                progress.returned += 1
            if today > campaign.due_date:
                progress.overdue += 1
    progress.by_region = [r for r in regions.values() if r.suppliers]
    progress.without_contact_suppliers = list(
        Supplier.objects.filter(pk__in=no_contact[:NAMED_WITHOUT_CONTACT]).order_by("code")
    )
    progress.failed_messages = list(
        _invitations(campaign).filter(status=MessageStatus.FAILED).order_by("to")[:100]
    )
    for message in progress.failed_messages:
        # campaign:<id>:invite:<contact id>[:again:<n>]
        message.contact_id = message.key.split(":")[3]
    return progress


def _status_counts(campaign: Campaign) -> list[tuple[str, int, int, int]]:
    """Per status of the campaign's e-mail: invitations, invitations sent again after an
    unconfirmed attempt, and other messages (reminders, overdue notices) sent again so."""
    invitation = Q(key__startswith=f"campaign:{campaign.pk}:invite:")
    again = Q(unconfirmed_attempts__gt=0)
    return list(
        OutboxMessage.objects.filter(group=campaign.outbox_group)
        .order_by()
        .values("status")
        .annotate(
            n=Count("id", filter=invitation),
            again=Count("id", filter=invitation & again),
            again_other=Count("id", filter=~invitation & again),
        )
        .values_list("status", "n", "again", "again_other")
    )


def campaign_supplier_rows(campaign: Campaign) -> Iterator[list]:
    """One row per supplier of the campaign for the CSV export: who, where, the
    assessment's state, and what became of each contact's invitation."""
    messages: dict[int, list[str]] = defaultdict(list)
    again: dict[int, int] = defaultdict(int)
    prefix = f"campaign:{campaign.pk}:invite:"
    contact_supplier = {}
    from suppliers.models import Contact

    recipients = CampaignSupplier.objects.filter(campaign=campaign).select_related(
        "supplier", "assessment"
    )
    supplier_ids = list(recipients.values_list("supplier_id", flat=True))
    for pk, supplier_id in Contact.objects.filter(supplier_id__in=supplier_ids).values_list(
        "pk", "supplier_id"
    ):
        contact_supplier[pk] = supplier_id
    rows = _invitations(campaign).values_list("key", "status", "unconfirmed_attempts")
    for key, status, unconfirmed in rows.iterator():
        tail = key[len(prefix) :].split(":", 1)[0]
        if tail.isascii() and tail.isdigit() and int(tail) in contact_supplier:
            messages[contact_supplier[int(tail)]].append(status)
            again[contact_supplier[int(tail)]] += bool(unconfirmed)
    today = timezone.localdate()
    for r in recipients.order_by("supplier__code").iterator(chunk_size=2000):
        assessment = r.assessment
        status = assessment.status if assessment else ""
        sent = messages[r.supplier_id]
        yield [
            r.supplier.code,
            r.supplier.legal_name,
            r.supplier.region_label,
            r.supplier.country.code,
            assessment.pk if assessment else None,
            AssessmentStatus(status).label if status else "",
            assessment.submitted_at if assessment else None,
            bool(status and status not in SUBMITTED_STATUSES and today > campaign.due_date),
            len(sent),
            sent.count(MessageStatus.SENT),
            sent.count(MessageStatus.FAILED),
            again[r.supplier_id],
        ]


def campaign_contacts_with_email(campaign: Campaign, email: str) -> list[int]:
    """Ids of the contacts of the campaign's suppliers with this address (any case)."""
    from suppliers.models import Contact

    return list(
        Contact.objects.filter(
            supplier_id__in=CampaignSupplier.objects.filter(campaign=campaign).values(
                "supplier_id"
            ),
            email__iexact=email.strip(),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
