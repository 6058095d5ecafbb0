"""Models of the yearly self-assessment (document check).

* ``questionnaires``: versioned questionnaires (sections, questions, choices); a
  published version is frozen and answers stay tied to it.
* ``assessments``: one supplier answering one questionnaire for one fiscal year, its
  answers, evidence files, reviewers' comments and status history.
* ``scoring``: the versioned scoring policy (rating bands, improvement threshold,
  information-security levels), per-risk scores and the suppliers' information-security
  levels per fiscal year.
* ``items``: improvement items raised by answers (and, later, by on-site visits).
"""

from .assessments import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Evidence,
)
from .campaigns import Campaign, CampaignStatus, CampaignSupplier, TargetRule
from .items import (
    ImprovementEvidence,
    ImprovementItem,
    ImprovementItemEvent,
    ImprovementSource,
    ImprovementStatus,
)
from .questionnaires import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    QuestionType,
    Section,
    VersionStatus,
)
from .scoring import InformationSecurityLevel, Rating, RiskScore, ScoringPolicy

__all__ = [
    "Answer",
    "AnswerComment",
    "Assessment",
    "AssessmentEvent",
    "AssessmentStatus",
    "Campaign",
    "CampaignStatus",
    "CampaignSupplier",
    "Choice",
    "Evidence",
    "ImprovementEvidence",
    "ImprovementItem",
    "ImprovementItemEvent",
    "ImprovementSource",
    "ImprovementStatus",
    "InformationSecurityLevel",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireKind",
    "QuestionnaireVersion",
    "Rating",
    "RiskScore",
    "ScoringPolicy",
    "Section",
    "TargetRule",
    "VersionStatus",
]
