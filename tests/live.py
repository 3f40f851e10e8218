"""A real uvicorn server on a free loopback port, for tests where the wire matters.

``KG_TEST_SERVER=granian`` runs the same tests on Granian instead (the server of
``kg serve --server granian``), in its embedded mode: the app object in this
process, as uvicorn runs it here."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app, *, port: int | None = None) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Run ``app`` in a background thread; yields its base URL."""
    port = port or free_port()
    if os.environ.get("KG_TEST_SERVER") == "granian":
        yield from _granian(app, port)
        return
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def get(url: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.get(url, timeout=30, **kwargs)


@contextmanager
def serve_settings(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """``kg.web.server.build_app(settings)`` on a free loopback port; stops its query workers after."""
    from kg.web.server import build_app

    app = build_app(settings)
    try:
        with serve(app) as url:
            yield url
    finally:
        app.state.store.close()


def plain_client(**headers: str) -> httpx.Client:
    """A keep-alive client that keeps no cookies (a ``?lang=`` answer's cookie must
    not change the next request) and asks for ``headers`` on every request. One
    connection reused instead of ``httpx.request``'s new client per call: the
    tests that compare hundreds of answers spent most of their time connecting."""
    from http.cookiejar import CookieJar, DefaultCookiePolicy

    return httpx.Client(timeout=60, follow_redirects=False, headers=headers,
                        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])))


def _granian(app, port: int) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Granian's embedded server on its own event loop in a thread, until the test ends."""
    import asyncio

    from granian.constants import Interfaces
    from granian.server.embed import Server

    server = Server(app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False)
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/health", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("granian did not start") from None
            time.sleep(0.05)
    try:
        yield url
    finally:
        loop.call_soon_threadsafe(server.stop)
        thread.join(timeout=10)
