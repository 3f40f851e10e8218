"""Endpoint abuse against a real server built as ``kg serve`` builds it, with
small limits (timeout 2 s, 2 queries at once, 5000 characters, 100 rows).

Already proven elsewhere, not repeated here: a cartesian product times out
while a simple query is answered, the row cap, 413 for a long form query,
two runaway queries → 503 (tests/test_sparql_limits.py); INSERT/CLEAR/DROP/
LOAD/DELETE refused by every route and plain SERVICE / ``\\u0053ERVICE`` /
``service silent`` making no connection (tests/test_sparql_protocol.py).
Here: the variants those leave out, and the server staying up through them.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from security_fixtures import LIMITS, MARGIN, SIMPLE, TIMEOUT, limited, live_server, raw_request, status_of

from kg.config import Settings
from kg.release.directory import Release

PATH_EXPLOSION = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://x/p>|!<http://x/p>)* ?b . ?c (<http://x/p>|!<http://x/p>)* ?d }"
)


@pytest.fixture(scope="module")
def server(release: Release, release_settings: Settings) -> Iterator[str]:
    with live_server(limited(release_settings)) as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=TIMEOUT + MARGIN) as c:
        yield c


def healthy(client: httpx.Client) -> bool:
    return client.get("/health").status_code == 200 and client.get("/sparql", params={"query": SIMPLE}).status_code == 200


# --- sizes ---------------------------------------------------------------------------------


def test_query_over_the_length_limit_is_413_by_every_route(client: httpx.Client) -> None:
    q = "SELECT * WHERE { ?s ?p ?o } #" + "x" * LIMITS["max_query_length"]
    for r in (
        client.get("/sparql", params={"query": q}),
        client.post("/sparql", data={"query": q}),
        client.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}),
    ):
        assert r.status_code == 413, r.text
    ok = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * (LIMITS["max_query_length"] - 40)
    assert client.get("/sparql", params={"query": ok}).status_code == 200


def test_huge_post_bodies_are_413_before_they_are_read(client: httpx.Client) -> None:
    huge = b"query=" + b"A" * 5_000_000
    r = client.post("/sparql", content=huge, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies as the body arrives
        for _ in range(500):
            yield b"B" * 10_000

    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert healthy(client)


def test_enormous_request_line_is_refused_not_crashed(server: str, client: httpx.Client) -> None:
    # httpx refuses to send such a URL, so write it on the socket
    target = b"/sparql?query=" + b"a" * 300_000
    raw = raw_request(server, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert 400 <= status_of(raw) < 500
    assert healthy(client)


# --- nesting ---------------------------------------------------------------------------------

DEEP = [
    pytest.param("ASK { FILTER(" + "(" * 2000 + "1" + ")" * 2000 + ") }", id="2000-parentheses-in-FILTER"),
    pytest.param("ASK { FILTER(" + "!" * 2000 + "true) }", id="2000-negations"),
    pytest.param("ASK { FILTER(" + "-" * 2000 + "1) }", id="2000-unary-minus"),
    pytest.param("ASK { ?a " + "(" * 1500 + "<p>" + ")*" * 1500 + " ?b }", id="1500-nested-path-groups"),
    pytest.param("SELECT * WHERE {" + "{SELECT * WHERE " * 150 + "{}" + "}" * 150 + "}", id="150-nested-subqueries"),
]


@pytest.mark.parametrize("query", DEEP)
def test_deeply_nested_queries_are_answered_or_400(client: httpx.Client, query: str) -> None:
    assert len(query) <= LIMITS["max_query_length"]
    r = client.get("/sparql", params={"query": query})
    assert r.status_code in (200, 400), r.text
    assert healthy(client)


def test_deeply_nested_group_patterns_are_400_not_a_dead_worker(client: httpx.Client) -> None:
    """~2000 nested groups overflowed Oxigraph's parser stack in the worker (a 500);
    the nesting is now refused before the engine."""
    r = client.get("/sparql", params={"query": "ASK " + "{" * 2400 + "}" * 2400})
    assert r.status_code == 400, r.text
    assert healthy(client)


# --- runaway work ----------------------------------------------------------------------------


def test_property_path_explosion_times_out_while_simple_queries_are_answered(server: str, client: httpx.Client) -> None:
    slow: dict[str, httpx.Response] = {}

    def run_slow() -> None:
        slow["r"] = httpx.get(f"{server}/sparql", params={"query": PATH_EXPLOSION}, timeout=TIMEOUT + MARGIN)

    thread = threading.Thread(target=run_slow)
    thread.start()
    answered = 0
    try:
        while thread.is_alive() and answered < 200:
            r = client.get("/sparql", params={"query": SIMPLE, "format": "json"})
            if thread.is_alive():  # only count answers given while the explosion ran
                assert r.status_code == 200, r.text
                assert len(r.json()["results"]["bindings"]) == 3
                answered += 1
    finally:
        thread.join(timeout=TIMEOUT + MARGIN)
    assert answered >= 2, "no simple query was answered while the explosion ran"
    r = slow["r"]
    assert r.status_code == 503 and f"longer than {TIMEOUT:g} s" in r.text
    assert r.headers["retry-after"]


def test_a_timeout_parameter_cannot_raise_the_limit(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": PATH_EXPLOSION, "timeout": "100000", "max_rows": "10000000"})
    assert r.status_code == 503 and f"longer than {TIMEOUT:g} s" in r.text


def test_many_concurrent_slow_queries_get_503_and_health_stays_up(server: str, client: httpx.Client) -> None:
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def slow() -> None:
        r = httpx.get(f"{server}/sparql", params={"query": PATH_EXPLOSION}, timeout=TIMEOUT + MARGIN)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=slow) for _ in range(16)]
    for t in threads:
        t.start()
    health_checks = 0
    try:
        while any(t.is_alive() for t in threads):
            r = client.get("/health")
            assert r.status_code == 200
            health_checks += 1
            time.sleep(0.05)
    finally:
        for t in threads:
            t.join(timeout=TIMEOUT + MARGIN)
    assert len(results) == 16 and health_checks >= 1
    assert all(r.status_code == 503 and r.headers.get("retry-after") for r in results), [r.status_code for r in results]
    assert sum("already running" in r.text for r in results) >= 16 - LIMITS["max_concurrent_queries"] - 1
    assert healthy(client)


# --- refusals ---------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    # The refusal is synchronous (the 400 is the parser's answer): a connection the
    # server made would already wait in the backlog when the response arrives.
    sock.settimeout(0.2)
    yield sock
    sock.close()


SERVICE_VARIANTS = [
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{base}> SELECT * WHERE {{ SERVICE remote:sparql {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE# a comment between the keyword and the IRI\n<{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\U00000053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ VALUES ?svc {{ <{url}> }} SERVICE ?svc {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(\"}}\" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o .SeRvIcE<{url}>{{}} }}",
]


@pytest.mark.parametrize("template", SERVICE_VARIANTS)
def test_service_variants_are_refused_and_make_no_connection(client: httpx.Client, listener: socket.socket, template: str) -> None:
    base = "http://127.0.0.1:%d/" % listener.getsockname()[1]
    query = template.format(url=base + "sparql", base=base)
    for r in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ):
        assert r.status_code == 400 and "SERVICE" in r.text, r.text
    with pytest.raises(TimeoutError):
        conn, _ = listener.accept()
        conn.close()


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}>",
        "load silent <{url}> into graph <http://example.org/g>",
        "\\u004cOAD <{url}>",
        "PREFIX r: <{base}> LOAD r:data.ttl",
        "ASK {{}} ; LOAD <{url}>",
    ],
)
def test_load_variants_are_refused_and_make_no_connection(client: httpx.Client, listener: socket.socket, template: str) -> None:
    base = "http://127.0.0.1:%d/" % listener.getsockname()[1]
    update = template.format(url=base + "data.ttl", base=base)
    for r in (
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
    ):
        assert r.status_code == 400, r.text
    with pytest.raises(TimeoutError):
        conn, _ = listener.accept()
        conn.close()


# --- encoding, parameters, methods ------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/sparql?query=%FF%FE",  # not UTF-8
        "/sparql?query=ASK%E2%82",  # a truncated UTF-8 sequence
        "/sparql?query=ASK%C0%AF",  # an overlong encoding of '/'
        "/sparql?query=ASK%ED%A0%80",  # a UTF-16 surrogate encoded as UTF-8
        "/sparql?query=ASK%7B%7D&format=%FF",
    ],
)
def test_invalid_utf8_in_parameters_is_400(client: httpx.Client, target: str) -> None:
    r = client.get(target)
    assert r.status_code == 400, r.text


def test_invalid_utf8_in_bodies_is_400(client: httpx.Client) -> None:
    form = client.post("/sparql", content=b"query=ASK%20%7B%7D%FF", headers={"Content-Type": "application/x-www-form-urlencoded"})
    direct = client.post("/sparql", content=b"ASK {\xff}", headers={"Content-Type": "application/sparql-query"})
    raw_form = client.post("/sparql", content=b"query=ASK \xc3{}", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (form.status_code, direct.status_code, raw_form.status_code) == (400, 400, 400)


@pytest.mark.parametrize(
    "request_line",
    [
        b"GET /sparql?query=ASK\xff{} HTTP/1.1",  # raw non-ASCII in the request target
        b"GET /sparql?query=ASK%zz%7B%7D HTTP/1.1",  # not a percent escape: kept literally, then a syntax error
        b"GET /sparql?query=ASK%%%7B%7D HTTP/1.1",
        b"GET /doc/\xc0\xaf HTTP/1.1",
        b"GET /sparql?query=ASK%00{} HTTP/1.1",
    ],
)
def test_bad_bytes_on_the_wire_are_400(server: str, request_line: bytes) -> None:
    raw = raw_request(server, request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status_of(raw) == 400, raw[:200]


def test_unknown_parameters_are_ignored(client: httpx.Client) -> None:
    """SPARQL 1.1 Protocol §2.1 defines query, default-graph-uri, named-graph-uri
    (and we add format); it says nothing of others, and clients add their own
    (cache busters, ``timeout``), so we ignore them rather than break those clients.
    ``output`` is read only without ``format`` (tests/test_sparql_clients.py)."""
    plain = client.get("/sparql", params={"query": SIMPLE, "format": "json"})
    noisy = client.get("/sparql", params={"query": SIMPLE, "format": "json", "_": "123", "output": "xml", "callback": "x", "graph": "y"})
    assert plain.status_code == noisy.status_code == 200
    assert plain.json() == noisy.json()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE"])
def test_wrong_methods_are_405_with_allow(client: httpx.Client, method: str) -> None:
    for path in ("/sparql", "/dumps/dataset.nq", "/health"):
        r = client.request(method, path, params={"query": SIMPLE} if path == "/sparql" else None)
        assert r.status_code == 405, (path, r.status_code)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert method not in allowed and "GET" in allowed


def test_the_server_survives_a_mixed_burst(server: str, client: httpx.Client) -> None:
    """Self-contained (it does not rely on the tests above having run first, so
    it holds under any order or ``-n``): bad bytes on the wire, an oversized
    body, an unparsable query and a runaway query at once, then the server is
    still healthy and answering."""
    def runaway() -> None:
        with httpx.Client(base_url=server, timeout=TIMEOUT + MARGIN) as c:
            c.get("/sparql", params={"query": PATH_EXPLOSION})

    t = threading.Thread(target=runaway)
    t.start()
    assert 400 <= status_of(raw_request(server, b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) < 500
    assert client.post("/sparql", content=b"query=" + b"A" * 3_000_000,
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 413
    assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p"}).status_code == 400
    t.join()
    assert healthy(client)
