"""Every breakdown of every released report, recomputed from the rows in Python with the
suppression rules applied by hand, on SQLite and PostgreSQL; and the number of statements a
report makes does not grow with its groups."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from faker import Faker
from sqlalchemy import event, text
from sqlmodel import Session, select

from resettlement import reports
from resettlement.actors import Actor, Role
from resettlement.models import EarlyReleaseRequest, Person, PublishedPlan, ReleasePlan
from resettlement.privacy.consents import Consent
from resettlement.reports import Breakdown

ADMIN = Actor(user_id="analyst", role=Role.ADMIN)
TODAY = date(2026, 11, 30)
PERIOD = (date(2026, 1, 1), date(2027, 3, 31))
PRISONS = {"MDI": "england-and-wales", "BWI": "england-and-wales", "BAR": "scotland"}
NEEDS = ["woman", "older_person", "learning_disability", "autism_or_adhd", "care_leaver"]
ETHNIC = [None, "white_british", "white_other", "black_african", "asian_indian", "mixed_other"]
ETHNIC += ["other_arab", "prefer_not_to_say"]
TERMS = [None, 30, 183, 184, 364, 365, 1460, 1461, 4000]


def _person(fake: Faker, rng: random.Random, prison: str, born: date) -> tuple[Person, bool]:
    consent = rng.random() < 0.8
    needs = rng.sample(NEEDS, k=rng.choice([0, 0, 1, 1, 2]))
    if rng.random() < 0.1:
        needs.append("on_remand")
    person = Person(
        prison_number=fake.unique.bothify("?####??").upper(),
        crn=fake.unique.bothify("?######").upper(),
        given_name=fake.first_name(),
        family_name=fake.last_name(),
        date_of_birth=born,
        nation=PRISONS[prison],
        prison_code=prison,
        needs=needs,
        sex=rng.choice([None, "female", "male", "male", "prefer_not_to_say"]) if consent else None,
        ethnic_group=rng.choice(ETHNIC) if consent else None,
        disability=rng.choice([None, "yes", "no", "no"]) if consent else None,
        religion=rng.choice([None, "christian", "muslim", "no_religion"]) if consent else None,
    )
    return person, consent


def _varied_caseload(session: Session, fake: Faker) -> None:
    rng = random.Random(16)
    for index in range(260):
        prison = rng.choice(list(PRISONS))
        walk_out = PERIOD[0] + timedelta(days=rng.randrange(0, 450))
        # Ages right on a band's edge, a day either side of the birthday.
        age = rng.choice([18, 19, 20, 21, 24, 25, 26, 29, 30, 39, 40, 49, 50, 59, 60, 71])
        born = walk_out.replace(year=walk_out.year - age) + timedelta(days=rng.choice([-1, 0, 1]))
        person, consent = _person(fake, rng, prison, born)
        session.add(person)
        session.flush()
        if consent:
            # Some consents were withdrawn since (here with the characteristics still on the
            # row): a report must then count the person as "not recorded".
            withdrawn = rng.random() < 0.1
            session.add(
                Consent(
                    person_id=person.id,
                    kind="monitoring_characteristics",
                    given_how="in_person",
                    recorded_by="po",
                    withdrawn_at=datetime(2026, 1, 5, tzinfo=UTC) if withdrawn else None,
                    withdrawn_by="po" if withdrawn else None,
                )
            )
        if rng.random() < 0.12:
            # An earlier plan cancelled by a recall: this release is after a recall.
            session.add(
                ReleasePlan(
                    person_id=person.id,
                    probation_officer_id="po",
                    sentence_date=date(2024, 1, 1),
                    state="cancelled",
                    cancel_reason="recall",
                )
            )
            session.flush()
        flagged = rng.random() < 0.3
        brought_forward = flagged and rng.random() < 0.5
        future = walk_out > TODAY
        state = rng.choice(
            ["pre_release", "resettlement_planning"] if future else ["completed", "released"]
        )
        if not future and rng.random() < 0.05:
            state = "pre_release"  # a date passed but nobody recorded the release: not counted
        followup = (
            {key: rng.random() < 0.7 for key in reports.OUTCOMES}
            if not future and rng.random() < 0.9
            else None
        )
        release_date = walk_out + timedelta(days=2) if brought_forward else walk_out
        plan = ReleasePlan(
            person_id=person.id,
            probation_officer_id="po",
            sentence_type=rng.choice(["determinate"] * 4 + ["indeterminate", "parole", "hdc"]),
            sentence_date=date(2025, 1, 1),
            term_days=rng.choice(TERMS),
            requested_release_date=release_date,
            release_date=release_date,
            walk_out_date=walk_out,
            flagged=flagged,
            flag_reason="friday" if flagged else None,
            state=state,
            accommodation_address="1 Made Up Street" if rng.random() < 0.6 else None,
            followup=followup,
            followup_recorded_at=datetime(2026, 11, 1, tzinfo=UTC) if followup else None,
        )
        session.add(plan)
        session.flush()
        if future and rng.random() < 0.5:
            session.add(PublishedPlan(plan_id=plan.id, number=1, snapshot={}, published_by="po"))
        if flagged:
            _requests(session, rng, plan, index)
    session.commit()


def _requests(session: Session, rng: random.Random, plan: ReleasePlan, index: int) -> None:
    # Sometimes a withdrawn request, and sometimes one about an older release date: neither
    # tells the story of this release.
    if rng.random() < 0.3:
        session.add(_request(plan, "withdrawn", rng, about=plan.release_date))
    if rng.random() < 0.2:
        session.add(_request(plan, "approved", rng, about=plan.release_date - timedelta(days=7)))
    if rng.random() < 0.9:
        state = rng.choice(["flagged", "assessed", "submitted", "approved", "refused"])
        session.add(_request(plan, state, rng, about=plan.release_date))


def _request(plan: ReleasePlan, state: str, rng: random.Random, about: date):
    deadline = about - timedelta(days=5)
    decided = None
    if state in ("approved", "refused", "withdrawn"):
        # Late on the deadline day in UTC, or the day after.
        decided = datetime.combine(
            deadline + timedelta(days=rng.choice([-2, 0, 1])), datetime.min.time(), UTC
        ) + timedelta(hours=23)
    return EarlyReleaseRequest(
        plan_id=plan.id,
        state=state,
        prison_code="MDI",
        release_date=about,
        flag_reason="friday",
        earliest_date=about - timedelta(days=2),
        latest_date=about - timedelta(days=1),
        decision_deadline=deadline,
        assessed_by="po" if state != "flagged" else None,
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC)
        if state in ("submitted", "approved", "refused")
        else None,
        decided_at=decided,
    )


# --- the independent recomputation ---------------------------------------------------------


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _band(value: int, bands: list[tuple[str, int, int]]) -> str | None:
    return next((name for name, low, high in bands if low <= value <= high), None)


AGES = [
    ("under_18", 0, 17),
    ("18_20", 18, 20),
    ("21_24", 21, 24),
    ("25_29", 25, 29),
    ("30_39", 30, 39),
    ("40_49", 40, 49),
    ("50_59", 50, 59),
    ("60_plus", 60, 999),
]
LENGTHS = [
    ("up_to_6_months", 0, 183),
    ("6_to_12_months", 184, 364),
    ("1_to_4_years", 365, 1460),
    ("4_years_or_more", 1461, 99999),
]


def groups_of(breakdown: Breakdown, plan: ReleasePlan, person: Person, recalled: bool) -> list:
    if breakdown == Breakdown.NONE:
        return []
    if breakdown == Breakdown.AGE:
        age = _age(person.date_of_birth, plan.walk_out_date)
        return [_band(age, AGES)] + (["young_adults_18_25"] if 18 <= age <= 25 else [])
    if breakdown in (
        Breakdown.SEX,
        Breakdown.DISABILITY,
        Breakdown.RELIGION,
        Breakdown.ETHNIC_GROUP,
    ):
        value = getattr(person, breakdown.value)
        if person.id not in _CONSENTING or value is None:
            return ["not_recorded"]
        if breakdown == Breakdown.ETHNIC_GROUP and value != "prefer_not_to_say":
            return [value.split("_")[0]]
        return [value]
    if breakdown == Breakdown.SENTENCE_TYPE:
        return ["remand" if "on_remand" in person.needs else plan.sentence_type]
    if breakdown == Breakdown.SENTENCE_LENGTH:
        if plan.sentence_type == "indeterminate":
            return ["indeterminate"]
        return [_band(plan.term_days, LENGTHS) if plan.term_days else "not_recorded"]
    if breakdown == Breakdown.RECALL:
        return ["after_recall" if recalled else "not_after_recall"]
    if breakdown == Breakdown.COHORT:
        return [n for n in person.needs] or ["no_recorded_needs"]
    if breakdown == Breakdown.NATION:
        return [person.nation]
    if breakdown == Breakdown.PRISON:
        return [person.prison_code]
    if breakdown == Breakdown.BROUGHT_FORWARD:
        if plan.walk_out_date < plan.release_date:
            return ["brought_forward"]
        return ["flagged_not_brought_forward" if plan.flagged else "not_flagged"]
    if breakdown == Breakdown.MONTH:
        return [f"{plan.walk_out_date:%Y%m}"]
    raise AssertionError(breakdown)


def _by_hand(count: int, total: int | None) -> int | None:
    def small(n: int) -> bool:
        return 1 <= n <= 4

    if total is None:
        return None if small(count) else count
    if small(total) or small(count) or small(total - count):
        return None
    return count


def expected_rows(facts: list[tuple[ReleasePlan, Person, bool, dict]], breakdown, keys):
    totals: dict[str, int] = defaultdict(int)
    hits: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for plan, person, recalled, measures in facts:
        for group in [*groups_of(breakdown, plan, person, recalled), "all"]:
            totals[group] += 1
            for key in keys:
                hits[group][key] += measures[key]
    return {
        group: (
            _by_hand(totals[group], None),
            {k: _by_hand(hits[group][k], totals[group]) for k in keys},
        )
        for group in totals
    }


# The people whose consent to monitoring holds, read by _rows with a query of its own.
_CONSENTING: set[int] = set()


def _rows(session: Session):
    plans = session.exec(select(ReleasePlan)).all()
    _CONSENTING.clear()
    _CONSENTING.update(
        session.connection()
        .execute(
            text(
                "SELECT person_id FROM consent WHERE kind = 'monitoring_characteristics'"
                " AND withdrawn_at IS NULL AND until IS NULL"
            )
        )
        .scalars()
    )
    people = {p.id: p for p in session.exec(select(Person))}
    recalled_people = {p.person_id for p in plans if p.cancel_reason == "recall"}
    requests = defaultdict(list)
    for request in session.exec(select(EarlyReleaseRequest).order_by(EarlyReleaseRequest.id)):
        requests[request.plan_id].append(request)
    published = {p.plan_id for p in session.exec(select(PublishedPlan))}
    return plans, people, recalled_people, requests, published


def _released(plan: ReleasePlan, end: date) -> bool:
    return (
        plan.state in ("released", "completed")
        and plan.walk_out_date is not None
        and PERIOD[0] <= plan.walk_out_date <= end
    )


def outcome_facts(session: Session):
    plans, people, recalled, _, _ = _rows(session)
    return [
        (plan, people[plan.person_id], plan.person_id in recalled, plan.followup)
        for plan in plans
        if _released(plan, TODAY) and plan.followup is not None
    ]


def friday_facts(session: Session):
    plans, people, recalled, requests, _ = _rows(session)
    out = []
    for plan in plans:
        if not (_released(plan, TODAY) and plan.flagged):
            continue
        live = [
            r
            for r in requests[plan.id]
            if r.release_date == plan.release_date and r.state != "withdrawn"
        ]
        request = live[-1] if live else None
        state = request.state if request else None
        out.append(
            (
                plan,
                people[plan.person_id],
                plan.person_id in recalled,
                {
                    "flagged": 1,
                    "assessed": int(bool(request and request.assessed_by)),
                    "submitted": int(bool(request and request.submitted_at)),
                    "approved": int(state == "approved"),
                    "refused": int(state == "refused"),
                    "decided_in_time": int(
                        state in ("approved", "refused")
                        and request.decided_at is not None
                        and request.decided_at.astimezone(UTC).date() <= request.decision_deadline
                    ),
                },
            )
        )
    return out


def due_facts(session: Session):
    plans, people, recalled, _, published = _rows(session)
    return [
        (
            plan,
            people[plan.person_id],
            plan.person_id in recalled,
            {
                "flagged": int(plan.flagged),
                "brought_forward": int(plan.walk_out_date < plan.release_date),
                "accommodation_recorded": int(plan.accommodation_address is not None),
                "plan_published": int(plan.id in published),
            },
        )
        for plan in plans
        if plan.state in ("sentence_planning", "resettlement_planning", "pre_release")
        and plan.walk_out_date is not None
        and TODAY <= plan.walk_out_date <= PERIOD[1]
    ]


REPORTS = {
    "outcomes": (reports.outcomes, outcome_facts, reports.OUTCOMES),
    "friday": (reports.friday_releases, friday_facts, reports.FRIDAY_STAGES),
    "due": (reports.due_for_release, due_facts, reports.DUE_MEASURES),
}


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_every_breakdown_matches_an_independent_count_with_suppression_by_hand(
    session: Session, fake: Faker, kind: str
) -> None:
    _varied_caseload(session, fake)
    build, facts_of, measures = REPORTS[kind]
    facts = facts_of(session)
    assert len(facts) >= 30, "enough people that some figures are shown"
    shown_somewhere = 0
    for breakdown in Breakdown:
        report = build(
            session=session,
            actor=ADMIN,
            start=PERIOD[0],
            end=PERIOD[1],
            breakdown=breakdown,
            today=TODAY,
        )
        got = {
            r["group"]: (r["total"], {k: m["count"] for k, m in r["measures"].items()})
            for r in report.as_dict()["rows"]
        }
        want = expected_rows(facts, breakdown, list(measures))
        assert got == want, breakdown
        assert report.rows[-1].group == "all"
        shown_somewhere += sum(
            count is not None for _, counts in want.values() for count in counts.values()
        )
    assert shown_somewhere > 50


def test_released_reports_end_today_and_leave_future_dates_to_the_due_view(session, fake):
    _varied_caseload(session, fake)
    report = reports.outcomes(
        session=session, actor=ADMIN, start=PERIOD[0], end=PERIOD[1], today=TODAY
    )
    assert report.end == TODAY
    due = reports.due_for_release(
        session=session, actor=ADMIN, start=PERIOD[0], end=PERIOD[1], today=TODAY
    )
    assert due.start == TODAY
    released_ids = {p.id for p, *_ in outcome_facts(session)}
    due_ids = {p.id for p, *_ in due_facts(session)}
    assert released_ids and due_ids and not released_ids & due_ids
    assert report.rows[-1].denominator.count == len(released_ids)
    assert due.rows[-1].denominator.count == len(due_ids)


def test_a_report_makes_the_same_number_of_statements_for_two_groups_or_twenty(
    session: Session, fake: Faker
) -> None:
    _varied_caseload(session, fake)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        made = {}
        for breakdown in (Breakdown.NONE, Breakdown.NATION, Breakdown.MONTH, Breakdown.COHORT):
            statements.clear()
            report = reports.outcomes(
                session=session,
                actor=ADMIN,
                start=PERIOD[0],
                end=PERIOD[1],
                breakdown=breakdown,
                today=TODAY,
            )
            made[breakdown] = (len(statements), len(report.rows))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # One SELECT for the figures and one INSERT for the audit, whether 1 row or 11.
    assert {n for n, _ in made.values()} == {2}, made
    assert made[Breakdown.MONTH][1] >= 11
