"""The person's printed plan as a PDF made on the server with WeasyPrint, from the very page
and print stylesheet a browser prints, so the two cannot drift apart.

WeasyPrint may fetch only the service's own stylesheets, fonts and images, read from disk, and
the `data:` image of the QR code: a plan never makes it call out to anything.
"""

from __future__ import annotations

import logging
import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = Path(__file__).resolve().parent.parent / "static"
# Where the pages' root-relative links resolve; nothing is ever fetched from this host.
BASE_URL = "https://resettlement.invalid/"
# The page's paths to the folders that serve them (see api/pages/__init__.py).
MOUNTS = {"/static/": STATIC, "/assets/": STATIC / "govuk" / "assets"}
# The pages' stylesheets, parsed once per process rather than on every print (about half a
# second each time for GOV.UK Frontend's).
STYLESHEETS = ("/static/govuk/govuk-frontend.min.css", "/static/pages.css")
# GOV.UK Frontend's stylesheet holds a thousand rules WeasyPrint does not know (screen media
# queries, newer properties); each would be a warning in the service's log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class StaticFilesOnly(URLFetcher):
    """Serves the pages' own static files from disk and `data:` URIs; refuses the rest."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL:
            if parts.path in STYLESHEETS:
                # Given to WeasyPrint already parsed (see pdf_of).
                return URLFetcherResponse(url, body=b"", headers={"Content-Type": "text/css"})
            for prefix, folder in MOUNTS.items():
                if parts.path.startswith(prefix):
                    path = (folder / parts.path.removeprefix(prefix)).resolve()
                    if path.is_relative_to(folder) and path.is_file():
                        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(
                            url, body=path.read_bytes(), headers={"Content-Type": kind}
                        )
        raise ValueError(f"a printed plan only uses the service's own files, not {url}")


@lru_cache(maxsize=1)
def _stylesheets() -> tuple[CSS, ...]:
    return tuple(
        CSS(
            filename=str(STATIC / path.removeprefix("/static/")),
            base_url=BASE_URL + path.lstrip("/"),
            url_fetcher=StaticFilesOnly(),
        )
        for path in STYLESHEETS
    )


def pdf_of(html: str) -> bytes:
    """The PDF of a page rendered for print (A4, its @media print rules). The page's links
    to its stylesheets are answered with the copies parsed once, in the same order."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
    return bytes(document.write_pdf(stylesheets=list(_stylesheets())))
