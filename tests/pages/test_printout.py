"""The printed plan, checked as the person gets it: the server's PDF (WeasyPrint) and the
browser's printout (Debian's Chromium, page.pdf()), read back with pdfplumber. Nothing overlaps,
the QR code covers no text, no word is split across lines, and the address, appointments and
contacts come in reading order. A rendered page of each is kept in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from resettlement.forty_eight_hours import latest_published
from tests.pages import printed_layout
from tests.pages.conftest import sign_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WELSH_HEADING = "Ble rydych chi'n cysgu heno"


def _check(pdf: bytes, html: str, snapshot: dict, png: Path, *, with_qr: bool = True) -> None:
    printout = printed_layout.read(pdf, png)
    assert 1 <= printout.pages <= 3, printout.pages
    assert printed_layout.overlapping_words(printout) == []
    if with_qr:
        assert len(printout.images) == 1, "the QR code is the only image"
        assert printed_layout.words_under_images(printout) == []
    assert printed_layout.split_words(printout, printed_layout.page_words(html)) == []
    address = printed_layout.first_top(printout, snapshot["accommodation"]["address"])
    appointments = [
        printed_layout.first_top(printout, a["location"])
        for a in sorted(snapshot["appointments"], key=lambda a: a["starts_at"])
    ]
    contact = printed_layout.first_top(printout, snapshot["contacts"][0]["name"])
    assert address < appointments[0], "the address comes before the appointments"
    assert appointments == sorted(appointments), "appointments in time order"
    assert appointments[-1] < contact, "the contacts come after the appointments"
    if with_qr:
        # Beside the address: level with it on the first page, to its right.
        qr = printout.images[0]
        words_of_address = [w for w in printout.words if (w.page, w.top) == address]
        assert qr.page == 0 and qr.top < address[1] + 40 and qr.bottom > address[1]
        assert qr.x0 > max(w.x1 for w in words_of_address)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_servers_pdf_prints_the_plan_in_reading_order_without_overlaps(
    client, session, published, language
):
    p = published(language=language)
    sign_in(client, p)
    assert 'href="/my-plan.pdf" download' in client.get("/my-plan").text
    response = client.get("/my-plan.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="my-plan.pdf"' in response.headers["content-disposition"]
    assert response.headers["content-language"] == language
    html = client.get("/my-plan/print").text
    snapshot = latest_published(session, p.plan.id).snapshot
    _check(response.content, html, snapshot, ARTIFACTS / f"plan-pdf-{language}.png")
    text = " ".join(w.text for w in printed_layout.read(response.content).words)
    assert p.path.removeprefix("/plan-link/") in text, "the link is printed whole"
    if language == "cy":
        assert WELSH_HEADING in text
    else:
        assert "Where you sleep tonight" in text


def test_the_pdf_needs_the_person_signed_in(client, published):
    published()
    assert client.get("/my-plan.pdf").status_code == 401


def _sign_in_in_browser(page, live_server: str, p) -> None:
    page.goto(live_server + p.path)
    page.locator("#dob-day").fill(str(p.date_of_birth.day))
    page.locator("#dob-month").fill(str(p.date_of_birth.month))
    page.locator("#dob-year").fill(str(p.date_of_birth.year))
    page.locator("form button").click()
    page.wait_for_url(live_server + "/my-plan")


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_browsers_printout_lays_the_plan_out_on_a4_in_reading_order(
    live_server, chromium, session, published, language
):
    p = published(language=language)
    context = chromium.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    _sign_in_in_browser(page, live_server, p)
    page.goto(live_server + "/my-plan/print")
    html = page.content()
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    snapshot = latest_published(session, p.plan.id).snapshot
    _check(pdf, html, snapshot, ARTIFACTS / f"print-chromium-{language}.png")
    context.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/tracker.png",
        "file:///etc/passwd",
        "https://resettlement.invalid/static/../../../../etc/passwd",
        "https://resettlement.invalid/static/%2e%2e/%2e%2e/pyproject.toml",
        "https://resettlement.invalid/my-plan",
    ],
)
def test_the_pdf_renderer_fetches_nothing_but_the_services_own_files(url):
    from api.pages.plan_pdf import StaticFilesOnly

    with pytest.raises(ValueError):
        StaticFilesOnly().fetch(url)
    found = StaticFilesOnly().fetch("https://resettlement.invalid/assets/images/favicon.svg")
    assert found.headers["Content-Type"] == "image/svg+xml"
