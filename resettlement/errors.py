"""Domain errors: one type per kind of failure. The API maps each to a problem+json status."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base for failures a caller can act on; never a bug."""

    title = "The request could not be completed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    title = "Not found"


class Forbidden(DomainError):
    title = "Not allowed"


class InvalidInput(DomainError):
    """Input that breaks a domain rule (422). `field` names what to fix."""

    title = "Invalid input"

    def __init__(
        self, detail: str, field: str | None = None, fields: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.field = field
        # Several things to fix at once (a file's bad records): (field, message) each.
        self.fields = fields or []


class VersionConflict(DomainError):
    """The caller's copy is stale: someone else changed the record first (409)."""

    title = "The record has changed since you loaded it"

    def __init__(self, detail: str, current_version: int | None = None) -> None:
        super().__init__(detail)
        self.current_version = current_version


@dataclass(frozen=True)
class UnmetCondition:
    guard: str
    message: str


class GuardRefused(DomainError):
    """A state machine refused a transition; each unmet condition is named (409)."""

    title = "This step cannot be taken yet"

    def __init__(self, event: str, unmet: list[UnmetCondition]) -> None:
        super().__init__(" ".join(u.message for u in unmet))
        self.event = event
        self.unmet = unmet


class TransitionNotAllowed(DomainError):
    """The event does not exist from the current state (409)."""

    title = "This step is not possible from the plan's current stage"


class AlreadyExists(DomainError):
    """The record would duplicate one that exists (409)."""

    title = "This already exists"


class Unavailable(DomainError):
    """The database could not be reached, and nothing was changed: try again shortly (503).

    Never raised once a change may have committed: a client that retries must not repeat a
    change that happened."""

    title = "The service is briefly unavailable"
    retry_after_seconds = 1
    # The database itself is out of reach, so a page cannot be drawn again to show the error in
    # place: pages show their "briefly unavailable" page instead. An outside service that
    # failed (GOV.UK Notify) leaves the database reachable: the form shows the error itself.
    database_lost = True


@dataclass(frozen=True)
class CheckFailure:
    """One finding of the plan checks (rules/plan_checks.py), as the caller is told it."""

    check: str
    severity: str
    message: str
    summary: str


class PlanChecksFailed(GuardRefused):
    """The 48-hour plan has blocking findings: it cannot be published until they are fixed (409)."""

    title = "The 48-hour plan has problems to fix before it is published"

    def __init__(self, failures: list[CheckFailure]) -> None:
        super().__init__("publish", [UnmetCondition(f.check, f.message) for f in failures])
        self.failures = failures


class WarningsNotAccepted(PlanChecksFailed):
    """Only warnings: publishing needs a reason for accepting them, kept in the history (422)."""

    title = "Accept the plan's warnings with a reason to publish it"


class ConflictsWithRecord(DomainError):
    """Well-formed input that contradicts what the record already holds, such as a release date
    before the plan's sentence date (409): the same value is fine for another record."""

    title = "This conflicts with the record as it stands"

    def __init__(
        self, detail: str, field: str | None = None, fields: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.field = field
        # Several things to fix at once (a file's bad records): (field, message) each.
        self.fields = fields or []
