"""The shapes graph read once into plain objects the SPARQL compiler walks.

SHACL: https://www.w3.org/TR/shacl/ — SHACL-AF SPARQL targets:
https://www.w3.org/TR/shacl-af/#SPARQLTarget.

Only what ``kg.validation.sparql`` can compile is accepted. Any other ``sh:``
parameter on a shape (``sh:node``, ``sh:closed``, ``sh:xone`` …), a shape
that is also a class (implicit class target), a SPARQL-based *custom*
component or an ``ASK`` validator raises :class:`kg.errors.UnsupportedShape`
naming the shape and the parameter: a shape is never silently skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.errors import UnsupportedShape
from kg.rdf.vocab import SH

# Parameters of constraint components the compiler evaluates (https://www.w3.org/TR/shacl/#core-components).
CONSTRAINT_PARAMETERS = frozenset(SH[n] for n in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "pattern", "flags", "or", "hasValue", "equals",
    "lessThan", "languageIn", "uniqueLang", "minLength", "maxLength", "in",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "sparql",
))
TARGET_PARAMETERS = frozenset(SH[n] for n in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"))
# Non-validating or structural: read, or harmlessly ignored as SHACL says.
OTHER_PARAMETERS = frozenset(SH[n] for n in (
    "property", "path", "severity", "message", "deactivated", "name", "description", "order", "group",
    "defaultValue", "declare", "prefixes",
))
KNOWN = CONSTRAINT_PARAMETERS | TARGET_PARAMETERS | OTHER_PARAMETERS


@dataclass(frozen=True)
class SparqlSelect:
    """A ``sh:select`` (a SPARQL target or a SPARQL constraint) with its prefixes."""

    node: Node
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: tuple[Literal, ...] = ()


@dataclass
class Shape:
    node: Node
    path: Node | None  # None for a node shape
    severity: URIRef
    messages: tuple[Literal, ...]
    params: dict[URIRef, list[Node]]
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlSelect] = field(default_factory=list)
    targets: dict[URIRef, list[Node]] = field(default_factory=dict)
    sparql_targets: list[SparqlSelect] = field(default_factory=list)
    deactivated: bool = False

    @property
    def is_property(self) -> bool:
        return self.path is not None

    def one(self, param: URIRef) -> Node | None:
        values = self.params.get(param, [])
        if len(values) > 1:
            raise UnsupportedShape(f"{self.node}: more than one {param} (not supported)")
        return values[0] if values else None


@dataclass
class ShapesModel:
    """Every shape that has targets, plus the graph to read paths and lists from."""

    graph: Graph
    roots: list[Shape]
    by_node: dict[Node, Shape]


def read_shapes(g: Graph) -> ShapesModel:
    """Parse every shape with a target, recursively through ``sh:property``."""
    model = ShapesModel(g, [], {})
    candidates: set[Node] = set()
    for t in (SH.NodeShape, SH.PropertyShape):
        candidates |= set(g.subjects(RDF.type, t))
    for p in TARGET_PARAMETERS:
        candidates |= set(g.subjects(p, None))
    for node in sorted(candidates, key=str):
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
            raise UnsupportedShape(f"{node}: a shape that is also a class (implicit class target) is not supported")
        shape = _shape(model, node)
        if shape.targets or shape.sparql_targets:
            model.roots.append(shape)
    return model


def _shape(model: ShapesModel, node: Node) -> Shape:
    if node in model.by_node:
        return model.by_node[node]
    g = model.graph
    params: dict[URIRef, list[Node]] = {}
    for p, o in g.predicate_objects(node):
        if isinstance(p, URIRef) and str(p).startswith(str(SH)):
            if p not in KNOWN:
                raise UnsupportedShape(f"{node}: {p} is not supported by the SPARQL engine (kg.validation)")
            params.setdefault(p, []).append(o)
    paths = params.get(SH.path, [])
    if len(paths) > 1:
        raise UnsupportedShape(f"{node}: more than one sh:path")
    severity = params.get(SH.severity, [SH.Violation])[0]
    shape = Shape(
        node=node,
        path=paths[0] if paths else None,
        severity=severity,  # type: ignore[arg-type]
        messages=tuple(m for m in params.get(SH.message, []) if isinstance(m, Literal)),
        params=params,
    )
    model.by_node[node] = shape
    if any(str(v).lower() == "true" for v in params.get(SH.deactivated, [])):
        shape.deactivated = True  # validates nothing (https://www.w3.org/TR/shacl/#deactivated)
        return shape
    for kind in TARGET_PARAMETERS - {SH.target}:
        if kind in params:
            shape.targets[kind] = params[kind]
    for t in params.get(SH.target, []):
        if (t, RDF.type, SH.SPARQLTarget) not in g:
            raise UnsupportedShape(f"{node}: sh:target {t} is not an sh:SPARQLTarget (custom target types are not supported)")
        shape.sparql_targets.append(_select(g, t))
    for c in params.get(SH.sparql, []):
        if (c, SH.ask, None) in g:
            raise UnsupportedShape(f"{node}: SPARQL constraint {c} uses sh:ask (not supported)")
        if any(str(v).lower() == "true" for v in g.objects(c, SH.deactivated)):
            continue
        shape.sparql.append(_select(g, c))
    for p in params.get(SH.property, []):
        child = _shape(model, p)
        if child.path is None:
            raise UnsupportedShape(f"{p}: sh:property without sh:path")
        shape.properties.append(child)
    for q in params.get(SH.qualifiedValueShape, []):
        _shape(model, q)
    for lst in params.get(SH["or"], []):
        for member in Collection(g, lst):
            _shape(model, member)
    if SH.qualifiedValueShapesDisjoint in set(g.predicates(node, None)):
        raise UnsupportedShape(f"{node}: sh:qualifiedValueShapesDisjoint is not supported")
    return shape


def _select(g: Graph, node: Node) -> SparqlSelect:
    select = g.value(node, SH.select)
    if select is None:
        raise UnsupportedShape(f"{node}: a SPARQL target or constraint without sh:select")
    prefixes: dict[str, str] = {}
    for source in g.objects(node, SH.prefixes):
        for decl in g.objects(source, SH.declare):
            prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                prefixes[str(prefix)] = str(ns)
    messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
    return SparqlSelect(node, str(select), tuple(sorted(prefixes.items())), messages)


def path_sparql(g: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path (https://www.w3.org/TR/shacl/#property-paths)."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        raise UnsupportedShape(f"sh:path {path!r} is neither an IRI nor a path node")
    alt = g.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(path_sparql(g, m) for m in Collection(g, alt)) + ")"
    inv = g.value(path, SH.inversePath)
    if inv is not None:
        return f"^({path_sparql(g, inv)})"
    for pred, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, pred)
        if inner is not None:
            return f"({path_sparql(g, inner)}){mark}"
    if (path, RDF.first, None) in g:
        return "(" + "/".join(path_sparql(g, m) for m in Collection(g, path)) + ")"
    raise UnsupportedShape(f"unsupported sh:path node {path}")


class Hierarchy:
    """``rdfs:subClassOf*`` downwards: a class and every class below it.

    SHACL instances are ``rdf:type/rdfs:subClassOf*`` in the data graph; the
    reference mixes the ontology's axioms into the data, so both count here."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._down: dict[str, set[str]] = {}
        for sub, sup in pairs:
            self._down.setdefault(sup, set()).add(sub)
        self._cache: dict[str, tuple[str, ...]] = {}

    def below(self, cls: str) -> tuple[str, ...]:
        if cls not in self._cache:
            seen, stack = {cls}, [cls]
            while stack:
                for s in self._down.get(stack.pop(), ()):
                    if s not in seen:
                        seen.add(s)
                        stack.append(s)
            self._cache[cls] = tuple(sorted(seen))
        return self._cache[cls]
