"""Run the compiled shapes on a pyoxigraph ``Store`` and write pyshacl's report.

The store holds the data as named graphs and, as its default graph, their
de-duplicated union (``kg.store.embedded.release_files``); every query reads
the default graph, and SHACL-SPARQL constraints may look into a fact's own
graph with ``GRAPH $this``. Named graphs that are not data (the release's
``{base}ontology`` and ``{base}shapes``) are never a default-graph source.

The report graph has the triples pyshacl writes for each result (focus node,
path, value, source shape, component, severity, messages, source constraint),
so ``kg.validation.validate.Report`` reads it the same way; ``tests/test_shacl_engine.py``
holds the two reports equal.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.rdf.vocab import SH
from kg.validation.focus import Near
from kg.validation.literals import INTEGER, STRING, Originals, reference_accepts
from kg.validation.model import Hierarchy, Shape, ShapesModel, read_shapes
from kg.validation.reach import reach, restrict
from kg.validation.sparql import SUBCLASS_PAIRS, Query, compile_shape, focus_among, focus_nodes, values

_NOT_BREAKING = {SH.Warning, SH.Info}
_RDF_TYPE = ox.NamedNode(str(RDF.type))  # the reference runs with allow_warnings=True


@dataclass(frozen=True)
class Result:
    focus: Node
    value: Node | None
    path: Node | None
    shape: Shape
    component: URIRef
    messages: tuple[Literal, ...]
    source_constraint: Node | None = None


def compile_all(shapes: Graph, hierarchy: Hierarchy) -> list[Query]:
    """Every query of every shape with targets (raises ``UnsupportedShape`` first, before any query runs)."""
    return compile_model(read_shapes(shapes), hierarchy)


def compile_model(model: ShapesModel, hierarchy: Hierarchy) -> list[Query]:
    """``compile_all`` on a model already read: ``run`` needs the model's roots again to slice."""
    queries: list[Query] = []
    for root in model.roots:
        queries += compile_shape(model, root, root, hierarchy)
        for prop in root.properties:
            queries += compile_shape(model, root, prop, hierarchy)
    return queries


THREADS = max(2, os.cpu_count() or 2)
"""Queries evaluated at once: one per core (at least two). pyoxigraph evaluates a query with the
GIL released (``QuerySolutions.__next__``), so the threads run on separate cores: on 2 cores,
1.9 threads runnable on average against 1.16 with one thread (benchmarks/validate_parallel.py,
docs/validation.md)."""

SLICE_SIZE = 5_000
"""Focus nodes per evaluation of a core constraint. Each query's hash tables (DISTINCT,
GROUP BY, joins) then hold one slice, not every focus node of the corpus: the memory of
validation stops growing with the data (docs/validation.md, "Validating at scale")."""


def run(store: ox.Store, shapes: Graph, ontology: Graph | None = None, *,
        originals: Originals | None = None, threads: int = THREADS,
        slice_size: int | None = SLICE_SIZE, focus: set[str] | None = None, near: Near | None = None,
        done: Callable[[], None] | None = None) -> tuple[bool, Graph]:
    """Validate ``store`` against ``shapes``; (conforms, sh:ValidationReport graph).

    ``slice_size``: core constraints run on that many focus nodes at a time (``None`` or 0:
    each on all of them in one query); the report is the same either way. ``focus``: core
    constraints only on these nodes (N-Triples terms) where they are focus nodes; SHACL-SPARQL
    constraints still run whole, unless ``near`` (with ``focus``) says which nodes a change can reach from
    where they read (``kg.validation.reach``). What an incremental build validates (``kg.validation.focus``).
    ``done``: called as each query's rows have been read (from the worker threads), for progress."""
    pairs = [(str(s), str(o)) for g in (ontology, shapes) if g is not None
             for s, o in g.subject_objects(RDFS.subClassOf)]
    solutions = store.query(SUBCLASS_PAIRS)
    pairs += [(r["s"].value, r["o"].value) for r in solutions  # type: ignore[union-attr]
              if isinstance(r["s"], ox.NamedNode) and isinstance(r["o"], ox.NamedNode)]
    del solutions
    model = read_shapes(shapes)
    hierarchy = Hierarchy(pairs)
    queries = compile_model(model, hierarchy)
    if originals is None and any(q.integer_datatype and q.shape.path is not None for q in queries):
        warnings.warn("sh:datatype of an integer type checked without the literals as written "
                      "(pass originals=): Oxigraph keeps only the value", stacklevel=3)

    def one(q: Query, text: str) -> list[Result]:
        # read every row on this thread: pyoxigraph's solutions must be dropped where they were made.
        # Rows stream (a generator, consumed here): the integer-datatype queries return every
        # offset in the dataset, which as a list cost hundreds of MB at 10 000 articles.
        solutions = store.query(text)
        variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        rows = ({name: row[name] for name in variables} for row in solutions)  # type: ignore[union-attr]
        found = _results(q, variables, rows, originals)
        del rows, solutions
        if done is not None:
            done()
        return found

    results: list[Result] = []
    if focus is not None:
        slice_size = slice_size or SLICE_SIZE
    whole = [q for q in queries if q.targets is None or not slice_size]
    by_root: dict[Node, list[Query]] = {}
    for q in queries:
        if q.targets is not None and slice_size:
            by_root.setdefault(q.root, []).append(q)  # type: ignore[arg-type]
    model_roots = {r.node: r for r in model.roots}
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:  # pyoxigraph evaluates without the GIL (THREADS)
        window = _Window(pool, 2 * max(1, threads))
        for q in whole:
            for text in _near(q, near if focus is not None else None, slice_size or SLICE_SIZE):
                window.submit(one, q, text)
        for root, group in by_root.items():
            slices = (_slices(store, focus_nodes(model_roots[root], hierarchy), slice_size or 0) if focus is None
                      else _among(store, model_roots[root], hierarchy, focus, slice_size or SLICE_SIZE))
            mark = window.mark()
            for nodes in slices:
                if nodes is None:  # a blank node among the focus nodes: VALUES cannot name it
                    window.drop_since(mark)
                    for q in group:
                        window.submit(one, q, q.text)
                    break
                text = values(nodes)
                for q in group:
                    window.submit(one, q, q.on(text))
        for found in window.drain():
            results += found
    return _report(results, shapes)


def _near(q: Query, near: Near | None, size: int) -> list[str]:
    """A SHACL-SPARQL constraint on the nodes a change can reach (``size`` at a time; none: no query), or whole."""
    r = reach(q.text) if near is not None and q.sparql is not None else None
    nodes = near.nodes(r) if near is not None and r is not None else None
    if nodes is None:
        return [q.text]
    ordered = sorted(nodes)
    texts = [t for i in range(0, len(ordered), size) if (t := restrict(q.text, ordered[i:i + size])) is not None]
    return texts if len(texts) == -(-len(ordered) // size) else [q.text]


class _Window:
    """At most ``size`` queries in flight, their results kept in submission order:
    submitting every slice's query text at once would hold them all in memory."""

    def __init__(self, pool: ThreadPoolExecutor, size: int) -> None:
        self._pool, self._size = pool, size
        self._pending: deque[tuple[int, Future[list[Result]]]] = deque()
        self._done: list[tuple[int, list[Result]]] = []
        self._n = 0

    def submit(self, fn: Callable[..., list[Result]], *args: object) -> None:
        while len(self._pending) >= self._size:
            n, fut = self._pending.popleft()
            self._done.append((n, fut.result()))
        self._pending.append((self._n, self._pool.submit(fn, *args)))
        self._n += 1

    def mark(self) -> int:
        return self._n

    def drop_since(self, mark: int) -> None:
        """Forget the results of everything submitted since ``mark`` (waiting for it)."""
        self._done += [(n, fut.result()) for n, fut in self._pending]
        self._pending.clear()
        self._done = [(n, r) for n, r in self._done if n < mark]

    def drain(self) -> Iterator[list[Result]]:
        self._done += [(n, fut.result()) for n, fut in self._pending]
        self._pending.clear()
        for _, found in sorted(self._done, key=lambda d: d[0]):
            yield found


def _among(store: ox.Store, root: Shape, hierarchy: Hierarchy, nodes: set[str], size: int) -> Iterator[list[str]]:
    """The focus nodes of ``root`` among ``nodes``, ``size`` at a time.

    Class and subjects-of targets are read by index lookups per node (``quads_for_pattern``
    on the default graph), so the cost follows the nodes, not the store: the same test as
    one SPARQL join with the nodes' VALUES, which Oxigraph evaluated by scanning every
    ``rdf:type`` triple (0.6 s for 367 nodes of a 1 000-article store, per shape). Other
    kinds of target (objects of, listed nodes, SPARQL targets) are asked by SPARQL."""
    classes = {c for cls in root.targets.get(SH.targetClass, []) for c in hierarchy.below(str(cls))}
    subjects_of = [ox.NamedNode(str(p)) for p in root.targets.get(SH.targetSubjectsOf, [])]
    found: set[str] = set()
    default = ox.DefaultGraph()
    for n in nodes:
        if not n.startswith("<"):
            continue  # a literal is never a subject
        node = ox.NamedNode(n[1:-1])
        if (classes and any(isinstance(q.object, ox.NamedNode) and q.object.value in classes
                           for q in store.quads_for_pattern(node, _RDF_TYPE, None, default))) or any(
                next(iter(store.quads_for_pattern(node, p, None, default)), None) is not None for p in subjects_of):
            found.add(n)
    rest = Shape(root.node, root.path, root.severity, root.messages, root.params,
                 targets={k: v for k, v in root.targets.items() if k not in (SH.targetClass, SH.targetSubjectsOf)},
                 sparql_targets=root.sparql_targets)
    if rest.targets or rest.sparql_targets:
        ordered = sorted(nodes)
        for i in range(0, len(ordered), size):
            found.update(str(row["this"]) for row in store.query(focus_among(rest, hierarchy, ordered[i:i + size])))  # type: ignore[union-attr]
    chosen = sorted(found)
    for i in range(0, len(chosen), size):
        yield chosen[i:i + size]


def _slices(store: ox.Store, query: str, size: int) -> Iterator[list[str] | None]:
    """The focus nodes as N-Triples terms, ``size`` at a time, streamed; ``None`` (and stop)
    at a blank node, which no query text can name."""
    batch: list[str] = []
    for row in store.query(query):  # type: ignore[union-attr]
        node = row["this"]
        if not isinstance(node, (ox.NamedNode, ox.Literal)):
            yield None
            return
        batch.append(str(node))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _results(q: Query, variables: list[str], rows: Iterable[dict[str, object]],
             originals: Originals | None) -> list[Result]:
    shape = q.shape
    out: list[Result] = []
    if q.sparql is not None:
        seen: set[tuple[object, ...]] = set()
        for row in rows:
            bound = {v: _node(row[v]) for v in variables if row[v] is not None}
            this, path, value = bound.pop("this"), bound.pop("path", None), bound.pop("value", None)
            key = (this, path, value, tuple(sorted(bound.items())))
            if key in seen:
                continue
            seen.add(key)
            if value is None and not shape.is_property:
                value = this
            fdict: dict[str, Node] = {**bound, "this": this}
            if path is not None:
                fdict["path"] = path
            if value is not None:
                fdict["value"] = value
            messages = [Literal(_fill(str(m), fdict)) for m in q.sparql.messages if m not in shape.messages]
            messages += [Literal(_fill(str(m), fdict)) for m in shape.messages]
            out.append(Result(this, value, path if path is not None else shape.path, shape, q.component,
                              tuple(messages), q.sparql.node))
        return out
    for row in rows:
        focus = _node(row["this"])
        value = _node(row["value"]) if q.with_value and row["value"] is not None else None
        if q.integer_datatype is not None:
            for written in _as_written(focus, value, shape, originals, q.integer_datatype):
                if not reference_accepts(str(written), str(written.datatype), q.integer_datatype):
                    out.append(Result(focus, written, shape.path, shape, q.component, shape.messages or _generic(q)))
            continue
        if value is not None and originals is not None:
            value = _restore(focus, value, shape, originals)
        out.append(Result(focus, value, shape.path, shape, q.component, shape.messages or _generic(q)))
    return out


def _as_written(focus: Node, stored: Node | None, shape: Shape, originals: Originals | None,
                required: str) -> list[Literal]:
    """The literal(s) as written behind a stored integer; unknown → taken as written in
    ``required`` (then only its value's range is checked: see the warning in ``run``)."""
    if originals is not None and isinstance(shape.path, URIRef):
        found = originals.lookup(str(focus), str(shape.path), str(stored))
        if found:
            return [Literal(lex, datatype=URIRef(dt)) for lex, dt in found]
    return [Literal(str(stored), datatype=URIRef(required))]


def _restore(focus: Node, value: Node, shape: Shape, originals: Originals) -> Node:
    """An integer value reported as it was written, where exactly one literal fits."""
    if isinstance(value, Literal) and value.datatype == URIRef(INTEGER) and isinstance(shape.path, URIRef):
        found = originals.lookup(str(focus), str(shape.path), str(value))
        if len(found) == 1:
            return Literal(found[0][0], datatype=URIRef(found[0][1]))
    return value


def _fill(message: str, fdict: dict[str, Node]) -> str:
    """pyshacl's substitution of ``{?var}``/``{$var}`` in SPARQL constraint messages."""
    for var, val in fdict.items():
        message = re.sub(f"{{[?$]{var}}}", str(val), message)
    return message


def _generic(q: Query) -> tuple[Literal, ...]:
    return (Literal(f"{str(q.component).rsplit('#', 1)[-1]} violated at {q.shape.node}"),)


def _node(t: object) -> Node:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == STRING:
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    raise TypeError(f"unexpected term {t!r}")


def _report(results: list[Result], shapes: Graph) -> tuple[bool, Graph]:
    g = Graph()
    report = BNode()
    conforms = all(r.shape.severity in _NOT_BREAKING for r in results)
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.sourceShape, r.shape.node))
        g.add((node, SH.resultSeverity, r.shape.severity))
        g.add((node, SH.focusNode, r.focus))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
            _copy_blank(shapes, r.path, g)
        if r.source_constraint is not None:
            g.add((node, SH.sourceConstraint, r.source_constraint))
        for m in r.messages:
            g.add((node, SH.resultMessage, m))
    return conforms, g


def _copy_blank(src: Graph, node: Node, dst: Graph) -> None:
    """A path given by blank nodes (``sh:alternativePath`` lists) copied into the report."""
    stack = [node]
    while stack:
        n = stack.pop()
        if not isinstance(n, BNode):
            continue
        for p, o in src.predicate_objects(n):
            if (n, p, o) not in dst:
                dst.add((n, p, o))
                stack.append(o)
