"""Shapes → violation-finding SPARQL: the one module that writes SPARQL text for SHACL.

Each constraint of each shape becomes one SELECT over the store's default
graph (the de-duplicated union of the data graphs) whose rows are exactly
the validation results of https://www.w3.org/TR/shacl/#core-components:
``?this`` (the focus node) and, where SHACL reports one, ``?value``. The
focus nodes come from a subquery of the shape's targets, so one query
covers every focus node (pyshacl runs one per focus node, in Python).

The IRIs and literals written into the text come from the shapes graph and
the ontology, never from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import UnsupportedShape
from kg.rdf.vocab import SH
from kg.validation.literals import INTEGER, INTEGER_FAMILY, LANG_STRING, LEXICAL_CHECKED, STRING
from kg.validation.model import TARGET_PARAMETERS, Hierarchy, Shape, ShapesModel, SparqlSelect, path_sparql

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS_PAIRS = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?o }"
"""The data's own class axioms, added to the ontology's for ``sh:class`` and ``sh:targetClass``."""


@dataclass(frozen=True)
class Query:
    """One violation-finding query and how to turn its rows into results."""

    text: str
    shape: Shape  # the sh:sourceShape
    component: URIRef
    with_value: bool  # rows carry ?value
    sparql: SparqlSelect | None = None  # a SHACL-SPARQL constraint: rows carry ?path, ?value and message variables
    integer_datatype: str | None = None  # sh:datatype of the integer family: rows are candidates, checked in Python
    targets: str | None = None  # the targets subquery in ``text``, where a slice of focus nodes may replace it
    root: Node | None = None  # the shape whose targets those are (queries of one root share a slice)

    def on(self, values: str) -> str:
        """This query on a slice of focus nodes: the targets subquery replaced by ``VALUES ?this {…}``.

        Exact for core constraints: each result depends on its focus node alone, and the
        slices partition the focus nodes, so the union of the slices' rows is the whole
        query's (DISTINCT and GROUP BY include ``?this``)."""
        if self.targets is None:
            raise ValueError("a SHACL-SPARQL constraint is not evaluated per slice")
        return self.text.replace(self.targets, values, 1)


def term(node: Node) -> str:
    """An IRI or literal of the shapes graph as SPARQL text."""
    if isinstance(node, URIRef):
        if any(c in str(node) for c in '<>"{}|^`\\ '):
            raise UnsupportedShape(f"IRI {node!r} cannot be written in SPARQL")
        return f"<{node}>"
    if isinstance(node, Literal):
        text = '"' + _escape(str(node)) + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^<{node.datatype}>"
        return text
    raise UnsupportedShape(f"{node!r}: blank nodes cannot be constraint values")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def targets(shape: Shape, hierarchy: Hierarchy) -> str:
    """A subquery binding ``?this`` once to every focus node of ``shape``."""
    parts: list[str] = []
    for cls in shape.targets.get(SH.targetClass, []):
        for c in hierarchy.below(str(cls)):
            parts.append(f"{{ ?this {RDF_TYPE} {term(URIRef(c))} }}")
    for p in shape.targets.get(SH.targetSubjectsOf, []):
        parts.append(f"{{ ?this {term(p)} ?_o }}")
    for p in shape.targets.get(SH.targetObjectsOf, []):
        parts.append(f"{{ ?_s {term(p)} ?this }}")
    nodes = shape.targets.get(SH.targetNode, [])
    if nodes:
        parts.append("{ VALUES ?this { " + " ".join(term(n) for n in nodes) + " } }")
    for t in shape.sparql_targets:
        parts.append("{ " + t.select.strip() + " }")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def focus_nodes(shape: Shape, hierarchy: Hierarchy) -> str:
    """Every focus node of ``shape`` once, streamed: the targets of ``targets`` without its
    DISTINCT, whose hash set grows with the data (``qnsh:MintedIRIShape`` targets nearly
    every subject). A node of several target classes is kept under the first one only
    (``FILTER NOT EXISTS`` over its types, one index lookup); the other kinds of target
    (subjects/objects of, nodes, SPARQL targets: few nodes in our shapes) keep DISTINCT."""
    classes = [c for cls in shape.targets.get(SH.targetClass, []) for c in hierarchy.below(str(cls))]
    classes = list(dict.fromkeys(classes))
    parts: list[str] = []
    for i, c in enumerate(classes):
        earlier = ", ".join(term(URIRef(e)) for e in classes[:i])
        skip = f" FILTER NOT EXISTS {{ ?this {RDF_TYPE} ?_c FILTER (?_c IN ({earlier})) }}" if earlier else ""
        parts.append(f"{{ ?this {RDF_TYPE} {term(URIRef(c))}{skip} }}")
    other = Shape(shape.node, shape.path, shape.severity, shape.messages, shape.params,
                  targets={k: v for k, v in shape.targets.items() if k != SH.targetClass},
                  sparql_targets=shape.sparql_targets)
    if other.targets or other.sparql_targets:
        rest = targets(other, hierarchy)
        if classes:
            listed = ", ".join(term(URIRef(c)) for c in classes)
            rest = f"{{ {rest} FILTER NOT EXISTS {{ ?this {RDF_TYPE} ?_c FILTER (?_c IN ({listed})) }} }}"
        parts.append(rest)
    return prefix_block(*shape.sparql_targets) + "SELECT ?this WHERE { " + " UNION ".join(parts) + " }"


def values(nodes: list[str]) -> str:
    """A slice of focus nodes (N-Triples terms: IRIs, literals) as the targets of a query."""
    return "{ VALUES ?this { " + " ".join(nodes) + " } }"


def prefix_block(*selects: SparqlSelect) -> str:
    merged: dict[str, str] = {}
    for s in selects:
        for prefix, ns in s.prefixes:
            if merged.get(prefix, ns) != ns:
                raise UnsupportedShape(f"{s.node}: prefix {prefix}: bound to two namespaces")
            merged[prefix] = ns
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(merged.items()))


_NOT_TESTS = TARGET_PARAMETERS | {SH.message, SH.severity, SH.name, SH.description, SH.deactivated, SH.order,
                                  SH.group, SH.defaultValue}


def conforms(model: ShapesModel, shape: Shape, var: str, hierarchy: Hierarchy) -> str:
    """A boolean SPARQL expression: ``var`` conforms to ``shape`` (used by sh:or and qualified counts).

    Only node-level value tests are supported in such a shape."""
    tests = []
    for param, values in shape.params.items():
        if param in _NOT_TESTS:
            continue
        for v in values:
            tests.append(value_test(model, shape, param, v, var, hierarchy))
    return "(" + " && ".join(tests or ["true"]) + ")"


def value_test(model: ShapesModel, shape: Shape, param: URIRef, v: Node, var: str, hierarchy: Hierarchy) -> str:
    """A boolean SPARQL expression: value ``var`` satisfies the one constraint ``param v``."""
    if param == SH["class"]:
        alts = " UNION ".join(f"{{ {var} {RDF_TYPE} {term(URIRef(c))} }}" for c in hierarchy.below(str(v)))
        return f"EXISTS {{ {alts} }}"
    if param == SH.datatype:
        d = str(v)
        if d == LANG_STRING:
            return f'(isLiteral({var}) && LANG({var}) != "")'
        if d == STRING:
            return f"(isLiteral({var}) && sameTerm(DATATYPE({var}), <{STRING}>))"
        if d in INTEGER_FAMILY:
            # as stored: Oxigraph keeps only the value (see kg.validation.literals)
            return f"(isLiteral({var}) && sameTerm(DATATYPE({var}), <{INTEGER}>) && {_integer_range(d, var)})"
        if d in LEXICAL_CHECKED:
            return f"(isLiteral({var}) && sameTerm(DATATYPE({var}), <{d}>) && COALESCE(STRLEN(STR(<{d}>(STR({var})))) >= 0, false))"
        return f"(isLiteral({var}) && sameTerm(DATATYPE({var}), <{d}>))"
    if param == SH.nodeKind:
        kinds = {"IRI": ["isIRI"], "BlankNode": ["isBlank"], "Literal": ["isLiteral"],
                 "BlankNodeOrIRI": ["isBlank", "isIRI"], "BlankNodeOrLiteral": ["isBlank", "isLiteral"],
                 "IRIOrLiteral": ["isIRI", "isLiteral"]}.get(str(v)[len(str(SH)):])
        if kinds is None:
            raise UnsupportedShape(f"{shape.node}: unknown sh:nodeKind {v}")
        return "(" + " || ".join(f"{k}({var})" for k in kinds) + ")"
    if param == SH.pattern:
        flags = shape.one(SH.flags)
        flag_text = f", {term(Literal(str(flags)))}" if flags is not None else ""
        return f"(!isBlank({var}) && REGEX(STR({var}), {term(Literal(str(v)))}{flag_text}))"
    if param == SH.flags:
        return "true"
    if param == SH.languageIn:
        langs = [str(x) for x in Collection(model.graph, v)]
        return f"(isLiteral({var}) && (" + " || ".join(f"LANGMATCHES(LANG({var}), {term(Literal(x))})" for x in langs) + "))"
    if param == SH.minLength:
        return f"(!isBlank({var}) && STRLEN(STR({var})) >= {int(v)})"  # type: ignore[call-overload]
    if param == SH.maxLength:
        return f"(!isBlank({var}) && STRLEN(STR({var})) <= {int(v)})"  # type: ignore[call-overload]
    if param == SH["in"]:
        members = list(Collection(model.graph, v))
        return "(" + " || ".join(f"sameTerm({var}, {term(m)})" for m in members) + ")" if members else "false"
    if param == SH.hasValue:
        return f"sameTerm({var}, {term(v)})"
    if param == SH["or"]:
        shapes = [model.by_node[m] for m in Collection(model.graph, v)]
        return "(" + " || ".join(conforms(model, s, var, hierarchy) for s in shapes) + ")"
    raise UnsupportedShape(f"{shape.node}: {param} cannot be used inside sh:or / sh:qualifiedValueShape")


def _integer_range(datatype: str, var: str) -> str:
    name = datatype.rsplit("#", 1)[-1]
    bounds = {"nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
              "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
              "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
              "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 65535), "unsignedByte": (0, 255)}[name]
    tests = []
    if bounds[0] is not None:
        tests.append(f"{var} >= {bounds[0]}")
    if bounds[1] is not None:
        tests.append(f"{var} <= {bounds[1]}")
    return "COALESCE(" + " && ".join(tests) + ", false)"


# Components whose results are one per value node that fails a per-value test.
VALUE_COMPONENTS = {
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent, SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
}


def compile_shape(model: ShapesModel, root: Shape, shape: Shape, hierarchy: Hierarchy) -> list[Query]:
    """Every query validating ``shape`` on the focus nodes of ``root`` (itself, or its parent node shape)."""
    if shape.deactivated:
        return []
    if shape.is_property and shape.properties:
        raise UnsupportedShape(f"{shape.node}: sh:property inside a property shape is not supported")
    g = model.graph
    t = targets(root, hierarchy)
    prefix = prefix_block(*root.sparql_targets)
    path = path_sparql(g, shape.path) if shape.path is not None else None
    # value nodes: the focus node itself for a node shape, its path values for a property shape
    values = f"?this {path} ?value ." if path else "BIND (?this AS ?value)"
    out: list[Query] = []

    def q(body: str, component: URIRef, with_value: bool, **kw: object) -> None:
        out.append(Query(prefix + body, shape, component, with_value, targets=t, root=root.node, **kw))  # type: ignore[arg-type]

    for param, vals in shape.params.items():
        for v in vals:
            if param in VALUE_COMPONENTS:
                if param == SH.datatype and str(v) in INTEGER_FAMILY:
                    # Oxigraph stores every one of these as xsd:integer: non-integers fail here; each
                    # integer is a candidate checked as written by the engine (kg.validation.literals)
                    stored = f"(isLiteral(?value) && sameTerm(DATATYPE(?value), <{INTEGER}>))"
                    q(f"SELECT DISTINCT ?this ?value WHERE {{ {t} {values} FILTER (!{stored}) }}", SH.DatatypeConstraintComponent, True)
                    q(f"SELECT DISTINCT ?this ?value WHERE {{ {t} {values} FILTER ({stored}) }}",
                      SH.DatatypeConstraintComponent, True, integer_datatype=str(v))
                    continue
                test = value_test(model, shape, param, v, "?value", hierarchy)
                q(f"SELECT DISTINCT ?this ?value WHERE {{ {t} {values} FILTER (!{test}) }}", VALUE_COMPONENTS[param], True)
            elif param == SH.hasValue:
                if path:
                    q(f"SELECT ?this WHERE {{ {t} FILTER NOT EXISTS {{ ?this {path} {term(v)} }} }}", SH.HasValueConstraintComponent, False)
                else:
                    q(f"SELECT ?this WHERE {{ {t} FILTER (!sameTerm(?this, {term(v)})) }}", SH.HasValueConstraintComponent, False)
            elif param in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.equals, SH.lessThan,
                           SH.qualifiedValueShape) and path is None:
                raise UnsupportedShape(f"{shape.node}: {param} on a node shape is not supported")
            elif param == SH.minCount:
                n = int(v)  # type: ignore[call-overload]
                if n == 1:
                    q(f"SELECT ?this WHERE {{ {t} FILTER NOT EXISTS {{ ?this {path} ?_v }} }}", SH.MinCountConstraintComponent, False)
                elif n > 1:
                    q(f"SELECT ?this WHERE {{ {t} OPTIONAL {{ ?this {path} ?_v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {n})",
                      SH.MinCountConstraintComponent, False)
            elif param == SH.maxCount:
                q(f"SELECT ?this WHERE {{ {t} ?this {path} ?_v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {int(v)})",  # type: ignore[call-overload]
                  SH.MaxCountConstraintComponent, False)
            elif param == SH.uniqueLang:
                if str(v).lower() == "true":
                    q(f'SELECT ?this WHERE {{ {t} ?this {path} ?_v FILTER (isLiteral(?_v) && LANG(?_v) != "") '
                      f"BIND (LCASE(LANG(?_v)) AS ?_lang) }} GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_v) > 1)",
                      SH.UniqueLangConstraintComponent, False)
            elif param == SH.equals:
                q(f"SELECT ?this ?value WHERE {{ {t} {{ ?this {path} ?value FILTER NOT EXISTS {{ ?this {term(v)} ?value }} }} "
                  f"UNION {{ ?this {term(v)} ?value FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}",
                  SH.EqualsConstraintComponent, True)
            elif param == SH.lessThan:
                q(f"SELECT ?this ?value WHERE {{ {t} ?this {path} ?value . ?this {term(v)} ?_w FILTER (!{_less('?value', '?_w')}) }}",
                  SH.LessThanConstraintComponent, True)
            elif param == SH.qualifiedValueShape:
                test = conforms(model, model.by_node[v], "?_v", hierarchy)
                body = f"{t} OPTIONAL {{ ?this {path} ?_v FILTER {test} }}"
                low, high = shape.one(SH.qualifiedMinCount), shape.one(SH.qualifiedMaxCount)
                if low is not None:
                    q(f"SELECT ?this WHERE {{ {body} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {int(low)})",  # type: ignore[call-overload]
                      SH.QualifiedMinCountConstraintComponent, False)
                if high is not None:
                    q(f"SELECT ?this WHERE {{ {body} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {int(high)})",  # type: ignore[call-overload]
                      SH.QualifiedMaxCountConstraintComponent, False)
    for c in shape.sparql:
        out.append(Query(prefix_block(*root.sparql_targets, c) + _sparql_constraint(c, t, path), shape,
                         SH.SPARQLConstraintComponent, True, sparql=c))
    return out


def _less(a: str, b: str) -> str:
    """pyshacl's sh:lessThan: strings (IRIs, plain and tagged literals) compare as text,
    a string never compares with a non-string, other values by SPARQL ``<``."""
    def is_string(x: str) -> str:
        return f'(isIRI({x}) || (isLiteral({x}) && (sameTerm(DATATYPE({x}), <{STRING}>) || LANG({x}) != "")))'
    return (f"IF({is_string(a)} != {is_string(b)}, false, "
            f"IF({is_string(a)}, STR({a}) < STR({b}), COALESCE({a} < {b}, false)))")


_FORBIDDEN = re.compile(r"[?$](currentShape|shapesGraph)\b")


def _sparql_constraint(c: SparqlSelect, t: str, path: str | None) -> str:
    select = c.select.strip()
    if _FORBIDDEN.search(select):
        raise UnsupportedShape(f"{c.node}: $currentShape / $shapesGraph are not supported")
    if "$PATH" in select:
        if path is None:
            raise UnsupportedShape(f"{c.node}: $PATH in a constraint of a node shape")
        select = select.replace("$PATH", path)
    return f"SELECT * WHERE {{ {t} {{ {select} }} }}"


__all__ = ["SUBCLASS_PAIRS", "Query", "compile_shape", "conforms", "focus_nodes", "targets", "term", "values"]
