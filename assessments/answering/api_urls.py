"""Assessment and answer routes under /api/v1/ (included by assessments.api_urls)."""

from rest_framework.routers import DefaultRouter

from .api import AssessmentViewSet

router = DefaultRouter()
# One API root for all of /api/v1/ is the registry's; this router adds only its routes.
router.include_root_view = False
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
