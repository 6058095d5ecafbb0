"""Staff pages of campaigns: list, author a draft, preview the exact targets, launch,
follow progress, export each supplier's status, resend to one contact.

Staff who assign self-assessments (``Action.ASSIGN_ASSESSMENTS``) change campaigns; every
other staff role (the CSCO, assessors, compliance) reads them; supplier users see none.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Campaign, CampaignStatus, CampaignSupplier
from assessments.workflow import TransitionConflict
from procurement_portal import access
from procurement_portal.access import Action
from reports.exports import csv_response
from suppliers.models import Contact
from suppliers.regions import Region

from . import selectors, services
from .forms import CampaignForm, ResendForm


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        selectors.campaign_list(user=request.user).prefetch_related("categories"), pk=pk
    )


def _is_poll(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    campaigns = list(selectors.campaign_list(user=request.user)[:200])
    return render(
        request,
        "assessments/campaigns/list.html",
        {"campaigns": campaigns, "can_manage": access.can(request.user, Action.ASSIGN_ASSESSMENTS)},
    )


def _form_page(request: HttpRequest, form: CampaignForm, campaign: Campaign | None):
    status = 400 if form.errors else 200
    return render(
        request,
        "assessments/campaigns/form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    access.require_capability(request.user, Action.ASSIGN_ASSESSMENTS)
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Draft saved. Check the target list, then launch."))
            return redirect("assessments:campaign-detail", pk=campaign.pk)
    return _form_page(request, form, None)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_capability(request.user, Action.ASSIGN_ASSESSMENTS)
    campaign = _campaign(request, pk)
    if not campaign.is_editable:
        messages.error(request, _("This campaign is no longer a draft: it cannot be changed."))
        return redirect("assessments:campaign-detail", pk=campaign.pk)
    form = CampaignForm(
        request.POST or None, request.FILES or None, initial=CampaignForm.initial_from(campaign)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                actor=request.user, campaign_id=campaign.pk, **form.service_fields()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect("assessments:campaign-detail", pk=campaign.pk)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("assessments:campaign-detail", pk=campaign.pk)
    return _form_page(request, form, campaign)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's settings and its exact target list (count and the first ones)."""
    access.require_staff(request.user)
    campaign = _campaign(request, pk)
    return render(
        request,
        "assessments/campaigns/detail.html",
        {
            "campaign": campaign,
            "targets": selectors.campaign_targets(campaign),
            "schedule": services.reminder_schedule(campaign),
            "region_labels": [Region(r).label for r in campaign.regions if r in Region.values],
            "can_manage": access.can(request.user, Action.ASSIGN_ASSESSMENTS),
        },
    )


@login_required
@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_capability(request.user, Action.ASSIGN_ASSESSMENTS)
    campaign = _campaign(request, pk)
    skipped = selectors.campaign_targets(campaign, preview_size=0).finished_count
    try:
        campaign = services.campaign_launch(actor=request.user, campaign_id=campaign.pk)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
        return redirect("assessments:campaign-detail", pk=campaign.pk)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect("assessments:campaign-detail", pk=campaign.pk)
    if campaign.status == CampaignStatus.SCHEDULED:
        messages.success(
            request,
            _("Scheduled: the campaign opens by itself on %(date)s.")
            % {"date": date_format(campaign.opens_on)},
        )
        return redirect("assessments:campaign-detail", pk=campaign.pk)
    messages.success(request, _("Launched: invitations are being prepared and sent."))
    if skipped:
        messages.info(request, _skipped_message(skipped))
    return redirect("assessments:campaign-progress", pk=campaign.pk)


def _skipped_message(n: int) -> str:
    return ngettext(
        "%(n)s supplier that has already submitted this questionnaire for the year is not "
        "asked again.",
        "%(n)s suppliers that have already submitted this questionnaire for the year are not "
        "asked again.",
        n,
    ) % {"n": n}


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_capability(request.user, Action.ASSIGN_ASSESSMENTS)
    campaign = _campaign(request, pk)
    try:
        services.campaign_close(actor=request.user, campaign_id=campaign.pk)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign closed: no more reminders will be sent."))
    return redirect("assessments:campaign-progress", pk=campaign.pk)


@login_required
@require_GET
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress counts; while the launch runs, the counts refresh themselves (htmx)."""
    access.require_staff(request.user)
    campaign = _campaign(request, pk)
    context = {
        "campaign": campaign,
        "progress": selectors.campaign_progress(campaign),
        "can_manage": access.can(request.user, Action.ASSIGN_ASSESSMENTS),
        "polling": campaign.status in (CampaignStatus.LAUNCHING,),
        "today": timezone.localdate(),
    }
    if _is_poll(request):
        return render(request, "assessments/campaigns/_progress.html", context)
    return render(request, "assessments/campaigns/progress.html", context)


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_staff(request.user)
    campaign = _campaign(request, pk)
    header = [
        _("Supplier code"),
        _("Legal name"),
        _("Region"),
        _("Country"),
        _("Assessment"),
        _("Status"),
        _("Submitted at"),
        _("Overdue"),
        _("Invitations"),
        _("Delivered"),
        _("Failed"),
        _("Sent again after an unconfirmed attempt"),
    ]
    return csv_response(
        selectors.campaign_supplier_rows(campaign),
        header=header,
        filename=f"campaign-{campaign.pk}-suppliers.csv",
    )


@login_required
@require_POST
def campaign_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send one contact's invitation again (a failed one is retried, a sent one copied)."""
    access.require_capability(request.user, Action.ASSIGN_ASSESSMENTS)
    campaign = _campaign(request, pk)
    form = ResendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a contact to send the invitation to."))
        return redirect("assessments:campaign-progress", pk=campaign.pk)
    contact_id = form.cleaned_data.get("contact_id")
    if contact_id is None:
        found = selectors.campaign_contacts_with_email(campaign, form.cleaned_data["email"])
        if len(found) != 1:
            messages.error(
                request,
                _("No contact of the campaign's suppliers has this address.")
                if not found
                else _("Several contacts have this address; resend from the supplier's page."),
            )
            return redirect("assessments:campaign-progress", pk=campaign.pk)
        contact_id = found[0]
    try:
        message = services.campaign_invitation_resend(
            actor=request.user, campaign_id=campaign.pk, contact_id=contact_id
        )
    except (Contact.DoesNotExist, CampaignSupplier.DoesNotExist):
        messages.error(request, _("This contact is not one of the campaign's suppliers."))
    else:
        messages.success(request, _("Invitation queued again for %(to)s.") % {"to": message.to})
    return redirect("assessments:campaign-progress", pk=campaign.pk)
