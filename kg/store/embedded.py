"""The embedded default store: Oxigraph, over a release's files.

A release built by ``kg build`` carries an on-disk (RocksDB) store, written
once by ``persist`` and opened read-only (``ON_DISK``) by every process that
queries it; a release without one (older builds, tests) is bulk-loaded into
memory from its dumps (``release_files``). ``OxigraphStore`` answers in the
process that holds it: the executor (``kg.store.executor``) runs it inside
worker processes, and applies the time limits and row caps, not this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

from kg.release.directory import Release
from kg.store.base import QueryResult, Store, Term
from kg.store.bindings import inline_bindings

DataFile = tuple[str, str, "str | None"]
"""(path, media type, graph IRI for triple formats): picklable, so a worker
process can load the same data (``kg.store.executor``)."""


ON_DISK = "application/x-oxigraph-store"
"""The media type of a ``DataFile`` that is an on-disk store directory, opened read-only."""


def release_files(root: Path, base_iri: str) -> tuple[DataFile, ...]:
    """A release's data as the store holds it: data graphs as named graphs,
    ontology and shapes in named graphs of their own, and the default graph =
    the union of the data graphs as a *set*.

    Oxigraph's ``use_default_graph_as_union`` yields a triple once per graph
    holding it (so COUNTs over the union would over-count a fact that two
    articles both support); loading the de-duplicated ``dataset.nt`` into the
    default graph gives RDF-merge semantics, as Jena's unionDefaultGraph does.
    """
    return (
        (str(root / "dataset.nq"), ox.RdfFormat.N_QUADS.media_type, None),
        (str(root / "dataset.nt"), ox.RdfFormat.N_TRIPLES.media_type, None),
        (str(root / "ontology.ttl"), ox.RdfFormat.TURTLE.media_type, base_iri + "ontology"),
        (str(root / "shapes.ttl"), ox.RdfFormat.TURTLE.media_type, base_iri + "shapes"),
    )


def embedded_files(release: Release) -> tuple[DataFile, ...]:
    """How a worker opens this release: its on-disk store, read-only, or (for a
    release built before stores were) its dump files, loaded into memory."""
    if release.store_dir is not None:
        return ((str(release.store_dir), ON_DISK, None),)
    return release_files(release.path, release.base_iri)


def embedded_store(release: Release) -> OxigraphStore:
    return OxigraphStore.load(embedded_files(release))


LOAD_LINES = 100_000
"""Statements per ``bulk_load`` call for line-based formats. One call over a
whole file batches a million quads per thread in memory (372 MB peak for
0.8 M statements, growing with the data); slices of 100 000 lines keep the
peak near 200 MB at any size, for ~30 % more load time (benchmarks/build_memory.py)."""


def persist(directory: Path, files: tuple[DataFile, ...]) -> None:
    """Load ``files`` into a new on-disk store at ``directory`` (release time).

    N-Quads and N-Triples (one statement per line) are loaded in slices of
    ``LOAD_LINES``, so memory does not grow with the release. Read-only opens
    by several processes at once are safe once this returns: nothing writes
    to a release's store again."""
    store = ox.Store(str(directory))
    for path, media_type, graph in files:
        fmt = ox.RdfFormat.from_media_type(media_type)
        to_graph = None if graph is None else ox.NamedNode(graph)
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
            for chunk in _line_slices(Path(path), LOAD_LINES):
                store.bulk_load(chunk, format=fmt, to_graph=to_graph)
        else:
            store.bulk_load(path=path, format=fmt, to_graph=to_graph)
    store.flush()
    store.optimize()
    del store


def _line_slices(path: Path, lines: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := b"".join(itertools.islice(fh, lines)):
            yield chunk


class OxigraphStore(Store):
    def __init__(self, store: ox.Store, files: tuple[DataFile, ...] = ()) -> None:
        self._store = store
        self.files = files  # how to load this store again elsewhere; () if unknown

    @classmethod
    def load(cls, files: tuple[DataFile, ...]) -> OxigraphStore:
        if len(files) == 1 and files[0][1] == ON_DISK:
            return cls(ox.Store.read_only(files[0][0]), files)
        store = ox.Store()
        for path, media_type, graph in files:
            fmt = ox.RdfFormat.from_media_type(media_type)
            with open(path, "rb") as fh:
                if graph is None:
                    store.bulk_load(fh, format=fmt)
                else:
                    store.bulk_load(fh, format=fmt, to_graph=ox.NamedNode(graph))
        return cls(store, files)

    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
        queue: bool = False,  # unused: never refuses, so nothing to wait for
    ) -> QueryResult:
        kwargs = dataset_kwargs(default_graph_uris, named_graph_uris)
        if base_iri:
            kwargs["base_iri"] = base_iri
        result = self._store.query(inline_bindings(sparql, bindings), **kwargs)
        return materialise(result, max_rows)

    def close(self) -> None:
        """Drop the handle now (RocksDB files stay open until the last reference goes)."""
        self._store = None  # type: ignore[assignment]


class QueryDataset(TypedDict, total=False):
    """The keyword arguments of ``pyoxigraph.Store.query`` that choose its dataset and base IRI."""

    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named_graphs: list[ox.NamedNode | ox.BlankNode]
    base_iri: str


def dataset_kwargs(default_graph_uris: list[str] | None, named_graph_uris: list[str] | None) -> QueryDataset:
    """The RDF dataset of a query (SPARQL 1.1 Protocol §2.1.4, Query §13.2).

    - ``default-graph-uri`` / ``named-graph-uri`` given: they *are* the
      dataset and override any FROM / FROM NAMED in the query (a kind left
      out is empty);
    - otherwise the query's own FROM / FROM NAMED, if it has any (Oxigraph
      applies them);
    - otherwise the store's default graph — for a release, the de-duplicated
      union of the data graphs (``embedded_store``) — and every
      named graph.
    """
    if default_graph_uris is not None or named_graph_uris is not None:
        return {
            "default_graph": [ox.NamedNode(u) for u in default_graph_uris or ()],
            "named_graphs": [ox.NamedNode(u) for u in named_graph_uris or ()],
        }
    return {}



def materialise(result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple], max_rows: int | None = None) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[tuple[Term | None, ...]] = []
        truncated = False
        for solution in result:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append(tuple(solution[v] for v in variables))
        return QueryResult("select", variables=variables, rows=rows, truncated=truncated)
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:  # QueryTriples
        if max_rows is not None and len(triples) >= max_rows:
            truncated = True
            break
        triples.append(triple)
    return QueryResult("graph", triples=triples, truncated=truncated)
