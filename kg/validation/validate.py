"""SHACL validation: the one module the CLI, the build and the tests call.

``validate_store`` is what ``kg build`` and ``kg validate`` use; ``validate``
(pyshacl, https://www.w3.org/TR/shacl/) is the reference it is tested
against. This is the only importer of pyshacl. Three choices made here, once:

* the ontology is passed as ``ont_graph``, so ``sh:targetClass qn:Meeting``
  also reaches ``qn:Session`` instances through ``rdfs:subClassOf``;
* advanced mode is on: the shapes use SHACL-SPARQL constraints and SHACL-AF
  SPARQL targets (https://www.w3.org/TR/shacl-af/#SPARQLTarget);
* the data is validated as a *dataset* (named graphs kept, default graph =
  union), so core shapes see every triple and one SPARQL check can look inside
  a fact's own named graph (``GRAPH $this``). A plain ``Graph`` is accepted
  too; that check then finds nothing to look into.

``validate_store`` gives the same ``Report`` from a pyoxigraph ``Store`` at
scale: the shapes compiled to SPARQL by ``kg.validation`` (docs/validation.md,
"Validating at scale"). pyshacl stays the reference the tests compare it to.

``Report`` turns pyshacl's ``sh:ValidationReport`` into plain violations and
renders them for people (grouped by focus node, with the curated file and
line) or machines (Turtle, JSON).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox
from pyshacl import validate as _pyshacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.config import DEFAULT_BASE_IRI
from kg.rdf.vocab import SH, prefixes
from kg.validation.engine import SLICE_SIZE, THREADS
from kg.validation.engine import run as _run_engine
from kg.validation.focus import Near
from kg.validation.literals import Originals

__all__ = ["Report", "Violation", "as_dataset", "validate", "validate_store"]


@dataclass(frozen=True)
class Violation:
    """One ``sh:ValidationResult``, with every IRI as a plain string."""

    focus: str
    path: str | None
    value: str | None
    source_shape: str
    constraint: str
    severity: str
    message: str
    source_constraint: str | None = None


@dataclass
class Report:
    conforms: bool
    graph: Graph
    violations: list[Violation] = field(default_factory=list)

    def to_turtle(self, base: str = DEFAULT_BASE_IRI) -> str:
        """The ``sh:ValidationReport``; blank nodes relabelled canonically (RDF
        dataset canonicalization) so equal reports serialize to equal bytes:
        what ``kg validate --format turtle`` prints and each release keeps."""
        canonical = Graph()
        canonical += to_canonical_graph(self.graph)
        for prefix, ns in prefixes(base).items():
            canonical.bind(prefix, ns, override=True)
        return canonical.serialize(format="turtle")

    def to_json(self, where: Mapping[str, str] | None = None) -> str:
        """Machine-readable: ``conforms``, counts and one object per result;
        ``origin`` is the curated 'file:line (id)' when ``where`` knows it."""
        results = []
        for v in _ordered(self.violations):
            item = asdict(v)
            item["origin"] = _origin(v, where)
            results.append(item)
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": results,
                "counts": {
                    "results": len(self.violations),
                    "focus_nodes": len({v.focus for v in self.violations}),
                },
            },
            ensure_ascii=False, indent=2, sort_keys=True,
        )

    def to_text(self, where: Mapping[str, str] | None = None) -> str:
        """Grouped by focus node; ``where`` maps an IRI to 'file:line (id)'."""
        if self.conforms and not self.violations:
            return "conforms: no violations"
        by_focus: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            by_focus[v.focus].append(v)
        lines = [f"{len(self.violations)} violation(s) on {len(by_focus)} node(s):"]
        for focus in sorted(by_focus):
            group = _ordered(by_focus[focus])
            origin = _origin(group[0], where)
            lines.append("")
            lines.append(focus + (f"  [{origin}]" if origin else ""))
            for v in group:
                shape = _short(v.source_constraint or v.source_shape)
                path = _short(v.path) if v.path else "-"
                value = f"\n      value: {_short(v.value)}" if v.value else ""
                lines.append(f"  - {v.severity} at {path}: {_short(v.message)}{value}\n      shape: {shape}")
        return "\n".join(lines)


def as_dataset(quads: Iterable[tuple[Node, Node, Node, Node]]) -> Dataset:
    """Quads → an rdflib Dataset whose default graph is the union of all."""
    ds = Dataset(default_union=True)
    for s, p, o, g in quads:
        ds.add((s, p, o, g))  # type: ignore[arg-type]
    return ds


def validate(data: Graph | Dataset, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; the one call everything uses."""
    conforms, report_graph, _ = _pyshacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if not isinstance(report_graph, Graph):  # pyshacl returns, not raises, a failure of the shapes themselves
        raise RuntimeError(f"SHACL validation could not run: {report_graph}")
    return Report(bool(conforms), report_graph, list(_violations(report_graph, shapes)))


def validate_store(store: ox.Store, shapes: Graph, ontology: Graph | None = None, *,
                   originals: Originals | None = None, threads: int = THREADS,
                   slice_size: int | None = SLICE_SIZE, focus: set[str] | None = None, near: Near | None = None,
                   done: Callable[[], None] | None = None) -> Report:
    """Validate the data in ``store`` (named graphs + their union as the default
    graph) by SPARQL; the same report ``validate`` gives on the same data.

    ``originals``: the integer-typed literals as written, collected from the
    quads as they stream into the store (``Originals().add(quads)``); without
    it an ``xsd:nonNegativeInteger`` is checked by value only, because Oxigraph
    stores every integer type as ``xsd:integer``. Raises
    ``kg.errors.UnsupportedShape`` for SHACL the engine cannot evaluate. ``slice_size``:
    focus nodes per evaluation of a core constraint, which bounds the memory a query
    takes (``None``: all at once); the report does not depend on it. ``focus``: core constraints
    only on these nodes (N-Triples terms), as an incremental build does (``kg.validation.focus``); ``near``
    with it: SHACL-SPARQL constraints only where the change can reach (``kg.validation.reach``)."""
    conforms, report_graph = _run_engine(store, shapes, ontology, originals=originals, threads=threads,
                                         slice_size=slice_size, focus=focus, near=near, done=done)
    return Report(conforms, report_graph, list(_violations(report_graph, shapes)))


def _violations(g: Graph, shapes: Graph) -> Iterable[Violation]:
    def one(node: Node, pred: URIRef) -> str | None:
        value = g.value(node, pred)
        if value is None:
            return None
        if isinstance(value, BNode):
            return _path_text(g, value)
        return str(value)

    for result in g.subjects(RDF.type, SH.ValidationResult):
        shape = g.value(result, SH.sourceShape)
        general = {str(m) for m in shapes.objects(shape, SH.message)} if shape is not None else set()
        yield Violation(
            focus=one(result, SH.focusNode) or "",
            path=one(result, SH.resultPath),
            value=one(result, SH.value),
            source_shape=one(result, SH.sourceShape) or "",
            constraint=one(result, SH.sourceConstraintComponent) or "",
            severity=(one(result, SH.resultSeverity) or "").rsplit("#", 1)[-1],
            message=_message(g, result, general),
            source_constraint=one(result, SH.sourceConstraint),
        )


def _message(g: Graph, result: Node, general: set[str]) -> str:
    """The most specific English message: a SPARQL constraint's own (filled-in)
    message beats its node shape's general one; else any message; else empty."""
    messages = sorted((m for m in g.objects(result, SH.resultMessage) if isinstance(m, Literal)), key=str)
    english = [m for m in messages if m.language in (None, "en")] or messages
    specific = [m for m in english if str(m) not in general] or english
    return str(specific[0]) if specific else ""


def _path_text(g: Graph, node: BNode) -> str:
    """A SHACL property path written the SPARQL way: ``(a|b)``, ``^a``, ``a/b``."""
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(_term(g, m) for m in Collection(g, alternatives)) + ")"
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _term(g, inverse)
    if (node, RDF.first, None) in g:
        return "/".join(_term(g, m) for m in Collection(g, node))
    for pred, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(node, pred)
        if inner is not None:
            return _term(g, inner) + mark
    return str(node)


def _term(g: Graph, node: Node) -> str:
    return _path_text(g, node) if isinstance(node, BNode) else str(node)


_PREFIXES = sorted(prefixes().items(), key=lambda kv: -len(kv[1]))


def _short(text: str | None) -> str:
    """IRIs in ``text`` as CURIEs where a prefix we bind fits; long text cut."""
    if not text:
        return ""
    for prefix, ns in _PREFIXES:
        if ns in text:
            text = text.replace(ns, prefix + ":")
    return text if len(text) <= 200 else text[:199] + "…"


def _origin(v: Violation, where: Mapping[str, str] | None) -> str | None:
    """Where in the curated input a violation comes from: the focus node,
    the node it is part of (``…#part``), or else the offending value's."""
    if not where:
        return None
    for iri in (v.focus, v.value or ""):
        found = where.get(iri) or where.get(iri.split("#", 1)[0])
        if found:
            return found
    return None


def _ordered(violations: Iterable[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.source_shape, v.value or "", v.message))
