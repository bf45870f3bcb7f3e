"""The baseline for bench/api.py: a bare FastAPI app serving, from memory, the JSON the real
endpoints returned. Its own module so that uvicorn can import it in each worker process."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI


def create() -> FastAPI:
    payloads = json.loads(Path(os.environ["BENCH_PAYLOAD_FILE"]).read_text())
    app = FastAPI()

    @app.get("/bare/{name}")
    def bare(name: str) -> Any:
        return payloads[name]

    return app
