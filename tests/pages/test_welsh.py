"""Every string has Welsh, the catalogue matches the code, no English leaks onto Welsh pages."""

from __future__ import annotations

import re
import subprocess
import sys
from html import unescape
from pathlib import Path

from babel.messages.pofile import read_po

from api.pages import i18n
from resettlement.leaver_plan import APPOINTMENT_TITLES, CHECKLIST_SENTENCES
from resettlement.licence_conditions import STANDARD_CONDITIONS
from tests.pages.conftest import form_post, sign_in

ROOT = Path(__file__).resolve().parents[2]


def _catalogue():
    with i18n.po_path("cy").open("rb") as handle:
        return read_po(handle, locale="cy")


def test_every_message_has_a_welsh_translation():
    catalogue = _catalogue()
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    for message in catalogue:
        if not message.id:
            continue
        # Placeholders survive translation, or the page would fail to format.
        assert set(re.findall(r"%\(\w+\)s", message.id)) == set(
            re.findall(r"%\(\w+\)s", message.string)
        ), message.id


def test_the_catalogue_holds_exactly_the_messages_in_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "api/locale/babel.cfg",
            "-k",
            "N_",
            "-o",
            str(template),
            "--no-location",
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    in_catalogue = {m.id for m in _catalogue() if m.id}
    assert in_code - in_catalogue == set(), "run pybabel update (see api/locale/babel.cfg)"
    assert in_catalogue - in_code == set(), "remove obsolete messages from the catalogue"


def test_licence_conditions_are_written_in_both_languages():
    for condition in STANDARD_CONDITIONS:
        for language in ("en", "cy"):
            assert condition.plain[language] and condition.why[language]
        assert condition.plain["cy"] != condition.plain["en"]
        assert "Act 2003" in condition.source


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(html))


def test_a_welsh_speakers_plan_is_in_welsh_with_no_known_english(client, published):
    p = published(language="cy")
    sign_in(client, p)
    page = client.get("/my-plan")
    assert page.headers["content-language"] == "cy"
    assert '<html lang="cy"' in page.text
    text = _visible_text(page.text)
    assert "Eich cynllun ar gyfer eich 2 ddiwrnod cyntaf" in text
    assert "Dydd Gwener 18 Rhagfyr, 10yb" in text
    english = {m.id for m in _catalogue() if m.id and m.string != m.id}
    english |= set(APPOINTMENT_TITLES.values())
    english |= {s for pair in CHECKLIST_SENTENCES.values() for s in pair}
    english |= {c.plain["en"] for c in STANDARD_CONDITIONS}
    # Short words can be part of Welsh or of the person's own data; check sentences and labels.
    leaks = sorted(m for m in english if len(m) > 12 and "%(" not in m and m in text)
    assert leaks == []
    for label in ("Skip to main content", "Menu", "Support links", "Crown copyright"):
        assert label not in text


def test_the_language_switch_sets_a_cookie_that_later_pages_follow(client, published):
    p = published(language="en")
    sign_in(client, p)
    assert 'lang="en"' in client.get("/my-plan").text
    switched = client.get("/my-plan?lang=cy")
    assert '<html lang="cy"' in switched.text
    assert "lang=cy" in switched.headers["set-cookie"]
    assert '<html lang="cy"' in client.get("/my-plan/print").text
    assert '<html lang="en"' in client.get("/my-plan?lang=en").text


def test_a_welsh_speakers_link_opens_a_welsh_sign_in_page_before_sign_in(client, published):
    p = published(language="cy")
    page = client.get(p.path)
    assert page.headers["content-language"] == "cy"
    assert '<html lang="cy"' in page.text
    assert "Rhowch eich dyddiad geni" in _visible_text(page.text)
    # A wrong date of birth is answered in Welsh too, and so is the lock after five.
    wrong = {"day": "1", "month": "1", "year": "1950"}
    answer = form_post(client, p.path, wrong)
    assert answer.status_code == 422
    assert "Gallwch chi drio 4 gwaith eto" in _visible_text(answer.text)
    for _ in range(4):
        answer = form_post(client, p.path, wrong)
    assert answer.status_code == 429
    assert '<html lang="cy"' in answer.text and "Gormod o ymdrechion" in answer.text
    assert '<html lang="cy"' in client.get(p.path).text


def test_the_language_switch_still_wins_on_a_welsh_links_sign_in_page(client, published):
    p = published(language="cy")
    assert '<html lang="en"' in client.get(p.path + "?lang=en").text
    assert "Enter your date of birth" in client.get(p.path).text


def test_an_english_speakers_link_and_a_dead_link_sign_in_in_english(client, published):
    p = published(language="en")
    assert '<html lang="en"' in client.get(p.path).text
    dead = client.get("/plan-link/" + "x" * 43)
    assert dead.status_code == 404 and '<html lang="en"' in dead.text
