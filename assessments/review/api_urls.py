"""The company's side: review queue, comments, return and accept, scoring, levels, items."""

from procurement_portal.core.routers import Router

from . import api

router = Router()
router.register("review-queue", api.ReviewQueueViewSet, basename="review-queue")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("answer-comments", api.AnswerCommentViewSet, basename="answer-comment")
router.register("improvement-items", api.ImprovementItemViewSet, basename="improvement-item")
router.register("infosec-levels", api.InfosecLevelViewSet, basename="infosec-level")
urlpatterns = router.urls
