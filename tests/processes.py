"""Servers in processes of their own, as they run in production, on a test's database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def server_process(
    engine: Engine, arguments: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A server started as `python <arguments>`, on this test's database, until it answers."""
    environment = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        **(env or {}),
    }
    server = subprocess.Popen([sys.executable, *arguments], cwd=ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "uvicorn exited"
            assert time.monotonic() < deadline, "uvicorn did not start"
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
