"""Assessment and answer routes under /api/v1/ (included by assessments.api_urls)."""

from procurement_portal.core.routers import Router

from .api import AssessmentViewSet

router = Router()
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
