"""Admission that queues (issue 21), against a real server built as ``kg serve`` builds it.

With every slot taken, a query waits in a bounded FIFO queue and is answered
when a slot frees; only a full queue or a wait that runs out gets 503 with
``Retry-After``. Queries bounded by their form take no slot, so they are
answered even then, and ``/health`` (on the same event loop as the waiting
queries) answers throughout and reports the queue's depth.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from live import serve_settings

from kg.config import Settings
from kg.release.directory import Release

# 1–3 s of engine work on the test release (every pair of triples counted), well within patient's timeout
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
# a cartesian product of all triples with themselves three times: hours of work, stopped at the timeout
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
UNBOUNDED = "ASK { ?s ?p ?o . ?o ?q ?r }"  # cheap, but two patterns: it needs a slot
BOUNDED = "SELECT ?s WHERE { ?s a ?type } LIMIT 3"  # one pattern: answered without a slot (kg.store.bounded)
SLOTS, QUEUE = 2, 2
HASTY_SLOTS = 1


def _server(settings: Settings, timeout: float, wait: float, slots: int = SLOTS) -> Iterator[str]:
    with serve_settings(settings.with_(query_timeout=timeout, queue_timeout=wait, query_workers=slots,
                                       max_concurrent_queries=slots, max_queued_queries=QUEUE)) as url:
        _settled(url)
        yield url


def _settled(url: str, quiet: float = 1.5, patience: float = 90.0) -> None:
    """Wait out the release's background warm-up (the hubs described when it opens),
    whose queries would otherwise hold a slot or a queue place these tests count."""
    deadline, since = time.monotonic() + patience, time.monotonic()
    while time.monotonic() < deadline:
        q = httpx.get(url + "/health", timeout=30).json()["queries"]
        if q["running"] or q["queued"]:
            since = time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


@pytest.fixture(scope="module")
def patient(release: Release, release_settings: Settings) -> Iterator[str]:
    """Timeout and wait far beyond what ``SLOW`` takes on a loaded machine: nothing is refused for time."""
    yield from _server(release_settings, 30.0, 60.0)


@pytest.fixture(scope="module")
def full(release: Release, release_settings: Settings) -> Iterator[str]:
    """Runaways stopped at 2 s; a wait (60 s) that outlasts them: the queue stays full while they run."""
    yield from _server(release_settings, 2.0, 60.0)


@pytest.fixture(scope="module")
def hasty(release: Release, release_settings: Settings) -> Iterator[str]:
    """A short wait (0.5 s), far shorter than a runaway's 8 s (3 s was too short a window
    to see the slots taken on a loaded machine: a fresh-clone CI run saw the runaways end first).
    One slot: one runaway fills it, and the suite's cores are not spent on a second for 8 s."""
    yield from _server(release_settings, 8.0, 0.5, slots=HASTY_SLOTS)


def _in_background(url: str, queries: list[str]) -> tuple[list[threading.Thread], dict[int, httpx.Response | Exception]]:
    out: dict[int, httpx.Response | Exception] = {}

    def ask(i: int, q: str) -> None:
        try:
            out[i] = httpx.get(f"{url}/sparql", params={"query": q, "format": "json"}, timeout=90)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            out[i] = exc

    threads = [threading.Thread(target=ask, args=(i, q)) for i, q in enumerate(queries)]
    for t in threads:
        t.start()
    return threads, out


def _queries(url: str) -> dict:
    r = httpx.get(f"{url}/health", timeout=10)
    assert r.status_code == 200
    return r.json()["queries"]


def _wait_for(url: str, ok: Callable[[dict], bool], threads: list[threading.Thread], seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        q = _queries(url)
        if ok(q):
            return q
        assert any(t.is_alive() for t in threads), f"the queries ended before the queue reached the state; last {q}"
        assert time.monotonic() < deadline, f"queue never reached the state; last {q}"
        time.sleep(0.01)


def test_health_reports_the_queue_bounds(patient: str) -> None:
    """At rest: once the release's background warm-up (the hubs described in idle
    slots) has finished, nothing runs and nothing waits."""
    deadline = time.monotonic() + 60
    while _queries(patient)["running"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _queries(patient) == {"running": 0, "queued": 0, "slots": SLOTS, "queue": QUEUE}


def test_slots_plus_queue_slow_queries_all_wait_and_succeed(patient: str) -> None:
    queries = [f"{SLOW} # {i}" for i in range(SLOTS + QUEUE)]  # distinct texts: no cached answer
    threads, out = _in_background(patient, queries)
    try:
        seen = _wait_for(patient, lambda q: q["queued"] >= 1, threads)  # some waited: the old endpoint refused them
        assert seen["running"] == SLOTS
    finally:
        for t in threads:
            t.join(timeout=90)
    counts = set()
    for i in range(len(queries)):
        r = out[i]
        assert isinstance(r, httpx.Response) and r.status_code == 200, r
        counts.add(r.json()["results"]["bindings"][0]["n"]["value"])
    assert len(counts) == 1 and int(counts.pop()) > 0  # the same count, really computed, four times
    assert _queries(patient)["running"] == 0 and _queries(patient)["queued"] == 0


def test_beyond_the_queue_is_503_with_retry_after_while_bounded_queries_answer(full: str) -> None:
    queries = [f"{RUNAWAY} # {i}" for i in range(SLOTS + QUEUE)]
    threads, out = _in_background(full, queries)
    try:
        _wait_for(full, lambda q: q["running"] == SLOTS and q["queued"] == QUEUE, threads)
        t = time.monotonic()
        r = httpx.get(f"{full}/sparql", params={"query": f"{UNBOUNDED} # full"}, timeout=30)
        assert r.status_code == 503 and r.headers["retry-after"], r.text
        assert "waiting" in r.text and time.monotonic() - t < 1.5  # refused at once, not after a wait
        # the event loop is not blocked by the waiting queries, and a query needing no slot is answered
        b = httpx.get(f"{full}/sparql", params={"query": f"{BOUNDED} # full", "format": "json"}, timeout=30)
        assert b.status_code == 200 and len(b.json()["results"]["bindings"]) == 3
    finally:
        for th in threads:
            th.join(timeout=90)
    # the runaways: the first two stopped at the timeout; the queued two got slots, ran, and were stopped too
    for i in range(len(queries)):
        r = out[i]
        assert isinstance(r, httpx.Response) and r.status_code == 503 and "longer than 2 s" in r.text, r
        assert r.headers["retry-after"]


def test_a_wait_that_runs_out_is_503_with_retry_after(hasty: str) -> None:
    threads, out = _in_background(hasty, [f"{RUNAWAY} # w{i}" for i in range(HASTY_SLOTS)])
    try:
        _wait_for(hasty, lambda q: q["running"] == HASTY_SLOTS, threads)
        t = time.monotonic()
        r = httpx.get(f"{hasty}/sparql", params={"query": f"{UNBOUNDED} # waits"}, timeout=30)
        waited = time.monotonic() - t
        assert r.status_code == 503 and r.headers["retry-after"], r.text
        assert "within 0.5 s" in r.text and waited >= 0.5
        assert any(th.is_alive() for th in threads)  # refused while the runaways still held the slots
    finally:
        for th in threads:
            th.join(timeout=90)
    assert all(isinstance(out[i], httpx.Response) and out[i].status_code == 503 for i in range(HASTY_SLOTS))  # type: ignore[union-attr]
    # slots free again: the same query is answered
    r = httpx.get(f"{hasty}/sparql", params={"query": f"{UNBOUNDED} # again", "format": "json"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True
