"""SHACL-SPARQL constraints on the focus nodes a change can reach (kg.validation.reach, kg.validation.focus.Near):
which constraints qualify and how far they read, that restricting a query to some focus nodes drops only
other nodes' rows, and that ``Near`` walks back from the changed subjects. Real parts: the project's shapes,
the engine's compiled queries, pyoxigraph stores; the end-to-end case (an incremental build refusing with a
full build's report) is tests/test_incremental.py::test_sparql_constraint_violation_found_where_the_change_reaches."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.rdf.turtledir import load_turtle_dir
from kg.validation.engine import _near, compile_model
from kg.validation.focus import Near
from kg.validation.model import Hierarchy, read_shapes
from kg.validation.reach import Reach, reach, restrict

EX = "http://example.org/"


def test_every_sparql_constraint_of_our_shapes_qualifies_with_its_reach() -> None:
    s = Settings()
    model = read_shapes(load_turtle_dir(s.shapes_dir, s.base_iri))
    found = {str(q.shape.node).split("#")[1]: reach(q.text) for q in compile_model(model, Hierarchy([])) if q.sparql}
    assert found["ArticleChecksumShape"] == Reach(0, False)
    assert found["QuoteMatchesArticleShape"] == Reach(1, False)  # $this → ?article → its text
    assert found["EvidenceFromOwnArticleShape"] == Reach(2, False)  # qn:evidence, then oa:hasTarget/oa:hasSource
    assert found["FactDateNotAfterArticleShape"] == Reach(1, True)  # GRAPH $this, and $this → ?article
    assert all(r is not None for r in found.values()), found


@pytest.mark.parametrize("select", [
    "SELECT ?this WHERE { ?x <http://example.org/p> ?this }",  # reads towards $this
    "SELECT ?this WHERE { ?this ^<http://example.org/p> ?x }",  # inverse path
    "SELECT ?this WHERE { ?this <http://example.org/p>+ ?x }",  # repeated path: unbounded
    "SELECT ?this WHERE { <http://example.org/a> <http://example.org/p> ?this }",  # a constant subject
    "SELECT ?this WHERE { ?this <http://example.org/p> ?x . GRAPH ?g { ?x ?p ?y } }",  # another graph
    "SELECT ?this WHERE { ?this <http://example.org/p> ?x { SELECT ?x WHERE { ?this <http://example.org/q> ?x } } }",
])
def test_what_does_not_qualify_runs_whole(select: str) -> None:
    assert reach(select) is None or restrict(select, ["<urn:x>"]) is None


def test_braces_in_strings_and_iris_are_not_groups() -> None:
    text = 'SELECT ?this WHERE { ?this <http://example.org/p> ?x FILTER (?x != "}" && ?x != <urn:a>) }'
    assert restrict(text, ["<urn:x>"]) == text[:-1] + " VALUES ?this { <urn:x> } }"


def test_a_restricted_query_keeps_exactly_the_rows_of_those_nodes() -> None:
    store = ox.Store()
    p, q = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    for i in range(20):
        a, b = ox.NamedNode(f"{EX}a{i}"), ox.NamedNode(f"{EX}b{i}")
        store.add(ox.Quad(a, p, b))
        store.add(ox.Quad(b, q, ox.Literal(str(i % 3))))
    text = (f"SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ ?this <{EX}p> ?v }} }} "
            f"{{ SELECT $this ?v ?n WHERE {{ $this <{EX}p>/<{EX}q> ?n . $this <{EX}p> ?v FILTER (?n != \"0\") }} }} }}")
    assert reach(text) == Reach(1, False)
    nodes = [f"<{EX}a{i}>" for i in (1, 2, 3, 7)]
    restricted = restrict(text, nodes)
    assert restricted is not None
    rows = {(str(r["this"]), str(r["n"])) for r in store.query(restricted)}  # type: ignore[union-attr]
    everything = {(str(r["this"]), str(r["n"])) for r in store.query(text)}  # type: ignore[union-attr]
    assert rows == {row for row in everything if row[0] in nodes}
    assert rows == {(f"<{EX}a1>", '"1"'), (f"<{EX}a2>", '"2"'), (f"<{EX}a7>", '"1"')}


def test_near_walks_back_from_the_changed_subjects() -> None:
    store = ox.Store()
    p = ox.NamedNode(EX + "p")
    chain = [ox.NamedNode(f"{EX}n{i}") for i in range(5)]  # n0 → n1 → n2 → n3 → n4
    for a, b in itertools.pairwise(chain):
        store.add(ox.Quad(a, p, b))
    near = Near(store, [f"<{EX}n3> <{EX}p> <{EX}n4> .\n".encode()], [], {f"<{EX}g>"})
    assert near.nodes(Reach(0, False)) == {f"<{EX}n3>"}
    assert near.nodes(Reach(2, False)) == {f"<{EX}n1>", f"<{EX}n2>", f"<{EX}n3>"}
    assert near.nodes(Reach(1, True)) == {f"<{EX}n2>", f"<{EX}n3>", f"<{EX}g>"}


def test_the_engine_runs_each_of_our_constraints_on_the_nodes_only() -> None:
    s = Settings()
    model = read_shapes(load_turtle_dir(s.shapes_dir, s.base_iri))
    store = ox.Store()
    near = Near(store, [f"<{EX}changed> <{EX}p> <{EX}o> .\n".encode()], [], set())
    for q in compile_model(model, Hierarchy([])):
        if q.sparql is not None:
            texts = _near(q, near, 5_000)
            assert len(texts) == 1 and texts[0] != q.text and f"<{EX}changed>" in texts[0], q.shape.node
