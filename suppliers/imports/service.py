"""Import suppliers and spend from CSV or XLSX: the one service behind page, command and task.

An import validates every row first and reports every problem (row as the user counts
it, column, reason). Only a file without a single problem is written, in one
transaction, so a rejected file leaves the database exactly as it was. Re-importing a
file updates the records it names (suppliers by code, spend by code + fiscal year) and
never duplicates them.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.uploads import validate_upload

from ..selectors import forget_countries_in_use
from .base import CleanRow, ImportKind
from .cdp_kind import CdpImport
from .models import ImportJob, ImportStatus
from .readers import UnreadableFile, cell_as_text, count_rows, is_blank, open_table
from .report import ImportReport, RowError
from .spend_kind import SpendImport
from .supplier_kind import SupplierImport

logger = logging.getLogger(__name__)

KINDS: dict[str, type[ImportKind]] = {
    "suppliers": SupplierImport,
    "spend": SpendImport,
    "cdp": CdpImport,
}
PROGRESS_EVERY = 500

Progress = Callable[[int], None]


def import_file(
    *,
    kind: str,
    path: Path,
    actor=None,
    job: ImportJob | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate the file, then (if every row is good and not ``dry_run``) write it.

    ``progress`` is called with the number of rows validated so far. The validation
    runs outside the write transaction on purpose: its progress must be visible to the
    job page while it runs, and it holds no lock. The writing is one transaction, which
    re-reads what it compares against, so the all-or-nothing rule holds.
    """
    if kind not in KINDS:
        raise ValidationError({"kind": _("Unknown import kind “%(kind)s”.") % {"kind": kind}})
    if actor is not None and not access.can(actor, access.Action.IMPORT_DATA):
        raise PermissionDenied(_("You may not import data."))
    importer = KINDS[kind]()
    report = ImportReport(kind=kind, dry_run=dry_run)
    if job is not None:
        _job_running(job)
        progress = _chain(progress, _job_progress(job))
    try:
        rows, errors = _validate(importer, Path(path), report, progress)
    except UnreadableFile as exc:
        rows, errors = [], [RowError(0, "", str(exc))]
    if errors:
        report.reject(errors, columns=importer.column_names())
    else:
        try:
            with transaction.atomic():
                _serialise_imports(kind)
                report.created, report.updated, report.unchanged = importer.write(
                    rows, dry_run=dry_run
                )
            if kind == SupplierImport.name and not dry_run:
                forget_countries_in_use()  # new countries move up the list's filter at once
        except IntegrityError:
            logger.warning("import of %s collided with a concurrent change", kind, exc_info=True)
            report.reject(
                [RowError(0, "", _("The data changed while importing. Import the file again."))]
            )
    if job is not None:
        _job_finished(job, report)
    return report


def _validate(
    importer: ImportKind, path: Path, report: ImportReport, progress: Progress | None
) -> tuple[list[CleanRow], list[RowError]]:
    table = open_table(path)
    if table is None:
        return [], [
            RowError(0, "", _("The file is empty. The first row must hold the column names."))
        ]
    errors = importer.check_header(table.header)
    if errors:
        return [], errors
    columns = list(enumerate(table.header))
    width = len(table.header)
    rows: list[CleanRow] = []
    for number, cells in table.rows:
        if is_blank(cells):
            continue
        report.rows += 1
        extra = [cell_as_text(c) for c in cells[width:] if c is not None]
        if extra:
            errors.append(
                RowError(
                    number,
                    "",
                    _("This row has values right of the last column."),
                    ", ".join(extra),
                )
            )
        padded = cells + [None] * (width - len(cells))
        row, row_errors = importer.clean_row(number, {name: padded[i] for i, name in columns})
        rows.append(row)
        errors.extend(row_errors)
        if progress is not None and report.rows % PROGRESS_EVERY == 0:
            progress(report.rows)
    if progress is not None:
        progress(report.rows)
    if not rows:
        return [], [RowError(0, "", _("The file has column names but no rows to import."))]
    errors.extend(importer.cross_row_errors(rows))
    return rows, errors


def _serialise_imports(kind: str) -> None:
    """Two imports of one kind never interleave (each diffs against what the other writes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(f"suppliers.imports.{kind}".encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _chain(*callbacks: Progress | None) -> Progress:
    def call(done: int) -> None:
        for callback in callbacks:
            if callback is not None:
                callback(done)

    return call


# --- jobs --------------------------------------------------------------------------------


def import_job_submit(
    *, kind: str, upload: UploadedFile, actor, dry_run: bool = False
) -> ImportJob:
    """Store the upload as a job; small files import now, large ones in the background.

    The threshold (``IMPORT_BACKGROUND_ROWS``) is decided here, in the web process; the
    worker only ever receives the job id.
    """
    job = import_job_create(kind=kind, upload=upload, actor=actor, dry_run=dry_run)
    if job.rows_total > settings.IMPORT_BACKGROUND_ROWS:
        from .tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    else:
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


@transaction.atomic
def import_job_create(
    *, kind: str, upload: UploadedFile, actor, dry_run: bool = False
) -> ImportJob:
    """Save the uploaded file under MEDIA_ROOT/imports/<uuid> and a pending job for it."""
    if not access.can(actor, access.Action.IMPORT_DATA):
        raise PermissionDenied(_("You may not import data."))
    if kind not in KINDS:
        raise ValidationError({"kind": _("Unknown import kind “%(kind)s”.") % {"kind": kind}})
    validate_upload(upload, allowed={"csv", "xlsx"}, max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES)
    job = ImportJob(
        kind=kind,
        created_by=actor,
        original_name=Path(upload.name or "").name[:255],
        dry_run=dry_run,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.file.save("upload", upload, save=False)
    with _local_copy(job) as path:
        job.rows_total = count_rows(path)
    job.save()
    return job


def import_job_run(*, job_id: int) -> ImportReport | None:
    """Run a pending job once; a job that is not pending (ran, running) is left alone."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        logger.info("import job %s is not pending; not running it again", job_id)
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), _local_copy(job) as path:
            return import_file(
                kind=job.kind, path=path, actor=job.created_by, job=job, dry_run=job.dry_run
            )
    except Exception as exc:
        # The job page must show that it failed; the log keeps the traceback.
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return None


@contextmanager
def _local_copy(job: ImportJob) -> Iterator[Path]:
    """The stored file as a local path (a temporary copy when storage is remote)."""
    try:
        local = Path(job.file.path)
    except NotImplementedError:  # storage without a file system path
        local = None
    if local is not None:
        yield local
        return
    with tempfile.NamedTemporaryFile() as tmp, job.file.open("rb") as src:
        shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def _job_running(job: ImportJob) -> None:
    now = timezone.now()
    job.status = ImportStatus.RUNNING
    job.started_at = job.started_at or now
    job.rows_processed = 0
    ImportJob.objects.filter(pk=job.pk).update(
        status=job.status, started_at=job.started_at, rows_processed=0, updated_at=now
    )


def _job_progress(job: ImportJob) -> Progress:
    def report(done: int) -> None:
        job.rows_processed = done
        ImportJob.objects.filter(pk=job.pk).update(
            rows_processed=done, rows_total=max(done, job.rows_total)
        )

    return report


def _job_finished(job: ImportJob, report: ImportReport) -> None:
    job.status = ImportStatus.SUCCEEDED if report.ok else ImportStatus.REJECTED
    job.rows_total = job.rows_processed = report.rows
    job.created_count = report.created
    job.updated_count = report.updated
    job.unchanged_count = report.unchanged
    job.errors = [e.as_dict() for e in report.errors]
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "rows_total",
            "rows_processed",
            "created_count",
            "updated_count",
            "unchanged_count",
            "errors",
            "finished_at",
            "updated_at",
        ]
    )
