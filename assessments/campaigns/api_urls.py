"""Campaign routes under /api/v1/ (included by assessments.api_urls)."""

from procurement_portal.core.routers import Router

from .api import CampaignViewSet

router = Router()
router.register("campaigns", CampaignViewSet, basename="campaign")
urlpatterns = router.urls
