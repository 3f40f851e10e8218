"""Compacted JSON-LD with one shared ``@context``, written as it reads.

Why not ``pyoxigraph.serialize(..., format=JSON_LD)``: pyoxigraph 0.5 writes
*expanded* JSON-LD (every IRI in full, every value in an array) and ignores
``prefixes``, so a reader sees ``"http://www.w3.org/2000/01/rdf-schema#label"``
where a person expects ``"rdfs:label"``. Why not pyld's ``compact``: it
holds the whole document in memory several times over, which the dumps
(docs/build.md: memory flat in the number of articles) cannot afford.

The output is what JSON-LD 1.1 compaction (https://www.w3.org/TR/json-ld11-api/#compaction-algorithms)
gives for the context ``context(prefixes)``, restricted to the forms RDF
needs, so nothing is lost and every processor reads it without fetching
anything (the context is inline):

* IRIs become compact IRIs ``prefix:local`` with the longest matching
  namespace (never with an empty local part or one starting ``//``);
* ``rdf:type`` with IRI or blank-node objects becomes ``@type``;
* ``xsd:string`` literals are plain JSON strings; language-tagged ones are
  ``{"@value", "@language"}``; every other literal keeps its lexical form as
  ``{"@value", "@type"}`` (never a JSON number, so ``"05"^^xsd:integer`` and
  ``"5"^^xsd:nonNegativeInteger`` survive unchanged);
* a property with one value is not wrapped in an array;
* each named graph is ``{"@id": g, "@graph": [...]}``; the default graph's
  nodes sit at the top level of ``@graph``.

Output is deterministic for a given input order: the dumps feed it sorted
N-Quads / N-Triples, documents sort in ``dumps``. One node object per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CONTEXT_PATH = "/context.jsonld"
"""Where ``kg serve`` publishes the context on its own (docs/linked-data.md)."""


class Sink(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


def context(prefixes: dict[str, str]) -> dict[str, str]:
    """The ``@context`` value: one term per prefix, in name order (stable bytes).

    Only namespaces ending in ``/`` or ``#`` are kept: JSON-LD 1.1 uses a
    simple term as a prefix only then (§4.1.5 "prefix flag")."""
    return {name: ns for name, ns in sorted(prefixes.items()) if ns.endswith(("/", "#"))}


def context_document(prefixes: dict[str, str]) -> bytes:
    """``{"@context": ...}`` as served at ``CONTEXT_PATH``."""
    return (json.dumps({"@context": context(prefixes)}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class Compactor:
    """IRI compaction against one context (longest namespace first)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.context = context(prefixes)
        self._by_length = sorted(self.context.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self._cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        hit = self._cache.get(iri)
        if hit is not None:
            return hit
        out = iri
        for name, ns in self._by_length:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                out = f"{name}:{iri[len(ns):]}"
                break
        else:
            scheme = iri.partition(":")[0]
            if scheme in self.context:  # would be read back as a compact IRI (JSON-LD "IRI confused with prefix")
                raise ValueError(f"IRI {iri!r} cannot be written: its scheme is a prefix of the JSON-LD context")
        if len(self._cache) < 100_000:
            self._cache[iri] = out
        return out

    def node_id(self, term: ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        raise TypeError(f"JSON-LD cannot name {term!r} (RDF 1.2 triple terms are not supported)")

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(datatype)}
        return {"@id": self.node_id(term)}


class CompactWriter:
    """Triples or quads in, one compacted JSON-LD document out, node by node.

    Statements about the same subject in the same graph that arrive together
    become one node object (sorted input makes that every node); a subject
    seen again later simply gets a second node object, which JSON-LD merges
    on reading. Memory: one node at a time."""

    def __init__(self, out: Sink, prefixes: dict[str, str]) -> None:
        self.out = out
        self.c = Compactor(prefixes)
        self._graph: str | None = None  # compacted name of the open named graph, "" for the default
        self._subject: ox.NamedNode | ox.BlankNode | None = None
        self._props: dict[str, list[object]] = {}
        self._first_top = True
        self._first_in_graph = True
        head = json.dumps(self.c.context, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self.out.write(f'{{\n  "@context": {head},\n  "@graph": ['.encode())

    def add(self, statement: ox.Triple | ox.Quad) -> None:
        graph = ""
        if isinstance(statement, ox.Quad) and not isinstance(statement.graph_name, ox.DefaultGraph):
            graph = self.c.node_id(statement.graph_name)
        subject, predicate, obj = statement.subject, statement.predicate, statement.object
        if graph != self._graph:
            self._flush_node()
            self._switch_graph(graph)
        if subject != self._subject:
            self._flush_node()
            self._subject = subject  # type: ignore[assignment]
        value: object
        if predicate.value == RDF_TYPE and not isinstance(obj, ox.Literal):
            key, value = "@type", self.c.node_id(obj)  # type: ignore[arg-type]
        else:
            key, value = self.c.iri(predicate.value), self.c.value(obj)  # type: ignore[arg-type]
        self._props.setdefault(key, []).append(value)

    def close(self) -> None:
        self._flush_node()
        self._switch_graph(None)
        self.out.write(b"\n  ]\n}\n")

    # -- writing --------------------------------------------------------------
    def _switch_graph(self, graph: str | None) -> None:
        if self._graph:  # close the open named graph
            self.out.write(b"\n    ]}")
        self._graph = graph
        if graph:
            self._write_top(f'{{"@id":{_json(graph)},"@graph":[')
            self._first_in_graph = True

    def _write_top(self, text: str) -> None:
        sep = "\n    " if self._first_top else ",\n    "
        self._first_top = False
        self.out.write((sep + text).encode("utf-8"))

    def _flush_node(self) -> None:
        if self._subject is None:
            return
        node: dict[str, object] = {"@id": self.c.node_id(self._subject)}
        types = self._props.pop("@type", None)
        if types is not None:
            node["@type"] = types[0] if len(types) == 1 else types
        for key, values in self._props.items():
            node[key] = values[0] if len(values) == 1 else values
        text = _json(node)
        if self._graph:
            sep = "\n      " if self._first_in_graph else ",\n      "
            self._first_in_graph = False
            self.out.write((sep + text).encode("utf-8"))
        else:
            self._write_top(text)
        self._subject, self._props = None, {}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(statements: Iterable[ox.Triple | ox.Quad], out: Sink, prefixes: dict[str, str]) -> None:
    """Stream ``statements`` (grouped by graph, then subject, for one node each) to ``out``."""
    writer = CompactWriter(out, prefixes)
    for s in statements:
        writer.add(s)
    writer.close()


class _Buffer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(data)
        return len(data)


def dumps(statements: Iterable[ox.Triple | ox.Quad], prefixes: dict[str, str]) -> bytes:
    """A small graph or dataset (a document, a CONSTRUCT answer) as bytes:
    sorted first, so equal graphs give equal bytes and each node is written once."""
    def key(s: ox.Triple | ox.Quad) -> tuple[str, str, str, str]:
        g = "" if not isinstance(s, ox.Quad) or isinstance(s.graph_name, ox.DefaultGraph) else str(s.graph_name)
        return (g, str(s.subject), str(s.predicate), str(s.object))

    buf = _Buffer()
    write(sorted(set(statements), key=key), buf, prefixes)
    return b"".join(buf.parts)
