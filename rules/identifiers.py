"""The numbers that identify a person and a prison, as HMPPS and probation write them. Pure."""

from __future__ import annotations

import re

# HMPPS prison number (NOMIS number): letter, four digits, two letters.
PRISON_NUMBER = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")
# nDelius case reference number: letter and six digits.
CRN = re.compile(r"^[A-Z][0-9]{6}$")
# An establishment's three-letter code (MDI is HMP Moorland).
PRISON_CODE = re.compile(r"^[A-Z]{3}$")
