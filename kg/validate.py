"""SHACL validation: the one entry point the CLI, the build and the tests call.

The only importer of pyshacl (https://www.w3.org/TR/shacl/). The ontology is
passed as ``ont_graph`` so ``sh:targetClass qn:Meeting`` also reaches
``qn:Session`` instances through ``rdfs:subClassOf``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pyshacl import validate as _pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.vocab import SH


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    value: str | None
    source_shape: str
    constraint: str
    severity: str
    message: str


@dataclass
class Report:
    conforms: bool
    graph: Graph
    violations: list[Violation] = field(default_factory=list)

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def to_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "violations": [v.__dict__ for v in self.violations]},
            ensure_ascii=False, indent=2, sort_keys=True,
        )

    def to_text(self, where: dict[str, str] | None = None) -> str:
        """Grouped by focus node; ``where`` maps a focus IRI to 'file:line (id)'."""
        if self.conforms:
            return "conforms: no violations"
        by_focus: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            by_focus[v.focus].append(v)
        lines = [f"{len(self.violations)} violation(s) on {len(by_focus)} node(s):"]
        for focus in sorted(by_focus):
            origin = (where or {}).get(focus)
            lines.append(f"\n{focus}" + (f"  [{origin}]" if origin else ""))
            for v in sorted(by_focus[focus], key=lambda v: (v.path or "", v.message)):
                shape = v.source_shape.rsplit("#", 1)[-1]
                path = v.path.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if v.path else "-"
                value = f" (value: {v.value})" if v.value else ""
                lines.append(f"  - {v.severity}: {path}: {v.message}{value}  [{shape}]")
        return "\n".join(lines)


def load_turtle_dir(directory: Path) -> Graph:
    g = Graph()
    for path in sorted(Path(directory).glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    conforms, report_graph, _ = _pyshacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return Report(bool(conforms), report_graph, list(_violations(report_graph)))


def _violations(g: Graph) -> Iterable[Violation]:
    def one(node: URIRef, pred: URIRef) -> str | None:
        value = g.value(node, pred)
        return None if value is None else str(value)

    for result in g.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in g.objects(result, SH.resultMessage) if isinstance(m, Literal))
        en = [m for m in messages]
        yield Violation(
            focus=one(result, SH.focusNode) or "",
            path=one(result, SH.resultPath),
            value=one(result, SH.value),
            source_shape=one(result, SH.sourceShape) or "",
            constraint=one(result, SH.sourceConstraintComponent) or "",
            severity=(one(result, SH.resultSeverity) or "").rsplit("#", 1)[-1],
            message=en[0] if en else "",
        )
