"""The log scan (issue 17): nothing the service logs during the test suite holds a link secret,
a date of birth or a phone number.

Every test process writes what the application and its servers log to a file of its own: a
handler on every logger that does not pass records on (root, uvicorn's, Prefect's), and the
output of the servers the tests start as processes. It also remembers the values that must
never appear: each link secret issued (`leaver_access.link_path` is wrapped), and each date of
birth and phone number in a test's database before it is emptied. When the whole run ends the
controlling process scans every file for those values, in the forms they are written, and for
anything the scrubber would still change (which catches a server's output that bypassed
logging); a finding fails the run, naming the file, line and kind, never the value.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import phonenumbers
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from resettlement import leaver_access, log_privacy

ENV = "RESETTLEMENT_TEST_LOG_DIR"
# Loggers whose INFO lines are worth scanning: the service's own, and each request uvicorn
# serves (its access line holds the path, where a link secret would be), and the flows' runs.
INFO_LOGGERS = (
    "api",
    "resettlement",
    "workflows",
    "cli",
    "uvicorn.access",
    "uvicorn.error",
    "prefect.flow_runs",
    "prefect.task_runs",
)


def log_dir() -> Path:
    # Set once by the first process (the controller under xdist); its workers inherit it.
    if ENV not in os.environ:
        os.environ[ENV] = tempfile.mkdtemp(prefix="resettlement-test-logs-")
    return Path(os.environ[ENV])


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def server_log_file() -> Path:
    return log_dir() / f"{_worker()}-servers.log"


class LogScanCapture(logging.FileHandler):
    """Writes each record as a handler of a deployment would, traceback included. (A public
    name with a formatter: Prefect's logging set-up keeps such a handler on the root logger,
    where it replaces handlers whose class name starts with an underscore.)"""


_handler: LogScanCapture | None = None
_secrets: set[str] = set()
_dates_of_birth: set[date] = set()
_phones: set[str] = set()


def attach() -> None:
    """Puts the capture handler where every record ends up (again: Prefect's and uvicorn's
    logging set-up replace handlers when they run)."""
    global _handler
    if _handler is None:
        _handler = LogScanCapture(log_dir() / f"{_worker()}-app.log", encoding="utf-8")
        _handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
    for name in INFO_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)


def remember_link_secrets() -> None:
    original: Callable[[str], str] = leaver_access.link_path
    if getattr(original, "remembers", False):
        return

    def link_path(secret: str) -> str:
        _secrets.add(secret)
        return original(secret)

    link_path.remembers = True  # type: ignore[attr-defined]
    leaver_access.link_path = link_path  # type: ignore[assignment]


def remember_people(engine: Engine) -> None:
    """The dates of birth and phone numbers a test's database holds, before it is emptied."""
    queries = {
        "dob": "SELECT date_of_birth FROM person",
        "phone": "SELECT mobile_number FROM person WHERE mobile_number IS NOT NULL "
        "UNION SELECT phone FROM support_contact UNION SELECT phone FROM staff_member "
        "WHERE phone IS NOT NULL",
    }
    try:
        with engine.connect() as connection:
            for value in connection.execute(text(queries["dob"])).scalars():
                _dates_of_birth.add(
                    value if isinstance(value, date) else date.fromisoformat(str(value))
                )
            _phones.update(str(v) for v in connection.execute(text(queries["phone"])).scalars())
    except SQLAlchemyError:
        # A test that dropped or broke its database has nothing more to tell.
        return


def save_values() -> None:
    values = {
        "secrets": sorted(_secrets),
        "dates_of_birth": sorted(d.isoformat() for d in _dates_of_birth),
        "phones": sorted(_phones),
    }
    (log_dir() / f"{_worker()}-values.json").write_text(json.dumps(values))
    if _handler is not None:
        _handler.flush()


def date_forms(day: date) -> Iterable[str]:
    yield day.isoformat()
    yield day.strftime("%d/%m/%Y")
    yield day.strftime("%d %m %Y")
    yield f"{day.day} {day:%B %Y}"
    yield f"{day.day} {day:%b %Y}"
    yield repr(day)


def phone_forms(number: str) -> Iterable[str]:
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    # Helplines and short codes (116 123, 111) are nobody's own number.
    if len(national.replace(" ", "")) < 10:
        return
    yield phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    yield national
    yield national.replace(" ", "")
    yield phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# A secret is secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_LAST_FOUR = re.compile(r"\d{4}(?!\d)")


def scan(directory: Path) -> list[str]:
    """Every finding in every process's logs, as `file:line: kind`. Values are looked up by a
    key each line offers (a token, a year, a number's last four digits), so the scan stays
    linear however many values the suite made."""
    secrets: set[str] = set()
    dates_by_year: dict[str, set[str]] = defaultdict(set)
    phones_by_end: dict[str, set[str]] = defaultdict(set)
    for values_file in directory.glob("*-values.json"):
        values = json.loads(values_file.read_text())
        secrets.update(values["secrets"])
        for day in values["dates_of_birth"]:
            found = date.fromisoformat(day)
            dates_by_year[str(found.year)].update(date_forms(found))
        for phone in values["phones"]:
            for form in phone_forms(phone):
                phones_by_end[form[-4:]].add(form)
    findings = []
    for log_file in sorted(directory.glob("*.log")):
        with log_file.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                kinds = set()
                if any(token in secrets for token in _TOKEN.findall(line)):
                    kinds.add("a link secret")
                for year in set(_YEAR.findall(line)):
                    if any(form in line for form in dates_by_year.get(year, ())):
                        kinds.add("a date of birth")
                for end in set(_LAST_FOUR.findall(line)):
                    if any(form in line for form in phones_by_end.get(end, ())):
                        kinds.add("a phone number")
                if log_privacy.scrub(line) != line:
                    kinds.add("something the scrubber would remove")
                findings.extend(f"{log_file.name}:{number}: {kind}" for kind in sorted(kinds))
    return findings


def lines_scanned(directory: Path) -> int:
    total = 0
    for log_file in directory.glob("*.log"):
        with log_file.open(encoding="utf-8", errors="replace") as lines:
            total += sum(1 for _ in lines)
    return total
