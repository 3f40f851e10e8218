"""Core constraints evaluated per slice of focus nodes give the report of one query over all.

``kg.validation.engine`` runs each core constraint on ``slice_size`` focus nodes at a
time (``VALUES ?this {…}`` in place of the targets subquery) so that a query's
hash tables hold one slice, not the corpus. Slices of one node are the most
different from one query: the reports must still be pyshacl's, field by field.
"""

from __future__ import annotations

import collections

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS

from kg.curation.loader import load_corpus
from kg.rdf.mapping import map_corpus
from kg.release.build import to_oxigraph
from kg.validation.engine import compile_all
from kg.validation.literals import Originals
from kg.validation.model import Hierarchy, read_shapes
from kg.validation.sparql import focus_nodes, prefix_block, targets
from kg.validation.validate import Report, validate_store
from tests.shape_cases import BASE, CASES, PREFIXES, SETTINGS, ontology, shapes
from tests.test_shacl_engine import DEFAULT, assert_same, both, key, release_store, trig


def sliced(ds: Dataset, size: int | None) -> Report:
    """The engine's report on ``ds`` loaded as ``tests.test_shacl_engine.both`` loads it."""
    named = [q for q in ds.quads() if str(q[3]) != DEFAULT]
    loose = [(s, p, o, URIRef("urn:x-loose")) for s, p, o, g in ds.quads() if str(g) == DEFAULT]
    ox_named, ox_loose = to_oxigraph(named), to_oxigraph(loose)
    originals = Originals().add(ox_named).add(ox_loose)
    return validate_store(release_store(ox_named, ox_loose), shapes(), ontology(), originals=originals,
                          slice_size=size)


@pytest.mark.parametrize("size", [1, 2, 7])
def test_bad_cases_sliced_same_report_as_pyshacl(size: int) -> None:
    data = trig(BASE + "\n".join(c.bad for c in CASES))
    reference, _ = both(data)
    got = sliced(data, size)
    assert_same(reference, got)
    assert len(got.violations) >= len(CASES)


def test_real_seeds_slice_of_one_same_as_unsliced() -> None:
    ox_quads = to_oxigraph(map_corpus(load_corpus(SETTINGS.seeds_dir)))
    store = release_store(ox_quads)
    originals = Originals().add(ox_quads)
    one = validate_store(store, shapes(), ontology(), originals=originals, slice_size=1)
    whole = validate_store(store, shapes(), ontology(), originals=originals, slice_size=None)
    assert collections.Counter(map(key, one.violations)) == collections.Counter(map(key, whole.violations))
    assert one.conforms and whole.conforms


def test_real_seeds_broken_slice_of_one_same_as_unsliced() -> None:
    """The real seeds with every label removed: count constraints fail on every focus node."""
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    ox_quads = [q for q in to_oxigraph(map_corpus(load_corpus(SETTINGS.seeds_dir))) if q.predicate != label]
    store = release_store(ox_quads)
    originals = Originals().add(ox_quads)
    one = validate_store(store, shapes(), ontology(), originals=originals, slice_size=1)
    some = validate_store(store, shapes(), ontology(), originals=originals, slice_size=3)
    whole = validate_store(store, shapes(), ontology(), originals=originals, slice_size=None)
    assert len(whole.violations) > 50
    want = collections.Counter(map(key, whole.violations))
    assert collections.Counter(map(key, one.violations)) == want
    assert collections.Counter(map(key, some.violations)) == want


def test_blank_focus_node_falls_back_to_one_query() -> None:
    """VALUES cannot name a blank node: a root with one is evaluated unsliced, same report."""
    data = trig(BASE + """
        <https://qatar-nato.example.org/id/g/blank> {
            _:b a skos:Concept ; skos:prefLabel "x"@en .
        }
    """)
    reference, _ = both(data)
    got = sliced(data, 1)
    assert_same(reference, got)
    assert any("MintedIRI" in v.source_shape for v in got.violations)


def test_focus_nodes_once_each() -> None:
    """The streamed focus nodes are the DISTINCT targets, each once, even with several target classes."""
    ox_quads = to_oxigraph(map_corpus(load_corpus(SETTINGS.seeds_dir)))
    store = release_store(ox_quads)
    g = shapes()
    hierarchy = Hierarchy([(str(s), str(o)) for gr in (ontology(), g) for s, o in gr.subject_objects(RDFS.subClassOf)])
    compile_all(g, hierarchy)  # raises first if a shape is unsupported
    checked = 0
    for root in read_shapes(g).roots:
        streamed = [str(r["this"]) for r in store.query(focus_nodes(root, hierarchy))]  # type: ignore[index]
        distinct = {str(r["this"]) for r in store.query(prefix_block(*root.sparql_targets) + f"SELECT ?this WHERE {targets(root, hierarchy)}")}  # type: ignore[index]
        assert len(streamed) == len(set(streamed)), root.node
        assert set(streamed) == distinct, root.node
        checked += len(streamed)
    assert checked > 1000


def test_sliced_query_keeps_prefixes_and_replaces_targets_only() -> None:
    g = Graph()
    g += shapes()
    g.parse(data=PREFIXES, format="turtle")
    queries = compile_all(g, Hierarchy([(str(s), str(o)) for s, o in ontology().subject_objects(RDFS.subClassOf)]))
    core = [q for q in queries if q.targets is not None]
    assert core and all(q.text.count(q.targets) == 1 for q in core)  # type: ignore[arg-type]
    assert all(q.targets is None for q in queries if q.sparql is not None)
    text = "{ VALUES ?this { <urn:x> } }"
    assert all(text in q.on(text) and q.targets not in q.on(text) for q in core)  # type: ignore[operator]
