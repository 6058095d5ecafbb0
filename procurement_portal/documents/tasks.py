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


# How long a batch task keeps starting documents. Its soft limit is that plus one
# document's limit, so every document it starts still has its full PDF_RENDER_TIMEOUT,
# and no batch task outlives BATCH_SECONDS + PDF_RENDER_TIMEOUT + 5 (the hard limit).
BATCH_SECONDS = getattr(settings, "DOCUMENTS_BATCH_SECONDS", 20)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=BATCH_SECONDS + _LIMIT,
    time_limit=BATCH_SECONDS + _LIMIT + 5,
)
def render_documents(self, document_ids: list[int]) -> dict:
    """Render many documents in one task (a batch of letters): one broker message for
    many PDFs, each still claimed and confirmed on its own. What is not started within
    BATCH_SECONDS goes on in a new task, queued before this one is acknowledged (a kill
    between the two only means some ids are offered twice, and a confirmed document is
    never rendered again)."""
    eager = bool(self.request.is_eager)
    results, rest = services.documents_render_many(
        document_ids=document_ids,
        worker=self.request.hostname or "",
        in_process=not eager,
        seconds=BATCH_SECONDS,
    )
    if rest:
        if eager:
            self.apply(args=(rest,))
        else:
            render_documents.delay(rest)
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    return {"outcomes": outcomes, "handed_on": len(rest)}


@shared_task
def sweep_documents() -> int:
    return len(services.documents_sweep())


@worker_process_init.connect
def _warm_renderer(**kwargs) -> None:
    """Pay WeasyPrint's import and the fonts' set-up once per worker process, before the
    first document (see ``rendering.warm_up``)."""
    if getattr(settings, "DOCUMENTS_WARM_RENDERER", True):
        from .rendering import warm_up

        try:
            warm_up()
        except Exception:
            services.logger.exception("Could not warm up the PDF renderer")
