"""Reads of import jobs, already scoped to the user (imports are shared staff work)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ImportJob


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """Recent jobs, newest first, without their (possibly large) error lists."""
    return (
        ImportJob.objects.visible_to(user)
        .select_related("created_by")
        .defer("errors")
        .order_by("-created_at", "-id")
    )


def import_job_detail(*, user, pk: int) -> ImportJob:
    """One job; raises ImportJob.DoesNotExist if the user may not see it."""
    return ImportJob.objects.visible_to(user).select_related("created_by").get(pk=pk)
