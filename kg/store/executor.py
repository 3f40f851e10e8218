"""Query execution: the one place that applies the limits.

Every SPARQL query the application runs goes through ``QueryExecutor.query``,
which, in this order:

1. refuses text longer than ``max_query_length`` (``QueryTooLarge``), and
   nesting deeper than ``MAX_NESTING`` (``BadQuery``: the engine's recursive
   parser would overflow its stack);
2. refuses ``SERVICE`` before anything reaches the engine — Oxigraph *does*
   make HTTP requests for it — (``QueryRefused``; ``kg.store.lexer``);
3. admits at most ``max_concurrent_queries`` at once, else ``Overloaded``;
4. runs the query where it can be abandoned: in a pool of worker processes,
   each holding its own copy of the release's store. A query still running
   at ``query_timeout`` has its worker killed and replaced (``QueryTimeout``);
   the server meanwhile keeps answering from the other workers. A query
   whose *form* bounds its work (one triple pattern, no modifiers that read
   ahead: ``kg.store.bounded``) needs no killing and is answered in-process
   from the same read-only store, without the worker round trip;
5. has the store cap rows (or triples) at ``max_rows`` and mark the result
   ``truncated`` (part of the ``Store.query`` contract);
6. turns engine errors into ``BadQuery`` (parser message and position kept)
   and update text into ``QueryRefused``. Nothing here ever calls an update
   API, so ``LOAD`` and friends cannot run. Anything else stays a bug (500).

A store that cannot be re-loaded in another process (a test double, a remote
endpoint) runs in an abandonable thread instead: the answer still returns
at the timeout, but the thread's CPU is not reclaimed.
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
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Callable, Protocol

from kg.config import Settings
from kg.errors import BadQuery, Overloaded, QueryRefused, QueryTimeout, QueryTooLarge, StoreUnavailable
from kg.store.base import QueryResult, Store, Term
from kg.store.bounded import is_bounded
from kg.store.embedded import ON_DISK, DataFile, OxigraphStore
from kg.store.lexer import keywords, nesting_depth, uses_service
from kg.store.pool import IdleWorkers, WorkerGone, read_message

MAX_NESTING = 100
"""Deepest ``{ ( [`` nesting accepted: far beyond real queries, far below what
overflows the engine's recursive parser (~2 000 levels)."""

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


@dataclass(frozen=True)
class Limits:
    timeout: float
    max_rows: int
    max_query_length: int
    max_concurrent: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(settings.query_timeout, settings.max_rows, settings.max_query_length, settings.max_concurrent_queries)


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


class AsyncBackend(Backend, Protocol):
    async def arun(self, req: Request, timeout: float) -> Outcome: ...


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


# --- the executor ----------------------------------------------------------------------


class QueryExecutor(Store):
    """A ``Store`` that applies the limits; put it in front of any other store."""

    def __init__(self, backend: Backend, limits: Limits, inline: Store | None = None) -> None:
        self.backend = backend
        self.limits = limits
        self.inline = inline
        """The store bounded queries run on in this process (None: every query goes to the backend)."""
        self._slots = threading.BoundedSemaphore(limits.max_concurrent)
        self._running = 0
        self._count_lock = threading.Lock()

    @classmethod
    def for_store(cls, store: Store, settings: Settings) -> "QueryExecutor":
        """Worker processes when the store can be re-loaded from files, else threads."""
        files = getattr(store, "files", ())
        if files:
            return cls(ProcessBackend(files, settings.query_workers), Limits.from_settings(settings))
        return cls(ThreadBackend(store), Limits.from_settings(settings))

    @classmethod
    def for_files(cls, files: tuple[DataFile, ...], settings: Settings) -> "QueryExecutor":
        """Workers for every query; with an on-disk store (a release's), also the
        store opened read-only here for bounded queries: opening costs ~15 ms
        and the page cache is shared with the workers, while dump files would
        be a second in-memory copy, so those never run inline."""
        inline = OxigraphStore.load(files) if settings.inline_bounded and _on_disk(files) else None
        return cls(ProcessBackend(files, settings.query_workers), Limits.from_settings(settings), inline)

    def _inline_for(self, req: Request) -> Store | None:
        """The in-process store if ``req`` may skip the worker: bounded form, the store's own dataset."""
        if self.inline is None or req.bindings or req.default_graph_uris is not None or req.named_graph_uris is not None:
            return None  # bindings add a VALUES block the classifier has not read
        return self.inline if is_bounded(req.sparql) else None

    @property
    def running(self) -> int:
        """Queries admitted and not yet answered (for monitoring and tests)."""
        return self._running

    def check(self, sparql: str) -> None:
        """The refusals that need no engine: length and federation."""
        if len(sparql) > self.limits.max_query_length:
            raise QueryTooLarge(
                f"query is {len(sparql)} characters long; the limit is {self.limits.max_query_length}"
            )
        if uses_service(sparql):
            raise QueryRefused("SERVICE (federated query) is disabled on this endpoint")
        depth = nesting_depth(sparql)
        if depth > MAX_NESTING:
            raise BadQuery(f"query nests brackets {depth} levels deep; the limit is {MAX_NESTING}")

    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
        queue: bool = False,
    ) -> QueryResult:
        """``queue=True`` (the app's own page queries) waits up to twice the
        query timeout for a free slot (a running query frees its slot by then
        at the latest) instead of failing at once: a person opening a
        page under load gets a slower page, not a 503; user SPARQL still gets
        503 with Retry-After, which clients know how to handle."""
        req = self._request(sparql, bindings, default_graph_uris, named_graph_uris, base_iri, max_rows)
        with self._admitted(queue=queue):
            inline = self._inline_for(req)
            tag, value = run_request(inline, req) if inline is not None else self.backend.run(req, self.limits.timeout)
        result = self._result(tag, value, sparql, is_update(sparql) if tag == "syntax" else False)
        assert isinstance(result, QueryResult)  # no serializer on this path
        return result

    async def aquery(
        self,
        sparql: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        base_iri: str | None = None,
        serializer: Callable[[QueryResult], bytes] | None = None,
        serialize_kind: str | None = None,
    ) -> QueryResult | Serialized:
        """``query`` for a coroutine (the ``/sparql`` endpoint): the same checks,
        admission (503 when saturated), timeout and worker kill, row cap and
        error mapping, but the worker's reply is awaited on the event loop when
        the backend can (``ProcessBackend.arun``) instead of in a thread.

        With ``serializer``, a result of ``serialize_kind`` comes back as
        ``Serialized`` bytes made in the worker; any other result as usual."""
        req = self._request(sparql, None, default_graph_uris, named_graph_uris, base_iri, None)
        if serializer is not None:
            req = dataclasses.replace(req, serializer=serializer, serialize_kind=serialize_kind)
        with self._admitted(queue=False):  # never wait on the event loop: 503 when saturated
            arun = getattr(self.backend, "arun", None)
            inline = self._inline_for(req)
            if inline is not None:  # bounded: microseconds of engine work, less than a thread hop
                tag, value = run_request(inline, req)
            elif arun is not None:
                tag, value = await arun(req, self.limits.timeout)
            else:
                tag, value = await asyncio.to_thread(self.backend.run, req, self.limits.timeout)
        update = await asyncio.to_thread(is_update, sparql) if tag == "syntax" else False  # rdflib's parser: slow, off the loop
        return self._result(tag, value, sparql, update)

    @contextmanager
    def _admitted(self, *, queue: bool) -> Iterator[None]:
        """One of ``max_concurrent`` slots for the duration, for ``query`` and
        ``aquery`` alike; ``queue`` waits up to twice the timeout for one
        (a running query frees its slot by then at the latest), else
        ``Overloaded`` at once."""
        got = self._slots.acquire(timeout=2 * self.limits.timeout) if queue else self._slots.acquire(blocking=False)
        if not got:
            raise Overloaded(f"{self.limits.max_concurrent} queries are already running; retry shortly")
        with self._count_lock:
            self._running += 1
        try:
            yield
        finally:
            with self._count_lock:
                self._running -= 1
            self._slots.release()

    def _request(self, sparql: str, bindings: dict[str, Term] | None, default_graph_uris: list[str] | None,
                 named_graph_uris: list[str] | None, base_iri: str | None, max_rows: int | None) -> Request:
        self.check(sparql)
        rows = self.limits.max_rows if max_rows is None else min(max_rows, self.limits.max_rows)
        return Request(sparql, bindings, default_graph_uris, named_graph_uris, rows, base_iri)

    @staticmethod
    def _result(tag: str, value: object, sparql: str, update: bool) -> QueryResult | Serialized:
        if tag == "ok":
            assert isinstance(value, (QueryResult, Serialized))
            return value
        if tag == "syntax":
            if update:
                raise QueryRefused("SPARQL Update (including LOAD) is not accepted: this endpoint is read-only")
            raise BadQuery(f"syntax error: {value}")
        if tag == "engine":
            raise BadQuery(f"query failed: {value}")
        if tag == "unavailable":
            raise StoreUnavailable(str(value))
        raise RuntimeError(f"query worker failed:\n{value}")

    def close(self) -> None:
        self.backend.close()
        if self.inline is not None:
            self.inline.close()


def _on_disk(files: tuple[DataFile, ...]) -> bool:
    return len(files) == 1 and files[0][1] == ON_DISK


def is_update(sparql: str) -> bool:
    """Whether ``sparql`` parses as SPARQL Update with at least one operation.

    Parse only (rdflib's grammar): nothing is executed, nothing is fetched.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    if not UPDATE_KEYWORDS & keywords(sparql):
        return False  # the empty update ("" or a bare prologue) is not an update request
    try:
        parseUpdate(sparql)
    except (ParseBaseException, RecursionError):
        return False
    return True
