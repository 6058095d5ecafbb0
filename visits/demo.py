"""Demo visits, made through the real services (``manage.py seed_demo`` calls this).

The demo supplier (the one the demo supplier login acts for) gets a submitted Supplier
Visit Record from last year with two minor findings, whose improvement items are then
taken through every state (answered, verified, closed; the verified one is closed by a
draft re-visit once it is submitted), and a
submitted information-security visit this year with a minor labelling finding and
a draft re-visit. Further suppliers get SVRs and information-security visits of both
results, so the lists, the yearly figures and the plan have something to show, and
this fiscal year's plan gets planned visits for its top-ranked suppliers. Letters are
added by the letters demo (visits.letters) on top of these visits.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from assessments import items as item_workflow
from assessments.models import ImprovementItem
from procurement_portal.accounts.models import Role, SupplierMembership, User
from procurement_portal.fiscal import current_fiscal_year
from suppliers.models import Site, Supplier

from . import letters, planning, services
from .models import Visit, VisitKind, VisitStatus
from .reference_data import ensure_reference_data

SEED = 4
OTHER_SVR = 12
OTHER_INFOSEC = 6
PLANNED = 5


@dataclass
class VisitDemoResult:
    visits: int = 0
    items: int = 0
    planned: int = 0

    def __str__(self) -> str:
        return f"{self.visits} visits, {self.items} improvement items, {self.planned} planned"


FINDINGS = {
    "working-hours": ("working_hours", "Keep overtime within the agreement; record all hours."),
    "chemical-storage": ("chemical_management", "Store solvents in trays; put the data sheets up."),
    "confidential-labelling": (
        "confidential_labelling",
        "Label every confidential document and file received from us as confidential.",
    ),
    "disposal-return": (
        "confidential_disposal_return",
        "Keep a record of each disposal of confidential items, signed by the person who did it.",
    ),
    "emergency-exits": ("emergency_preparedness", "Clear the east exit and hold a drill."),
}


def _site(supplier: Supplier) -> Site:
    site = supplier.sites.order_by("pk").first()
    if site is None:
        site = Site.objects.create(
            supplier=supplier, name="Head office", city="", country=supplier.country
        )
    return site


def _visit(rng, *, actor, supplier, kind, day, findings=(), significant=()) -> Visit:
    """A visit answered item by item (findings as given, the rest conforming or not
    applicable) and submitted."""
    visit = services.visit_create(
        actor=actor,
        supplier_id=supplier.pk,
        kind=kind,
        site_id=_site(supplier).pk,
        visit_date=day,
        methods=["interview", "document_check", "inspection"],
        supplier_attendees="Plant manager, HR manager",
    )
    for answer in visit.answers.select_related("item"):
        code = answer.item.code
        if code in findings or code in significant:
            category, action = FINDINGS.get(code, ("other", "Correct this and send evidence."))
            values = {
                "outcome": "significant" if code in significant else "minor",
                "note": "Seen on the inspection round.",
                "guidance_category": category,
                "required_action": action,
                "due_date": (day + dt.timedelta(days=rng.choice((30, 60, 90)))).isoformat(),
            }
        else:
            values = {"outcome": "not_applicable" if rng.random() < 0.1 else "conforming"}
        services.answer_save(
            actor=actor,
            visit_id=visit.pk,
            item_code=code,
            client_key=f"demo-{visit.pk}-{code}",
            base_revision=answer.revision,
            values=values,
        )
    return services.visit_submit(actor=actor, visit_id=visit.pk)


@transaction.atomic
def build_visit_demo(*, seed: int = SEED) -> VisitDemoResult:
    ensure_reference_data()
    result = VisitDemoResult()
    buyer = User.objects.filter(role=Role.PROCUREMENT, email="buyer@demo.example").first()
    assessor = User.objects.filter(
        role=Role.INFOSEC_ASSESSOR, email="assessor@demo.example"
    ).first()
    membership = SupplierMembership.objects.filter(user__email="supplier@demo.example").first()
    if buyer is None or assessor is None or membership is None or Visit.objects.exists():
        return result
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    today = timezone.localdate()
    home, supplier_user = membership.supplier, membership.user
    items_before = ImprovementItem.objects.count()

    # Last year's SVR at the demo supplier: two minor findings, followed through.
    svr = _visit(
        rng,
        actor=buyer,
        supplier=home,
        kind=VisitKind.SVR,
        day=today - dt.timedelta(days=300),
        findings=("working-hours", "emergency-exits", "chemical-storage"),
    )
    hours, exits, chemicals = ImprovementItem.objects.filter(visit_answer__visit=svr).order_by(
        "visit_answer__item__position"
    )
    # The supplier sees the findings with the letter: issue it (rendered here, so the demo
    # does not wait on a worker; the letters demo issues the others).
    letters.letter_request(actor=buyer, visit_id=svr.pk)
    letters.letter_issue(visit_id=svr.pk, in_process=True)
    for item in (hours, exits, chemicals):
        item_workflow.item_action_plan_submit(
            actor=supplier_user,
            item_id=item.pk,
            action_plan="Weekly overtime review by the plant manager from next month.",
        )
    for item in (exits, chemicals):
        item_workflow.item_verify(actor=buyer, item_id=item.pk, note="Plan accepted.")
    item_workflow.item_close(actor=buyer, item_id=exits.pk, note="Exit cleared, drill held.")
    # This year's information-security visit: minor labelling and disposal findings.
    _visit(
        rng,
        actor=assessor,
        supplier=home,
        kind=VisitKind.INFOSEC,
        day=today - dt.timedelta(days=20),
        findings=("confidential-labelling", "disposal-return"),
    )
    # A re-visit (draft) that will close the verified item once submitted.
    revisit = services.visit_create(
        actor=buyer,
        supplier_id=home.pk,
        kind=VisitKind.SVR,
        site_id=_site(home).pk,
        visit_date=today - dt.timedelta(days=2),
        methods=["inspection"],
    )
    services.follow_up_set(
        actor=buyer,
        visit_id=revisit.pk,
        improvement_item_id=chemicals.pk,
        decision="close",
        note="Trays in place, data sheets posted.",
    )
    others = list(
        Supplier.objects.exclude(pk=home.pk)
        .filter(status="active")
        .order_by("code")[: OTHER_SVR + OTHER_INFOSEC]
    )
    for n, supplier in enumerate(others[:OTHER_SVR]):
        findings = ("emergency-exits",) if n % 3 == 0 else ()
        significant = ("working-hours",) if n % 5 == 1 else ()
        _visit(
            rng,
            actor=buyer,
            supplier=supplier,
            kind=VisitKind.SVR,
            day=today - dt.timedelta(days=rng.randint(10, 700)),
            findings=findings,
            significant=significant,
        )
    for n, supplier in enumerate(others[OTHER_SVR:]):
        findings = ("confidential-labelling",) if n % 2 == 0 else ("disposal-return",)
        _visit(
            rng,
            actor=assessor,
            supplier=supplier,
            kind=VisitKind.INFOSEC,
            day=today - dt.timedelta(days=rng.randint(10, 300)),
            findings=findings,
        )
    # This year's plan: the top-ranked suppliers not visited this year get a planned SVR.
    year = current_fiscal_year().year
    policy = planning.active_policy()
    rows = [
        r for r in planning.plan_rows(actor=buyer, fiscal_year=year, policy=policy) if not r.planned
    ]
    planned = planning.plan_visits_create(
        actor=buyer,
        fiscal_year=year,
        kind=VisitKind.SVR,
        supplier_ids=[r.supplier.pk for r in rows[:PLANNED]],
    )
    result.visits = Visit.objects.exclude(status=VisitStatus.PLANNED).count()
    result.items = ImprovementItem.objects.count() - items_before
    result.planned = len(planned)
    return result
