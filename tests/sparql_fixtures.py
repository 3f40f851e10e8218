"""Helpers for the /sparql tests: a real uvicorn server over a built release,
with the query executor (worker processes) in front of the store, and the W3C
protocol test graphs loaded as extra named graphs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import NO_SHARED, SHARED
from live import serve

from kg.config import Settings
from kg.release.directory import Release
from kg.store.embedded import release_files
from kg.store.executor import QueryExecutor
from kg.web.app import create_app

W3C = SHARED / "w3c"
PROTOCOL = W3C / "sparql11-protocol"
KASEI = "http://kasei.us/2009/09/sparql/data/"
HAVE_W3C = (PROTOCOL / "manifest.ttl").is_file()
needs_w3c = pytest.mark.skipif(not HAVE_W3C, reason=f"needs the W3C test graphs and manifests: {NO_SHARED}")


def w3c_graphs() -> tuple[tuple[str, str, str], ...]:
    """data1.nt–data3.nt in the named graphs the manifest labels them with
    (none without ../shared: the tests that read them skip)."""
    if not HAVE_W3C:
        return ()
    return tuple(
        (str(PROTOCOL / f"data{i}.nt"), ox.RdfFormat.N_TRIPLES.media_type, f"{KASEI}data{i}.rdf") for i in (1, 2, 3)
    )


@contextmanager
def sparql_server(release: Release, settings: Settings, *, with_w3c: bool = True) -> Iterator[tuple[str, QueryExecutor]]:
    files = release_files(release.path, release.base_iri) + (w3c_graphs() if with_w3c else ())  # in memory: extra graphs
    executor = QueryExecutor.for_files(files, settings)
    try:
        app = create_app(settings, executor, release)
        with serve(app) as url:
            yield url, executor
    finally:
        executor.close()


def term_key(binding: dict | None) -> str | None:
    """A SPARQL JSON term as N-Triples-like text, for comparing answers."""
    if binding is None:
        return None
    t, v = binding["type"], binding["value"]
    if t == "uri":
        return f"<{v}>"
    if t == "bnode":
        return "_:"
    if "xml:lang" in binding:
        return f'"{v}"@{binding["xml:lang"]}'
    dt = binding.get("datatype", "http://www.w3.org/2001/XMLSchema#string")
    return f'"{v}"^^<{dt}>'


def ox_key(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return "_:"
    assert isinstance(term, ox.Literal)
    if term.language:
        return f'"{term.value}"@{term.language}'
    return f'"{term.value}"^^<{term.datatype.value}>'


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
