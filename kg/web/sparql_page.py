"""The HTML query page of ``/sparql``: editor, examples, results table, downloads.

Rendered on the server from the same ``QueryResult`` the other formats are
serialized from, so it works without JavaScript and without the internet
(``templates/sparql.html`` is self-contained: no CDN, no external asset).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import pyoxigraph as ox

from kg import formats as F
from kg.competency import questions
from kg.store.base import QueryResult, Term
from kg.web import results as R

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    note: str = ""  # language tag or datatype
    lang: str | None = None


def cell(term: Term | ox.Triple | None, prefixes: dict[str, str]) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        return Cell(compact(term.value, prefixes), href=term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, ox.Literal):
        if term.language:
            return Cell(term.value, note=f"@{term.language}", lang=term.language)
        dt = term.datatype.value
        return Cell(term.value, note="" if dt == XSD + "string" else "^^" + compact(dt, prefixes))
    return Cell(str(term))


def compact(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def table(result: QueryResult, prefixes: dict[str, str]) -> tuple[list[str], list[list[Cell]]]:
    if result.kind == "select":
        return result.variables, [[cell(t, prefixes) for t in row] for row in result.rows]
    if result.kind == "graph":
        return ["subject", "predicate", "object"], [
            [cell(t.subject, prefixes), cell(t.predicate, prefixes), cell(t.object, prefixes)] for t in result.triples
        ]
    return ["boolean"], [[Cell("true" if result.boolean else "false")]]


def downloads(path: str, query: str, kind: str, dataset: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(label, URL) for the result in every other format."""
    out = []
    for fmt in R.offered(kind):
        if fmt is F.HTML:
            continue
        params = [("query", query), *((k, v) for k, vs in dataset.items() for v in vs), ("format", fmt.suffix)]
        out.append((fmt.media_type, f"{path}?{urlencode(params)}"))
    return out


def render(
    *,
    endpoint_path: str,
    examples_dir: Path,
    query: str,
    limits: dict[str, object],
    release_id: str,
    prefixes: dict[str, str],
    result: QueryResult | None = None,
    error: str | None = None,
    dataset: dict[str, list[str]] | None = None,
) -> str:
    columns, rows = table(result, prefixes) if result is not None else ([], [])
    kind = result.kind if result is not None else None
    return _env.get_template("sparql.html").render(
        endpoint=endpoint_path,
        query=query,
        examples=questions(examples_dir) if examples_dir.is_dir() else [],
        columns=columns,
        rows=rows,
        kind=kind,
        truncated=bool(result and result.truncated),
        error=error,
        limits=limits,
        release_id=release_id,
        downloads=downloads(endpoint_path, query, kind, dataset or {}) if kind else [],
        sd_links=[(f.media_type, f"{endpoint_path}?format={f.suffix}") for f in R.GRAPH_OFFERED if f is not F.HTML],
    )
