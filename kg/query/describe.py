"""Describe one resource, once; serializers and the HTML pages read the result.

A description (``Description``) holds, for an IRI:

* its own statements, each in the graph that holds it: those about the IRI,
  about its fragment nodes (``{iri}#part``: evidence, roles, intervals, which
  have no document of their own), and, when the IRI names a graph (a fact, a
  claim), everything in that graph;
* the statements of other resources that point at it (all of them, in order);
* the ``rdfs:label`` of everything it mentions, in every language (of what
  points at it: per page, ``page_of``);
* the provenance of each statement: the fact or claim graphs asserting it,
  each with its article, the verbatim quote (``oa:exact``) and its offsets.

The queries live in ``kg/queries/*.rq``; values are passed as bindings, never
formatted into query text. The Web layer turns a description into RDF
(``to_triples`` then ``serialize``) or HTML from the same object.

A hub (NATO in a large corpus) has thousands of statements, so documents are
served a page at a time (``page_of``): the description's statements in one
fixed order — its own first (the card's: types and names, then the rest),
then those pointing at it — ``size`` to a page, each page with the labels and
provenance of what it holds. The union of the pages is the description.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.config import DEFAULT_BASE_IRI
from kg.rdf import jsonld
from kg.rdf.formats import serialized
from kg.rdf.vocab import OA, PROV
from kg.store.base import QueryResult, Store, Term
from kg.store.bindings import inline_table

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
MAX_STATEMENTS = 5000
"""Own statements kept; a graph larger than this is cut (and says so)."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@cache
def _raw_query(name: str) -> str:
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


def query_text(name: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The text of ``kg/queries/{name}.rq`` under a ``BASE <base>`` prologue.

    The queries spell our own terms as relative IRIs (``PREFIX qn: <ontology#>``,
    ``<graph/>``), so SPARQL's own IRI resolution (SPARQL 1.1 Query §4.1.1.1) binds
    them to the configured base once, in the engine that parses them — the same
    text runs on the embedded store and on a remote endpoint, with no rewriting."""
    return f"BASE <{base}>\n{_raw_query(name)}"


Table = tuple[Sequence[str], Sequence[Sequence[Term]]]
"""Variables and rows of a ``VALUES`` table (``run``'s ``table``)."""


def run(store: Store, name: str, *, base: str, table: Table | None = None,
        slice_: tuple[int, int] | None = None, **bindings: Term) -> QueryResult:
    """Run a named query; the one door from this layer to the store. The app's
    own queries queue for a slot of the executor rather than being refused.
    ``table``: (variables, rows) joined first, as a ``VALUES`` block (the items
    of one page of a list); ``slice_``: (limit, offset) appended to the query,
    numbers of ours (a page of a long list), never a client's text."""
    text = query_text(name, base)
    if slice_ is not None:
        limit, offset = (int(x) for x in slice_)
        text += f"\nLIMIT {limit} OFFSET {offset}"
    if table is None:
        return store.query(text, bindings=bindings or None, queue=True)
    names: list[str] = list(table[0])
    rows: list[tuple[Term, ...]] = [tuple(r) for r in table[1]]
    if bindings:  # one row of bindings joins every row of the table
        names = sorted(bindings) + names
        rows = [tuple(bindings[n] for n in sorted(bindings)) + r for r in rows]
    result: QueryResult | None = None
    for part in _chunks(rows):  # each query stays under the store's length limit
        got = store.query(inline_table(text, names, part), queue=True)
        if result is None:
            result = got
        else:
            result.rows.extend(got.rows)
            result.truncated = result.truncated or got.truncated
    assert result is not None, "a VALUES table needs at least one row"
    return result


TABLE_CHARS = 8000
"""Characters of VALUES rows in one query (the store refuses texts over ``max_query_length``)."""


def _chunks(rows: list[tuple[Term, ...]]) -> list[list[tuple[Term, ...]]]:
    """``rows`` cut into runs of at most ``TABLE_CHARS`` characters; the app's
    tables join each row on its own (no aggregate spans rows), so the answer
    of the whole table is the answers of its parts, one after the other."""
    out: list[list[tuple[Term, ...]]] = [[]]
    size = 0
    for row in rows:
        width = sum(len(str(t)) + 1 for t in row) + 3
        if out[-1] and size + width > TABLE_CHARS:
            out.append([])
            size = 0
        out[-1].append(row)
        size += width
    return out


CHUNK = 5000


def run_all(store: Store, name: str, *, base: str, **bindings: Term) -> list[dict[str, Term]]:
    """Every row of a named query (which must ORDER its rows): the ordered keys
    of a long list, read once per release. One query when the store returns
    it whole (the release's own store read in-process: ``kg.web.paging.list_store``);
    through a row cap, in LIMIT/OFFSET chunks, a chunk the cap cut short
    continued where it ended."""
    first = run(store, name, base=base, table=None, slice_=None, **bindings)
    if not first.truncated:
        return first.dicts()
    out: list[dict[str, Term]] = []
    while True:
        result = run(store, name, base=base, table=None, slice_=(CHUNK, len(out)), **bindings)
        out.extend(result.dicts())
        if not result.rows or (len(result.rows) < CHUNK and not result.truncated):
            return out


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
    ordered: tuple[list[ox.Triple], int] | None = field(default=None, repr=False, compare=False)
    """``statements`` and how many of them are own, once per (cached) description."""

    def triples(self) -> list[ox.Triple]:
        """Own statements as the union of their graphs, de-duplicated, in a stable order
        (sorted once: pages ask for them several times)."""
        cached = self.__dict__.get("_triples")
        if cached is None or cached[0] != len(self.quads):
            cached = self.__dict__["_triples"] = (len(self.quads), sorted({q.triple for q in self.quads}, key=_triple_key))
        return cached[1]

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


def describe(store: Store, iri: str, *, base: str, lists: Store | None = None) -> Description | None:
    """Everything a page or an RDF document about ``iri`` shows; ``None`` if
    unknown. ``lists``: a store that answers long lists whole (``run_all``)."""
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
    incoming = run_all(lists or store, "resource_incoming", base=base, this=this)
    desc.incoming = [ox.Triple(r["s"], r["p"], this) for r in incoming]  # type: ignore[arg-type]
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


CARD = (RDF_TYPE, RDFS_LABEL, "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#altLabel",
        "http://schema.org/description", "http://www.w3.org/2002/07/owl#sameAs")
"""Own statements that come first, so the first page always names the resource."""


def statements(desc: Description) -> list[ox.Triple]:
    """The description's statements in the order its pages cut: own ones (the
    resource's card first, then by subject, predicate, object), then incoming."""
    def key(t: ox.Triple) -> tuple:
        own = isinstance(t.subject, ox.NamedNode) and t.subject.value == desc.iri
        return (not own, not (own and t.predicate.value in CARD), _triple_key(t))

    if desc.ordered is None:
        own = sorted(desc.triples(), key=key)
        desc.ordered = (own + list(desc.incoming), len(own))
    return desc.ordered[0]


def page_count(desc: Description, size: int) -> int:
    return max(1, -(-len(statements(desc)) // size))


def page_of(store: Store, desc: Description, number: int, size: int) -> Description:
    """Page ``number`` (from 1) of ``desc``: ``size`` of its statements with
    their provenance and the labels of what they mention (those of incoming
    subjects and predicates read now, for this page only)."""
    start = (number - 1) * size
    items = statements(desc)[start : start + size]
    n_own = desc.ordered[1] if desc.ordered else 0
    own = set(items[: max(0, n_own - start)])
    page = Description(desc.iri, desc.base, truncated=desc.truncated)
    page.quads = [q for q in desc.quads if q.triple in own]
    page.incoming = items[max(0, n_own - start) :]
    page.evidence = {t: ev for t, ev in desc.evidence.items() if t in own}
    mentioned = {desc.iri} | {x.value for t in items for x in (t.subject, t.predicate, t.object) if isinstance(x, ox.NamedNode)}
    for ev in (e for evs in page.evidence.values() for e in evs):
        mentioned.update((ev.fact, ev.article))
    page.labels = {iri: by_lang for iri, by_lang in desc.labels.items() if iri in mentioned}
    wanted = sorted({x.value for t in page.incoming for x in (t.subject, t.predicate) if isinstance(x, ox.NamedNode)} - set(page.labels))
    if wanted:
        rows = run(store, "labels_of", base=desc.base, table=(["x"], [(ox.NamedNode(i),) for i in wanted])).dicts()
        for row in rows:
            label = row.get("label")
            if isinstance(label, ox.Literal):
                page.labels.setdefault(row["x"].value, {}).setdefault(label.language or "", label.value)
    return page


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
        iris = {x.value for t in triples for x in (t.subject, t.predicate, t.object) if isinstance(x, ox.NamedNode)}
        iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
        used = {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}  # distinct IRIs: one pass
        return serialized(ox.serialize(triples, format=fmt, prefixes=used))
    return serialized(ox.serialize(triples, format=fmt))


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def _natural(s: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


__all__ = ["Description", "Evidence", "describe", "exists", "page_count", "page_of", "query_text", "run", "run_all", "serialize", "statements", "to_triples"]
