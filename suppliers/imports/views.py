"""The import pages: upload, CSV templates, and a job page that follows its progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from procurement_portal import access
from reports.exports import csv_response

from . import selectors
from .forms import ImportUploadForm
from .models import ImportJob
from .service import KINDS, import_job_submit

RECENT_JOBS = 10
# Every problem is listed on the page up to this many (a file wrong on every row of
# 50,000 would make a page no one reads); all of them are always in the CSV download.
ERRORS_SHOWN = 1000


@login_required
def import_upload(request):
    access.require_capability(request.user, access.Action.IMPORT_DATA)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_submit(
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("suppliers:import_job", pk=job.pk)
    jobs = list(selectors.import_job_list(user=request.user)[:RECENT_JOBS])
    kinds = [
        {"name": name, "label": label, "columns": KINDS[name].columns}
        for name, label in ImportJob._meta.get_field("kind").choices
    ]
    return render(
        request, "suppliers/imports/upload.html", {"form": form, "jobs": jobs, "kinds": kinds}
    )


@login_required
def import_template(request, kind: str):
    """An empty file to fill in: the header row only, UTF-8 with BOM for Excel."""
    access.require_capability(request.user, access.Action.IMPORT_DATA)
    if kind not in KINDS:
        raise Http404
    return csv_response(
        [], header=KINDS[kind].column_names(), filename=f"{kind}-import-template.csv"
    )


@login_required
def import_example(request, kind: str):
    """A filled-in example of the format (the one in docs/import-format.md), kept apart
    from the template so that no example row is ever imported by mistake."""
    access.require_capability(request.user, access.Action.IMPORT_DATA)
    if kind not in KINDS:
        raise Http404
    return csv_response(
        KINDS[kind].example_rows(),
        header=KINDS[kind].column_names(),
        filename=f"{kind}-import-example.csv",
    )


def _job_for(request, pk: int) -> ImportJob:
    access.require_capability(request.user, access.Action.IMPORT_DATA)
    try:
        return selectors.import_job_detail(user=request.user, pk=pk)
    except ImportJob.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def import_job(request, pk: int):
    job = _job_for(request, pk)
    errors = job.errors or []
    context = {
        "job": job,
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
    }
    template = (
        "suppliers/imports/_job_status.html" if request.htmx else "suppliers/imports/job.html"
    )
    return render(request, template, context)


@login_required
def import_job_errors(request, pk: int):
    """Every error of a job as CSV (the page shows the first ERRORS_SHOWN)."""
    job = _job_for(request, pk)
    # Values from the uploaded file come back in the reasons: the one CSV writer
    # neutralises anything a spreadsheet would run as a formula.
    return csv_response(
        ([e["row"] or "", e["column"], e.get("value", ""), e["reason"]] for e in job.errors or []),
        header=[_("row"), _("column"), _("value found"), _("problem")],
        filename=f"import-{job.pk}-errors.csv",
    )
