"""Pages of the partners meetings: staff create a meeting, invite suppliers, record how
many managers came and give awards; supplier users see their own invitations and awards.
Objects are found through the user's ``visible_to`` first (another supplier's meeting is a
404), then staff-only pages ask for the staff role."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from procurement_portal import access
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.fiscal import FiscalYear, current_fiscal_year, fiscal_year_choices

from . import selectors, services
from .forms import (
    AttendanceForm,
    AwardForm,
    InviteForm,
    MeetingForm,
)
from .models import PartnerMeeting
from .views import MANAGE, _get, _staff_object

# --- meetings -----------------------------------------------------------------------------


@login_required
@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if access.sees_all_suppliers(user):
        try:
            year = int(request.GET.get("fy") or current_fiscal_year().year)
            FiscalYear(year).start  # noqa: B018  (a year the helper accepts)
        except (ValueError, OverflowError):
            year = current_fiscal_year().year
        return render(
            request,
            "dissemination/meetings_staff.html",
            {
                "meetings": list(selectors.meeting_list(user=user)[:200]),
                "year": FiscalYear(year),
                "year_value": year,
                "years": fiscal_year_choices(),
                "figures": selectors.meeting_figures(year, user=user),
                "can_manage": access.can(user, MANAGE),
            },
        )
    if not access.is_supplier_user(user):
        raise Http404
    attendances, awards = selectors.supplier_meetings(user=user)
    return render(
        request,
        "dissemination/meetings.html",
        {"attendances": attendances, "awards": awards},
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    access.require_capability(request.user, MANAGE)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Meeting saved. Invite the suppliers."))
            return redirect("dissemination:meeting-detail", pk=meeting.pk)
    return render(
        request,
        "dissemination/form.html",
        {"form": form, "title": _("New partners meeting"), "back": "dissemination:meetings"},
        status=400 if form.errors else 200,
    )


def _meeting_page(request, pk, *, status=200, invite_form=None, award_form=None, errors=None):
    meeting, attendances, awards, figures = selectors.meeting_detail(user=request.user, pk=pk)
    return render(
        request,
        "dissemination/meeting.html",
        {
            "meeting": meeting,
            "attendances": attendances,
            "awards": awards,
            "figures": figures,
            "invite_form": invite_form or InviteForm(),
            "award_form": award_form or AwardForm(),
            "attendance_errors": errors or {},
            "can_manage": access.can(request.user, MANAGE),
        },
        status=status,
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_object(PartnerMeeting, request, pk)
    return _meeting_page(request, pk)


@login_required
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_object(PartnerMeeting, request, pk)
    access.require(request.user, MANAGE, meeting)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            added = services.meeting_invite(
                actor=request.user,
                meeting_id=meeting.pk,
                supplier_codes=form.codes(),
                strategic_partners=form.cleaned_data["strategic_partners"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(n)s supplier invited.", "%(n)s suppliers invited.", added)
                % {"n": added},
            )
            return redirect("dissemination:meeting-detail", pk=meeting.pk)
    return _meeting_page(request, meeting.pk, status=400, invite_form=form)


@login_required
@require_POST
def attendance_record(request: HttpRequest, pk: int, supplier_id: int) -> HttpResponse:
    meeting = _staff_object(PartnerMeeting, request, pk)
    access.require(request.user, MANAGE, meeting)
    form = AttendanceForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            services.attendance_record(
                actor=request.user,
                meeting_id=meeting.pk,
                supplier_id=supplier_id,
                managers_attended=form.cleaned_data["managers_attended"],
            )
        except ValidationError as exc:
            problem = "; ".join(exc.messages)
    else:
        problem = "; ".join(e for errors in form.errors.values() for e in errors)
    if problem:
        return _meeting_page(request, meeting.pk, status=400, errors={supplier_id: problem})
    messages.success(request, _("Attendance saved."))
    return redirect("dissemination:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def award_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_object(PartnerMeeting, request, pk)
    access.require(request.user, MANAGE, meeting)
    form = AwardForm(request.POST)
    if form.is_valid():
        try:
            services.award_create(actor=request.user, meeting_id=meeting.pk, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Award recorded."))
            return redirect("dissemination:meeting-detail", pk=meeting.pk)
    return _meeting_page(request, meeting.pk, status=400, award_form=form)


@login_required
@require_POST
def award_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Award

    award = _get(Award, request, pk)
    access.require_staff(request.user)
    meeting_id = award.meeting_id
    services.award_delete(actor=request.user, award_id=award.pk)
    messages.success(request, _("Award removed."))
    return redirect("dissemination:meeting-detail", pk=meeting_id)
