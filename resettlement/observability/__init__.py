"""Watching the service: JSON logs with request ids, Prometheus metrics, OpenTelemetry traces and
Sentry error reports. Every part is off until its setting is on, and everything it sends out
passes through the one scrubber, `resettlement.log_privacy`."""
