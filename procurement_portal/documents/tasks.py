"""The render task: a thin wrapper around ``services.document_render``.

In a worker the PDF is made in-process (WeasyPrint imported once per worker process)
under Celery's hard time limit; run eagerly (the embedded default) it is made in a child
process with its own time limit. Late acknowledgement: a task lost with its worker comes
back from the broker, and beat's sweep finds the row in any case.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from . import services

_LIMIT = settings.PDF_RENDER_TIMEOUT


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=_LIMIT,
    time_limit=_LIMIT + 5,
)
def render_document(self, document_id: int) -> str:
    eager = bool(self.request.is_eager)
    result = services.document_render(
        document_id=document_id, worker=self.request.hostname or "", in_process=not eager
    )
    return result.outcome


@shared_task
def sweep_documents() -> int:
    return len(services.documents_sweep())


@worker_process_init.connect
def _warm_renderer(**kwargs) -> None:
    """Pay WeasyPrint's import once per worker process, before the first document."""
    if getattr(settings, "DOCUMENTS_WARM_RENDERER", True):
        from .rendering import warm_up

        try:
            warm_up()
        except Exception:
            services.logger.exception("Could not warm up the PDF renderer")
