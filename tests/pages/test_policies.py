"""The accessibility statement, privacy notice and cookies page: linked from the footer of
every prison leaver's page in that page's language, true to the cookies the pages set, and
clean under axe at 390px in Chromium."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.pages.conftest import sign_in

POLICIES = ("/accessibility", "/privacy", "/cookies")
HEADINGS = {
    "en": ("Accessibility statement", "Privacy notice", "Cookies"),
    "cy": ("Datganiad hygyrchedd", "Hysbysiad preifatrwydd", "Cwcis"),
}


def _footer_links(html: str) -> list[tuple[str, str]]:
    footer = re.search(r"<footer.*?</footer>", html, re.S)
    assert footer, "the page has no footer"
    return [
        (unescape(href), re.sub(r"\s+", " ", text).strip())
        for href, text in re.findall(
            r'<a class="govuk-footer__link" href="(/[^"]+)">(.*?)</a>', footer.group(0), re.S
        )
    ]


def _expected(language: str) -> list[tuple[str, str]]:
    return [
        (f"{path}?lang={language}", text)
        for path, text in zip(POLICIES, HEADINGS[language], strict=True)
    ]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_leaver_page_links_to_the_statements_in_its_own_language(client, published, language):
    p = published(language=language)
    # The sign-in page knows the plan's language from the link; the policy pages are opened
    # from footer links that carry it, and their switch cookie then serves the pages that
    # have no plan to go by.
    pages = {"sign-in": client.get(p.path)}
    for path in POLICIES:
        pages[path] = client.get(path + f"?lang={language}")
    pages["sign in needed"] = client.get("/my-plan")
    pages["link that does not work"] = client.get("/plan-link/" + "x" * 43)
    sign_in(client, p)
    pages["plan"] = client.get("/my-plan")
    pages["print"] = client.get("/my-plan/print")
    pages["signed out"] = client.post("/my-plan/sign-out")
    for name, response in pages.items():
        # Pages with no plan to go by follow the switch's cookie, set here by the policy pages.
        assert _footer_links(response.text) == _expected(language), name


def test_the_statements_are_written_in_english_and_welsh(client):
    for language in ("en", "cy"):
        for path, heading in zip(POLICIES, HEADINGS[language], strict=True):
            page = client.get(f"{path}?lang={language}")
            assert page.status_code == 200
            assert page.headers["content-language"] == language
            assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page.text


def test_the_cookies_page_says_what_each_cookie_is_and_as_long_as_it_really_lasts(
    client, published
):
    p = published()
    signed_in = sign_in(client, p)
    session_cookie = next(
        c for c in signed_in.history[0].headers.get_list("set-cookie") if "leaver_session=" in c
    )
    lang_cookie = client.get("/my-plan?lang=cy").headers["set-cookie"]
    assert "Max-Age=86400" in session_cookie and "Max-Age=31536000" in lang_cookie
    english = client.get("/cookies?lang=en").text
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", english)))
    assert "leaver_session What it is for Keeps you signed in to your plan" in text
    assert "24 hours, or until you sign out" in text
    assert "lang What it is for Remembers whether you chose to read the pages in English" in text
    assert "or Welsh. How long it lasts 1 year" in text
    welsh = client.get("/cookies?lang=cy").text
    assert "24 awr, neu nes i chi allgofnodi" in welsh and "1 flwyddyn" in welsh


@pytest.mark.browser
def test_the_statements_pass_axe_at_390px_in_english_and_welsh(live_server, chromium, published):
    from tests.pages.test_browser import _no_axe_violations

    p = published()
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server + p.path)
    for language in ("en", "cy"):
        for path, heading in zip(POLICIES, HEADINGS[language], strict=True):
            page.goto(f"{live_server}{path}?lang={language}")
            assert page.locator("h1").inner_text() == heading
            # Nothing wider than the phone: no sideways scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            _no_axe_violations(page, f"{path} in {language}")
    # The last choice was Welsh: the sign-in page is in Welsh, and so is where its footer goes.
    page.goto(live_server + p.path)
    page.get_by_role("link", name="Cwcis").click()
    page.wait_for_url(live_server + "/cookies?lang=cy")
    assert page.locator("h1").inner_text() == "Cwcis"
    page.close()
