"""The notice preferences page: which notices a user wants, and (staff) the daily digest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from procurement_portal.core.forms import apply_validation_error

from . import services
from .forms import PreferencesForm
from .kinds import kinds_for


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    audience = services.audience_of(request.user)
    current = services.preferences_for(request.user)
    kinds = kinds_for(audience)
    initial = {
        "enabled_kinds": [
            k.code for k in kinds if not k.required and k.code not in current.disabled_kinds
        ],
        "digest": "1" if current.digest else "0",
    }
    # Unticked boxes are not posted: a POST without any is "turn every optional one off".
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, audience=audience, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_save(
                actor=request.user,
                enabled_kinds=form.cleaned_data["enabled_kinds"],
                digest=form.cleaned_data.get("digest", False),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Your notice preferences are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "required_kinds": [k for k in kinds if k.required],
        },
        status=400 if form.errors else 200,
    )
