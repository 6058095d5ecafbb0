"""Pages of the company's review (mounted at /assessments/review/, namespace "assessments")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.review_queue, name="review-queue"),
    path("<int:pk>/", views.review_detail, name="review-detail"),
    path(
        "<int:pk>/answers/<int:answer_pk>/comments/",
        views.review_comment_add,
        name="review-comment-add",
    ),
    path(
        "<int:pk>/comments/<int:comment_pk>/reply/",
        views.comment_reply,
        name="comment-reply",
    ),
    path(
        "<int:pk>/comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="comment-resolve",
    ),
    path("<int:pk>/return/", views.review_return, name="review-return"),
    path("<int:pk>/accept/", views.review_accept, name="review-accept"),
    path("<int:pk>/scores/", views.review_scores, name="review-scores"),
    path("items/", views.item_list_staff, name="items-staff"),
    path("my-items/", views.item_list_mine, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/action-plan/", views.item_action_plan, name="item-action-plan"),
    path(
        "items/evidence/<int:evidence_pk>/",
        views.item_evidence_download,
        name="item-evidence-download",
    ),
    path("items/<int:pk>/verify/", views.item_verify, name="item-verify"),
    path("items/<int:pk>/close/", views.item_close, name="item-close"),
    path("items/<int:pk>/reopen/", views.item_reopen, name="item-reopen"),
    path("levels/", views.levels, name="levels"),
    path("levels/export.csv", views.levels_export, name="levels-export"),
    path("levels/suppliers/<int:pk>/", views.level_supplier, name="level-supplier"),
    path("levels/suppliers/<int:pk>/override/", views.level_override, name="level-override"),
]
