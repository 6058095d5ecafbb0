"""The company's side: review queue, comments, return and accept, scoring, levels, items."""

from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("review-queue", api.ReviewQueueViewSet, basename="review-queue")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("answer-comments", api.AnswerCommentViewSet, basename="answer-comment")
router.register("improvement-items", api.ImprovementItemViewSet, basename="improvement-item")
router.register("infosec-levels", api.InfosecLevelViewSet, basename="infosec-level")
urlpatterns = router.urls
