"""API routes of the dissemination app, included under /api/v1/."""

from procurement_portal.core.routers import Router

from . import api

router = Router()
router.register("guideline-documents", api.GuidelineDocumentViewSet, basename="guideline-document")
router.register("guideline-versions", api.GuidelineVersionViewSet, basename="guideline-version")
router.register(
    "guideline-acknowledgements", api.AcknowledgementViewSet, basename="guideline-acknowledgement"
)
router.register("partner-meetings", api.PartnerMeetingViewSet, basename="partner-meeting")
router.register("meeting-attendances", api.MeetingAttendanceViewSet, basename="meeting-attendance")
router.register("meeting-awards", api.AwardViewSet, basename="meeting-award")
urlpatterns = router.urls
