"""Intake from the prison's records: an extract (docs/intake.md) read row by row into plans
created, changed through the plan and person services, left alone, or refused with reasons."""
