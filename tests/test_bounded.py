"""Queries bounded by their form skip the worker round trip (``kg.store.bounded``,
``QueryExecutor.inline``): the classifier says "bounded" only for one lazily
evaluated triple pattern, and what the in-process path answers is what a
worker answers — same rows, same cap, same errors. Real release, real worker
processes; no timing asserts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kg.config import Settings
from kg.errors import QueryTimeout
from kg.release.directory import Release
from kg.store.bounded import is_bounded
from kg.store.embedded import embedded_files
from kg.store.executor import QueryExecutor

RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

BOUNDED = [
    "SELECT ?label WHERE { <https://qatar-nato.example.org/id/state/qatar> <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    RDFS + "SELECT ?label WHERE { <https://qatar-nato.example.org/id/state/qatar> rdfs:label ?label }",
    RDFS + "# a comment { FILTER }\nselect ?s where { ?s rdfs:label \"قطر\"@ar . } limit 5",
    "SELECT * { ?s a <http://www.w3.org/ns/org#Organization> }",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "ASK { ?s <http://example.org/p> 42 }",
    "ASK WHERE { ?s <http://example.org/p> \"x\"^^<http://www.w3.org/2001/XMLSchema#string> }",
    "BASE <http://example.org/> SELECT $s { $s <p> true }",
    "PREFIX : <http://example.org/> SELECT ?o { :a :b ?o } LIMIT 10",
]

UNBOUNDED = [
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",  # reads everything to find a few
    "SELECT REDUCED ?p WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(false) }",
    "SELECT ?s WHERE { ?s ?p ?s }",  # repeated variable: a scan that yields little
    "SELECT ?s WHERE { ?s ?p ?o } OFFSET 100000",
    "SELECT ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?s WHERE { ?s <http://a> ?o ; <http://b> ?r }",
    "SELECT ?s WHERE { ?s <http://a> ?o , ?r }",
    "SELECT ?s WHERE { ?s <http://a>/<http://b> ?o }",
    "SELECT ?s WHERE { ?s <http://a>* ?o }",
    "SELECT ?s WHERE { ?s <http://a> [] }",
    "SELECT ?s WHERE { ?s <http://a> ( 1 2 ) }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s WHERE { OPTIONAL { ?s ?p ?o } }",
    "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?s ?p ?o } }",
    "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { VALUES ?s { <http://a> } ?s ?p ?o }",
    "SELECT ?s WHERE { BIND(1 AS ?x) ?s ?p ?o }",
    "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
    "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT ?s WHERE { ?s ?p \"\"\"long\"\"\" }",
    "SELECT ?s WHERE { ?s ?p \"\\u0022\" }",  # escapes are never read
    "SELECT ?s WHERE { ?s <http://a> ?o } \\u0020",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <http://example.org/a>",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 OFFSET 3",
    "SELECT ?s WHERE { ?s ?p ?o } }",
    "SELECT WHERE { ?s ?p ?o }",
    "",
]


@pytest.mark.parametrize("query", BOUNDED)
def test_one_lazily_evaluated_pattern_is_bounded(query: str) -> None:
    assert is_bounded(query)


@pytest.mark.parametrize("query", UNBOUNDED)
def test_anything_that_reads_ahead_or_is_not_understood_is_not(query: str) -> None:
    assert not is_bounded(query)


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SELCTASKWHR{}?$<>:.;,*\"'#\\ \nafo1")), max_size=60))
def test_the_classifier_never_raises(text: str) -> None:
    is_bounded(text)


@hsettings(max_examples=200, deadline=None)
@given(st.sampled_from(BOUNDED), st.sampled_from(["FILTER(true)", "OPTIONAL { ?x ?y ?z }", ". ?x ?y ?z",
                                                   "MINUS { ?s ?p ?o }", "BIND(1 AS ?b)"]))
def test_a_bounded_query_with_anything_more_in_its_group_is_not(query: str, extra: str) -> None:
    head, _, tail = query.rpartition("}")
    assert not is_bounded(f"{head} {extra} }}{tail}")


# --- the executor: same answers, without a worker ---------------------------------------------


@pytest.fixture(scope="module")
def executors(release: Release, release_settings: Settings) -> Iterator[tuple[QueryExecutor, QueryExecutor]]:
    """(inline, workers only) over the same release, one worker each, a small row cap."""
    base = release_settings.with_(query_timeout=3.0, query_workers=1, max_rows=7, max_concurrent_queries=4)
    inline = QueryExecutor.for_files(embedded_files(release), base)
    plain = QueryExecutor.for_files(embedded_files(release), base.with_(inline_bounded=False))
    try:
        yield inline, plain
    finally:
        inline.close()
        plain.close()


def _subjects(executor: QueryExecutor, n: int) -> list[str]:
    rows = executor.query("SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }").rows
    return sorted({r[0].value for r in rows})[:n]  # type: ignore[union-attr]


def test_inline_and_worker_answers_are_equal_on_the_release(executors: tuple[QueryExecutor, QueryExecutor]) -> None:
    inline, plain = executors
    assert inline.inline is not None and plain.inline is None
    queries = [q for q in BOUNDED if "example.org" not in q]
    queries += [f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}" for s in _subjects(plain, 5)]
    queries += [RDFS + f"ASK {{ <{s}> rdfs:label ?l }}" for s in _subjects(plain, 2)]
    for q in queries:
        assert is_bounded(q), q
        a, b = inline.query(q), plain.query(q)
        assert (a.kind, a.variables, a.rows, a.boolean, a.truncated) == (b.kind, b.variables, b.rows, b.boolean, b.truncated), q
        c = asyncio.run(inline.aquery(q))
        assert (c.kind, c.rows, c.boolean, c.truncated) == (b.kind, b.rows, b.boolean, b.truncated), q
    capped = inline.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert capped.truncated and len(capped.rows) == 7  # the cap is what bounds the work


def test_errors_from_the_inline_path_are_the_workers_errors(executors: tuple[QueryExecutor, QueryExecutor]) -> None:
    inline, plain = executors
    q = "PREFIX ex: <http://example.org/> SELECT ?s { ?s nope:p ?o }"  # undefined prefix, bounded form
    assert is_bounded(q)
    with pytest.raises(Exception) as got:
        inline.query(q)
    with pytest.raises(Exception) as expected:
        plain.query(q)
    assert type(got.value) is type(expected.value) and str(got.value) == str(expected.value)


def test_a_bounded_query_is_answered_while_the_only_worker_is_busy(executors: tuple[QueryExecutor, QueryExecutor]) -> None:
    """The point of the path: no worker is needed. With the one worker held by a
    runaway (killed at the 3 s timeout), a point lookup is still answered; an
    unbounded query waits for the worker instead."""
    inline, _ = executors
    outcome: list[BaseException] = []

    def runaway() -> None:
        try:
            inline.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        except BaseException as exc:  # noqa: BLE001 - the timeout is the expected end
            outcome.append(exc)

    t = threading.Thread(target=runaway)
    t.start()
    try:
        while inline.running < 1:
            threading.Event().wait(0.005)
        s = _subjects(inline, 1)[0]
        answer = asyncio.run(inline.aquery(RDFS + f"SELECT ?l WHERE {{ <{s}> rdfs:label ?l }}"))
        assert answer.rows and t.is_alive()  # answered while the runaway still holds the worker
    finally:
        t.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout)
