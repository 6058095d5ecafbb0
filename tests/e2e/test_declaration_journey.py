"""A declaration from signing to proof, on a 375 px phone in Japanese (issue 12, proof).

A supplier user reads the declaration and signs it, downloads the certificate (a real
PDF, rendered by the documents service, in Japanese); staff see the coverage page's count
of new suppliers with a valid declaration rise by one; an anonymous visitor uploads the
certificate on the verification page and it is confirmed.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from declarations.models import DeclarationKind, Signature
from procurement_portal.fiscal import current_fiscal_year
from tests.declarations.helpers import make_version
from tests.factories import SupplierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
KINDS = [
    ("env-safety-health", "Environment and safety-and-health management declaration",
     "環境・安全衛生マネジメントに関する宣言"),
    ("responsible-business-conduct", "Responsible business conduct declaration",
     "責任ある企業行動に関する宣言"),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _kinds() -> None:
    """The two kinds the migration seeds; a browser test's flush removed them."""
    for code, name_en, name_ja in KINDS:
        DeclarationKind.objects.get_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_ja": name_ja,
                "covers_environmental": True,
                "covers_social": True,
            },
        )


def _phone(browser, live_server, settings):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="ja-JP", accept_downloads=True
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)  # the certificate renders while the link waits
    return page


def _covered(page) -> int:
    """New suppliers with a valid declaration, summed over the coverage page's regions."""
    rows = "section[aria-labelledby=regions-title] tbody tr"
    cells = page.locator(f"{rows} td:nth-child(3)").all_inner_texts()
    assert cells, page.locator("main").inner_text()
    return sum(int(text.strip()) for text in cells)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_sign_download_coverage_and_verify_on_a_phone_in_japanese(
    browser, live_server, ui_login, settings, supplier, supplier_user, buyer, tmp_path
):
    # given a published declaration asked of this year's new suppliers, two of them
    _kinds()
    start = current_fiscal_year().start
    supplier.transactions_started_on = start
    supplier.save(update_fields=["transactions_started_on"])
    SupplierFactory(code="NEW-002", country="JP", transactions_started_on=start)
    version = make_version()

    # staff look at the coverage page first
    staff = _phone(browser, live_server, settings)
    ui_login(staff, buyer)
    staff.goto(f"{live_server.url}/declarations/coverage/")
    assert staff.locator("html").get_attribute("lang") == "ja"
    before = _covered(staff)
    assert before == 0

    # when the supplier user reads the declaration in Japanese and signs it
    page = _phone(browser, live_server, settings)
    ui_login(page, supplier_user)
    page.goto(f"{live_server.url}/declarations/")
    page.locator(f"a[href='/declarations/sign/{version.pk}/']").click()
    page.wait_for_load_state()
    assert "当社は環境・安全衛生を管理します。" in page.locator("main").inner_text()
    assert _fits(page)
    page.fill("input[name=signer_name]", "山田 花子")
    page.fill("input[name=signer_title]", "品質保証部長")
    page.check("input[name=confirmed]")
    page.locator("main button[type=submit].primary").click()
    page.wait_for_load_state()
    signature = Signature.objects.get(supplier=supplier, version=version)
    assert signature.language == "ja"
    assert page.url.endswith(f"/declarations/signatures/{signature.pk}/")
    assert signature.content_hash in page.locator("main").inner_text()
    assert _fits(page)

    # then the certificate downloads: a PDF in Japanese carrying the signer and the hash
    with page.expect_download() as download:
        page.locator("[data-certificate]").click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    data = path.read_bytes()
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "山田花子" in text
    assert "品質保証部長" in text
    assert signature.content_hash in text
    assert re.search(r"第1版", text)

    # and staff see one more new supplier covered
    staff.reload()
    assert _covered(staff) == before + 1
    assert _fits(staff)

    # and anyone can confirm the certificate on the verification page, without logging in
    visitor = _phone(browser, live_server, settings)
    visitor.goto(f"{live_server.url}/declarations/verify/")
    assert _fits(visitor)
    visitor.set_input_files("input[name=certificate]", str(path))
    visitor.locator("main button[type=submit].primary").click()
    visitor.wait_for_load_state()
    result = visitor.locator(".verify-result").inner_text()
    assert "証明書を確認しました" in result
    assert "山田 花子" in result
    assert "アクメ部品株式会社" in result
    assert signature.content_hash in result
    assert "203.0.113" not in result and supplier_user.email not in result
    assert _fits(visitor)


def test_the_verification_page_and_its_answers_pass_axe(
    browser, live_server, settings, supplier, supplier_user
):
    """The route walk's audit sees the empty form; the answers (confirmed, unknown, bad
    input) are audited here, in both languages, on a phone and a desktop."""
    from tests.declarations.certificate_helpers import sign
    from tests.e2e.test_accessibility import AXE, AXE_RUN

    _kinds()
    signature = sign(supplier_user, supplier)
    pages = {
        "confirmed": f"/declarations/verify/?hash={signature.content_hash}",
        "unknown": "/declarations/verify/?hash=" + "0" * 64,
        "bad input": "/declarations/verify/?hash=not-a-hash",
    }
    problems = []
    for language, width in (("en", 1280), ("ja", 375)):
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        context.add_init_script(path=str(AXE))
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("lang") == language
            problems += [f"{name} {language} {width}: {v}" for v in page.evaluate(AXE_RUN)]
            if width == 375:
                assert _fits(page), f"{name} is wider than the phone"
        context.close()
    assert not problems, "\n".join(problems)
