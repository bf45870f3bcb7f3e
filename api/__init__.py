"""The HTTP API: a thin skin over the services in `resettlement/`."""
