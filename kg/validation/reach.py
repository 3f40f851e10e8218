"""How far from its focus node a SHACL-SPARQL constraint reads: so an incremental build can run it
on the focus nodes a change can reach instead of on the whole store (docs/build.md).

A constraint qualifies when every triple pattern outside ``GRAPH $this`` hangs off ``$this``
through subjects: ``$this p ?a . ?a q ?b`` (paths of IRIs, sequences and alternatives; no
inverse or repeated paths, no pattern whose subject is a constant or a variable bound some
other way), and every ``GRAPH`` names ``$this``. Then a solution for ``$this`` reads only
triples whose subject is at most ``depth`` steps from ``$this`` along the data's edges, and
the quads of the named graph ``$this``. A triple added or removed since the previous
release can change the rows of ``$this`` only if its subject is within ``depth`` steps of
``$this`` (a removed link on the way is itself a removed triple, whose subject is nearer),
or ``$this`` names the graph of a changed quad: so the focus nodes to run it on are the
changed triples' subjects, what points at them up to ``depth`` steps back, and the changed
graphs. Every other focus node's rows are the previous release's, which were none (the
incremental path is taken only after a report without results). Anything else — an
unparsable query, a subquery that does not project ``$this``, a literal with a brace —
runs whole, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

THIS = Variable("this")
_SELECT = re.compile(r"(?is)\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*\bWHERE\b")
_WHERE = re.compile(r"(?i)\bWHERE\s*\{")


@dataclass(frozen=True)
class Reach:
    depth: int  # steps from $this to the farthest subject a pattern reads
    graph: bool  # reads the named graph $this


def reach(text: str) -> Reach | None:
    """The reach of a compiled SHACL-SPARQL constraint query (targets and constraint), or None."""
    if not all("*" in m[1] or re.search(r"[?$]this\b", m[1]) for m in _SELECT.finditer(text)):
        return None  # a subquery's own ?this would be another variable
    if _groups(text) is None:
        return None
    try:
        algebra = prepareQuery(text).algebra
    except Exception:  # noqa: BLE001 - whatever rdflib cannot read runs whole
        return None
    outside: list[tuple[object, int, object]] = []
    graph = [False]

    def walk(node: object, in_graph: bool) -> bool:
        if isinstance(node, CompValue):
            if node.name == "Graph":
                if node.get("term") != THIS:
                    return False
                graph[0] = True
                return walk(node.get("p"), True)
            if node.name == "BGP" and not in_graph:
                for s, p, o in node.get("triples") or []:
                    n = _length(p)
                    if n is None:
                        return False
                    outside.append((s, n, o))
            return all(walk(v, in_graph) for v in node.values())
        if isinstance(node, (list, tuple)):
            return all(walk(v, in_graph) for v in node)
        return True

    if not walk(algebra, False):
        return None
    dist: dict[object, int] = {THIS: 0}
    for _ in range(len(outside) + 1):
        for s, n, o in outside:
            if s in dist and isinstance(o, Variable) and dist.get(o, 1 << 30) > dist[s] + n:
                dist[o] = dist[s] + n
    if any(s not in dist for s, _n, _o in outside):
        return None
    depth = max((dist[s] + n - 1 for s, n, _o in outside), default=0)
    return Reach(depth, graph[0])


def _length(p: object) -> int | None:
    if isinstance(p, (URIRef, Variable)):
        return 1
    if isinstance(p, SequencePath):
        parts = [_length(a) for a in p.args]
        return None if None in parts else sum(parts)  # type: ignore[arg-type]
    if isinstance(p, AlternativePath):
        parts = [_length(a) for a in p.args]
        return None if None in parts else max(parts)  # type: ignore[type-var]
    if isinstance(p, Path):
        return None  # inverse, repeated, negated: reads towards or beyond $this
    return None


def _groups(text: str) -> list[int] | None:
    """Where each ``WHERE { … }`` group closes (offsets of its ``}``), skipping strings, IRIs and comments."""
    closes: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            i = text.index(">", i) + 1
            continue
        if c == "#":
            return None  # a comment (IRIs are skipped above): keep it simple, run whole
        if c == "{":
            stack.append(i)
        elif c == "}":
            if not stack:
                return None
            closes[stack.pop()] = i
        i += 1
    if stack:
        return None
    return [closes[m.end() - 1] for m in _WHERE.finditer(text) if m.end() - 1 in closes]


def restrict(text: str, nodes: list[str]) -> str | None:
    """``text`` with ``VALUES ?this {nodes}`` at the end of every ``WHERE`` group (every group
    projects ``?this``, so this only drops rows of other focus nodes); None if it cannot be done."""
    ends = _groups(text)
    if ends is None:
        return None
    values = " VALUES ?this { " + " ".join(nodes) + " } "
    for end in sorted(ends, reverse=True):
        text = text[:end] + values + text[end:]
    return text
