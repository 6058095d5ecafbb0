"""Reads of the dissemination app, shared by pages, the API, the supplier panel and the
reports: each starts from ``visible_to(user)`` and runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from procurement_portal.fiscal import FiscalYear
from suppliers.models import Supplier

from .models import (
    Acknowledgement,
    AcknowledgementRequest,
    Award,
    GuidelineDocument,
    GuidelineFile,
    GuidelineVersion,
    MeetingAttendance,
    PartnerMeeting,
    VersionStatus,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

MISSING_SHOWN = 500


@dataclass
class LibraryEntry:
    """One version asked of one of the user's suppliers, as the library shows it."""

    request: AcknowledgementRequest
    version: GuidelineVersion
    file: GuidelineFile | None  # in the reader's language, else English
    acknowledgement: Acknowledgement | None

    @property
    def can_acknowledge(self) -> bool:
        return self.acknowledgement is None and self.version.status == VersionStatus.PUBLISHED


def pick_file(files, language: str | None = None) -> GuidelineFile | None:
    """The file in the language asked (the current one by default), else the English one."""
    language = (language or get_language() or "en")[:2]
    by_language = {f.language: f for f in files}
    return by_language.get(language) or by_language.get("en")


def library_for(*, user: User) -> list[LibraryEntry]:
    """The versions asked of the user's companies, newest first (three queries)."""
    requests = list(
        AcknowledgementRequest.objects.visible_to(user)
        .select_related("version__document", "supplier")
        .prefetch_related(
            Prefetch("version__files", queryset=GuidelineFile.objects.visible_to(user))
        )
        .order_by("-version__published_on", "-version_id", "supplier__code")
    )
    acks = {
        (a.supplier_id, a.version_id): a
        for a in Acknowledgement.objects.visible_to(user).filter(
            version_id__in={r.version_id for r in requests}
        )
    }
    return [
        LibraryEntry(
            request=r,
            version=r.version,
            file=pick_file(r.version.files.all()),
            acknowledgement=acks.get((r.supplier_id, r.version_id)),
        )
        for r in requests
    ]


def documents_for(*, user: User):
    """Documents with their versions, each version with its acknowledged count (staff)."""
    # A count per version by the (version, supplier) index, not a join of every row.
    counted = (
        Acknowledgement.objects.filter(version=OuterRef("pk"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    versions = (
        GuidelineVersion.objects.visible_to(user)
        .annotate(acknowledged=Coalesce(Subquery(counted), 0))
        .prefetch_related("files")
        .order_by("-published_on", "-id")
    )
    return (
        GuidelineDocument.objects.visible_to(user)
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("category", "code")
    )


def version_detail(*, user: User, pk: int) -> GuidelineVersion:
    return (
        GuidelineVersion.objects.visible_to(user)
        .select_related("document", "published_by")
        .prefetch_related("files")
        .get(pk=pk)
    )


@dataclass
class Coverage:
    asked: int
    acknowledged: int
    missing_count: int
    missing: list = field(default_factory=list)  # suppliers, at most MISSING_SHOWN
    recent: list = field(default_factory=list)  # latest acknowledgements

    @property
    def percent(self) -> float:
        return round(100.0 * self.acknowledged / self.asked, 1) if self.asked else 0.0


def version_coverage(*, user: User, version: GuidelineVersion) -> Coverage:
    """Asked / acknowledged / missing for a version, in five indexed queries whatever the
    audience's size. Only suppliers asked can acknowledge (the service looks the request
    up first), so the missing are the asked less the acknowledged. The missing list walks
    the suppliers in code order and stops at the page's length, instead of sorting every
    missing supplier first."""
    asked = AcknowledgementRequest.objects.visible_to(user).filter(version=version)
    acks = Acknowledgement.objects.visible_to(user).filter(version=version)
    asked_count, acknowledged = asked.count(), acks.count()
    missing = list(
        Supplier.objects.visible_to(user)
        .filter(Exists(asked.filter(supplier=OuterRef("pk"))))
        .exclude(Exists(acks.filter(supplier=OuterRef("pk"))))
        .order_by("code")[:MISSING_SHOWN]
    )
    recent = list(acks.select_related("supplier", "user").order_by("-acknowledged_at")[:20])
    return Coverage(
        asked=asked_count,
        acknowledged=acknowledged,
        missing_count=asked_count - acknowledged,
        missing=missing,
        recent=recent,
    )


def supplier_acknowledgements(*, user: User, supplier_id: int) -> list[LibraryEntry]:
    """The versions asked of one supplier and whether it acknowledged each (panel)."""
    requests = list(
        AcknowledgementRequest.objects.visible_to(user)
        .filter(supplier_id=supplier_id)
        .select_related("version__document")
        .order_by("-version__published_on", "-version_id")[:50]
    )
    acks = {
        a.version_id: a
        for a in Acknowledgement.objects.visible_to(user).filter(
            supplier_id=supplier_id, version_id__in=[r.version_id for r in requests]
        )
    }
    return [
        LibraryEntry(
            request=r, version=r.version, file=None, acknowledgement=acks.get(r.version_id)
        )
        for r in requests
    ]


# --- meetings -----------------------------------------------------------------------------


def _figures(rows) -> dict[str, int]:
    """ "N managers from M suppliers": suppliers that sent at least one manager."""
    totals = rows.aggregate(
        managers=Sum("managers_attended", default=0),
        suppliers=Count("supplier_id", filter=Q(managers_attended__gt=0), distinct=True),
    )
    return {"managers": totals["managers"] or 0, "suppliers": totals["suppliers"]}


def meeting_figures(fiscal_year: int | FiscalYear, *, user: User | None = None) -> dict[str, int]:
    """The year's partners meetings in one figure: ``{"managers": N, "suppliers": M}``,
    from the attendance records (one query). A supplier that came to two meetings counts
    once among the suppliers, its managers at each. With ``user``, only what they see
    (the CSCO dashboard passes its reader; reports without a reader count everything)."""
    rows = (
        MeetingAttendance.objects.all()
        if user is None
        else MeetingAttendance.objects.visible_to(user)
    )
    meetings = PartnerMeeting.objects.in_fiscal_year(fiscal_year)
    return _figures(rows.filter(meeting__in=meetings))


def meeting_list(*, user: User):
    """Meetings, newest first, each with its figures (one query)."""
    return (
        PartnerMeeting.objects.visible_to(user)
        .annotate(
            managers=Sum("attendances__managers_attended", default=0),
            suppliers_came=Count(
                "attendances", filter=Q(attendances__managers_attended__gt=0), distinct=True
            ),
            invited_count=Count("attendances", filter=Q(attendances__invited=True), distinct=True),
            award_count=Count("awards", distinct=True),
        )
        .order_by("-date", "-id")
    )


def meeting_detail(*, user: User, pk: int) -> tuple[PartnerMeeting, list, list, dict]:
    meeting = PartnerMeeting.objects.visible_to(user).get(pk=pk)
    attendances = list(
        MeetingAttendance.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("supplier")
        .order_by("supplier__code")
    )
    awards = list(Award.objects.visible_to(user).filter(meeting=meeting).select_related("supplier"))
    figures = {
        "managers": sum(a.managers_attended or 0 for a in attendances),
        "suppliers": sum(1 for a in attendances if (a.managers_attended or 0) > 0),
    }
    return meeting, attendances, awards, figures


def supplier_meetings(*, user: User, supplier_id: int | None = None):
    """A supplier's invitations and awards (its own for a supplier user)."""
    attendances = MeetingAttendance.objects.visible_to(user).select_related("meeting", "supplier")
    awards = Award.objects.visible_to(user).select_related("meeting", "supplier")
    if supplier_id is not None:
        attendances = attendances.filter(supplier_id=supplier_id)
        awards = awards.filter(supplier_id=supplier_id)
    return (
        list(attendances.order_by("-meeting__date", "supplier__code")[:100]),
        list(awards.order_by("-meeting__date", "category")[:100]),
    )
