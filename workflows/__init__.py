"""Prefect flows that run the services of resettlement/ on a schedule: thin, batched, idempotent."""

from resettlement import log_privacy

# The flows log task failures with their tracebacks: database errors quote personal data.
log_privacy.install()
