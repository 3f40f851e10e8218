"""SHACL at scale: validate per batch of articles, in parallel, with the same shapes.

Why: pyshacl over the whole rdflib graph is super-linear and single-core; a
release is a union of independent articles that only share entities. So:

1. split the data by article — an article's fact and claim graphs, its
   provenance, its metadata — keyed by the article id in the IRIs
   ``{base}id/fact/{article}/…``, ``{base}id/claim/{article}/…``,
   ``{base}id/article/{article}``; local entities (``{base}id/*/bench-NNN…``
   or any IRI not referenced elsewhere) go with the article that mentions them;
2. add to each batch the *closure* of what it mentions: every triple of
   ``graph/entities`` whose subject the batch mentions (types, labels,
   ``within``), followed one more hop (the post's organisation …), and the
   ``rdf:type`` of every node the batch points at;
3. validate the entities no article mentions once, with their closure;
4. validate batches of ``batch`` articles in ``workers`` processes;
5. merge: a violation is (focus, path, value, shape, constraint, severity,
   message); duplicates from overlapping closures count once.

The merged set equals the whole-graph report whenever no shape needs two
articles at once (counts or uniqueness across articles); ``run.py`` checks
equality on every size where the whole-graph run is affordable.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

_ARTICLE_RE = re.compile(r"id/(?:fact|claim|article)/([a-z0-9][a-z0-9._-]*)")

_shapes: Graph | None = None
_ontology: Graph | None = None


def to_rdflib(term: ox.NamedNode | ox.Literal | ox.BlankNode):  # type: ignore[no-untyped-def]
    from rdflib import BNode

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))


def partition(nq_path: Path, base: str) -> tuple[list[tuple], dict[str, list[tuple]]]:
    """(entity-graph quads, {article id: quads}) from an N-Quads dump."""
    entities_graph = f"{base}graph/entities"
    shared: list[tuple] = []
    by_article: dict[str, list[tuple]] = defaultdict(list)
    with open(nq_path, "rb") as fh:
        for q in ox.parse(fh, format=ox.RdfFormat.N_QUADS):
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            t = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), URIRef(g) if g else None)
            if g == entities_graph:
                shared.append(t)
                continue
            m = _ARTICLE_RE.search(g) or _ARTICLE_RE.search(q.subject.value)
            by_article[m.group(1) if m else ""].append(t)
    return shared, dict(by_article)


def _init(shapes_dir: str, ontology_dir: str) -> None:
    global _shapes, _ontology
    from kg.validate import load_turtle_dir

    _shapes, _ontology = load_turtle_dir(Path(shapes_dir)), load_turtle_dir(Path(ontology_dir))


def _validate_batch(triples: list[tuple]) -> tuple[bool, list[tuple]]:
    from kg.validate import as_dataset, validate

    assert _shapes is not None
    report = validate(as_dataset(triples), _shapes, _ontology)  # named graphs kept, as kg.build does
    return report.conforms, [astuple(v) for v in report.violations]


def _closure(triples: list[tuple], by_subject: dict[URIRef, list[tuple]]) -> list[tuple]:
    out, seen = list(triples), set()
    frontier = {x for t in triples for x in (t[0], t[2]) if isinstance(x, URIRef)}
    for _hop in range(2):
        nxt: set[URIRef] = set()
        for node in frontier - seen:
            seen.add(node)
            for t in by_subject.get(node, ()):
                out.append(t)
                if isinstance(t[2], URIRef):
                    nxt.add(t[2])
        frontier = nxt
    # the types of every node the batch points at, for sh:class checks
    for node in {t[2] for t in out if isinstance(t[2], URIRef)} - seen:
        out += [t for t in by_subject.get(node, ()) if t[1] == RDF.type]
    return out


def validate_partitioned(nq_path: Path, base: str, shapes_dir: Path, ontology_dir: Path, *,
                         batch: int = 200, workers: int | None = None) -> tuple[bool, set[tuple], dict[str, float]]:
    """(conforms, violations as tuples, timings) for the dump at ``nq_path``."""
    import time

    t0 = time.perf_counter()
    shared, by_article = partition(nq_path, base)
    by_subject: dict[URIRef, list[tuple]] = defaultdict(list)
    for t in shared:
        by_subject[t[0]].append(t)
    ids = sorted(by_article)
    batches: list[list[tuple]] = []
    mentioned: set[URIRef] = set()
    for i in range(0, len(ids), batch):
        triples = [t for a in ids[i:i + batch] for t in by_article[a]]
        batches.append(_closure(triples, by_subject))
        mentioned.update(t[0] for t in batches[-1])
    # entities no article mentions (schemes, unused pool members): once, with their closure
    rest = [t for t in shared if t[0] not in mentioned]
    if rest:
        batches.append(_closure(rest, by_subject))
    t1 = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    violations: set[tuple] = set()
    conforms = True
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(str(shapes_dir), str(ontology_dir))) as pool:
        for ok, found in pool.map(_validate_batch, batches):
            conforms &= ok
            violations.update(found)
    t2 = time.perf_counter()
    return conforms, violations, {"partition_s": round(t1 - t0, 3), "validate_s": round(t2 - t1, 3), "batches": len(batches)}
