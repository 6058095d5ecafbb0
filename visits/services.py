"""Writes to visits: plan or log a visit, save answers (from a phone that may be offline),
submit, amend, and follow up earlier improvement items on a re-visit.

Every function is keyword-only and transactional, checks the actor against the access
policy (``visits.models._scope``: reviewers log the kinds they see), and raises Django's
``ValidationError`` keyed by field, ``PermissionDenied`` or ``Conflict``; nothing is half
saved. Pages, the API, the demo and the tests all call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import items as item_workflow
from assessments.models import (
    ImprovementItem,
    ImprovementItemEvent,
    ImprovementSource,
    ImprovementStatus,
)
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.errors import Conflict
from procurement_portal.core.text import clean_text, validate_date_range
from procurement_portal.fiscal import fiscal_year_of, validate_fiscal_year
from suppliers.models import Site, Supplier

from .authoring import published_template
from .models import (
    FINDING_OUTCOMES,
    FollowUpDecision,
    GuidanceCategory,
    Outcome,
    Visit,
    VisitAmendment,
    VisitAnswer,
    VisitChange,
    VisitFollowUp,
    VisitKind,
    VisitMethod,
    VisitResult,
    VisitStatus,
)
from .models._scope import may_log_kind

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

CLIENT_KEY_MAX = 64


class AnswerConflict(Conflict):
    """The change was made on an older revision of the answer than the one saved now."""

    code = "stale"


# --- reading what the actor may change ---------------------------------------------------


def _locked_visit(*, actor: User, visit_id: int) -> Visit:
    """The visit, locked, among those the actor sees (else Visit.DoesNotExist: 404), and
    only if the actor may log visits of its kind (else PermissionDenied)."""
    visit = Visit.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=visit_id)
    access.require(actor, Action.REVIEW_ASSESSMENTS, visit, _("You may not change this visit."))
    return visit


def _require_editable(visit: Visit) -> None:
    if visit.status == VisitStatus.SUBMITTED:
        raise Conflict(
            _("This visit record is submitted and read-only; staff change it by an amendment."),
            status=visit.status,
        )


# --- the header: supplier, site, date, people, methods -----------------------------------


def _supplier(actor: User, supplier_id: Any) -> Supplier:
    try:
        return Supplier.objects.visible_to(actor).get(pk=int(supplier_id))
    except (TypeError, ValueError, Supplier.DoesNotExist):
        raise ValidationError({"supplier": _("Choose a supplier.")}) from None


def _site(supplier: Supplier, site_id: Any, *, required: bool) -> Site | None:
    if site_id in (None, ""):
        if required:
            raise ValidationError({"site": _("Choose the site that was visited.")})
        return None
    try:
        site = Site.objects.get(pk=int(site_id))
    except (TypeError, ValueError, Site.DoesNotExist):
        raise ValidationError({"site": _("Choose one of the supplier's sites.")}) from None
    if site.supplier_id != supplier.pk:
        raise ValidationError({"site": _("This site belongs to another supplier.")})
    return site


def _date(value: Any, *, field: str, required_message: str | None) -> dt.date | None:
    if value in (None, ""):
        if required_message:
            raise ValidationError({field: required_message})
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}) from None
    if not isinstance(value, dt.date):
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")})
    try:
        validate_date_range(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return value


def _methods(values: Iterable[str] | None) -> list[str]:
    allowed = [m.value for m in VisitMethod]
    chosen = list(values or [])
    for value in chosen:
        if value not in allowed:
            raise ValidationError(
                {"methods": _("“%(value)s” is not a method; choose from %(allowed)s.")
                 % {"value": value, "allowed": ", ".join(allowed)}}
            )  # fmt: skip
    # Kept in the order of the choices, once each, so equal sets compare equal.
    return [m for m in allowed if m in chosen]


def _visitors(ids: Iterable[Any] | None, kind: str) -> list[User]:
    """The staff who made the visit: users who may log visits of this kind."""
    User = get_user_model()
    try:
        wanted = {int(i) for i in ids or []}
    except (TypeError, ValueError):
        raise ValidationError({"visited_by": _("Choose the staff who visited.")}) from None
    users = list(User.objects.filter(pk__in=wanted, is_active=True))
    if len(users) != len(wanted) or not all(may_log_kind(u, kind) for u in users):
        raise ValidationError({"visited_by": _("Choose staff who may make visits of this kind.")})
    return users


def _kind(kind: Any) -> str:
    if kind not in [k.value for k in VisitKind]:
        raise ValidationError({"kind": _("Choose the kind of visit.")})
    return kind


@transaction.atomic
def visit_create(
    *,
    actor: User,
    supplier_id: int,
    kind: str,
    site_id: int | None = None,
    visit_date: dt.date | str | None = None,
    planned: bool = False,
    fiscal_year: int | None = None,
    visited_by_ids: Iterable[int] | None = None,
    supplier_attendees: str = "",
    methods: Iterable[str] | None = None,
    summary: str = "",
    plan_policy=None,
    plan_score=None,
) -> Visit:
    """Log a visit (a draft with a site and a date, the checklist's items waiting for an
    answer) or plan one (``planned``: site and date may follow). A visit done in an
    earlier year is logged the same way and then submitted, with its own date."""
    kind = _kind(kind)
    if not may_log_kind(actor, kind):
        raise PermissionDenied(_("You may not log visits of this kind."))
    supplier = _supplier(actor, supplier_id)
    site = _site(supplier, site_id, required=not planned)
    day = _date(
        visit_date,
        field="visit_date",
        required_message=None if planned else _("Enter the date of the visit."),
    )
    if day is not None:
        year = fiscal_year_of(day).year
    elif fiscal_year is not None:
        try:
            validate_fiscal_year(fiscal_year)
        except (ValidationError, TypeError, ValueError):
            raise ValidationError({"fiscal_year": _("Choose a fiscal year.")}) from None
        year = int(fiscal_year)
    else:
        raise ValidationError({"visit_date": _("Enter the date of the visit.")})
    template = published_template(kind)
    if template is None:
        raise ValidationError({"kind": _("No checklist is published for this kind of visit.")})
    visitors = _visitors(visited_by_ids if visited_by_ids is not None else [actor.pk], kind)
    visit = Visit.objects.create(
        supplier=supplier,
        site=site,
        kind=kind,
        visit_date=day,
        fiscal_year=year,
        status=VisitStatus.PLANNED if planned else VisitStatus.DRAFT,
        template=template,
        supplier_attendees=clean_text(supplier_attendees, field="supplier_attendees"),
        methods=_methods(methods),
        summary=clean_text(summary, field="summary", max_length=10_000),
        created_by=actor,
        plan_policy=plan_policy,
        plan_score=plan_score,
    )
    visit.visited_by.set(visitors)
    VisitAnswer.objects.bulk_create(
        VisitAnswer(visit=visit, item=item) for item in template.items.all()
    )
    return visit


HEADER_FIELDS = (
    "site_id",
    "visit_date",
    "visited_by_ids",
    "supplier_attendees",
    "methods",
    "summary",
)


def _apply_header(visit: Visit, changes: Mapping[str, Any], *, dated: bool) -> dict:
    """Apply header changes to the (locked) visit; returns ``{field: {"from", "to"}}``."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    done: dict[str, dict] = {}

    def record(field: str, before: Any, after: Any) -> None:
        if before != after:
            done[field] = {"from": before, "to": after}

    if "site_id" in changes:
        site = _site(visit.supplier, changes["site_id"], required=dated)
        record("site", visit.site_id, site.pk if site else None)
        visit.site = site
    if "visit_date" in changes:
        required = _("Enter the date of the visit.") if dated else None
        day = _date(changes["visit_date"], field="visit_date", required_message=required)
        record("visit_date", _iso(visit.visit_date), _iso(day))
        visit.visit_date = day
        if day is not None:
            visit.fiscal_year = fiscal_year_of(day).year
    if "supplier_attendees" in changes:
        text = clean_text(changes["supplier_attendees"], field="supplier_attendees")
        record("supplier_attendees", visit.supplier_attendees, text)
        visit.supplier_attendees = text
    if "methods" in changes:
        methods = _methods(changes["methods"])
        record("methods", list(visit.methods), methods)
        visit.methods = methods
    if "summary" in changes:
        text = clean_text(changes["summary"], field="summary", max_length=10_000)
        record("summary", visit.summary, text)
        visit.summary = text
    visit.save()
    if "visited_by_ids" in changes:
        visitors = _visitors(changes["visited_by_ids"], visit.kind)
        before = sorted(visit.visited_by.values_list("pk", flat=True))
        record("visited_by", before, sorted(u.pk for u in visitors))
        visit.visited_by.set(visitors)
    return done


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@transaction.atomic
def visit_update(*, actor: User, visit_id: int, **changes: Any) -> Visit:
    """Change a planned visit or a draft's header. A planned visit given a site and a
    date becomes a draft (the visit is being logged)."""
    visit = _locked_visit(actor=actor, visit_id=visit_id)
    _require_editable(visit)
    _apply_header(visit, changes, dated=visit.status == VisitStatus.DRAFT)
    if visit.status == VisitStatus.PLANNED and visit.site_id and visit.visit_date:
        visit.status = VisitStatus.DRAFT
        visit.save(update_fields=["status", "updated_at"])
    return visit


# --- answers ----------------------------------------------------------------------------


ANSWER_FIELDS = ("outcome", "note", "guidance_category", "required_action", "due_date")


@dataclass
class AnswerSave:
    """What became of one change: ``saved``, ``duplicate`` (this key was applied before:
    nothing changed) or refused as a conflict (raised, never returned)."""

    answer: VisitAnswer
    result: str


def _client_key(value: Any) -> str:
    key = value if isinstance(value, str) else ""
    key = key.strip()
    if not key or len(key) > CLIENT_KEY_MAX or not key.isascii() or not key.isprintable():
        raise ValidationError(
            {
                "client_key": _("Send a key of 1 to %(n)s printable characters.")
                % {"n": CLIENT_KEY_MAX}
            }
        )
    return key


def _answer_values(visit: Visit, values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked values of the answer fields given (only those given change)."""
    out: dict[str, Any] = {}
    if "outcome" in values:
        if values["outcome"] not in [o.value for o in Outcome]:
            raise ValidationError({"outcome": _("Choose an outcome.")})
        out["outcome"] = values["outcome"]
    if "note" in values:
        out["note"] = clean_text(values["note"], field="note")
    if "required_action" in values:
        out["required_action"] = clean_text(values["required_action"], field="required_action")
    if "guidance_category" in values:
        code = values["guidance_category"]
        if code in (None, ""):
            out["guidance_category"] = None
        else:
            category = GuidanceCategory.objects.filter(code=code).first()
            if category is None:
                raise ValidationError({"guidance_category": _("Choose a guidance category.")})
            out["guidance_category"] = category
    if "due_date" in values:
        day = _date(values["due_date"], field="due_date", required_message=None)
        if day is not None and visit.visit_date and day < visit.visit_date:
            raise ValidationError(
                {"due_date": _("The due date must not be before the visit (%(date)s).")
                 % {"date": date_format(visit.visit_date)}}
            )  # fmt: skip
        out["due_date"] = day
    return out


@transaction.atomic
def answer_save(
    *,
    actor: User,
    visit_id: int,
    item_code: str,
    client_key: str,
    base_revision: int,
    values: Mapping[str, Any],
) -> AnswerSave:
    """Apply one change to one answer of a draft.

    ``client_key`` names the change (the browser makes one per edit and resends it until
    it hears back): a key already applied to this visit is a no-op answered
    ``duplicate``. ``base_revision`` is the answer's revision the change was made on: an
    older one than saved now means someone (or another tab) saved a newer edit meanwhile,
    and the change is refused with ``AnswerConflict`` carrying the answer as saved, so the
    page can show both and nothing newer is overwritten.
    """
    key = _client_key(client_key)
    visit = _locked_visit(actor=actor, visit_id=visit_id)
    already = VisitChange.objects.filter(visit=visit, client_key=key).select_related("answer")
    change = already.first()
    if change is not None:
        return AnswerSave(answer=VisitAnswer.objects.get(pk=change.answer_id), result="duplicate")
    _require_editable(visit)
    try:
        answer = (
            VisitAnswer.objects.select_for_update(of=("self",))
            .select_related("item")
            .get(visit=visit, item__code=item_code)
        )
    except VisitAnswer.DoesNotExist:
        raise ValidationError({"item": _("This checklist has no such item.")}) from None
    if isinstance(base_revision, bool) or not isinstance(base_revision, int) or base_revision < 0:
        raise ValidationError({"base_revision": _("Send the revision the change was made on.")})
    if base_revision != answer.revision:
        raise AnswerConflict(
            _(
                "This item was changed elsewhere after your edit was made (saved revision "
                "%(saved)s, your edit was on %(yours)s). Check the saved answer and enter "
                "your change again if it is still needed."
            )
            % {"saved": answer.revision, "yours": base_revision},
            current=answer,
        )
    unknown = set(values) - set(ANSWER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    for field, value in _answer_values(visit, values).items():
        setattr(answer, field, value)
    answer.revision += 1
    answer.client_key = key
    answer.updated_by = actor
    answer.save()
    VisitChange.objects.create(
        visit=visit, answer=answer, client_key=key, revision=answer.revision, actor=actor
    )
    return AnswerSave(answer=answer, result="saved")


# --- submission -------------------------------------------------------------------------


def _answer_problems(visit: Visit, answers: list[VisitAnswer]) -> dict[str, list[str]]:
    """Every reason the answers cannot be submitted, keyed ``answers.<item code>``."""
    problems: dict[str, list[str]] = {}
    for answer in answers:
        mine: list[str] = []
        if answer.outcome == Outcome.UNANSWERED:
            mine.append(_("Give an outcome."))
        elif answer.outcome in FINDING_OUTCOMES:
            if answer.guidance_category_id is None:
                mine.append(_("A finding needs a guidance category."))
            if not answer.required_action:
                mine.append(_("Say what the supplier must do."))
            if answer.due_date is None:
                mine.append(_("Give a due date."))
            elif answer.due_date < visit.visit_date:
                mine.append(
                    _("The due date must not be before the visit (%(date)s).")
                    % {"date": date_format(visit.visit_date)}
                )
        elif answer.guidance_category_id or answer.required_action or answer.due_date:
            mine.append(
                _("A required action, category or due date makes this a finding: choose its "
                  "severity (minor or significant) or remove them.")
            )  # fmt: skip
        if mine:
            problems[f"answers.{answer.item.code}"] = mine
    return problems


def _check_complete(visit: Visit, answers: list[VisitAnswer]) -> None:
    errors: dict[str, list[str]] = {}
    if visit.site_id is None:
        errors["site"] = [_("Choose the site that was visited.")]
    elif Site.objects.filter(pk=visit.site_id, supplier_id=visit.supplier_id).count() == 0:
        errors["site"] = [_("This site belongs to another supplier.")]
    if visit.visit_date is None:
        errors["visit_date"] = [_("Enter the date of the visit.")]
    elif visit.visit_date > timezone.localdate():
        errors["visit_date"] = [_("A visit cannot be submitted before the day it took place.")]
    if not visit.methods:
        errors["methods"] = [_("Choose at least one method.")]
    if not visit.visited_by.exists():
        errors["visited_by"] = [_("Choose the staff who visited.")]
    if visit.visit_date is not None:
        errors.update(_answer_problems(visit, answers))
    if errors:
        raise ValidationError(errors)


def derive_result(answers: Iterable[VisitAnswer]) -> str:
    """The overall result from the answers: the most severe finding, or no issues."""
    outcomes = {a.outcome for a in answers}
    if Outcome.SIGNIFICANT in outcomes:
        return VisitResult.SIGNIFICANT
    if Outcome.MINOR in outcomes:
        return VisitResult.MINOR
    return VisitResult.NONE


def _raise_items(visit: Visit, answers: list[VisitAnswer], actor: User) -> list[ImprovementItem]:
    """One improvement item per finding that has none yet (the one-to-one link makes a
    second impossible), with the checklist's wording in both languages and the
    inspector's note and required action as written."""
    created = []
    language = (translation.get_language() or "en")[:2]
    for answer in answers:
        if answer.outcome not in FINDING_OUTCOMES or answer.improvement_item_id:
            continue
        item = answer.item
        note = f"\n{answer.note}" if answer.note else ""
        improvement = ImprovementItem.objects.create(
            supplier_id=visit.supplier_id,
            risk_id=item.risk_id,
            source=ImprovementSource.SITE_VISIT,
            description=f"{item.text_en}{note}",
            description_ja=f"{item.text_ja}{note}" if item.text_ja else "",
            required_action=answer.required_action,
            written_in=language if language in ("en", "ja") else "",
            due_date=answer.due_date,
        )
        ImprovementItemEvent.objects.create(
            item=improvement, from_status="", to_status=improvement.status, actor=actor
        )
        answer.improvement_item = improvement
        answer.save(update_fields=["improvement_item", "updated_at"])
        created.append(improvement)
    return created


@transaction.atomic
def visit_submit(*, actor: User, visit_id: int) -> Visit:
    """Submit a draft: everything checked at once (site of this supplier, a date not in
    the future, every item answered, each finding with its category, required action and
    a due date not before the visit), the result derived, one improvement item raised per
    finding, and the re-visit's follow-ups applied to earlier items. Read-only after."""
    visit = _locked_visit(actor=actor, visit_id=visit_id)
    if visit.status != VisitStatus.DRAFT:
        raise Conflict(
            _("Only a draft can be submitted; this visit is %(status)s.")
            % {"status": VisitStatus(visit.status).label.lower()},
            status=visit.status,
        )
    answers = list(
        VisitAnswer.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(visit=visit)
        .order_by("item__position")
    )
    _check_complete(visit, answers)
    visit.result = derive_result(answers)
    visit.status = VisitStatus.SUBMITTED
    visit.submitted_at = timezone.now()
    visit.submitted_by = actor
    visit.save(update_fields=["result", "status", "submitted_at", "submitted_by", "updated_at"])
    _raise_items(visit, answers, actor)
    _apply_follow_ups(visit, actor)
    return visit


# --- amendments -------------------------------------------------------------------------


@transaction.atomic
def visit_amend(
    *,
    actor: User,
    visit_id: int,
    reason: str,
    header: Mapping[str, Any] | None = None,
    answers: Mapping[str, Mapping[str, Any]] | None = None,
) -> VisitAmendment:
    """Change a submitted visit, by staff who may log its kind, with a reason: header
    fields and answers (by item code) as in a draft; the whole record is checked again,
    the result derived again, a new finding raises its item, and the amendment records
    each change from and to."""
    reason = clean_text(reason, field="reason", required_message=_("Say why the record changes."))
    visit = _locked_visit(actor=actor, visit_id=visit_id)
    if visit.status != VisitStatus.SUBMITTED:
        raise Conflict(
            _("Only a submitted visit is amended; change a draft directly."), status=visit.status
        )
    changes = _apply_header(visit, header or {}, dated=True)
    rows = {
        a.item.code: a
        for a in VisitAnswer.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(visit=visit)
    }
    for code, values in (answers or {}).items():
        answer = rows.get(code)
        if answer is None:
            raise ValidationError({f"answers.{code}": _("This checklist has no such item.")})
        unknown = set(values) - set(ANSWER_FIELDS)
        if unknown:
            raise ValidationError({f"answers.{code}": _("This field cannot be changed here.")})
        try:
            checked = _answer_values(visit, values)
        except ValidationError as exc:
            raise ValidationError({f"answers.{code}": exc.messages}) from None
        for field, value in checked.items():
            before = _plain(getattr(answer, field))
            if before != _plain(value):
                changes[f"answers.{code}.{field}"] = {"from": before, "to": _plain(value)}
            setattr(answer, field, value)
        answer.revision += 1
        answer.updated_by = actor
        answer.save()
    if not changes:
        raise ValidationError({"reason": _("Nothing was changed.")})
    ordered = sorted(rows.values(), key=lambda a: a.item.position)
    _check_complete(visit, ordered)
    visit.result = derive_result(ordered)
    visit.save(update_fields=["result", "updated_at"])
    _raise_items(visit, ordered, actor)
    return VisitAmendment.objects.create(visit=visit, by=actor, reason=reason, changes=changes)


def _plain(value: Any) -> Any:
    """A value as JSON keeps it in the amendment record."""
    if isinstance(value, GuidanceCategory):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- re-visits: closing or reopening earlier items --------------------------------------

ST = ImprovementStatus


@transaction.atomic
def follow_up_set(
    *, actor: User, visit_id: int, improvement_item_id: int, decision: str, note: str = ""
) -> VisitFollowUp:
    """Record what this visit found about an earlier open item of the same supplier:
    fixed (closed when the visit is submitted) or not (sent back to the supplier).
    Only steps the item workflow allows from the item's state are accepted."""
    visit = _locked_visit(actor=actor, visit_id=visit_id)
    _require_editable(visit)
    if decision not in [d.value for d in FollowUpDecision]:
        raise ValidationError({"decision": _("Choose whether the item is fixed or not.")})
    note = clean_text(note, field="note")
    item = (
        ImprovementItem.objects.visible_to(actor)
        .filter(pk=improvement_item_id, supplier_id=visit.supplier_id)
        .exclude(visit_answer__visit=visit)
        .first()
    )
    if item is None:
        raise ValidationError(
            {"improvement_item": _("Choose an earlier improvement item of this supplier.")}
        )
    _check_follow_up_state(item, decision)
    follow_up, _created = VisitFollowUp.objects.update_or_create(
        visit=visit,
        improvement_item=item,
        defaults={"decision": decision, "note": note, "by": actor},
    )
    return follow_up


def _check_follow_up_state(item: ImprovementItem, decision: str) -> None:
    if decision == FollowUpDecision.CLOSE and item.status == ST.OPEN:
        raise Conflict(
            _("The supplier has not sent an action plan for this item yet, so it cannot be "
              "closed; record what you saw in the note and follow it up after the plan."),
            status=item.status,
        )  # fmt: skip
    if item.status == ST.CLOSED:
        raise Conflict(
            _("This item is closed; if the problem is back, record it as a new finding."),
            status=item.status,
        )
    if decision == FollowUpDecision.REOPEN and item.status == ST.OPEN:
        raise Conflict(_("This item is still open with the supplier."), status=item.status)


def _apply_follow_ups(visit: Visit, actor: User) -> None:
    """Walk each follow-up through the item workflow (assessments.items), which checks
    the actor and the state again and keeps the item's history and notices."""
    for follow_up in visit.follow_ups.select_related("improvement_item"):
        item = follow_up.improvement_item
        _check_follow_up_state(item, follow_up.decision)
        note = follow_up.note or _("Checked on the visit of %(date)s.") % {
            "date": date_format(visit.visit_date)
        }
        if follow_up.decision == FollowUpDecision.CLOSE:
            if item.status == ST.ACTION_PLAN_SUBMITTED:
                item_workflow.item_verify(actor=actor, item_id=item.pk, note=note)
            item_workflow.item_close(actor=actor, item_id=item.pk, note=note)
        else:
            item_workflow.item_reopen(actor=actor, item_id=item.pk, note=note)
        follow_up.applied_at = timezone.now()
        follow_up.save(update_fields=["applied_at"])
