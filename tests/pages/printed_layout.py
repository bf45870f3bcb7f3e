"""Reads a printed plan back from its PDF with an independent parser (pdfplumber): where each
word and image is on the page, so a test can say nothing overlaps, no word is split across
lines, and the plan reads in order."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pdfplumber

# Punctuation a word may carry at either end in the text but not be split by.
_EDGES = "\"'\u201c\u201d\u2018\u2019.,;:!?()[]"
# Printed list markers (bullets, "1."), which are in no page's words.
_MARKER = re.compile("^(\\d{1,2}|[\u2022\u25e6\u25aa\u00b7\u2013-])$")


@dataclass(frozen=True)
class Box:
    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    def overlaps(self, other: Box, slack: float = 0.5) -> bool:
        """True when the two share area on the same page (beyond a rounding slack)."""
        return (
            self.page == other.page
            and min(self.x1, other.x1) - max(self.x0, other.x0) > slack
            and min(self.bottom, other.bottom) - max(self.top, other.top) > slack
        )


@dataclass(frozen=True)
class Printout:
    words: list[Box]
    images: list[Box]
    pages: int


def read(pdf: bytes, png: Path | None = None) -> Printout:
    """The words and images of every page; the first page is kept as a PNG if asked."""
    words: list[Box] = []
    images: list[Box] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages):
            for w in page.extract_words(keep_blank_chars=False, use_text_flow=False):
                text = unicodedata.normalize("NFKC", w["text"])
                words.append(Box(number, text, w["x0"], w["top"], w["x1"], w["bottom"]))
            for i in page.images:
                images.append(Box(number, "image", i["x0"], i["top"], i["x1"], i["bottom"]))
        if png is not None:
            png.parent.mkdir(exist_ok=True)
            document.pages[0].to_image(resolution=150).save(str(png))
        return Printout(words, images, len(document.pages))


def overlapping_words(printout: Printout) -> list[tuple[str, str]]:
    found = []
    ordered = sorted(printout.words, key=lambda b: (b.page, b.top))
    for index, word in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other.page != word.page or other.top >= word.bottom:
                break
            if word.overlaps(other):
                found.append((word.text, other.text))
    return found


def words_under_images(printout: Printout) -> list[str]:
    return [w.text for i in printout.images for w in printout.words if i.overlaps(w, 0.0)]


def _bare(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip(_EDGES)


def page_words(html: str) -> set[str]:
    """Every whole word the page's HTML shows (its body, without scripts or tags)."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(script|style|svg)[^>]*>.*?</\1>", " ", body, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return {_bare(w) for w in text.split()} - {""}


def split_words(printout: Printout, whole_words: set[str]) -> list[str]:
    """Printed words that are not whole words of the page: a word broken across lines
    ("Addr" / "ess", "Decem-" / "ber") leaves two such pieces."""
    return [
        w.text
        for w in printout.words
        if _bare(w.text) not in whole_words and not _MARKER.match(_bare(w.text) or w.text)
    ]


def first_top(printout: Printout, phrase: str) -> tuple[int, float]:
    """(page, top) of the first place the phrase's words are printed one after another."""
    wanted = [_bare(w) for w in phrase.split()]
    texts = [_bare(w.text) for w in printout.words]
    for index in range(len(texts) - len(wanted) + 1):
        if texts[index : index + len(wanted)] == wanted:
            word = printout.words[index]
            return word.page, word.top
    raise AssertionError(f"{phrase!r} is not in the printout")
