"""Where a query runs: worker processes that can be killed, or a thread.

Why apart from ``kg.store.executor``: the executor decides *whether* and
*how long* a query may run (limits, admission); a backend only carries a
``Request`` to a store and an ``Outcome`` back. ``ProcessBackend`` keeps
``workers`` processes (``kg.store.worker``), each with the release's store
loaded once; a query still running at its timeout has its worker killed and
replaced while the others keep answering. ``ThreadBackend`` is for stores
that cannot be re-loaded in another process (a remote endpoint, a test
double): the answer still returns at the timeout, but the thread's CPU is
not reclaimed.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Protocol

from kg.errors import QueryTimeout, StoreUnavailable
from kg.store.base import QueryResult, Store, Term
from kg.store.embedded import DataFile
from kg.store.pool import IdleWorkers, WorkerGone, read_message


@dataclass(frozen=True)
class Request:
    sparql: str
    bindings: dict[str, Term] | None
    default_graph_uris: list[str] | None
    named_graph_uris: list[str] | None
    max_rows: int
    base_iri: str | None = None
    serializer: Callable[[QueryResult], bytes] | None = None
    """Applied where the query ran, to a result of ``serialize_kind``: only its
    bytes cross the pipe (pickling 1 000 rows of terms cost more than the query)."""
    serialize_kind: str | None = None


@dataclass(frozen=True)
class Serialized:
    """A result already turned into bytes by ``Request.serializer``."""

    kind: str
    body: bytes
    truncated: bool


ENGINE_REFUSALS = ("The custom function",)
"""Oxigraph raises RuntimeError for a function it does not implement
(``PREFIX f: <…> SELECT (f:x(1) AS ?y) {}``): that is a 400, not a 500."""

Outcome = tuple[str, object]
"""("ok", QueryResult) | ("syntax", message) | ("engine", message) | ("bug", traceback)"""


def run_request(store: Store, req: Request) -> Outcome:
    """Run one request against a store; classify what went wrong. Used in workers and threads."""
    try:
        result = store.query(req.sparql, bindings=req.bindings, default_graph_uris=req.default_graph_uris,
                             named_graph_uris=req.named_graph_uris, base_iri=req.base_iri, max_rows=req.max_rows)
        if req.serializer is not None and result.kind == req.serialize_kind:
            return ("ok", Serialized(result.kind, req.serializer(result), result.truncated))
        return ("ok", result)
    except SyntaxError as exc:  # Oxigraph's parser: "error at line:col: ..."
        return ("syntax", str(exc))
    except StoreUnavailable as exc:  # a remote store failed: 502, in-thread only (picklable text)
        return ("unavailable", str(exc))
    except OSError as exc:  # Oxigraph's evaluation errors
        return ("engine", str(exc))
    except RuntimeError as exc:
        if str(exc).startswith(ENGINE_REFUSALS):  # the user's query, not our bug
            return ("engine", str(exc))
        return ("bug", traceback.format_exc())
    except Exception:  # noqa: BLE001 - crosses a process boundary as text, re-raised as a 500 below
        return ("bug", traceback.format_exc())


class Backend(Protocol):
    def run(self, req: Request, timeout: float) -> Outcome: ...
    def close(self) -> None: ...


# --- worker processes ----------------------------------------------------------------


class _Worker:
    """One ``kg.store.worker`` subprocess and the two pipes to it."""

    def __init__(self, files: tuple[DataFile, ...]) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.store.worker", str(to_child_r), str(from_child_w)],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.outbox = Connection(to_child_w, readable=False)
        self.inbox = Connection(from_child_r, writable=False)
        self.outbox.send(files)

    def wait_ready(self, timeout: float) -> None:
        try:
            ready = self.inbox.poll(timeout) and self.inbox.recv() == ("ready", None)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError("query worker did not load the store")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        self.outbox.close()
        self.inbox.close()


class ProcessBackend:
    """``workers`` processes, each with the store loaded once from ``files``."""

    def __init__(self, files: tuple[DataFile, ...], workers: int, *, load_timeout: float = 300.0) -> None:
        self._files = files
        self._load_timeout = load_timeout
        self._idle: IdleWorkers[_Worker] = IdleWorkers()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(max(1, workers))]
        for w in started:
            w.wait_ready(load_timeout)
            self._idle.put(w)

    def _start(self) -> _Worker:
        w = _Worker(self._files)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        w.kill()
        with self._lock:
            self._all.discard(w)
            if self._closed:
                return

        def replace() -> None:
            new = self._start()
            try:
                new.wait_ready(self._load_timeout)
            except RuntimeError:
                with self._lock:
                    self._all.discard(new)
                return
            if self._closed:
                new.kill()
            else:
                self._idle.put(new)

        threading.Thread(target=replace, daemon=True, name="kg-worker-replace").start()

    def run(self, req: Request, timeout: float) -> Outcome:
        deadline = time.monotonic() + timeout
        w = self._idle.get(timeout)
        if w is None:
            raise QueryTimeout(f"no query worker became free within {timeout:g} s")
        try:
            w.outbox.send(req)
            if w.inbox.poll(max(0.0, deadline - time.monotonic())):
                outcome: Outcome = w.inbox.recv()
            else:
                self._retire(w)
                raise QueryTimeout(f"query ran longer than {timeout:g} s and was stopped")
        except (EOFError, BrokenPipeError, ConnectionResetError) as exc:
            self._retire(w)
            raise RuntimeError(f"query worker died: {exc!r}") from exc
        self._idle.put(w)
        return outcome

    async def arun(self, req: Request, timeout: float) -> Outcome:
        """As ``run``, awaiting the worker and its reply on the event loop (no thread hop)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        w = await self._idle.aget(timeout)
        if w is None:
            raise QueryTimeout(f"no query worker became free within {timeout:g} s")
        try:
            w.outbox.send(req)  # small (≤ max_query_length); the idle worker is already reading
            data = await read_message(w.inbox.fileno(), deadline - loop.time())
        except (WorkerGone, BrokenPipeError, ConnectionResetError) as exc:
            self._retire(w)
            raise RuntimeError(f"query worker died: {exc!r}") from exc
        except BaseException:  # cancelled while the worker runs: its reply would be read by the next caller
            self._retire(w)
            raise
        if data is None:
            self._retire(w)
            raise QueryTimeout(f"query ran longer than {timeout:g} s and was stopped")
        self._idle.put(w)
        outcome: Outcome = pickle.loads(data)
        return outcome

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
        self._idle.drain()


class ThreadBackend:
    """For stores that cannot be re-loaded elsewhere: a thread per query, abandoned at the timeout."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def run(self, req: Request, timeout: float) -> Outcome:
        box: list[Outcome] = []
        thread = threading.Thread(target=lambda: box.append(run_request(self._store, req)), daemon=True)
        thread.start()
        thread.join(timeout)
        if not box:
            raise QueryTimeout(f"query ran longer than {timeout:g} s and was abandoned")
        return box[0]

    def close(self) -> None:
        self._store.close()
