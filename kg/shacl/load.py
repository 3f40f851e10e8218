"""Quads → an in-memory Oxigraph store laid out as a release's, plus their ``Originals``.

For callers that hold the mapped quads in memory (``kg validate``, tests,
benchmarks). A streaming build feeds ``Originals.add`` and its own on-disk
store instead; the layout is the same: every quad in its named graph, and
the default graph = the union of the data graphs as a set
(``kg.store.embedded.release_files``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.shacl.literals import Originals


def to_ox(t: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"unexpected term {t!r}")


def release_like_store(quads: Iterable[ox.Quad | tuple[Node, Node, Node, Node]]) -> tuple[ox.Store, Originals]:
    """Named graphs as given, default graph = their union; and the integer literals as written."""
    ox_quads = [q if isinstance(q, ox.Quad) else ox.Quad(to_ox(q[0]), to_ox(q[1]), to_ox(q[2]), to_ox(q[3]))  # type: ignore[arg-type]
                for q in quads]
    store = ox.Store()
    store.bulk_extend(ox_quads)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in ox_quads)
    return store, Originals().add(ox_quads)
