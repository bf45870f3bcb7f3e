"""The release-date rules, for anyone signed in: the same contract the plans use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser
from api.input_types import CalendarDate
from api.schemas import MAX_TERM_DAYS, ReleaseAssessmentPublic
from resettlement.errors import InvalidInput
from rules.calendars import CalendarRangeError
from rules.nations import Nation
from rules.release_dates import SentenceType, assess

router = APIRouter(prefix="/release-dates", tags=["release dates"])


@router.get("/assess", response_model=ReleaseAssessmentPublic)
def assess_release_date(
    actor: CurrentUser,
    on: Annotated[
        CalendarDate,
        Query(
            alias="date",
            description="The release date from the sentence calculation: 1991 to 2059, inside "
            "the years the working calendars hold.",
        ),
    ],
    nation: Nation = Nation.ENGLAND_AND_WALES,
    term_days: Annotated[int | None, Query(ge=1, le=MAX_TERM_DAYS)] = None,
    served_days: Annotated[int | None, Query(ge=0, le=MAX_TERM_DAYS)] = None,
    sentence: SentenceType = SentenceType.DETERMINATE,
) -> ReleaseAssessmentPublic:
    try:
        result = assess(on, nation, term_days=term_days, served_days=served_days, sentence=sentence)
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc), field="date") from None
    return ReleaseAssessmentPublic.model_validate(result)
