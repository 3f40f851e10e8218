"""Which focus nodes a change can affect: what an incremental build validates again.

Every core constraint of our shapes (and of any shapes ``kg.validation.model``
accepts whose paths are single predicates or alternatives of them) decides a
result on a focus node from: its types and the triples it is the subject or
object of (targets, path values, counts, ``sh:equals``, ``sh:lessThan``), and
the types of its values (``sh:class``, also inside ``sh:or`` and qualified
shapes). So the nodes of every added or removed triple, plus every node that
has as a value a node whose types changed, are all the focus nodes whose
results can differ from the previous release's; the others keep theirs.

``None`` where that reasoning does not hold, and everything is validated:
a changed ``rdfs:subClassOf`` (targets move), a blank node (no query can
name it), a property path longer than one step (a change reaches further).
SHACL-SPARQL constraints read further (``kg.validation.reach``): ``Near`` gives the nodes
within so many steps back from the changed triples' subjects, and the changed graphs.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph

from kg.rdf.vocab import SH
from kg.validation.model import read_shapes
from kg.validation.reach import Reach
from kg.validation.sparql import INBOUND

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_CHUNK = 2_000
NEAR_LIMIT = 200_000
"""More nodes than this near a change (a hub's neighbourhood): the SHACL-SPARQL constraints run whole."""


def affected(store: ox.Store, shapes: Graph, added: list[bytes], removed: list[bytes]) -> set[str] | None:
    """N-Triples terms of the focus nodes to validate again, from the union's changed triples."""
    if not _one_step_paths(shapes):
        return None
    nodes: set[str] = set()
    retyped: set[str] = set()
    for lines in (added, removed):
        if not lines:
            continue
        for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES):
            if q.predicate.value == SUBCLASS or isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                return None
            nodes.update((str(q.subject), str(q.object)))
            if q.predicate.value == RDF_TYPE:
                retyped.add(str(q.subject))
    ordered = sorted(retyped)
    for i in range(0, len(ordered), _CHUNK):
        for row in store.query(INBOUND.format(nodes=" ".join(ordered[i:i + _CHUNK]))):  # type: ignore[union-attr]
            x = row["x"]
            if isinstance(x, ox.BlankNode):
                return None
            nodes.add(str(x))
    return nodes


def _one_step_paths(shapes: Graph) -> bool:
    """Every ``sh:path`` an IRI or an ``sh:alternativePath`` of IRIs."""
    model = read_shapes(shapes)
    for shape in model.by_node.values():
        path = shape.path
        if path is None or not isinstance(path, BNode):
            continue
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is None or len(list(shapes.predicate_objects(path))) != 1:
            return False
        if any(isinstance(m, BNode) for m in shapes.items(alternatives)):
            return False
    return True


class Near:
    """The focus nodes a SHACL-SPARQL constraint of a given ``Reach`` must run on after a change:
    the subjects of the changed triples, what points at them up to ``depth`` steps back (in the
    new store; a removed link on the way has a subject of its own among the changed ones), and,
    for a constraint reading ``GRAPH $this``, the graphs of the changed quads."""

    def __init__(self, store: ox.Store, added: list[bytes], removed: list[bytes], graphs: set[str]) -> None:
        self.store, self.graphs = store, graphs
        subjects = {line[:line.index(b" ")].decode() for line in (*added, *removed)}
        self.levels: list[set[str]] = [subjects]
        self.blank = any(n.startswith("_:") for n in subjects | graphs)
        self.seen = set(subjects)

    def nodes(self, r: Reach) -> set[str] | None:
        """The nodes to run a constraint of reach ``r`` on; None: run it whole."""
        while len(self.levels) <= r.depth and not self.blank and len(self.seen) <= NEAR_LIMIT:
            self._step()
        if self.blank or len(self.seen) > NEAR_LIMIT:
            return None
        out = set().union(*self.levels[:r.depth + 1])
        return out | self.graphs if r.graph else out

    def _step(self) -> None:
        ordered, found = sorted(self.levels[-1]), set()
        for i in range(0, len(ordered), _CHUNK):
            for row in self.store.query(INBOUND.format(nodes=" ".join(ordered[i:i + _CHUNK]))):  # type: ignore[union-attr]
                x = row["x"]
                if isinstance(x, ox.BlankNode):
                    self.blank = True
                    return
                found.add(str(x))
        self.levels.append(found - self.seen)
        self.seen |= found
