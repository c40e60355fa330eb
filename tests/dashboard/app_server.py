"""The dashboard served for the browser tests: started on a free localhost port, waited for, stopped after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# as `make run` starts it: `streamlit run app.py` with the preload
SERVE = [sys.executable, "mfviz/dashboard/serve.py"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, deadline: float) -> bool:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@contextmanager
def served_app(command: list[str], log_folder: Path, healthy_within: float) -> Iterator[str]:
    """The dashboard started with `command` (serve.py, or `mfviz dashboard FILE`) headless on 127.0.0.1, its
    output in log_folder/server.log: its address once its health check answers (else the test fails after
    `healthy_within` seconds), stopped on leaving."""
    port = free_port()
    log = open(log_folder / "server.log", "w")
    process = subprocess.Popen(
        [*command, "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        if not wait_healthy(url, time.time() + healthy_within):
            pytest.fail(f"streamlit did not become healthy within {healthy_within:.0f} s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
