"""The one download of generated documents, and the answer a PDF link gives.

``document_response`` is what every PDF link answers with: the file when it is ready
(waiting briefly for the render task), a "being prepared" page that refreshes itself
when it is not yet, or the reason when it failed. ``download`` is the scoped route the
"being prepared" page refreshes to: the document's subject must be visible to the user
(``visible_to``: another supplier's document is a 404), a staff copy only to staff, and
every download is recorded in the audit trail.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procurement_portal import access
from procurement_portal.core.audit import log_access
from procurement_portal.uploads import attachment_disposition

from .models import Document, documents_storage
from .services import document_render_again, document_wait

logger = logging.getLogger(__name__)


def visible_document(user, pk: int) -> Document:
    """The document if the user may read it, else 404 (scope first: no hint it exists)."""
    document = access.visible_to(user, Document).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def document_response(
    request: HttpRequest,
    document: Document,
    *,
    back_url: str = "",
    wait: bool = True,
    retry_missing: bool = True,
) -> HttpResponse:
    """The file (recorded), the "being prepared" page (202) or the failure page (503)."""
    if wait:
        document = document_wait(document, seconds=settings.DOCUMENTS_WAIT_SECONDS)
    if document.state == Document.State.READY:
        try:
            with documents_storage().open(document.file.name, "rb") as stored:
                content = stored.read()
        except OSError:
            # The stored file is gone (storage emptied or moved): render it again, once.
            logger.warning("Document %s: stored file %s is missing", document.pk, document.file)
            if not retry_missing:
                context = {"message": _("The PDF could not be produced. Please try again later.")}
                return render(request, "documents/unavailable.html", context, status=503)
            document = document_render_again(document)
            return document_response(
                request, document, back_url=back_url, wait=wait, retry_missing=False
            )
        log_access([document])  # who downloaded which document is recorded
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = attachment_disposition(document.filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    if document.state == Document.State.FAILED:
        context = {"message": document.error, "back_url": back_url}
        return render(request, "documents/unavailable.html", context, status=503)
    context = {
        "document": document,
        "refresh_url": reverse("documents:download", kwargs={"pk": document.pk}),
        "refresh_seconds": 3,
        "back_url": back_url,
    }
    response = render(request, "documents/preparing.html", context, status=202)
    response["Refresh"] = f"3; url={context['refresh_url']}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request.user, pk)
    return document_response(request, document, wait=False)
