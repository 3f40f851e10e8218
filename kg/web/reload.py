"""Switching a running server to a new release without dropping a request.

``kg build`` makes ``var/current`` point at a new, complete release (an
atomic rename of a symlink, ``kg.release.directory``). A server started with
``kg serve`` notices — it checks the link's target every few seconds, and at
once on ``SIGHUP`` — and then:

1. opens the new release and loads its store fully (query workers ready)
   while the old one keeps answering;
2. swaps the app's state in one assignment: the new release's
   ``kg.web.context.ReleaseContext`` (store, release, settings and typed
   caches made from them) replaces the previous one;
3. closes the old store once the last request that started on it has ended.

Every request is pinned to the context current when it arrived: the
middleware puts it in the request's scope, so a handler reading
``context(request).store`` and ``.release`` sees the same release
throughout, even if a switch happens meanwhile. Per-release caches
(``dump_catalogue``, ``urls``, …, typed fields of the context) start empty again.

If the new release cannot be loaded the old one keeps serving; the failure is
logged and retried when the link changes again or on ``SIGHUP``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from kg.config import Settings
from kg.errors import KGError
from kg.release.directory import Release, open_release
from kg.store.base import Store
from kg.web.context import SCOPE_KEY, ReleaseContext, current, make_current

log = logging.getLogger("kg.reload")

LoadStore = Callable[[Settings, Release], Store]
DEFAULT_INTERVAL = 2.0


class _Generation:
    def __init__(self, state: ReleaseContext) -> None:
        self.state = state
        self.inflight = 0
        self.retired = False
        self.closed = False


class Reloader:
    """Owns the generations of one app; ``swap`` is the only way to change release."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._current: _Generation | None = None
        self._old: list[_Generation] = []
        self.on_swap: list[Callable[[ReleaseContext], object]] = []
        """Called with each new release's context once it serves (e.g. to warm a per-release index)."""

    # --- request side (called by the middleware) ----------------------------------
    def enter(self) -> _Generation:
        with self._lock:
            if self._current is None or self._current.state is not current(self.app):
                # first request, or someone assigned app.state directly: adopt it
                self._current = _Generation(current(self.app))
            self._current.inflight += 1
            return self._current

    def leave(self, gen: _Generation) -> None:
        with self._lock:
            gen.inflight -= 1
            close = gen.retired and gen.inflight == 0 and not gen.closed
            if close:
                gen.closed = True
        if close:
            gen.state.close()

    # --- switching ------------------------------------------------------------------
    def swap(self, store: Store, release: Release) -> None:
        """Make (store, release) current; the old store closes when its last request ends."""
        with self._lock:
            if self._current is None or self._current.state is not current(self.app):
                self._current = _Generation(current(self.app))
            old = self._current
            new = _Generation(old.state.successor(store, release))
            make_current(self.app, new.state)  # the one assignment that switches
            self._current = new
            old.retired = True
            close = old.inflight == 0
            if close:
                old.closed = True
            else:
                self._old.append(old)
        log.info("serving release %s", release.id)
        for hook in self.on_swap:
            hook(new.state)
        if close:
            old.state.close()

    def close_retired(self) -> None:
        """At shutdown: close every old generation still open."""
        with self._lock:
            pending = [g for g in self._old if not g.closed]
            for g in pending:
                g.closed = True
            self._old.clear()
        for g in pending:
            g.state.close()


class ReloadMiddleware:
    """Pins each HTTP request to the generation current when it arrived."""

    def __init__(self, app: Any, *, reloader: Reloader) -> None:
        self.app = app
        self.reloader = reloader

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gen = self.reloader.enter()
        scope[SCOPE_KEY] = gen.state  # what kg.web.context.context(request) answers
        try:
            await self.app(scope, receive, send)
        finally:
            self.reloader.leave(gen)


def install(app: FastAPI) -> Reloader:
    """Add the pinning middleware (cheap; switching needs ``watch`` as well)."""
    reloader = Reloader(app)
    app.add_middleware(ReloadMiddleware, reloader=reloader)
    app.kg_reloader = reloader  # type: ignore[attr-defined]
    return reloader


def reloader_of(app: FastAPI) -> Reloader:
    return app.kg_reloader  # type: ignore[attr-defined]


def on_every_release(app: FastAPI, work: Callable[[ReleaseContext], object]) -> None:
    """Run ``work`` on the served release when the app starts, and on each
    release it switches to: per-release work done before a visitor asks (the
    search index, the home page's summary). The reloader is installed after
    the routers (kg.web.app), so it is looked up at start, not now."""

    def start() -> None:
        work(current(app))
        reloader = getattr(app, "kg_reloader", None)
        if reloader is not None and work not in reloader.on_swap:
            reloader.on_swap.append(work)

    app.router.add_event_handler("startup", start)


# --- watching var/current ------------------------------------------------------------------


def link_target(link: Path) -> str | None:
    try:
        return os.path.realpath(link) if os.path.lexists(link) else None
    except OSError:
        return None


class Watcher:
    """Polls ``settings.current_release`` and loads + swaps when its target changes."""

    def __init__(self, app: FastAPI, settings: Settings, load_store: LoadStore, *, interval: float = DEFAULT_INTERVAL) -> None:
        self.reloader = reloader_of(app)
        self.app = app
        self.settings = settings
        self.load_store = load_store
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._check_lock = threading.Lock()
        self.failed_target: str | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kg-release-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.reloader.close_retired()

    def poke(self) -> None:
        """Check now (``SIGHUP``); a target that failed before is tried again."""
        self.failed_target = None
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.check()
            except Exception:  # a watcher that dies stops all future reloads; log, keep going
                log.exception("checking for a new release failed")

    def check(self) -> bool:
        """Switch if ``current`` points at another complete release; True if switched."""
        with self._check_lock:
            target = link_target(self.settings.current_release)
            serving = str(current(self.app).release.path)
            if target is None or target == serving or target == self.failed_target:
                return False
            try:
                release = open_release(Path(target))
                store = self.load_store(self.settings, release)
            except (KGError, OSError, RuntimeError, ValueError) as exc:
                self.failed_target = target
                log.error("not switching to %s: %s", target, exc)
                return False
            self.reloader.swap(store, release)
            return True


def watch(app: FastAPI, settings: Settings, load_store: LoadStore, *, interval: float = DEFAULT_INTERVAL) -> Watcher:
    """Start watching with the app (startup) and stop with it (shutdown)."""
    watcher = Watcher(app, settings, load_store, interval=interval)
    app.router.add_event_handler("startup", watcher.start)
    app.router.add_event_handler("shutdown", watcher.stop)
    app.kg_watcher = watcher  # type: ignore[attr-defined]
    return watcher
