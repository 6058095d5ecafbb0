"""API routes of the visits app, included under /api/v1/."""

from procurement_portal.core.routers import Router

from . import api

router = Router()
router.register("visits", api.VisitViewSet, basename="visit")
router.register("guidance-categories", api.GuidanceCategoryViewSet, basename="guidance-category")
urlpatterns = router.urls
