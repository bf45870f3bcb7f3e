"""Languages for the pages: English and Welsh from gettext catalogues kept in api/locale.

The Welsh catalogue is read from its .po file and compiled in memory when first used, so a
fresh clone needs no build step and a compiled file can never be older than its source.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("en", "cy")
DEFAULT = "en"
COOKIE = "lang"

_current: ContextVar[str] = ContextVar("page_language", default=DEFAULT)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache
def translations(language: str) -> gettext_module.NullTranslations:
    if language == DEFAULT:
        return gettext_module.NullTranslations()
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain="messages")


def supported(language: str | None) -> str | None:
    return language if language in LANGUAGES else None


@contextmanager
def language_scope(language: str) -> Iterator[None]:
    token = _current.set(supported(language) or DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    return _current.get()


def gettext(message: str, **variables: object) -> str:
    """The message in the current language, with %(name)s placeholders filled if given."""
    translated = translations(_current.get()).gettext(message)
    return translated % variables if variables else translated


def pgettext(context: str, message: str) -> str:
    """The message as said in one context: Welsh answers "Yes" with the question's own verb
    ("Oedd" to "Did you have...?"), where English has one word."""
    return translations(_current.get()).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext
