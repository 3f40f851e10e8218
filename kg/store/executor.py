"""Query execution: the one place that applies the limits.

Every SPARQL query the application runs goes through ``QueryExecutor.query``,
which, in this order:

1. refuses text longer than ``max_query_length`` (``QueryTooLarge``), and
   nesting deeper than ``MAX_NESTING`` (``BadQuery``: the engine's recursive
   parser would overflow its stack);
2. refuses ``SERVICE`` before anything reaches the engine — Oxigraph *does*
   make HTTP requests for it — (``QueryRefused``; ``kg.store.lexer``);
3. admits at most ``max_concurrent_queries`` at once; more wait in a bounded
   FIFO queue (``max_queued_queries``, each at most ``queue_timeout``
   seconds) and get ``Overloaded`` only when it is full or the wait runs out
   (``kg.store.admission``). A query bounded by its form (below) takes no
   slot: it is answered on the spot, even while every slot is held;
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
at the timeout, but the thread's CPU is not reclaimed. Both ways of running
a query are in ``kg.store.backends``; this module decides whether and for
how long one may run.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kg.config import Settings
from kg.errors import BadQuery, QueryRefused, QueryTooLarge, StoreUnavailable
from kg.store.admission import Admission, Depth
from kg.store.backends import Backend, ProcessBackend, Request, Serialized, ThreadBackend, run_request
from kg.store.base import QueryResult, Store, Term
from kg.store.bounded import is_bounded
from kg.store.embedded import ON_DISK, DataFile, OxigraphStore
from kg.store.lexer import keywords, nesting_depth, uses_service

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
    max_queued: int = 0
    queue_timeout: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.query_timeout, settings.max_rows, settings.max_query_length, settings.max_concurrent_queries,
                   settings.max_queued_queries, settings.queue_timeout)


class QueryExecutor(Store):
    """A ``Store`` that applies the limits; put it in front of any other store."""

    def __init__(self, backend: Backend, limits: Limits, inline: Store | None = None) -> None:
        self.backend = backend
        self.limits = limits
        self.inline = inline
        """The store bounded queries run on in this process (None: every query goes to the backend)."""
        self.admission = Admission(limits.max_concurrent, limits.max_queued, limits.queue_timeout)

    @classmethod
    def for_store(cls, store: Store, settings: Settings) -> QueryExecutor:
        """Worker processes when the store can be re-loaded from files, else threads."""
        files = getattr(store, "files", ())
        if files:
            return cls(ProcessBackend(files, settings.query_workers), Limits.from_settings(settings))
        return cls(ThreadBackend(store), Limits.from_settings(settings))

    @classmethod
    def for_files(cls, files: tuple[DataFile, ...], settings: Settings) -> QueryExecutor:
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
        return self.admission.running

    @property
    def depth(self) -> Depth:
        """Slots in use and queries waiting for one (``/health``)."""
        return self.admission.depth

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
        at the latest), even when the queue is full: a person opening a page
        under load gets a slower page, not a 503. Otherwise the configured
        queue and wait apply, as for ``/sparql``."""
        req = self._request(sparql, bindings, default_graph_uris, named_graph_uris, base_iri, max_rows)
        inline = self._inline_for(req)
        if inline is not None:  # bounded by its form: no slot, no wait
            tag, value = run_request(inline, req)
        else:
            with self._admitted(queue=queue):
                tag, value = self.backend.run(req, self.limits.timeout)
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
        admission (a wait in the bounded queue, awaited on the loop; 503 when
        the queue is full or the wait runs out), timeout and worker kill, row
        cap and error mapping, but the worker's reply is awaited on the event
        loop when the backend can (``ProcessBackend.arun``) instead of in a thread.

        With ``serializer``, a result of ``serialize_kind`` comes back as
        ``Serialized`` bytes made in the worker; any other result as usual."""
        req = self._request(sparql, None, default_graph_uris, named_graph_uris, base_iri, None)
        if serializer is not None:
            req = dataclasses.replace(req, serializer=serializer, serialize_kind=serialize_kind)
        inline = self._inline_for(req)
        if inline is not None:  # bounded: microseconds of engine work, less than a thread hop; no slot
            tag, value = run_request(inline, req)
        else:
            token = await self.admission.aacquire()  # waits in the queue without blocking the loop
            try:
                arun = getattr(self.backend, "arun", None)
                if arun is not None:
                    tag, value = await arun(req, self.limits.timeout)
                else:
                    tag, value = await asyncio.to_thread(self.backend.run, req, self.limits.timeout)
            finally:
                self.admission.release(token)
        update = await asyncio.to_thread(is_update, sparql) if tag == "syntax" else False  # rdflib's parser: slow, off the loop
        return self._result(tag, value, sparql, update)

    @contextmanager
    def _admitted(self, *, queue: bool) -> Iterator[None]:
        """One of ``max_concurrent`` slots for the duration of a blocking query
        (``aquery`` awaits its slot instead). ``queue`` (pages) waits up to
        twice the timeout, past a full queue; else the configured queue and
        wait, then ``Overloaded``."""
        if queue:
            token = self.admission.acquire(2 * self.limits.timeout, bounded=False)
        else:
            token = self.admission.acquire()
        try:
            yield
        finally:
            self.admission.release(token)

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
