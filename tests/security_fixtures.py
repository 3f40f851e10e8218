"""Helpers for the abuse, fuzzing, web-safety, load and reload tests: a real
server built the way ``kg serve`` builds it (``kg.web.server.build_app``:
executor with worker processes, release watcher, security middleware), with
small limits so abuse is cheap to provoke."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from conftest import SEEDS
from live import free_port, serve_settings

from kg.config import Settings

LIMITS = {"query_timeout": 2.0, "max_concurrent_queries": 2, "max_queued_queries": 2, "queue_timeout": 1.0,
          "max_query_length": 5000, "max_rows": 100}
TIMEOUT = LIMITS["query_timeout"]
MARGIN = 15.0
"""Every request must come back within the query timeout plus this (a worker
being replaced after a timeout reloads the store, which takes a few seconds)."""

SIMPLE = "SELECT ?s WHERE { ?s a ?type } LIMIT 3"
ROOT = Path(__file__).resolve().parent.parent


def limited(settings: Settings) -> Settings:
    return settings.with_(**LIMITS)


live_server = serve_settings  # one starter for every suite (tests/live.py)


@contextmanager
def kg_serve_process(var_dir: Path, *, env: dict[str, str] | None = None, log: Path | None = None,
                     out: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``python -m kg --var VAR serve --port P`` as a child process (its RSS is readable);
    its stderr goes to ``log`` if given (read it to explain a failure), its
    stdout (uvicorn's access log) to ``out``. Without a warm-up (``--no-warm``) unless
    ``env`` says ``KG_WARM``."""
    port = free_port()
    err = open(log, "wb") if log else subprocess.PIPE  # noqa: SIM115 - closed below
    stdout = open(out, "wb") if out else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "--var", str(var_dir), "serve", "--port", str(port)],
        cwd=ROOT, env={**os.environ, "KG_SEEDS_DIR": str(SEEDS), "KG_WARM": "false", **(env or {})},  # idle at start, as release_settings
        stdout=stdout, stderr=err, start_new_session=True,  # its own process group: killed whole below
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                text = log.read_bytes() if log else proc.stderr.read()  # type: ignore[union-attr]
                raise RuntimeError("kg serve exited: " + text.decode(errors="replace")[-2000:])
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("kg serve did not answer /health")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # the group: Granian's worker outlives a killed main process
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if log:
            err.close()  # type: ignore[union-attr]
        if out:
            stdout.close()  # type: ignore[union-attr]


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def raw_request(url: str, request: bytes, *, timeout: float = 10.0) -> bytes:
    """Send bytes as they are (httpx would fix what we want to break); the status line back."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])
