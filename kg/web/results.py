"""Serializing a ``QueryResult`` to each results or RDF format.

- SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)
  is written here, term by term;
- XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV
  (https://www.w3.org/TR/sparql11-results-csv-tsv/) are produced by Oxigraph's
  own serializers from that JSON, so escaping follows the specs exactly;
- CONSTRUCT / DESCRIBE triples go through ``pyoxigraph.serialize``; N-Quads
  and TriG put them in the default graph; JSON-LD is compacted (``kg.jsonld``).

Also the small lookups the endpoint needs: which formats a query form
offers, and the ``format=`` parameter's names.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg import formats as F
from kg import jsonld
from kg.store.base import QueryResult, Term

SELECT_OFFERED: tuple[F.Format, ...] = (F.RESULTS_JSON, F.RESULTS_XML, F.RESULTS_CSV, F.RESULTS_TSV, F.HTML)
ASK_OFFERED: tuple[F.Format, ...] = (F.RESULTS_JSON, F.RESULTS_XML, F.HTML)  # CSV/TSV define no boolean
GRAPH_OFFERED: tuple[F.Format, ...] = (F.TURTLE, F.NTRIPLES, F.JSONLD, F.RDFXML, F.NQUADS, F.TRIG, F.HTML)

# media types clients send in the wild, per query form, with what we answer in
ALIASES: dict[str, dict[str, F.Format]] = {
    "select": {"application/json": F.RESULTS_JSON, "application/xml": F.RESULTS_XML, "text/xml": F.RESULTS_XML},
    "ask": {"application/json": F.RESULTS_JSON, "application/xml": F.RESULTS_XML, "text/xml": F.RESULTS_XML},
    "graph": {"application/x-turtle": F.TURTLE, "text/plain": F.NTRIPLES, "application/json": F.JSONLD,
              "application/xml": F.RDFXML, "text/xml": F.RDFXML},
}

# ``format=`` values (name, file suffix or media type)
PARAM_NAMES: dict[str, F.Format] = {}
for _f in (*F.RESULT_FORMATS, *F.GRAPH_FORMATS, F.HTML):
    PARAM_NAMES[_f.name] = _f
    PARAM_NAMES[_f.suffix] = _f
    PARAM_NAMES[_f.media_type] = _f
PARAM_NAMES.update({"n-triples": F.NTRIPLES, "n-quads": F.NQUADS, "json-ld": F.JSONLD, "rdf": F.RDFXML, "rdf+xml": F.RDFXML,
                    "ttl": F.TURTLE, "nt": F.NTRIPLES, "nq": F.NQUADS})


def offered(kind: str) -> tuple[F.Format, ...]:
    return {"select": SELECT_OFFERED, "ask": ASK_OFFERED}.get(kind, GRAPH_OFFERED)


def format_param(value: str, kind: str) -> F.Format | None:
    """The format a ``format=`` value names, if the query form offers it."""
    fmt = PARAM_NAMES.get(value.strip().lower())
    if fmt is None:
        if kind in ("select", "ask") and value.strip().lower() in ("json", "xml"):
            fmt = F.RESULTS_JSON if value.strip().lower() == "json" else F.RESULTS_XML
        else:
            return None
    if kind == "graph" and fmt in (F.RESULTS_JSON, F.RESULTS_XML):
        fmt = F.JSONLD if fmt is F.RESULTS_JSON else F.RDFXML  # "json"/"xml" for a graph
    return fmt if fmt in offered(kind) else None


def choose(accept: str | None, kind: str) -> tuple[F.Format, str] | None:
    """(format, media type to label the response with) for an Accept header, or None → 406."""
    forms = offered(kind)
    candidates = [f.media_type for f in forms] + list(ALIASES[kind])
    media_type = F.negotiate(accept, candidates)
    if media_type is None:
        return None
    fmt = next((f for f in forms if f.media_type == media_type), None) or ALIASES[kind][media_type]
    return fmt, media_type


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
        bindings = [{v: term_json(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
        doc = {"head": head, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_OX_RESULTS = {
    F.RESULTS_XML: ox.QueryResultsFormat.XML,
    F.RESULTS_CSV: ox.QueryResultsFormat.CSV,
    F.RESULTS_TSV: ox.QueryResultsFormat.TSV,
}


def serialize(result: QueryResult, fmt: F.Format, *, prefixes: dict[str, str] | None = None,
              links: list[str] | None = None) -> bytes:
    """The bytes of ``result`` in ``fmt`` (any offered format except HTML)."""
    if result.kind in ("select", "ask"):
        body = results_json(result, links=links if fmt is F.RESULTS_JSON else None)
        if fmt is F.RESULTS_JSON:
            return body
        if fmt not in _OX_RESULTS or (result.kind == "ask" and fmt is not F.RESULTS_XML):
            raise ValueError(f"{fmt.media_type} is not offered for {result.kind.upper()}")
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=_OX_RESULTS[fmt])
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
        return ox.serialize(items, format=rdf_format, prefixes=used)
    return ox.serialize(items, format=rdf_format)


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
