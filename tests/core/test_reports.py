"""Report figures against figures worked out by hand, small counts suppressed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faker import Faker
from sqlmodel import Session, select

from resettlement import reports
from resettlement.actors import Actor, Role
from resettlement.models import AuditEvent, EarlyReleaseRequest, Person, ReleasePlan
from resettlement.privacy.consents import Consent, ConsentKind
from resettlement.reports import Breakdown

ADMIN = Actor(user_id="analyst", role=Role.ADMIN)
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
ALL_TRUE = dict.fromkeys(reports.OUTCOMES, True)


def add(
    session: Session,
    fake: Faker,
    *,
    prison="MDI",
    released=date(2026, 10, 14),
    sex=None,
    consent=True,
    needs=(),
    followup=None,
    state="completed",
    flagged=False,
):
    person = Person(
        prison_number=fake.unique.bothify("?####??").upper(),
        crn=fake.unique.bothify("?######").upper(),
        given_name=fake.first_name(),
        family_name=fake.last_name(),
        date_of_birth=date(1980, 1, 1),
        nation="england-and-wales",
        prison_code=prison,
        needs=list(needs),
        sex=sex if consent else None,
    )
    session.add(person)
    session.flush()
    if consent:
        session.add(
            Consent(
                person_id=person.id,
                kind=ConsentKind.MONITORING_CHARACTERISTICS,
                given_how="in_person",
                recorded_by="po",
            )
        )
    plan = ReleasePlan(
        person_id=person.id,
        probation_officer_id="po",
        sentence_date=date(2025, 1, 1),
        requested_release_date=released,
        release_date=released,
        walk_out_date=released,
        state=state,
        followup=followup,
        flagged=flagged,
        followup_recorded_at=datetime(2026, 10, 20, tzinfo=UTC) if followup else None,
    )
    session.add(plan)
    session.flush()
    return plan


def outcomes_fixture(session: Session, fake: Faker) -> None:
    # MDI, women (10): 5 slept where planned, 3 registered with a GP, all have ID.
    for i in range(10):
        add(
            session,
            fake,
            sex="female",
            needs=["woman"],
            followup={**ALL_TRUE, "night_in_planned_accommodation": i < 5, "gp_registered": i < 3},
        )
    # MDI, men (3): 2 slept where planned, none has a bank account.
    for i in range(3):
        add(
            session,
            fake,
            sex="male",
            followup={
                **ALL_TRUE,
                "night_in_planned_accommodation": i < 2,
                "bank_account_in_hand": False,
            },
        )
    # MDI, no consent to monitoring (2): 1 slept where planned.
    for i in range(2):
        add(
            session,
            fake,
            consent=False,
            followup={**ALL_TRUE, "night_in_planned_accommodation": i < 1},
        )
    # BWI (5): everything in place.
    for _ in range(5):
        add(session, fake, prison="BWI", sex="male", followup=ALL_TRUE)
    # Not counted: released in September; released in October with no follow-up yet.
    add(session, fake, released=date(2026, 9, 30), sex="female", followup=ALL_TRUE)
    add(session, fake, sex="female", state="released")
    session.commit()


def row(report: reports.Report, group: str) -> dict:
    return next(r for r in report.as_dict()["rows"] if r["group"] == group)


HIDDEN = {"count": None, "suppressed": True, "percent": None}


def test_outcomes_by_sex_for_one_prison_suppress_small_counts(session, fake):
    outcomes_fixture(session, fake)
    report = reports.outcomes(
        session=session,
        actor=ADMIN,
        start=OCTOBER[0],
        end=OCTOBER[1],
        prison_code="MDI",
        breakdown=Breakdown.SEX,
    )
    women = row(report, "female")
    assert women["total"] == 10
    assert women["measures"]["night_in_planned_accommodation"] == {
        "count": 5,
        "suppressed": False,
        "percent": 50.0,
    }
    assert women["measures"]["id_in_hand"] == {"count": 10, "suppressed": False, "percent": 100.0}
    # 3 of 10 is a count under 5: neither the count nor the rate is shown.
    assert women["measures"]["gp_registered"] == HIDDEN
    # 3 men: the whole row is hidden, even the zero with a bank account.
    men = row(report, "male")
    assert men["total"] is None and men["suppressed"]
    assert men["measures"]["bank_account_in_hand"] == HIDDEN
    assert all(m == HIDDEN for m in men["measures"].values())
    assert row(report, "not_recorded")["total"] is None
    everyone = row(report, "all")
    assert everyone["total"] == 15
    # 5 + 2 + 1 of 15; the 7 who did not is no small group.
    assert everyone["measures"]["night_in_planned_accommodation"]["percent"] == 53.3
    # 12 of 15 have a bank account: the 3 without could be picked out, so it is hidden.
    assert everyone["measures"]["bank_account_in_hand"] == HIDDEN
    assert [r["group"] for r in report.as_dict()["rows"]] == [
        "female",
        "male",
        "not_recorded",
        "all",
    ]


def test_national_outcomes_add_every_prison(session, fake):
    outcomes_fixture(session, fake)
    report = reports.outcomes(session=session, actor=ADMIN, start=OCTOBER[0], end=OCTOBER[1])
    national = row(report, "all")
    assert national["total"] == 20
    # Night: 8 at MDI and 5 at BWI; GP: 3 women, 3 men, 2 unrecorded at MDI and 5 at BWI.
    assert national["measures"]["night_in_planned_accommodation"]["count"] == 13
    assert national["measures"]["night_in_planned_accommodation"]["percent"] == 65.0
    assert national["measures"]["gp_registered"]["count"] == 13
    assert national["measures"]["id_in_hand"]["percent"] == 100.0


def test_cohorts_count_each_member_once_per_cohort(session, fake):
    outcomes_fixture(session, fake)
    report = reports.outcomes(
        session=session,
        actor=ADMIN,
        start=OCTOBER[0],
        end=OCTOBER[1],
        prison_code="MDI",
        breakdown=Breakdown.COHORT,
    )
    assert row(report, "woman")["total"] == 10
    assert row(report, "no_recorded_needs")["total"] == 5


def test_friday_release_picture(session, fake):
    def flagged(state, *, assessed=True, submitted=True, decided=None, deadline=date(2026, 10, 9)):
        plan = add(session, fake, flagged=True, released=date(2026, 10, 16))
        session.add(
            EarlyReleaseRequest(
                plan_id=plan.id,
                state=state,
                prison_code="MDI",
                release_date=plan.release_date,
                flag_reason="friday",
                earliest_date=date(2026, 10, 14),
                latest_date=date(2026, 10, 15),
                decision_deadline=deadline,
                assessed_by="po" if assessed else None,
                submitted_at=datetime(2026, 10, 5, tzinfo=UTC) if submitted else None,
                decided_at=decided,
            )
        )

    for _ in range(5):
        flagged("approved", decided=datetime(2026, 10, 8, 15, tzinfo=UTC))
    flagged("refused", decided=datetime(2026, 10, 12, 9, tzinfo=UTC))  # after the deadline
    for _ in range(4):
        flagged("not_needed", submitted=False)
    add(session, fake, released=date(2026, 10, 14))  # not flagged: not in this report
    session.commit()

    report = reports.friday_releases(
        session=session, actor=ADMIN, start=OCTOBER[0], end=OCTOBER[1], prison_code="MDI"
    )
    figures = row(report, "all")
    assert figures["total"] == 10
    counts = {k: v["count"] for k, v in figures["measures"].items()}
    # Submitted 6 of 10 leaves 4 not submitted, a small group: hidden. Refused 1: hidden.
    assert counts == {
        "flagged": 10,
        "assessed": 10,
        "submitted": None,
        "approved": 5,
        "refused": None,
        "decided_in_time": 5,
    }
    assert figures["measures"]["approved"]["percent"] == 50.0
    csv = list(report.csv_rows())
    assert csv[1][0] == "all" and "[c]" in csv[1]


def test_reading_a_report_is_audited(session, fake):
    reports.outcomes(
        session=session, actor=ADMIN, start=OCTOBER[0], end=OCTOBER[1], prison_code="MDI"
    )
    audit = session.exec(select(AuditEvent)).all()
    assert [(a.actor, a.action, a.object_id) for a in audit] == [
        ("analyst", "report:outcomes", "MDI")
    ]


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [
        (0, None, 0),
        (1, None, None),
        (4, None, None),
        (5, None, 5),
        (0, 20, 0),
        (0, 3, None),
        (16, 20, None),
        (15, 20, 15),
        (20, 20, 20),
    ],
)
def test_suppression_of_small_counts_and_small_complements(count, total, shown):
    assert reports.Cell(count, total).shown == shown
