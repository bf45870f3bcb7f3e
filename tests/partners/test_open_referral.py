"""Open Referral UK in and out: a made-up directory round-trips through import and export,
the export validates against the standard's own schema, and a bad file changes nothing."""

from __future__ import annotations

import copy
import json
from datetime import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlmodel import func, select

from resettlement.actors import Actor, Role
from resettlement.errors import NotFound, VersionConflict
from resettlement.models import AuditEvent
from resettlement.partners import directory, open_referral
from resettlement.partners.models import DirectoryService, ServiceDirectory
from resettlement.partners.open_referral import ImportRejected
from resettlement.partners.sample_directory import made_up_directory
from rules.nations import Nation
from rules.service_needs import ServiceNeed

SCHEMA = json.loads((Path(__file__).parent / "oruk" / "service.schema.json").read_text())
COORDINATOR = Actor(user_id="coord-mdi", role=Role.COORDINATOR, prison_code="MDI")
SEED = 15


def _checker() -> jsonschema.FormatChecker:
    # Dates and email addresses are checked; see oruk/SOURCE.md for why times are not.
    checker = jsonschema.FormatChecker(formats=["date", "email", "date-time"])
    return checker


def _open(session) -> ServiceDirectory:
    return directory.open_directory(
        session=session,
        actor=COORDINATOR,
        prison_code="MDI",
        area="Doncaster",
        nation=Nation.ENGLAND_AND_WALES,
    )


def _load(session, d: ServiceDirectory, services: Any) -> open_referral.ImportReport:
    return open_referral.import_directory(
        session=session,
        actor=COORDINATOR,
        directory_id=d.id,
        expected_version=d.version,
        content=json.dumps(services).encode(),
    )


def _time(value: str | None) -> str | None:
    return None if value is None else open_referral._clock_time(value).isoformat()


def kept(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every field the project keeps, in a form where equal means equal (times as times)."""

    def schedules(svc: dict[str, Any], name: str) -> list[dict[str, Any]]:
        rows = []
        for row in svc.get(name, []):
            sal = (row.get("service_at_location") or {}).get("id")
            rows.append(
                {
                    k: (_time(v) if k in ("opens_at", "closes_at") else v)
                    for k, v in row.items()
                    if k not in ("service_at_location", "byday", "freq")
                }
                | {"service_at_location": sal}
            )
        return sorted(rows, key=lambda r: r["id"])

    out = []
    for svc in services:
        out.append(
            {
                **{
                    k: svc.get(k)
                    for k in (
                        "id",
                        "name",
                        "description",
                        "url",
                        "email",
                        "status",
                        "fees",
                        "attending_type",
                        "attending_access",
                        "organization",
                        "eligibilities",
                        "service_at_locations",
                        "contacts",
                    )
                },
                "needs": sorted(t["taxonomy"]["id"] for t in svc["service_taxonomies"]),
                "regular_schedules": schedules(svc, "regular_schedules"),
                "holiday_schedules": schedules(svc, "holiday_schedules"),
            }
        )
    return sorted(out, key=lambda s: s["id"])


def test_a_made_up_directory_round_trips_and_the_export_meets_the_standards_schema(session):
    source = made_up_directory("Doncaster", seed=SEED)
    d = _open(session)
    report = _load(session, d, source)
    assert report.services == len(source) == 10
    assert report.warnings == []
    page = open_referral.export_page(session, COORDINATOR, d.id)
    assert page["totalElements"] == len(source)
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=_checker())
    for service in page["content"]:
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(service)]
        assert problems == [], service["name"]
    assert kept(page["content"]) == kept(source)
    # And again: the export itself imports to the same directory.
    session.refresh(d)
    _load(session, d, page)
    assert kept(open_referral.export_page(session, COORDINATOR, d.id)["content"]) == kept(source)


def test_the_schema_would_catch_a_bad_export():
    """The schema check is not a formality: a service missing its organisation fails it."""
    source = made_up_directory("Doncaster", seed=SEED)
    broken = copy.deepcopy(source[0])
    del broken["organization"]
    broken["regular_schedules"][0]["weekday"] = "Monday"
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=_checker())
    messages = sorted(e.message for e in validator.iter_errors(broken))
    assert "'organization' is a required property" in messages
    assert "'Monday' is not of type 'integer'" in messages


def test_a_malformed_file_names_each_bad_record_and_changes_nothing(session):
    d = _open(session)
    _load(session, d, made_up_directory("Doncaster", seed=SEED))
    session.refresh(d)
    before = open_referral.export_page(session, COORDINATOR, d.id)
    bad = made_up_directory("Doncaster", seed=SEED + 1)
    bad[1]["regular_schedules"][0]["weekday"] = 9
    bad[3]["regular_schedules"][0]["opens_at"] = "9am"
    bad[4]["holiday_schedules"][0]["end_date"] = "2026-12-20"
    del bad[6]["organization"]["name"]
    bad[7]["id"] = bad[2]["id"]
    bad[8]["regular_schedules"][0]["service_at_location"]["id"] = "nowhere"
    with pytest.raises(ImportRejected) as caught:
        _load(session, d, bad)
    found = [str(e) for e in caught.value.errors]
    named = lambda i: f"Service {i + 1} (id {bad[i]['id']!r} {bad[i]['name']!r})"  # noqa: E731
    assert any(e.startswith(named(1) + ", regular_schedules[0].weekday:") for e in found), found
    assert any(
        e.startswith(named(3) + ", regular_schedules[0].opens_at:") and "'9am'" in e for e in found
    ), found
    assert any(
        e.startswith(named(4) + ", holiday_schedules[0]:") and "end_date is before" in e
        for e in found
    ), found
    assert any(e.startswith(named(6) + ", organization.name:") for e in found), found
    # Cross-record checks run once each record is well formed on its own.
    assert len(found) == 4
    session.refresh(d)
    assert open_referral.export_page(session, COORDINATOR, d.id) == before

    fixed = copy.deepcopy(bad)
    for i, original in ((1, 1), (3, 3), (4, 4), (6, 6)):
        fixed[i] = made_up_directory("Doncaster", seed=SEED + 1)[original]
    with pytest.raises(ImportRejected) as caught:
        _load(session, d, fixed)
    found = [str(e) for e in caught.value.errors]
    assert any(named(7) + ", id:" in e and "also the id of service 3" in e for e in found), found
    assert any(
        named(8) + ", regular_schedules[0].service_at_location:" in e and "'nowhere'" in e
        for e in found
    ), found
    session.refresh(d)
    assert open_referral.export_page(session, COORDINATOR, d.id) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not JSON"),
        (b'{"services": []}', "should be a list of services"),
        (b"[]", "has no services"),
        (b'["a string"]', "Service 1"),
    ],
)
def test_a_file_that_is_not_a_directory_is_refused_in_words(session, content, message):
    d = _open(session)
    with pytest.raises(ImportRejected) as caught:
        open_referral.import_directory(
            session=session,
            actor=COORDINATOR,
            directory_id=d.id,
            expected_version=d.version,
            content=content,
        )
    assert message in str(caught.value)
    assert session.exec(select(func.count()).select_from(DirectoryService)).one() == 0


def test_a_councils_own_taxonomy_words_and_spellings_are_read(session):
    source = made_up_directory("Doncaster", seed=SEED)[:1]
    svc = source[0]
    svc["service_taxonomys"] = [
        {"id": "t1", "taxonomy": {"id": "esd-1", "name": "Housing advice", "vocabulary": "esd"}},
        {"id": "t2", "taxonomy": {"id": "esd-2", "name": "Debt and money", "vocabulary": "esd"}},
    ]
    del svc["service_taxonomies"]
    svc["eligibilitys"] = svc.pop("eligibilities")
    svc["regular_schedules"][0].update({"opens_at": "09:00Z", "closes_at": "24:00"})
    d = _open(session)
    _load(session, d, source)
    [record] = directory.records(session, d.id)
    assert record.service.needs == [ServiceNeed.ACCOMMODATION, ServiceNeed.MONEY]
    [first] = [r for r in record.regular if r.oruk_id == svc["regular_schedules"][0]["id"]]
    # "Z" read past as a London time; 24:00 is midnight, the end of the day.
    assert (first.opens_at, first.closes_at) == (time(9), time(0))


def test_a_stale_or_foreign_import_is_refused(session):
    d = _open(session)
    source = made_up_directory("Doncaster", seed=SEED)
    _load(session, d, source)
    with pytest.raises(VersionConflict):
        open_referral.import_directory(
            session=session,
            actor=COORDINATOR,
            directory_id=d.id,
            expected_version=1,
            content=json.dumps(source).encode(),
        )
    other = Actor(user_id="coord-bwi", role=Role.COORDINATOR, prison_code="BWI")
    with pytest.raises(NotFound):
        open_referral.import_directory(
            session=session,
            actor=other,
            directory_id=d.id,
            expected_version=2,
            content=json.dumps(source).encode(),
        )
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("import_directory") == 1


def test_changing_an_imported_services_name_keeps_what_the_form_does_not_show(session):
    d = _open(session)
    source = made_up_directory("Doncaster", seed=SEED)
    _load(session, d, source)
    [record] = [r for r in directory.records(session, d.id) if r.service.oruk_id == source[0]["id"]]
    form = directory.details_of(record)
    directory.change_service(
        session=session,
        actor=COORDINATOR,
        service_id=record.service.id,
        expected_version=record.service.version,
        data=form.model_copy(update={"name": "Housing options (renamed)"}),
    )
    [after] = [r for r in directory.records(session, d.id) if r.service.id == record.service.id]
    assert after.service.name == "Housing options (renamed)"
    # Contact names, location coordinates and schedule links are as imported.
    assert [(c.oruk_id, c.name) for c, _ in after.contacts] == [
        (c["id"], c["name"]) for c in source[0]["contacts"]
    ]
    assert (
        after.locations[0][1].latitude
        == source[0]["service_at_locations"][0]["location"]["latitude"]
    )
    assert {r.oruk_id for r in after.regular} == {r["id"] for r in source[0]["regular_schedules"]}
    # Changing the opening times replaces only them.
    directory.change_service(
        session=session,
        actor=COORDINATOR,
        service_id=record.service.id,
        expected_version=after.service.version,
        data=form.model_copy(update={"opening_times": form.opening_times[:1]}),
    )
    [last] = [r for r in directory.records(session, d.id) if r.service.id == record.service.id]
    assert len(last.regular) == 1 and last.contacts[0][0].oruk_id == source[0]["contacts"][0]["id"]
