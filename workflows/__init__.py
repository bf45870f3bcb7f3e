"""Prefect flows that run the services of resettlement/ on a schedule: thin, batched, idempotent."""

from resettlement.observability.process import watch_this_process

# The flows log task failures with their tracebacks: database errors quote personal data.
# Configured here, where every flow process (a Prefect worker's run too) imports the flows.
watch_this_process()
