"""Visit pages: the list, logging a visit, the visit form (offline-capable on a phone:
static/js/visit_form.js), its answers as JSON, submission, amendments, photos.

Thin: each view parses, calls a selector or a service, and shapes the answer. A visit
the user does not see answers 404 (the selectors start from ``visible_to``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.errors import Conflict
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.core.text import JSONTooDeep, load_json, parse_digits, text_problems
from procurement_portal.uploads import serve_private_file
from suppliers.models import Site, Supplier

from . import photos, selectors, services
from .forms import AmendForm, SupplierPickForm, VisitFilterForm, VisitForm
from .models import Outcome, Visit, VisitPhoto, VisitStatus
from .models._scope import may_log_kind


def _visit_or_404(request: HttpRequest, pk: int) -> Visit:
    try:
        return selectors.visit_detail(user=request.user, pk=pk)
    except Visit.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    form = VisitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.visit_list(
        user=request.user,
        kind=filters.get("kind") or "",
        status=filters.get("status") or "",
        fiscal_year=filters.get("year"),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/list.html",
        {
            "form": form,
            "page": page,
            "visits": page.object_list,
            "staff_view": access.sees_all_suppliers(request.user),
            "can_log": bool(selectors.loggable_kinds(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    """Log a visit: pick the supplier by code, then the site, date and methods."""
    kinds = selectors.loggable_kinds(request.user)
    if not kinds:
        raise PermissionDenied(_("You may not log visits."))
    supplier = None
    if request.GET.get("code"):
        pick = SupplierPickForm(request.GET)
        if pick.is_valid():
            supplier = (
                Supplier.objects.visible_to(request.user)
                .filter(code__iexact=pick.cleaned_data["code"].strip())
                .first()
            )
            if supplier is None:
                pick.add_error("code", _("No supplier has this code."))
    else:
        pick = SupplierPickForm()
    supplier_pk = parse_digits(request.GET.get("supplier", ""))
    if supplier_pk is not None:
        supplier = Supplier.objects.visible_to(request.user).filter(pk=supplier_pk).first()
    if supplier is None:
        status = 400 if request.method == "POST" else 200
        return render(request, "visits/new.html", {"pick": pick, "supplier": None}, status=status)
    sites = list(Site.objects.filter(supplier=supplier).order_by("name"))
    form = VisitForm(request.POST or None, sites=sites, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                actor=request.user,
                supplier_id=supplier.pk,
                kind=data["kind"],
                site_id=data["site"],
                visit_date=data["visit_date"],
                methods=data["methods"],
                supplier_attendees=data["supplier_attendees"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, field_map={"site_id": "site"})
        else:
            return redirect("visits:detail", pk=visit.pk)
    return render(
        request,
        "visits/new.html",
        {"pick": pick, "supplier": supplier, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _can_edit(user, visit: Visit) -> bool:
    return visit.is_editable and may_log_kind(user, visit.kind)


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(request, pk)
    editable = _can_edit(request.user, visit)
    answers = list(visit.answers.all())
    context: dict[str, Any] = {
        "visit": visit,
        "answers": answers,
        "editable": editable,
        "can_amend": visit.status == VisitStatus.SUBMITTED
        and access.can(request.user, Action.REVIEW_ASSESSMENTS, visit),
        "staff_view": access.sees_all_suppliers(request.user),
        "outcomes": Outcome.choices[1:],
        "categories": selectors.categories(),
        "finding_count": sum(1 for a in answers if a.is_finding),
        "answered_count": sum(1 for a in answers if a.outcome != Outcome.UNANSWERED),
        "today": timezone.localdate(),
    }
    if editable:
        sites = list(Site.objects.filter(supplier_id=visit.supplier_id).order_by("name"))
        context["header_form"] = VisitForm(
            initial={
                "kind": visit.kind,
                "site": visit.site_id,
                "visit_date": visit.visit_date,
                "methods": visit.methods,
                "supplier_attendees": visit.supplier_attendees,
            },
            sites=sites,
            kinds=[visit.kind],
        )
        context["followable"] = list(selectors.followable_items(user=request.user, visit=visit))
    return render(request, "visits/detail.html", context)


def _answer_json(answer) -> dict[str, Any]:
    return {
        "item": answer.item.code,
        "revision": answer.revision,
        "outcome": answer.outcome,
        "note": answer.note,
        "guidance_category": answer.guidance_category.code if answer.guidance_category else "",
        "required_action": answer.required_action,
        "due_date": answer.due_date.isoformat() if answer.due_date else "",
    }


def _posted_change(request: HttpRequest) -> tuple[str, int, dict[str, Any]]:
    """The change as the script sends it (JSON) or as the form without script posts it.
    Either is read as the API reads a body: JSON nested no deeper than the bound, and no
    control characters or lone surrogates in any field (named, before a lookup or the
    database could meet them)."""
    if request.content_type == "application/json":
        try:
            body = load_json(request.body or b"{}")
        except JSONTooDeep as exc:
            raise ValidationError({"body": str(exc)}) from None
        except ValueError:
            raise ValidationError({"body": _("Send the change as JSON.")}) from None
        if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
            raise ValidationError({"values": _("Send the answer's values.")})
        key, base, values = body.get("client_key"), body.get("base_revision"), body["values"]
    else:
        post = request.POST
        revision = post.get("base_revision", "")
        values = {field: post.get(field, "") for field in services.ANSWER_FIELDS if field in post}
        # Without the script each submission of the form is its own change.
        key = post.get("client_key") or f"form-{uuid.uuid4().hex}"
        base = parse_digits(revision, max_digits=9)
        base = -1 if base is None else base
    for path, problem in text_problems({"client_key": key, **values}):
        raise ValidationError({"".join(path[:1]) or "body": problem})
    return key, base, values


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, item_code: str) -> HttpResponse:
    """Save one answer. JSON in, JSON out for the visit form's script:

    * 200 ``{"result": "saved" | "duplicate", "answer": {...}}``
    * 400 ``{"result": "invalid", "errors": {field: [...]}}``: nothing saved
    * 409 ``{"result": "conflict", "message", "answer"}`` (a newer edit is saved: shown
      instead) or ``{"result": "locked", "message"}`` (the visit was submitted)
    * 403 ``{"result": "forbidden"}``; 404 for a visit the user does not see
    """
    wants_json = request.content_type == "application/json"
    try:
        key, base, values = _posted_change(request)
        saved = services.answer_save(
            actor=request.user,
            visit_id=pk,
            item_code=item_code,
            client_key=key,
            base_revision=base,
            values=values,
        )
    except Visit.DoesNotExist as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        if wants_json:
            return JsonResponse({"result": "forbidden", "message": str(exc)}, status=403)
        raise
    except ValidationError as exc:
        if wants_json:
            return JsonResponse({"result": "invalid", "errors": exc.message_dict}, status=400)
        messages.error(request, " ".join(exc.messages))
        return _back_to_item(pk, item_code)
    except services.AnswerConflict as exc:
        if wants_json:
            body = {
                "result": "conflict",
                "message": exc.message,
                "answer": _answer_json(exc.current),
            }
            return JsonResponse(body, status=409)
        messages.error(request, exc.message)
        return _back_to_item(pk, item_code)
    except Conflict as exc:
        if wants_json:
            return JsonResponse({"result": "locked", "message": exc.message}, status=409)
        messages.error(request, exc.message)
        return redirect("visits:detail", pk=pk)
    if wants_json:
        return JsonResponse({"result": saved.result, "answer": _answer_json(saved.answer)})
    messages.success(request, _("Answer saved."))
    return _back_to_item(pk, item_code)


def _back_to_item(pk: int, item_code: str) -> HttpResponse:
    return redirect(reverse("visits:detail", args=[pk]) + f"#item-{item_code}")


@login_required
@require_POST
def header_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(request, pk)
    access.require(request.user, Action.REVIEW_ASSESSMENTS, visit)
    sites = list(Site.objects.filter(supplier_id=visit.supplier_id))
    form = VisitForm(request.POST, sites=sites, kinds=[visit.kind])
    if not form.is_valid():
        problems = [
            {
                "place": form.fields[field].label if field in form.fields else "",
                "anchor": "#visit-details",
                "errors": errors,
            }
            for field, errors in form.errors.items()
        ]
        context = {"visit": visit, "problems": problems, "not_saved": True}
        return render(request, "visits/submit_refused.html", context, status=400)
    data = form.cleaned_data
    try:
        services.visit_update(
            actor=request.user,
            visit_id=pk,
            site_id=data["site"],
            visit_date=data["visit_date"],
            methods=data["methods"],
            supplier_attendees=data["supplier_attendees"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Visit details saved."))
    return redirect("visits:detail", pk=pk)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(request, pk)
    try:
        services.visit_submit(actor=request.user, visit_id=visit.pk)
    except ValidationError as exc:
        problems = _submit_problems(visit, exc)
        return render(
            request,
            "visits/submit_refused.html",
            {"visit": visit, "problems": problems},
            status=400,
        )
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("visits:detail", pk=pk)
    messages.success(
        request, _("Visit record submitted. Findings were raised as improvement items.")
    )
    return redirect("visits:detail", pk=pk)


def _submit_problems(visit: Visit, exc: ValidationError) -> list[dict[str, Any]]:
    """Each problem with a readable place and a link to it on the form."""
    items = {a.item.code: a.item for a in visit.answers.all()}
    labels = {
        "site": _("Site"),
        "visit_date": _("Visit date"),
        "methods": _("Methods"),
        "visited_by": _("Visited by"),
    }
    out = []
    for field, errors in exc.message_dict.items():
        if field.startswith("answers."):
            code = field.removeprefix("answers.")
            item = items.get(code)
            place = f"{item.position}. {item.text}" if item else code
            anchor = f"#item-{code}"
        else:
            place, anchor = labels.get(field, field), "#visit-details"
        out.append({"place": place, "anchor": anchor, "errors": errors})
    return out


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item_code = request.POST.get("item", "")
    try:
        photos.photo_add(
            actor=request.user,
            visit_id=pk,
            file=request.FILES.get("file"),
            item_code=item_code or None,
            caption=request.POST.get("caption", ""),
        )
    except Visit.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Photo added."))
    return _back_to_item(pk, item_code) if item_code else redirect("visits:detail", pk=pk)


@login_required
@require_GET
def photo_file(request: HttpRequest, photo_pk: int) -> HttpResponse:
    try:
        photo = VisitPhoto.objects.visible_to(request.user).get(pk=photo_pk)
    except VisitPhoto.DoesNotExist as exc:
        raise Http404 from exc
    return serve_private_file(
        request,
        file_field_or_path=photo.file,
        download_name=photo.original_name,
        content_type=photo.content_type,
    )


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("improvement_item", "")
    try:
        services.follow_up_set(
            actor=request.user,
            visit_id=pk,
            improvement_item_id=parse_digits(raw) or 0,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except Visit.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Follow-up recorded; it is applied when the visit is submitted.")
        )
    return redirect(reverse("visits:detail", args=[pk]) + "#follow-ups")


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(request, pk)
    access.require(request.user, Action.REVIEW_ASSESSMENTS, visit)
    if visit.status != VisitStatus.SUBMITTED:
        return redirect("visits:detail", pk=pk)
    answers = list(visit.answers.all())
    form = AmendForm(request.POST or None, answers=answers, categories=selectors.categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        header = {}
        if data["supplier_attendees"] and data["supplier_attendees"] != visit.supplier_attendees:
            header["supplier_attendees"] = data["supplier_attendees"]
        changed_answers = {}
        if data["item"]:
            values = {
                key: data[key]
                for key in ("outcome", "note", "guidance_category", "required_action", "due_date")
                if data[key] not in ("", None)
            }
            changed_answers[data["item"]] = values
        try:
            services.visit_amend(
                actor=request.user,
                visit_id=pk,
                reason=data["reason"],
                header=header,
                answers=changed_answers,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Amendment recorded."))
            return redirect("visits:detail", pk=pk)
    return render(
        request,
        "visits/amend.html",
        {"visit": visit, "form": form},
        status=400 if request.method == "POST" else 200,
    )
