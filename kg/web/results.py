"""Serializing a ``QueryResult`` to each results or RDF format.

- SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)
  is written here, term by term;
- XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV
  (https://www.w3.org/TR/sparql11-results-csv-tsv/) are produced by Oxigraph's
  own serializers from that JSON, so escaping follows the specs exactly;
  ASK in CSV/TSV (which define no boolean) is Jena's one-cell table;
- CONSTRUCT / DESCRIBE triples go through ``pyoxigraph.serialize``; N-Quads
  and TriG put them in the default graph; JSON-LD is compacted (``kg.rdf.jsonld``).

Also the small lookups the endpoint needs: which formats a query form
offers, and the ``format=`` parameter's names.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.errors import BadQuery
from kg.rdf import formats as F
from kg.rdf import jsonld
from kg.store.base import QueryResult, Term

SELECT_OFFERED: tuple[F.Format, ...] = (F.RESULTS_JSON, F.RESULTS_XML, F.RESULTS_CSV, F.RESULTS_TSV, F.HTML)
ASK_OFFERED: tuple[F.Format, ...] = SELECT_OFFERED  # CSV/TSV: a one-column ``_askResult`` table, as Jena writes it
GRAPH_OFFERED: tuple[F.Format, ...] = (F.TURTLE, F.NTRIPLES, F.JSONLD, F.RDFXML, F.NQUADS, F.TRIG, F.HTML)

# media types clients send in the wild, per query form, with what we answer in
ALIASES: dict[str, dict[str, F.Format]] = {
    "select": {"application/json": F.RESULTS_JSON, "application/xml": F.RESULTS_XML, "text/xml": F.RESULTS_XML},
    "ask": {"application/json": F.RESULTS_JSON, "application/xml": F.RESULTS_XML, "text/xml": F.RESULTS_XML},
    "graph": {"application/x-turtle": F.TURTLE, "application/turtle": F.TURTLE, "text/plain": F.NTRIPLES,
              "application/json": F.JSONLD, "application/x-json+ld": F.JSONLD,
              "application/xml": F.RDFXML, "text/xml": F.RDFXML,
              # a client that sends a results format for every query (roqet does): the
              # graph in the matching syntax, labelled as what it is, as Fuseki and Virtuoso answer
              F.RESULTS_XML.media_type: F.RDFXML, F.RESULTS_JSON.media_type: F.JSONLD},
}
RELABELLED = frozenset({F.RESULTS_XML.media_type, F.RESULTS_JSON.media_type})
"""Aliases answered with the real format's own media type (the body is not a results document)."""

# ``format=`` values (name, file suffix or media type)
PARAM_NAMES: dict[str, F.Format] = {}
for _f in (*F.RESULT_FORMATS, *F.GRAPH_FORMATS, F.HTML):
    PARAM_NAMES[_f.name] = _f
    PARAM_NAMES[_f.suffix] = _f
    PARAM_NAMES[_f.media_type] = _f
PARAM_NAMES.update({"n-triples": F.NTRIPLES, "n-quads": F.NQUADS, "json-ld": F.JSONLD, "rdf": F.RDFXML, "rdf+xml": F.RDFXML,
                    "ttl": F.TURTLE, "nt": F.NTRIPLES, "nq": F.NQUADS})
FORMAT_PARAMS = ("format", "output", "results")
"""Parameter names that pick a format, as Jena's Fuseki reads them (SPARQLWrapper
sends all three): the first one present counts, the others are ignored."""


def offered(kind: str) -> tuple[F.Format, ...]:
    return {"select": SELECT_OFFERED, "ask": ASK_OFFERED}.get(kind, GRAPH_OFFERED)


def format_named(value: str, kind: str) -> F.Format | None:
    """The format one ``format=`` value names for a query form, offered or
    not; ``None`` if the value names nothing we know. A value may be a
    comma-separated list of media types (SPARQLWrapper sends
    ``application/ld+json,application/x-json+ld``): its first known item counts.
    ``json``/``xml`` mean JSON-LD/RDF-XML for a graph."""
    for item in value.split(","):
        name = item.partition(";")[0].strip().lower()
        fmt = PARAM_NAMES.get(name) or ALIASES.get(kind, ALIASES["graph"]).get(name)
        if fmt is None:
            continue
        if kind == "graph" and fmt in (F.RESULTS_JSON, F.RESULTS_XML):
            fmt = F.JSONLD if fmt is F.RESULTS_JSON else F.RDFXML
        return fmt
    return None


def format_param(values: list[str], kind: str) -> F.Format | None:
    """The one format the ``format=``/``output=``/``results=`` values name,
    ``None`` if none names a known format (Accept decides then).
    Values naming two different formats are a client error; unknown ones
    (``n3``, empty) are ignored. Whether the query form offers the format is
    the caller's check (406)."""
    named = {fmt for fmt in (format_named(v, kind) for v in values) if fmt is not None}
    if len(named) > 1:
        raise BadQuery("the format parameters name different formats: " + ", ".join(sorted(repr(v) for v in values)))
    return named.pop() if named else None


def choose(accept: str | None, kind: str) -> tuple[F.Format, str] | None:
    """(format, media type to label the response with) for an Accept header, or None → 406."""
    forms = offered(kind)
    candidates = [f.media_type for f in forms] + list(ALIASES[kind])
    media_type = F.negotiate(accept, candidates)
    if media_type is None:
        return None
    fmt = next((f for f in forms if f.media_type == media_type), None) or ALIASES[kind][media_type]
    return fmt, fmt.media_type if media_type in RELABELLED else media_type


# --- SELECT / ASK ---------------------------------------------------------------------


def term_json(term: Term | ox.Triple) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # SPARQL 1.2 triple terms
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(result: QueryResult, *, links: list[str] | None = None) -> bytes:
    head: dict[str, object] = {"vars": list(result.variables)} if result.kind == "select" else {}
    if links:
        head["link"] = links
    if result.kind == "ask":
        doc: dict[str, object] = {"head": head, "boolean": bool(result.boolean)}
    else:
        bindings = [{v: term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None} for row in result.rows]
        doc = {"head": head, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_OX_RESULTS = {
    F.RESULTS_XML: ox.QueryResultsFormat.XML,
    F.RESULTS_CSV: ox.QueryResultsFormat.CSV,
    F.RESULTS_TSV: ox.QueryResultsFormat.TSV,
}


# The CSV/TSV results formats define no boolean; Jena's writers answer ASK
# with a one-column table named ``_askResult`` (RowSetWriterCSV/TSV), byte for byte:
ASK_TABLE = {
    F.RESULTS_CSV: "_askResult\r\n{}\r\n",  # CSV rows end in CRLF (RFC 4180, SPARQL 1.1 CSV §2)
    F.RESULTS_TSV: "?_askResult\n{}\n",  # TSV names variables with their '?'; rows end in LF
}


def serialize(result: QueryResult, fmt: F.Format, *, prefixes: dict[str, str] | None = None,
              links: list[str] | None = None) -> bytes:
    """The bytes of ``result`` in ``fmt`` (any offered format except HTML)."""
    if result.kind == "ask" and fmt in ASK_TABLE:
        return ASK_TABLE[fmt].format("true" if result.boolean else "false").encode("utf-8")
    if result.kind in ("select", "ask"):
        body = results_json(result, links=links if fmt is F.RESULTS_JSON else None)
        if fmt is F.RESULTS_JSON:
            return body
        if fmt not in _OX_RESULTS:
            raise ValueError(f"{fmt.media_type} is not offered for {result.kind.upper()}")
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        return F.serialized(parsed.serialize(format=_OX_RESULTS[fmt]))
    rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
    if rdf_format is None:
        raise ValueError(f"{fmt.media_type} is not an RDF format")
    if rdf_format == ox.RdfFormat.JSON_LD:  # compacted, with the whole context inline
        return jsonld.dumps(result.triples, prefixes or {})
    items: list = list(result.triples)
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in items]
    used = used_prefixes(result.triples, prefixes or {})
    if used and rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return F.serialized(ox.serialize(items, format=rdf_format, prefixes=used))
    return F.serialized(ox.serialize(items, format=rdf_format))


def serialize_rows(result: QueryResult, media_type: str, links: list[str] | None = None) -> bytes:
    """SELECT / ASK results as ``media_type`` (a results format), for a query
    worker: passed to it as ``functools.partial(serialize_rows, …)`` (picklable
    by reference, and by media type, since ``F.Format`` is compared by
    identity), so only bytes come back over the pipe. ``links`` go into the
    JSON head only when the result was truncated, as in ``kg.web.sparql``."""
    return serialize(result, F.BY_MEDIA_TYPE[media_type], links=links if result.truncated else None)


def used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes some IRI in ``triples`` starts with (no 40-line preamble for 3 triples)."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}
