"""OpenTelemetry traces of requests and database statements, when RESETTLEMENT_OTEL_TRACES_ENDPOINT
is set, sent over OTLP/HTTP.

FastAPI's instrumentation records each request's full URL (`http.target`, `url.path`,
`http.url`), so a prison leaver's `/plan-link/<secret>` would leave in every trace, and a
failed request's exception event carries its message and traceback. Every span passes through
`ScrubbingExporter` before it leaves: its name, attributes, events and status are scrubbed by
the one scrubber (resettlement/log_privacy.py). Database spans come from psycopg's
instrumentation (SQLAlchemy's refuses SQLAlchemy 2.1); they hold the statement with its
placeholders, never the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Status

from resettlement import log_privacy
from resettlement.observability.settings import WatchSettings


def _attributes(attributes: Any) -> dict[str, Any]:
    return {
        str(key): log_privacy.scrub_value(value, str(key))
        for key, value in (attributes or {}).items()
    }


def scrubbed(span: ReadableSpan) -> ReadableSpan:
    status = span.status
    return ReadableSpan(
        name=log_privacy.scrub(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_attributes(span.attributes),
        events=[
            Event(event.name, _attributes(event.attributes), event.timestamp)
            for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=Status(
            status.status_code,
            log_privacy.scrub(status.description) if status.description else None,
        ),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingExporter(SpanExporter):
    """Wraps the real exporter: nothing reaches it unscrubbed."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def tracer_provider(
    settings: WatchSettings, exporter: SpanExporter | None = None
) -> TracerProvider:
    """The provider for this process's spans. Given an exporter (a test's in-memory one) spans
    are handed over as each ends; otherwise they go to the OTLP endpoint in batches."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name})
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(ScrubbingExporter(exporter)))
        return provider
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    otlp = OTLPSpanExporter(endpoint=settings.otel_traces_endpoint)
    provider.add_span_processor(BatchSpanProcessor(ScrubbingExporter(otlp)))
    return provider


def instrument(app: Any, provider: TracerProvider) -> None:
    """Traces the app's requests and every psycopg statement this process runs."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    # The per-message receive/send spans add nothing a reader needs and double the volume.
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, exclude_spans=["receive", "send"]
    )
    instrumentor = PsycopgInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider, skip_dep_check=True)


_installed: TracerProvider | None = None


def install(app: Any, settings: WatchSettings) -> None:
    """Production: one provider per process, also the global one (libraries that trace on
    their own, such as Prefect's client, use it)."""
    global _installed
    if _installed is None:
        _installed = tracer_provider(settings)
        trace.set_tracer_provider(_installed)
    instrument(app, _installed)
