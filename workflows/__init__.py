"""Prefect flows that run the services of resettlement/ on a schedule: thin, batched, idempotent."""
