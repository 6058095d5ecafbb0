"""Questionnaire routes under /api/v1/ (included by assessments.api_urls)."""

from procurement_portal.core.routers import Router

from .api import QuestionnaireVersionViewSet, QuestionnaireViewSet

router = Router()
router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
router.register(
    "questionnaire-versions", QuestionnaireVersionViewSet, basename="questionnaire-version"
)
urlpatterns = router.urls
