"""Describe one resource, once; serializers and the HTML pages read the result.

A description (``Description``) holds, for an IRI:

* its own statements, each in the graph that holds it: those about the IRI,
  about its fragment nodes (``{iri}#part``: evidence, roles, intervals, which
  have no document of their own), and, when the IRI names a graph (a fact, a
  claim), everything in that graph;
* the statements of other resources that point at it (bounded, ``INCOMING``);
* the ``rdfs:label`` of everything it mentions, in every language;
* the provenance of each statement: the fact or claim graphs asserting it,
  each with its article, the verbatim quote (``oa:exact``) and its offsets.

The queries live in ``kg/queries/*.rq``; values are passed as bindings, never
formatted into query text. The Web layer turns a description into RDF
(``to_triples`` then ``serialize``) or HTML from the same object.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.config import DEFAULT_BASE_IRI
from kg.rdf import jsonld
from kg.rdf.formats import serialized
from kg.rdf.vocab import OA, PROV
from kg.store.base import QueryResult, Store, Term

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
INCOMING = 100
"""Incoming statements kept in a description; the page says when there are more."""
MAX_STATEMENTS = 5000
"""Own statements kept; a graph larger than this is cut (and says so)."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@cache
def _raw_query(name: str) -> str:
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


def query_text(name: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The text of ``kg/queries/{name}.rq`` with our own namespace moved to
    ``base`` (the queries spell it under the default base, as the ontology does)."""
    text = _raw_query(name)
    return text if base == DEFAULT_BASE_IRI else text.replace(DEFAULT_BASE_IRI, base)


def run(store: Store, name: str, *, base: str, **bindings: Term) -> QueryResult:
    """Run a named query; the one door from this layer to the store. The app's
    own queries queue for a slot of the executor rather than being refused."""
    return store.query(query_text(name, base), bindings=bindings or None, queue=True)


@dataclass(frozen=True)
class Evidence:
    """One quote supporting a statement: which fact, which article, where."""

    fact: str
    article: str
    annotation: str
    exact: str
    start: int
    end: int
    target: str = ""
    quote: str = ""
    position: str = ""

    @property
    def anchor(self) -> str:
        """The id of the highlighted span on the article page."""
        return f"span-{self.start}-{self.end}"


@dataclass
class Description:
    iri: str
    base: str = DEFAULT_BASE_IRI
    quads: list[ox.Quad] = field(default_factory=list)
    incoming: list[ox.Triple] = field(default_factory=list)
    incoming_truncated: bool = False
    truncated: bool = False
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    evidence: dict[ox.Triple, list[Evidence]] = field(default_factory=dict)

    def triples(self) -> list[ox.Triple]:
        """Own statements as the union of their graphs, de-duplicated, in a stable order."""
        return sorted({q.triple for q in self.quads}, key=_triple_key)

    def about(self, subject: str) -> list[ox.Triple]:
        return [t for t in self.triples() if isinstance(t.subject, ox.NamedNode) and t.subject.value == subject]

    def types(self) -> list[str]:
        return sorted({t.object.value for t in self.about(self.iri) if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)})

    def fragments(self) -> list[str]:
        """Fragment nodes ``{iri}#part`` that have statements of their own, in order."""
        prefix = self.iri + "#"
        return sorted({t.subject.value for t in self.triples() if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefix)}, key=_natural)

    def graph_content(self) -> list[ox.Triple]:
        """What the graph named by this IRI asserts (empty unless it names one)."""
        return sorted({q.triple for q in self.quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == self.iri}, key=_triple_key)


def as_iri(text: str) -> ox.NamedNode | None:
    """``text`` as an IRI, or ``None`` when it is not one (a request path with a
    space, a quote, a backslash …): such a thing is unknown here, not an error."""
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def exists(store: Store, iri: str, *, base: str) -> bool:
    this = as_iri(iri)
    return this is not None and bool(run(store, "resource_exists", base=base, this=this).boolean)


def describe(store: Store, iri: str, *, base: str) -> Description | None:
    """Everything a page or an RDF document about ``iri`` shows; ``None`` if unknown."""
    this = as_iri(iri)
    if this is None:
        return None
    desc = Description(iri, base)
    own = run(store, "resource_quads", base=base, this=this)
    for row in own.dicts()[:MAX_STATEMENTS]:
        s, g = row.get("s", this), row.get("g", this)
        desc.quads.append(ox.Quad(s, row["p"], row["o"], g))  # type: ignore[arg-type]
    desc.truncated = len(own.rows) > MAX_STATEMENTS
    if not desc.quads and not exists(store, iri, base=base):
        return None
    incoming = run(store, "resource_incoming", base=base, this=this).dicts()
    desc.incoming = [ox.Triple(r["s"], r["p"], this) for r in incoming[:INCOMING]]  # type: ignore[arg-type]
    desc.incoming_truncated = len(incoming) > INCOMING
    label_rows = [row for name in ("resource_labels", "resource_labels_types", "resource_labels_articles")
                  for row in run(store, name, base=base, this=this).dicts()]
    for row in label_rows:
        label = row["label"]
        if isinstance(label, ox.Literal):
            desc.labels.setdefault(row["x"].value, {}).setdefault(label.language or "", label.value)
    evidence: dict[ox.Triple, set[Evidence]] = defaultdict(set)
    for row in run(store, "resource_provenance", base=base, this=this).dicts():
        triple = ox.Triple(row.get("s", this), row["p"], row["o"])  # type: ignore[arg-type]
        evidence[triple].add(Evidence(
            fact=row["fact"].value, article=row["article"].value, annotation=row["ann"].value,
            exact=row["exact"].value, start=int(row["start"].value), end=int(row["end"].value),
            target=row["target"].value, quote=row["quote"].value, position=row["position"].value,
        ))
    desc.evidence = {t: sorted(ev, key=lambda e: (e.article, e.start, e.fact)) for t, ev in evidence.items()}
    return desc


def to_triples(desc: Description, *, extra: list[ox.Triple] = ()) -> list[ox.Triple]:  # type: ignore[assignment]
    """The description as one RDF graph: own statements, incoming ones, labels
    of what they mention, and provenance — each statement that a fact asserts is
    reified (``rdf:Statement`` … ``prov:wasDerivedFrom`` the fact), and each
    fact's evidence is given with its quote and offsets, as in the dataset."""
    out: set[ox.Triple] = set(desc.triples()) | set(desc.incoming) | set(extra)
    label = ox.NamedNode(RDFS_LABEL)
    for iri, by_lang in desc.labels.items():
        for lang, text in by_lang.items():
            out.add(ox.Triple(ox.NamedNode(iri), label, ox.Literal(text, language=lang) if lang else ox.Literal(text)))
    for n, triple in enumerate(sorted(desc.evidence, key=_triple_key), 1):
        st = ox.BlankNode(f"statement{n}")
        out.update({
            ox.Triple(st, ox.NamedNode(RDF_TYPE), ox.NamedNode(_RDF + "Statement")),
            ox.Triple(st, ox.NamedNode(_RDF + "subject"), triple.subject),
            ox.Triple(st, ox.NamedNode(_RDF + "predicate"), triple.predicate),
            ox.Triple(st, ox.NamedNode(_RDF + "object"), triple.object),
        })
        for ev in desc.evidence[triple]:
            out.add(ox.Triple(st, ox.NamedNode(str(PROV.wasDerivedFrom)), ox.NamedNode(ev.fact)))
            out.update(_evidence_triples(ev, desc))
    return sorted(out, key=_triple_key)


def _evidence_triples(ev: Evidence, desc: Description) -> list[ox.Triple]:
    N, L = ox.NamedNode, ox.Literal
    qn = lambda local: N(desc.base + "ontology#" + local)  # noqa: E731
    xsd_nni = N("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
    fact, ann = N(ev.fact), N(ev.annotation)
    out = [
        ox.Triple(fact, qn("article"), N(ev.article)),
        ox.Triple(fact, qn("evidence"), ann),
        ox.Triple(ann, N(RDF_TYPE), N(str(OA.Annotation))),
    ]
    if ev.target:
        tgt, quote, pos = N(ev.target), N(ev.quote), N(ev.position)
        out += [
            ox.Triple(ann, N(str(OA.hasTarget)), tgt),
            ox.Triple(tgt, N(str(OA.hasSource)), N(ev.article)),
            ox.Triple(tgt, N(str(OA.hasSelector)), quote),
            ox.Triple(tgt, N(str(OA.hasSelector)), pos),
            ox.Triple(quote, N(RDF_TYPE), N(str(OA.TextQuoteSelector))),
            ox.Triple(quote, N(str(OA.exact)), L(ev.exact, language="ar")),
            ox.Triple(pos, N(RDF_TYPE), N(str(OA.TextPositionSelector))),
            ox.Triple(pos, N(str(OA.start)), L(str(ev.start), datatype=xsd_nni)),
            ox.Triple(pos, N(str(OA.end)), L(str(ev.end), datatype=xsd_nni)),
        ]
    return out


def serialize(triples: list[ox.Triple], media_type: str, prefixes: dict[str, str]) -> bytes:
    """Bytes of ``triples`` in the RDF syntax named by ``media_type``."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"not an RDF media type: {media_type}")
    if fmt == ox.RdfFormat.JSON_LD:
        return jsonld.dumps(triples, prefixes)
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        used = {p: ns for p, ns in prefixes.items() if any(_mentions(t, ns) for t in triples)}
        return serialized(ox.serialize(triples, format=fmt, prefixes=used))
    return serialized(ox.serialize(triples, format=fmt))


def _mentions(t: ox.Triple, ns: str) -> bool:
    return any(isinstance(x, ox.NamedNode) and x.value.startswith(ns) for x in (t.subject, t.predicate, t.object)) or (
        isinstance(t.object, ox.Literal) and t.object.datatype.value.startswith(ns)
    )


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def _natural(s: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


__all__ = ["Description", "Evidence", "describe", "exists", "query_text", "run", "serialize", "to_triples"]
