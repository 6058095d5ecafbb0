"""Certificate pages: the download of a signature's PDF certificate (its supplier's users
and staff), and the public verification page.

The download finds the signature through the scoped selector (another supplier's is a
404), asks the documents service for the certificate and answers as every PDF link of
the portal does (``document_response``: the file, or the "being prepared" page that
refreshes to the one scoped download view while the worker renders).

The verification page needs no account; each check (a hash or an upload) counts against
a limit per client address (``DECLARATIONS_VERIFY_RATE``), counted in the cache with
the API's throttle so every web worker shares it.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from procurement_portal.core.api import AnonRateThrottle
from procurement_portal.core.forms import Form, apply_validation_error
from procurement_portal.documents.views import document_response

from . import selectors, verification
from .certificates import certificate_request


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    signature = selectors.signatures_visible_to(request.user).filter(pk=pk).first()
    if signature is None:
        raise Http404
    document = certificate_request(signature=signature)
    try:
        back_url = signature.get_absolute_url()
    except NoReverseMatch:
        back_url = ""
    return document_response(request, document, back_url=back_url)


class VerifyThrottle(AnonRateThrottle):
    """Checks per client address, signed in or not (the page is the same for both)."""

    scope = "declaration_verify"

    def __init__(self):
        self.rate = settings.DECLARATIONS_VERIFY_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyForm(Form):
    hash = forms.CharField(
        label=gettext_lazy("SHA-256 hash"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The 64 characters printed on the certificate."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )
    certificate = forms.FileField(
        label=gettext_lazy("Or the certificate PDF"),
        required=False,
        help_text=gettext_lazy("The PDF as the portal issued it."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean(self):
        data = super().clean()
        typed, uploaded = data.get("hash"), data.get("certificate")
        if self.errors:
            return data
        if typed and uploaded:
            raise ValidationError(
                {"hash": _("Give either the hash or the PDF, not both.")}, code="both"
            )
        if not typed and not uploaded:
            raise ValidationError(
                {"hash": _("Type the certificate's SHA-256 hash or choose its PDF.")},
                code="empty",
            )
        return data

    def outcome(self) -> verification.Outcome | None:
        """Check what was given; field problems go onto the form and give ``None``."""
        try:
            if self.cleaned_data.get("certificate"):
                found = verification.read_certificate(self.cleaned_data["certificate"])
                return verification.verify_certificate(found)
            return verification.verify_hash(verification.parse_hash(self.cleaned_data["hash"]))
        except ValidationError as exc:
            apply_validation_error(self, exc)
            return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form; a check when a hash comes in the address (the certificate's QR code) or
    a hash or PDF is posted."""
    asked = request.method == "POST" or "hash" in request.GET
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif asked:
        form = VerifyForm({"hash": request.GET.get("hash", "")})
    else:
        form = VerifyForm()
    context = {"form": form, "outcome": None}
    if asked:
        throttle = VerifyThrottle()
        if not throttle.allow_request(request, None):
            wait = int(throttle.wait() or 60) + 1
            context["throttled"] = _(
                "Too many checks from your address: try again in %(seconds)s seconds."
            ) % {"seconds": wait}
            response = render(request, "declarations/verify.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            context["outcome"] = form.outcome()
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "declarations/verify.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response
