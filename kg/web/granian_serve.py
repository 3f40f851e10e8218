"""``kg serve --server granian``: the same app on Granian, a Rust HTTP server.

Why: a kept page is a dictionary lookup, and under uvicorn about half of a
hit's time is its two socket writes (BENCHMARKS.md, run H: py-spy). Granian
parses requests and writes responses in Rust, off the Python thread, so the
same app answers 1.2–1.65× the kept pages a second on the same two cores
(BENCHMARKS.md, run J). uvicorn stays the default: it is the server every
test runs the app on; ``tests/test_serve_granian.py`` runs ``kg serve
--server granian`` itself, and ``KG_TEST_SERVER=granian`` runs the wire tests
on Granian (README, "Run the tests").

Granian runs the app in a worker process it starts, so ``serve`` builds the
release first (never in the worker) and hands the settings over in ``KG_*``
variables (``kg.config.to_environ``); ``app`` is the factory the worker calls.
``SIGHUP`` makes Granian start a new worker and stop the old one after it: the
new worker opens whatever ``var/current`` then names, which is what ``kg
serve``'s ``SIGHUP`` ("check for a new release now") does under uvicorn.
A worker still running ``stop_seconds`` after it was told to stop (on
``SIGHUP`` or ``SIGTERM``) is killed: Granian would otherwise wait for it for
ever, and ``kg serve`` would neither switch nor stop.
"""

from __future__ import annotations

import math
import os
import socket
from typing import Any

from kg.config import Settings, from_environ, to_environ
from kg.errors import KGError
from kg.web.context import current
from kg.web.server import build_app, current_release

TRUSTED_PROXY = "127.0.0.1"
"""Whose ``X-Forwarded-*`` headers are believed: uvicorn's default (``forwarded_allow_ips``),
through uvicorn's own middleware, so both servers read them alike (Granian's own wrapper
ignores ``X-Forwarded-Proto`` without ``X-Forwarded-For``)."""


def app() -> Any:
    """The ASGI app in Granian's worker: built from the environment, its query
    workers stopped when Granian stops the worker (the lifespan's shutdown)."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    built = build_app(from_environ())
    built.router.add_event_handler("shutdown", lambda: current(built).store.close())
    return ProxyHeadersMiddleware(built, trusted_hosts=TRUSTED_PROXY)  # what uvicorn's proxy_headers=True adds


def check_port_free(host: str, port: int) -> None:
    """Refuse a port something already listens on, as uvicorn does. Granian's workers
    bind with ``SO_REUSEPORT`` on Linux, so a second ``kg serve --server granian`` on
    the same port would otherwise start and share the connections with the first,
    whatever release each serves. A socket bound without ``SO_REUSEPORT`` fails
    beside any listener, Granian's included."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as e:
            raise KGError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def stop_seconds(settings: Settings) -> int:
    """How long a worker told to stop may take: its longest query is abandoned
    after ``query_timeout``; five seconds more lets it answer and close."""
    return math.ceil(settings.query_timeout) + 5


def serve(settings: Settings) -> int:
    from granian import Granian
    from granian.constants import Interfaces, Loops

    check_port_free(settings.host, settings.port)
    current_release(settings)  # build here if needed: the worker only opens
    os.environ.update(to_environ(settings))
    Granian(f"{__name__}:app", factory=True, address=settings.host, port=settings.port,
            interface=Interfaces.ASGI, workers=1, loop=Loops.uvloop, log_access=settings.access_log,
            respawn_failed_workers=True, workers_kill_timeout=stop_seconds(settings)).serve()
    return 0
