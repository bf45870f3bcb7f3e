"""The README's main command on a fresh data directory: everything comes up, and stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_up_serves_api_pages_and_flows_with_demo_data_then_stops(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded default
    env |= {"RESETTLEMENT_DATA_DIR": str(tmp_path), "PREFECT_HOME": str(tmp_path / "prefect")}
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "up", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 240
            ready = None
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    ready = httpx.get(f"{base}/readyz", timeout=2)
                    if (
                        ready.status_code == 200
                        and "deployments are being served" in log.read_text()
                    ):
                        break
                except httpx.TransportError:
                    pass
                time.sleep(1)
            printed = log.read_text()
            tail = "\n".join(x for x in printed.splitlines() if "/readyz" not in x)[-4000:]
            assert ready is not None and ready.status_code == 200, tail
            assert "Added 30 demo plans." in printed
            assert "deployments are being served" in printed, tail
            for role in ("probation_officer", "governor", "admin", "prison_leaver"):
                assert f"  {role}: ey" in printed
            token = printed.split("  probation_officer: ", 1)[1].split()[0]
            plans = httpx.get(
                f"{base}/api/v1/plans", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            assert plans.status_code == 200 and plans.json()["items"]
            link = printed.split("A prison leaver's plan: ", 1)[1].split()[0]
            assert httpx.get(link, timeout=10).status_code == 200
            assert httpx.get(f"{base}/staff/sign-in", timeout=10).status_code == 200
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
    # Nothing is left listening once the command has stopped.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_run_script_passes_its_arguments_to_up_not_to_the_installer(tmp_path: Path) -> None:
    """`./run --port N --no-flows` once read `--port` as pip extras and failed before serving."""
    root = Path(__file__).resolve().parents[2]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"RESETTLEMENT_DATA_DIR": str(tmp_path), "PREFECT_HOME": str(tmp_path / "prefect")}
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(root / "run"), "--port", str(port), "--no-flows", "--no-demo"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 240
            ready = None
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                    if ready.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            printed = log.read_text()
            assert ready is not None and ready.status_code == 200, printed[-4000:]
            assert "Installing" not in printed  # the lock's packages were already there
            assert "Added 30 demo plans." not in printed  # --no-demo reached `up`
            assert "deployments are being served" not in printed  # and so did --no-flows
        finally:
            os.killpg(process.pid, signal.SIGINT)
            assert process.wait(timeout=60) == 0
