"""Media types ↔ formats ↔ file suffixes, and one pure ``negotiate()``.

The tables are plain data with the spec of each entry; ``negotiate`` follows
RFC 9110 §12.5.1 (Accept, q-values, ``type/*``, ``*/*``, ``q=0`` excludes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    media_type: str
    suffix: str
    name: str
    spec: str
    charset: bool = True  # text-based: Content-Type carries charset=utf-8
    label: str = ""
    """The name people read (DCAT distribution titles, the dumps page)."""
    w3c: str = ""
    """Its IRI in the W3C format registry (http://www.w3.org/ns/formats/), for ``dcat:conformsTo``-style links."""

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


# SPARQL results (SELECT / ASK)
RESULTS_JSON = Format("application/sparql-results+json", "srj", "json", "https://www.w3.org/TR/sparql11-results-json/")
RESULTS_XML = Format("application/sparql-results+xml", "srx", "xml", "https://www.w3.org/TR/rdf-sparql-XMLres/")
RESULTS_CSV = Format("text/csv", "csv", "csv", "https://www.w3.org/TR/sparql11-results-csv-tsv/")
RESULTS_TSV = Format("text/tab-separated-values", "tsv", "tsv", "https://www.w3.org/TR/sparql11-results-csv-tsv/")

# RDF graphs and datasets
W3C_FORMATS = "http://www.w3.org/ns/formats/"
TURTLE = Format("text/turtle", "ttl", "turtle", "https://www.w3.org/TR/turtle/", label="Turtle", w3c=W3C_FORMATS + "Turtle")
NTRIPLES = Format("application/n-triples", "nt", "ntriples", "https://www.w3.org/TR/n-triples/", label="N-Triples", w3c=W3C_FORMATS + "N-Triples")
NQUADS = Format("application/n-quads", "nq", "nquads", "https://www.w3.org/TR/n-quads/", label="N-Quads", w3c=W3C_FORMATS + "N-Quads")
TRIG = Format("application/trig", "trig", "trig", "https://www.w3.org/TR/trig/", label="TriG", w3c=W3C_FORMATS + "TriG")
JSONLD = Format("application/ld+json", "jsonld", "jsonld", "https://www.w3.org/TR/json-ld11/", label="JSON-LD", w3c=W3C_FORMATS + "JSON-LD")
RDFXML = Format("application/rdf+xml", "rdf", "rdfxml", "https://www.w3.org/TR/rdf-syntax-grammar/", label="RDF/XML", w3c=W3C_FORMATS + "RDF_XML")

HTML = Format("text/html", "html", "html", "https://html.spec.whatwg.org/")

RESULT_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
GRAPH_FORMATS = (TURTLE, NTRIPLES, JSONLD, RDFXML, NQUADS, TRIG)
RESOURCE_FORMATS = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
DUMP_FORMATS = (NQUADS, TRIG, TURTLE, NTRIPLES, JSONLD)
"""What every release is written in (``dataset.<suffix>``, each also gzipped)."""

BY_MEDIA_TYPE = {f.media_type: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)}
# aliases clients send in the wild
BY_MEDIA_TYPE.update({
    "application/json": RESULTS_JSON,
    "application/xml": RESULTS_XML,
    "application/x-turtle": TURTLE,
    "text/plain": NTRIPLES,
    "application/xhtml+xml": HTML,
})


@dataclass(frozen=True)
class Range:
    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))


def weighted(header: str | None) -> list[tuple[str, float]]:
    """Each element of a weighted HTTP field (Accept, Accept-Encoding,
    Accept-Language: RFC 9110 §12.4.2), lower-cased, with its ``q`` clamped to
    0–1 (a malformed one is 0); other parameters dropped, empty elements skipped."""
    out = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        token = fields[0].lower()
        if not token:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((token, q))
    return out


def parse_accept(header: str | None) -> list[Range]:
    """Media ranges of an Accept header; malformed parts are skipped, as browsers expect."""
    if not header or not header.strip():
        return [Range("*", "*", 1.0)]
    ranges = []
    for media, q in weighted(header):
        if "/" not in media:
            continue
        t, _, s = media.partition("/")
        if not t or not s or (t == "*" and s != "*"):
            continue
        ranges.append(Range(t, s, q))
    return ranges


def quality(ranges: list[Range], media_type: str) -> float:
    """The q of the most specific range that matches (RFC 9110 precedence)."""
    best: Range | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


def negotiate(accept: str | None, offered: list[str] | tuple[str, ...]) -> str | None:
    """The offered media type the client prefers most; ties go to the server's
    order in ``offered``; ``None`` if nothing is acceptable (→ 406)."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


def serialized(data: bytes | None) -> bytes:
    """What a pyoxigraph serializer returns when given no ``output``: the bytes
    (its stubs say ``bytes | None``, since with an ``output`` it returns nothing)."""
    if data is None:
        raise TypeError("the serializer wrote to an output instead of returning bytes")
    return data


def negotiate_format(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """``negotiate`` over ``formats`` (in the server's order), where a plain
    ``application/json`` asks for JSON-LD when it is offered: a JSON-LD
    document is a JSON document (JSON-LD 1.1 §9), and JSON clients that know
    nothing of RDF send only that. Ties still go to the real media types."""
    offered = [f.media_type for f in formats]
    if JSONLD in formats:
        offered.append("application/json")
    media = negotiate(accept, offered)
    if media is None:
        return None
    return JSONLD if media == "application/json" else next(f for f in formats if f.media_type == media)
