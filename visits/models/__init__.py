"""Stage 4, on-site assessment: Supplier Visit Records and information-security visits.

Visits are an app of their own, above ``assessments`` rather than inside it beside
``answering/`` and ``review/``, because almost nothing about them is shared with the
self-assessment but the improvement item they raise: a visit has its own workflow
(planned, draft, submitted, amended), its own versioned checklists (not questionnaires:
an inspector's outcome per item, not a supplier's scored answer), a form built to work
offline on a phone, a visit plan ranked from spend, information handled and the
self-assessment results, and the improvement-guidance letters rendered by the workers.
Putting that inside ``assessments`` would double an app that is already the largest.
From above, visits import ``assessments`` (``ImprovementItem`` and its workflow in
``assessments/items.py``, the self-assessment scores for the plan) and ``suppliers``;
nothing below imports visits, and ``reports`` reads them from the top floor.
"""

from .checklists import (
    ChecklistItem,
    ChecklistTemplate,
    GuidanceCategory,
    TemplateStatus,
    VisitKind,
)
from .planning import VisitPlanPolicy
from .visits import (
    FINDING_OUTCOMES,
    FollowUpDecision,
    LetterBatch,
    Outcome,
    Visit,
    VisitAmendment,
    VisitAnswer,
    VisitChange,
    VisitFollowUp,
    VisitMethod,
    VisitPhoto,
    VisitResult,
    VisitStatus,
)

__all__ = [
    "FINDING_OUTCOMES",
    "ChecklistItem",
    "ChecklistTemplate",
    "FollowUpDecision",
    "GuidanceCategory",
    "LetterBatch",
    "Outcome",
    "TemplateStatus",
    "Visit",
    "VisitAmendment",
    "VisitAnswer",
    "VisitChange",
    "VisitFollowUp",
    "VisitKind",
    "VisitMethod",
    "VisitPhoto",
    "VisitPlanPolicy",
    "VisitResult",
    "VisitStatus",
]
