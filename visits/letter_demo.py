"""Demo letters, made through the real letter services (``manage.py seed_demo`` calls
this after the visits demo): letters issued in English and in Japanese (the demo
supplier's own visits first, so its login has letters to open), their e-mails in the
outbox, and a finished batch on the letters page. Kept to a few letters: run eagerly
(the embedded default) each is rendered in a fresh interpreter. Safe to run again: a
second run finds the batch and starts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from procurement_portal.accounts.models import Role, SupplierMembership, User

from . import letters
from .models import FINDING_OUTCOMES, LetterBatch, Visit, VisitAnswer, VisitStatus

PER_LANGUAGE = 2


@dataclass
class LetterDemoResult:
    batches: int = 0
    letters: int = 0
    languages: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"{self.batches} letter batch, {self.letters} letters issued "
            f"({', '.join(self.languages) or 'none'})"
        )


def build_letter_demo() -> LetterDemoResult:
    result = LetterDemoResult()
    buyer = User.objects.filter(role=Role.PROCUREMENT, email="buyer@demo.example").first()
    if buyer is None or LetterBatch.objects.exists():
        return result
    home = SupplierMembership.objects.filter(user__email="supplier@demo.example").values(
        "supplier_id"
    )
    findings = VisitAnswer.objects.filter(
        visit=OuterRef("pk"), outcome__in=sorted(FINDING_OUTCOMES)
    )
    candidates = (
        Visit.objects.filter(status=VisitStatus.SUBMITTED)
        .filter(Exists(findings))
        .annotate(home=Exists(home.filter(supplier_id=OuterRef("supplier_id"))))
        .select_related("supplier")
        .order_by("-home", "-visit_date", "pk")
    )
    chosen: dict[str, list[Visit]] = {"en": [], "ja": []}
    for visit in candidates:
        language = letters._language(visit.supplier)
        if len(chosen[language]) < PER_LANGUAGE:
            chosen[language].append(visit)
    picked = chosen["en"] + chosen["ja"]
    if not picked:
        return result
    for visit in picked:
        letters.letter_request(actor=buyer, visit_id=visit.pk)
    # A batch over the day of the latest of them: its letters are those already issued
    # (the same documents, no second e-mail) and any other visit of that day.
    day = max(visit.visit_date for visit in picked)
    letters.letter_batch_start(actor=buyer, period_start=day, period_end=day)
    result.batches = 1
    issued = Visit.objects.filter(letter_issued_at__isnull=False)
    result.letters = issued.count()
    result.languages = tuple(
        sorted(set(issued.values_list("letter_document__language", flat=True)))
    )
    return result
