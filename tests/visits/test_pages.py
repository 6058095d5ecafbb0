"""The visit pages as staff and suppliers use them: the list, logging a visit, the form's
JSON answers (resend, conflict, invalid, locked), submission, amendment, photos, the plan."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assessments.models import ImprovementItem
from tests.visits.conftest import answer_all, finding
from visits import services
from visits.models import Visit, VisitChange, VisitPhoto, VisitStatus

pytestmark = pytest.mark.django_db


def _post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_staff_log_a_visit_by_supplier_code_then_site_and_date(
    login, buyer, supplier, site, visits_reference
):
    client = login(buyer)
    page = client.get(reverse("visits:new"), {"code": supplier.code.lower()})
    assert page.status_code == 200 and site.name in page.text
    response = client.post(
        reverse("visits:new") + f"?supplier={supplier.pk}",
        {
            "kind": "svr",
            "site": site.pk,
            "visit_date": "2026-11-02",
            "methods": ["interview", "inspection"],
            "supplier_attendees": "Ms Sato (HR)",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == reverse("visits:detail", args=[visit.pk])
    assert visit.methods == ["interview", "inspection"] and visit.status == VisitStatus.DRAFT
    page = client.get(response.url)
    assert page.status_code == 200
    assert "data-visit-form" in page.text and "js/visit_form.js" in page.text


def test_an_unknown_code_or_missing_date_is_shown_at_its_field(
    login, buyer, supplier, site, visits_reference
):
    client = login(buyer)
    assert "No supplier has this code." in client.get(reverse("visits:new"), {"code": "NOPE"}).text
    page = client.post(
        reverse("visits:new") + f"?supplier={supplier.pk}",
        {"kind": "svr", "site": site.pk, "visit_date": ""},
    )
    assert page.status_code == 400 and "This field is required." in page.text
    assert not Visit.objects.exists()


def test_the_answer_endpoint_saves_resends_and_refuses_stale_edits(login, buyer, draft):
    client = login(buyer)
    url = reverse("visits:answer", args=[draft.pk, "wages"])
    change = {"client_key": "k-1", "base_revision": 0, "values": {"outcome": "conforming"}}
    first = _post_json(client, url, change)
    again = _post_json(client, url, change)
    assert first.json()["result"] == "saved" and again.json()["result"] == "duplicate"
    assert first.json()["answer"]["revision"] == again.json()["answer"]["revision"] == 1
    stale = _post_json(
        client, url, {"client_key": "k-2", "base_revision": 0, "values": {"note": "old"}}
    )
    assert stale.status_code == 409 and stale.json()["result"] == "conflict"
    assert stale.json()["answer"]["outcome"] == "conforming"
    bad = _post_json(
        client, url, {"client_key": "k-3", "base_revision": 1, "values": {"outcome": "?"}}
    )
    assert bad.status_code == 400 and "outcome" in bad.json()["errors"]
    broken = client.post(url, data="{not json", content_type="application/json")
    assert broken.status_code == 400
    assert VisitChange.objects.filter(visit=draft).count() == 1


def test_the_form_without_script_saves_each_post_as_its_own_change(login, buyer, draft):
    client = login(buyer)
    url = reverse("visits:answer", args=[draft.pk, "wages"])
    response = client.post(url, {"base_revision": "0", "outcome": "conforming", "note": "ok"})
    assert response.status_code == 302 and response.url.endswith("#item-wages")
    answer = draft.answers.get(item__code="wages")
    assert (answer.outcome, answer.revision) == ("conforming", 1)


def test_submission_lists_every_problem_with_a_link_and_then_submits(login, buyer, draft):
    client = login(buyer)
    refused = client.post(reverse("visits:submit", args=[draft.pk]))
    assert refused.status_code == 400
    assert "#item-wages" in refused.text and "Give an outcome." in refused.text
    answer_all(draft, buyer, findings={"wages": finding(draft, category="wages")})
    done = client.post(reverse("visits:submit", args=[draft.pk]))
    assert done.status_code == 302
    page = client.get(reverse("visits:detail", args=[draft.pk]))
    assert "data-visit-form" not in page.text and "Minor improvements needed" in page.text
    item = ImprovementItem.objects.get()
    assert reverse("assessments:item-detail", args=[item.pk]) in page.text
    locked = _post_json(
        client,
        reverse("visits:answer", args=[draft.pk, "wages"]),
        {"client_key": "late", "base_revision": 2, "values": {"note": "x"}},
    )
    assert locked.status_code == 409 and locked.json()["result"] == "locked"


def test_staff_amend_through_the_page_and_the_amendment_is_shown(login, buyer, draft):
    answer_all(draft, buyer)
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    client = login(buyer)
    url = reverse("visits:amend", args=[draft.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "", "supplier_attendees": "Ms Sato"})
    assert refused.status_code == 400 and "This field is required." in refused.text
    response = client.post(url, {"reason": "Names were missing.", "supplier_attendees": "Ms Sato"})
    assert response.status_code == 302
    page = client.get(reverse("visits:detail", args=[draft.pk]))
    assert "Names were missing." in page.text


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def _photo_bytes() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 39.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_stored_without_its_metadata_and_a_non_image_is_refused(
    login, buyer, draft, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = login(buyer)
    url = reverse("visits:photo-upload", args=[draft.pk])
    raw = _photo_bytes()
    assert b"PhoneMaker" in raw
    client.post(url, {"item": "wages", "file": SimpleUploadedFile("IMG_1.jpg", raw, "image/jpeg")})
    photo = VisitPhoto.objects.get()
    stored = photo.file.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    assert (photo.width, photo.height) == (40, 30)
    response = client.post(
        url,
        {
            "item": "wages",
            "file": SimpleUploadedFile("fake.jpg", b"%PDF-1.4 not a photo", "image/jpeg"),
        },
    )
    assert response.status_code == 302
    assert VisitPhoto.objects.count() == 1
    download = client.get(reverse("visits:photo", args=[photo.pk]))
    assert download.status_code == 200
    client.post(
        url, {"caption": "Entrance", "file": SimpleUploadedFile("a.png", _png(), "image/png")}
    )
    whole = VisitPhoto.objects.get(answer__isnull=True)
    assert whole.caption == "Entrance" and whole.content_type == "image/jpeg"
    page = client.get(reverse("visits:detail", args=[draft.pk]))
    assert reverse("visits:photo", args=[whole.pk]) in page.text


def test_suppliers_see_a_visit_only_once_its_letter_is_issued(login, buyer, supplier_user, draft):
    answer_all(draft, buyer)
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    client = login(supplier_user)
    assert client.get(reverse("visits:detail", args=[draft.pk])).status_code == 404
    assert "No visits" in client.get(reverse("visits:list")).text
    Visit.objects.filter(pk=draft.pk).update(letter_issued_at=timezone.now())
    page = client.get(reverse("visits:detail", args=[draft.pk]))
    assert page.status_code == 200 and "Amend" not in page.text


def test_the_plan_shows_each_part_of_each_score_and_plans_visits(
    login, buyer, supplier, other_supplier, visits_reference
):
    from tests.factories import SpendFactory

    SpendFactory(supplier=supplier, fiscal_year=timezone.localdate().year, amount=500_000_000)
    supplier.handles_confidential_info = True
    supplier.save()
    client = login(buyer)
    page = client.get(reverse("visits:plan"))
    assert page.status_code == 200
    text = page.text
    assert text.index(supplier.code) < text.index(other_supplier.code)
    assert "Time since last visit" in text and "Recommended" in text
    year = page.context["year"]
    response = client.post(
        reverse("visits:plan") + f"?year={year}", {"kind": "svr", "suppliers": [supplier.pk]}
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.status, visit.fiscal_year, visit.site_id) == (VisitStatus.PLANNED, year, None)
    assert visit.plan_score == page.context["rows"][0].score
    client.post(
        reverse("visits:plan") + f"?year={year}", {"kind": "svr", "suppliers": [supplier.pk]}
    )
    assert Visit.objects.count() == 1


def test_pages_are_in_japanese(login, buyer, draft):
    client = login(buyer)
    client.cookies["django_language"] = "ja"
    page = client.get(reverse("visits:detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="ja")
    assert "適合" in page.text or "訪問" in page.text


def test_planned_visit_started_by_giving_site_and_date(
    login, buyer, supplier, site, visits_reference
):
    visit = services.visit_create(
        actor=buyer, supplier_id=supplier.pk, kind="svr", planned=True, fiscal_year=2027
    )
    client = login(buyer)
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    client.post(
        reverse("visits:header", args=[visit.pk]),
        {"kind": "svr", "site": site.pk, "visit_date": day, "methods": ["interview"]},
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT and visit.site_id == site.pk


def test_a_raised_item_past_its_due_date_is_flagged_on_the_visit(
    login, buyer, make_visit, supplier, site
):
    visit = make_visit(
        supplier=supplier, site=site, visit_date=timezone.localdate() - dt.timedelta(days=90)
    )
    answer_all(visit, buyer, findings={"wages": finding(visit, category="wages", days=30)})
    services.visit_submit(actor=buyer, visit_id=visit.pk)
    page = login(buyer).get(reverse("visits:detail", args=[visit.pk]))
    assert page.text.count("data-overdue") == 1


def test_a_supplier_sees_the_items_of_a_visit_only_with_its_letter(
    login, buyer, supplier_user, draft
):
    answer_all(draft, buyer, findings={"wages": finding(draft, category="wages")})
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    item = ImprovementItem.objects.get()
    assert not ImprovementItem.objects.visible_to(supplier_user).exists()
    client = login(supplier_user)
    assert client.get(reverse("assessments:item-detail", args=[item.pk])).status_code == 404
    Visit.objects.filter(pk=draft.pk).update(letter_issued_at=timezone.now())
    assert list(ImprovementItem.objects.visible_to(supplier_user)) == [item]
    assert client.get(reverse("assessments:item-detail", args=[item.pk])).status_code == 200
