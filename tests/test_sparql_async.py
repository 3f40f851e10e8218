"""The endpoint's event-loop path to the query workers (``kg.store.pool``,
``QueryExecutor.aquery``): workers are never lost or shared between callers,
replies are read whole and matched to their request, a timeout still kills
the worker, and a cancelled request does not leave its reply for the next
caller. Real worker processes and a real uvicorn server; no timing asserts."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection

import httpx
import pytest
from sparql_fixtures import sparql_server

from kg.config import Settings
from kg.errors import BadQuery, Overloaded, QueryRefused, QueryTimeout
from kg.release.directory import Release
from kg.store.embedded import embedded_files
from kg.store.executor import QueryExecutor
from kg.store.pool import IdleWorkers, WorkerGone, read_message

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# --- IdleWorkers ---------------------------------------------------------------------------


def test_idle_workers_hand_over_to_threads_and_coroutines_in_order() -> None:
    idle: IdleWorkers[str] = IdleWorkers()
    idle.put("a")
    assert idle.get(0) == "a"
    assert idle.get(0.01) is None  # nothing free: gives up, and its slot in the queue goes with it
    got: list[str | None] = []
    assert not idle._waiters
    waiting = threading.Thread(target=lambda: got.append(idle.get(30)))
    waiting.start()

    async def main() -> str | None:
        while len(idle._waiters) < 1:  # the thread queues first ...
            await asyncio.sleep(0.001)
        coroutine = asyncio.create_task(idle.aget(30))
        while len(idle._waiters) < 2:  # ... then the coroutine
            await asyncio.sleep(0.001)
        await asyncio.to_thread(idle.put, "b")  # put from another thread, as ProcessBackend does
        await asyncio.to_thread(waiting.join, 30)
        idle.put("c")
        return await coroutine

    assert asyncio.run(main()) == "c"
    assert got == ["b"]
    assert idle.drain() == []


def test_a_worker_handed_to_a_waiter_that_gives_up_is_not_lost() -> None:
    idle: IdleWorkers[str] = IdleWorkers()

    async def main() -> None:
        task = asyncio.create_task(idle.aget(30))
        while not idle._waiters:
            await asyncio.sleep(0.001)
        idle.put("w")  # handed to the waiter ...
        task.cancel()  # ... which is cancelled before it runs again
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await idle.aget(0) == "w"  # it went back to the free list
        assert await idle.aget(0.01) is None

    asyncio.run(main())


# --- read_message ----------------------------------------------------------------------------


def _pipe() -> tuple[Connection, Connection]:
    r, w = os.pipe()
    return Connection(r, writable=False), Connection(w, readable=False)


def test_read_message_reads_a_reply_larger_than_the_pipe_buffer_as_it_arrives() -> None:
    inbox, outbox = _pipe()
    payload = {"rows": ["ق" * 100 + str(i) for i in range(20_000)]}  # a few MB: many reads

    async def main() -> bytes | None:
        writer = threading.Thread(target=outbox.send, args=(payload,))
        writer.start()
        data = await read_message(inbox.fileno(), 30)
        writer.join(30)
        return data

    try:
        data = asyncio.run(main())
        assert data is not None and pickle.loads(data) == payload
    finally:
        inbox.close()
        outbox.close()


def test_read_message_gives_none_at_the_deadline_and_reports_a_closed_pipe() -> None:
    inbox, outbox = _pipe()
    try:
        assert asyncio.run(read_message(inbox.fileno(), 0.05)) is None  # nothing written
        os.write(outbox.fileno(), b"\x00\x00")  # half a header, then the writer dies
        outbox.close()
        with pytest.raises(WorkerGone):
            asyncio.run(read_message(inbox.fileno(), 30))
    finally:
        inbox.close()


# --- QueryExecutor.aquery with real worker processes -----------------------------------------


@pytest.fixture(scope="module")
def executor(release: Release, release_settings: Settings) -> Iterator[QueryExecutor]:
    settings = release_settings.with_(query_timeout=2.0, query_workers=2, max_rows=5, max_concurrent_queries=3,
                                      max_queued_queries=0)  # the queue: tests/test_sparql_queue.py
    ex = QueryExecutor.for_files(embedded_files(release), settings)
    try:
        yield ex
    finally:
        ex.close()


def test_aquery_answers_caps_and_maps_errors_like_query(executor: QueryExecutor) -> None:
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert asyncio.run(executor.aquery(q)).rows == executor.query(q).rows
    assert asyncio.run(executor.aquery(q)).truncated
    assert asyncio.run(executor.aquery("ASK { ?s ?p ?o }")).boolean is True
    with pytest.raises(BadQuery, match="syntax error"):
        asyncio.run(executor.aquery("SELECT WHERE {"))
    with pytest.raises(QueryRefused, match="read-only"):
        asyncio.run(executor.aquery("INSERT DATA { <http://a> <http://b> <http://c> }"))
    with pytest.raises(QueryRefused, match="SERVICE"):
        asyncio.run(executor.aquery("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))


def test_aquery_timeout_kills_the_worker_and_the_pool_recovers(executor: QueryExecutor) -> None:
    before = set(executor.backend.pids)  # type: ignore[attr-defined]
    with pytest.raises(QueryTimeout, match="longer than 2 s"):
        asyncio.run(executor.aquery(RUNAWAY))
    assert executor.running == 0
    assert asyncio.run(executor.aquery("ASK {}")).boolean is True
    assert set(executor.backend.pids) != before  # type: ignore[attr-defined]


def test_a_cancelled_request_retires_its_worker_so_no_one_reads_its_reply(executor: QueryExecutor) -> None:
    async def main() -> None:
        slow = asyncio.create_task(executor.aquery(RUNAWAY))
        while executor.running == 0:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the worker is running it
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert executor.running == 0
        # every later caller gets the answer to its own query, never the runaway's count
        for i in range(6):
            result = await executor.aquery(f"SELECT ?n WHERE {{ BIND({i} AS ?n) }}")
            assert [int(r[0].value) for r in result.rows] == [i]

    asyncio.run(main())


def test_aquery_is_503_when_every_slot_is_taken_and_there_is_no_queue(executor: QueryExecutor) -> None:
    async def main() -> None:
        slow = [asyncio.create_task(executor.aquery(f"{RUNAWAY} # {i}")) for i in range(3)]
        while executor.running < 3:
            await asyncio.sleep(0.01)
        with pytest.raises(Overloaded):
            await executor.aquery("ASK {}")
        for t in slow:
            with pytest.raises(QueryTimeout):
                await t

    asyncio.run(main())


# --- over HTTP -------------------------------------------------------------------------------


def test_concurrent_requests_each_get_their_own_answer(release: Release, release_settings: Settings) -> None:
    """16 clients, 2 workers: replies are never crossed between requests."""
    settings = release_settings.with_(query_workers=2, max_concurrent_queries=64)
    with sparql_server(release, settings, with_w3c=False) as (url, _):
        def ask(i: int) -> tuple[int, int, str]:
            q = f"SELECT ?n ?s WHERE {{ BIND({i} AS ?n) OPTIONAL {{ ?s a ?t }} }} LIMIT 1"
            r = httpx.get(f"{url}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            return i, r.status_code, r.text

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(ask, range(200)))
    for i, status, text in answers:
        assert status == 200, text
        assert int(json.loads(text)["results"]["bindings"][0]["n"]["value"]) == i


# --- results serialized in the worker ------------------------------------------------------------


def test_worker_serialized_results_read_the_same_as_the_old_path(release: Release, release_settings: Settings) -> None:
    """SELECT/ASK bodies are now made by the query worker (only bytes cross the
    pipe). Real parsers — rdflib's results parsers, Python's csv — must read
    them exactly as they read what the endpoint made from the rows itself
    (``kg.web.results.serialize`` in this process), truncation marker included."""
    import csv
    import io
    from functools import partial

    import rdflib.query

    from kg.rdf import formats as F
    from kg.store.backends import Serialized
    from kg.web import results as R

    settings = release_settings.with_(query_workers=1, max_rows=7)
    queries = [
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",  # truncated at 7
        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = 'ar') } ORDER BY ?s LIMIT 5",
        "SELECT ?x ?n WHERE { VALUES (?x ?n) { (<http://a.example/1> 1) (UNDEF \"t\\\"ab\\tx\\ny\") } }",
        "ASK { ?s ?p ?o }",
    ]
    ex = QueryExecutor.for_files(embedded_files(release), settings)
    try:
        for q in queries:
            kind = "ask" if q.startswith("ASK") else "select"
            for fmt in R.offered(kind):
                if fmt is F.HTML:
                    continue
                link = ["http://127.0.0.1/sparql#truncation"]
                got = asyncio.run(ex.aquery(q, serializer=partial(R.serialize_rows, media_type=fmt.media_type, links=link),
                                            serialize_kind=kind))
                assert isinstance(got, Serialized)
                rows = ex.query(q)
                old = R.serialize(rows, fmt, links=link if rows.truncated else None)
                assert got.truncated == rows.truncated
                if fmt is F.RESULTS_JSON:
                    assert json.loads(got.body) == json.loads(old)
                    assert ("link" in json.loads(got.body)["head"]) == rows.truncated
                if fmt in (F.RESULTS_CSV, F.RESULTS_TSV):
                    sep = "," if fmt is F.RESULTS_CSV else "\t"
                    assert list(csv.reader(io.StringIO(got.body.decode()), delimiter=sep)) == \
                        list(csv.reader(io.StringIO(old.decode()), delimiter=sep))
                if fmt in (F.RESULTS_JSON, F.RESULTS_XML):
                    name = "json" if fmt is F.RESULTS_JSON else "xml"
                    new_parsed = rdflib.query.Result.parse(io.BytesIO(got.body), format=name)
                    old_parsed = rdflib.query.Result.parse(io.BytesIO(old), format=name)
                    if kind == "ask":
                        assert new_parsed.askAnswer == old_parsed.askAnswer is True
                    else:
                        assert list(new_parsed) == list(old_parsed) and len(list(new_parsed)) > 0
        # a query whose form the caller guessed wrong comes back as rows, for the endpoint to re-negotiate
        wrong = asyncio.run(ex.aquery("ASK {}", serializer=partial(R.serialize_rows, media_type=F.RESULTS_CSV.media_type),
                                      serialize_kind="select"))
        assert not isinstance(wrong, Serialized) and wrong.boolean is True
    finally:
        ex.close()


def test_endpoint_bodies_from_the_worker_parse_like_before(release: Release, release_settings: Settings) -> None:
    """Over real uvicorn: each results format, truncated and not, read by real parsers."""
    import csv
    import io

    import rdflib.query

    settings = release_settings.with_(query_workers=2, max_rows=7)
    with sparql_server(release, settings, with_w3c=False) as (url, executor):
        q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
        local = executor.query(q)
        want = [tuple(str(t.value) for t in row) for row in local.rows]
        r = httpx.get(f"{url}/sparql", params={"query": q, "format": "json"}, timeout=30)
        assert r.headers["x-kg-truncated"] == "true" and r.json()["head"]["link"] == [f"{url}/sparql#truncation"]
        assert [tuple(b[v]["value"] for v in ("s", "p", "o")) for b in r.json()["results"]["bindings"]] == want
        r = httpx.get(f"{url}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"}, timeout=30)
        assert r.headers["content-type"].startswith("application/sparql-results+xml")
        parsed = rdflib.query.Result.parse(io.BytesIO(r.content), format="xml")
        assert [tuple(str(x) for x in row) for row in parsed] == want
        r = httpx.get(f"{url}/sparql", params={"query": q, "format": "csv"}, timeout=30)
        assert [tuple(row) for row in csv.reader(io.StringIO(r.text))][1:] == want
        r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+xml"}, timeout=30)
        assert rdflib.query.Result.parse(io.BytesIO(r.content), format="xml").askAnswer is True
        # CSV defines no boolean: Jena's one-cell table, serialized in the worker like the rest
        r = httpx.get(f"{url}/sparql", params={"query": "PREFIX x: <http://x/> ASK {}", "format": "csv"}, timeout=30)
        assert r.status_code == 200 and r.content == b"_askResult\r\ntrue\r\n"


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_after_an_awaited_reply_the_pipe_is_blocking_again_for_the_thread_path(loop_kind: str) -> None:
    """uvloop (what uvicorn runs on when installed) makes a watched fd non-blocking;
    ``Connection.recv`` in a thread then fails with BlockingIOError on a reply
    that has not fully arrived. Both loops must hand the pipe back blocking."""
    new_loop = asyncio.new_event_loop if loop_kind == "asyncio" else pytest.importorskip("uvloop").new_event_loop
    inbox, outbox = _pipe()
    loop = new_loop()
    try:
        outbox.send(b"x")
        assert loop.run_until_complete(read_message(inbox.fileno(), 30)) is not None
        assert os.get_blocking(inbox.fileno())
    finally:
        loop.close()
        inbox.close()
        outbox.close()
