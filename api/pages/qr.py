"""The person's sign-in link as a QR code, one way for every page that prints it."""

from __future__ import annotations

import segno


def qr_data_uri(url: str) -> str:
    """A PNG data URI: printed pixel for pixel, and a PDF holds it as one image that can be
    found and measured."""
    return str(segno.make(url, error="m").png_data_uri(scale=8, border=2))
