"""Fuzzing the HTTP surface of a real server: schemathesis from an OpenAPI
description, and hypothesis on the query / negotiation path.

The app's own schema (``/api/openapi.json``, written in ``kg.web.openapi``
because the negotiated routes are hidden from FastAPI's generator) drives
schemathesis, resource paths included with any characters. Zero 5xx (503 with ``Retry-After`` is the designed answer to a
query that runs too long, and is allowed), zero hangs: every request has a
client timeout of the query timeout plus a margin, and a timeout fails the test.

Examples per operation: ``KG_FUZZ_EXAMPLES`` (default 25).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_fixtures import MARGIN, TIMEOUT, limited, live_server

from kg.config import Settings
from kg.release.directory import Release
from kg.web.openapi import SURFACE as PUBLIC_PATHS

pytestmark = pytest.mark.slow  # schemathesis generates hundreds of requests

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))

@pytest.fixture(scope="module")
def server(release: Release, release_settings: Settings) -> Iterator[str]:
    with live_server(limited(release_settings)) as url:
        yield url


def surface_schema(app_schema: dict) -> dict:
    merged = app_schema.get("paths", {})
    assert "/sparql" in merged and "/doc/{path}" in merged  # the app publishes its surface (kg.web.openapi)
    return {
        "openapi": "3.0.3",
        "info": app_schema.get("info", {"title": "kg", "version": "0"}),
        "paths": merged,
    }


def header_bytes(value: str) -> bytes:
    """What a header line can carry (the client refuses the rest): Latin-1, no
    control characters, no surrounding blanks."""
    text = "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in value).strip(" \t")
    return text.encode("latin-1", "replace")


def acceptable(response_status: int, headers: dict[str, str]) -> bool:
    return response_status < 500 or (response_status == 503 and bool(headers.get("retry-after") or headers.get("Retry-After")))


def test_app_schema_is_served_and_valid(server: str) -> None:
    r = httpx.get(f"{server}/api/openapi.json", timeout=30)
    assert r.status_code == 200
    schema = schemathesis.openapi.from_dict(surface_schema(r.json()))
    assert len(list(schema.get_all_operations())) >= len(PUBLIC_PATHS)


def test_schemathesis_finds_no_server_error(server: str) -> None:
    raw = surface_schema(httpx.get(f"{server}/api/openapi.json", timeout=30).json())
    schema = schemathesis.openapi.from_dict(raw)
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            nonlocal calls
            response = case.call(base_url=server, timeout=TIMEOUT + MARGIN, allow_redirects=False)
            calls += 1
            if not acceptable(response.status_code, dict(response.headers)):
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {case.as_curl_command()}")

        run()
    assert calls >= len(PUBLIC_PATHS)
    assert failures == [], "\n".join(failures[:10])


# --- hypothesis on the query / negotiation path --------------------------------------------------

MEDIA = [
    "text/html", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
    "application/n-quads", "application/trig", "*/*", "text/*", "application/*", "application/json", "image/png", "",
]
q_value = st.one_of(
    st.sampled_from(["1", "0", "0.5", "0.001", "1.000", "1.5", "-1", "abc", "", "0.", ".5", "NaN", "inf", "1e3", "0.0000001"]),
    st.text(max_size=6),
)
media_range = st.builds(
    lambda m, q, extra: m + (f";q={q}" if q is not None else "") + extra,
    st.one_of(st.sampled_from(MEDIA), st.text(max_size=20)),
    st.one_of(st.none(), q_value),
    st.sampled_from(["", ";charset=utf-8", ";level=1", ";;", ";q", "; q = 0.3", ";profile=\"x\""]),
)
accept_header = st.builds(lambda parts, sep: sep.join(parts), st.lists(media_range, max_size=6), st.sampled_from([",", ", ", " ,", ",,"]))

TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s", "?p", "?o", "*", ".", ";", ",",
    "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "AS", "VALUES", "LIMIT", "5", "OFFSET", "ORDER", "BY",
    "GROUP", "COUNT", "DISTINCT", "REGEX", "STR", "LANG", "\"x\"", "'y'@ar", "\"\"\"z\"\"\"", "<http://a/b>", "a",
    "rdfs:label", "PREFIX", "rdfs:", "<http://www.w3.org/2000/01/rdf-schema#>", "BASE", "<>", "#", "\n", "\\u0041",
    "SERVICE", "INSERT", "DATA", "LOAD", "CLEAR", "|", "/", "^", "+", "?", "!", "=", "<", ">", "&&", "||", "1.5e3",
    "true", "_:b", "[", "]", "EXISTS", "NOT", "IN", "SUBSTR", "NOW()", "UUID()", "\u202e", "قطر", "\x00", "\ufffd",
]
sparqlish = st.builds(" ".join, st.lists(st.sampled_from(TOKENS), max_size=30))
format_value = st.one_of(
    st.none(),
    st.sampled_from(["json", "xml", "csv", "tsv", "ttl", "turtle", "jsonld", "nt", "rdf", "html", "JSON", "text/csv", "", "srj", "*/*"]),
    st.text(max_size=12),
)


@FUZZ
@given(query=st.one_of(sparqlish, st.text(max_size=200)), accept=st.one_of(st.none(), accept_header), fmt=format_value,
       method=st.sampled_from(["GET", "POST-form", "POST-direct"]))
def test_query_and_negotiation_never_5xx_or_hang(server: str, query: str, accept: str | None, fmt: str | None, method: str) -> None:
    headers: dict[str, bytes] = {}
    if accept is not None:
        headers["Accept"] = header_bytes(accept)
    params = {"query": query, **({"format": fmt} if fmt is not None else {})}
    with httpx.Client(timeout=TIMEOUT + MARGIN) as client:
        if method == "GET":
            r = client.get(f"{server}/sparql", params=params, headers=headers)
        elif method == "POST-form":
            r = client.post(f"{server}/sparql", data=params, headers=headers)
        else:
            r = client.post(f"{server}/sparql", params={"format": fmt} if fmt is not None else None,
                            content=query.encode("utf-8", "surrogatepass"),
                            headers={**headers, "Content-Type": "application/sparql-query"})
    assert acceptable(r.status_code, dict(r.headers)), (r.status_code, r.text[:500])


@FUZZ
@given(accept=st.one_of(st.none(), accept_header), path=st.sampled_from(["/doc/state/qat", "/id/state/qat", "/", "/ontology", "/dumps/", "/.well-known/void", "/types/"]),
       suffix=st.sampled_from(["", ".ttl", ".jsonld", ".nt", ".rdf", ".html", ".xyz", "."]))
def test_page_negotiation_never_5xx_or_hang(server: str, accept: str | None, path: str, suffix: str) -> None:
    headers = {"Accept": header_bytes(accept)} if accept is not None else {}
    target = path + suffix if path.startswith("/doc/") else path
    r = httpx.get(server + target, headers=headers, timeout=TIMEOUT + MARGIN)
    assert acceptable(r.status_code, dict(r.headers)), (target, accept, r.status_code, r.text[:300])
