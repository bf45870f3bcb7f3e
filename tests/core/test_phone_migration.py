"""Migration 0040 stores the contact numbers typed before numbers were checked in E.164 where
the library can read them, and leaves the rest as typed for the officer to correct."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from resettlement import migrate


def test_stored_numbers_move_to_e164_and_nonsense_is_left_for_the_officer(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0003")
    typed = {1: "0113 496 0000", 2: "+44 (0)7700 900123", 3: "call me", 4: "123", 5: "116 123"}
    with engine.begin() as connection:
        for contact_id, phone in typed.items():
            connection.execute(
                text(
                    "INSERT INTO support_contact (id, plan_id, kind, name, phone) "
                    "VALUES (:id, 1, 'helpline', 'Line', :phone)"
                ),
                {"id": contact_id, "phone": phone},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, phone FROM support_contact")).all())
    assert stored == {
        1: "+441134960000",
        2: "+447700900123",
        3: "call me",
        4: "123",
        5: "116123",
    }
