"""The HTML query page of ``/sparql``: editor, examples, results table, downloads.

Rendered on the server from the same ``QueryResult`` the other formats are
serialized from, so it works without JavaScript and without the internet
(``templates/sparql.html`` is self-contained: no CDN, no external asset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import pyoxigraph as ox

from kg.competency import questions
from kg.rdf import formats as F
from kg.store.base import QueryResult, Term
from kg.web import plurals
from kg.web import results as R

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = plurals.install(jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
))

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


IMPLICIT = "implicit-prefixes"
"""The form's hidden field: its queries may use the known prefixes undeclared."""
_PREFIX_LINE = re.compile(r"^[ \t]*PREFIX[ \t]+([A-Za-z][\w.-]*)?:[ \t]*<([^>]*)>[ \t]*\r?\n?", re.IGNORECASE)
_POSITION = re.compile(r"error at (\d+):(\d+):?\s*(.*)", re.DOTALL)


def declared(query: str) -> set[str]:
    """Prefixes a query declares itself (anywhere in its prologue)."""
    return {m.group(1) or "" for m in re.finditer(r"PREFIX\s+([A-Za-z][\w.-]*)?:", query, re.IGNORECASE)}


def with_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """``query`` after one line declaring the known prefixes it does not
    declare itself, as WDQS and Virtuoso predefine theirs; one line, so an
    error's line number is one more than in the text the user typed."""
    mine = declared(query)
    line = " ".join(f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefixes.items()) if p not in mine)
    return f"{line}\n{query}"


def page_prefixes(prefixes: dict[str, str], base: str) -> dict[str, str]:
    """The prefixes the query page declares for its users: the dataset's, and
    ``id:`` for its things (the example queries all use it)."""
    return {**prefixes, "id": base + "id/"}


def strip_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """The query without the declarations of known prefixes (same name, same
    namespace) in its prologue, which the form declares implicitly: the reader
    sees the question, not fourteen PREFIX lines. Comments, other
    declarations and everything after the prologue stay as they are."""
    lines = query.split("\n")
    kept: list[str] = []
    for n, line in enumerate(lines):
        text = line.strip()
        m = _PREFIX_LINE.fullmatch(line.rstrip("\r"))  # a line that is one declaration
        if m:
            if prefixes.get(m.group(1) or "") != m.group(2):
                kept.append(line)
        elif text.startswith("#"):
            kept.append(line)
        elif text:  # the prologue is over
            return "\n".join(kept + lines[n:])
    return "\n".join(kept)


def unknown_prefix(error: str, query: str, known: dict[str, str], *, offset: int = 0) -> tuple[str, int, int] | None:
    """For the parser's "Prefix not found" (which it buries in a list of
    expected tokens): (the prefix, line, column where its name starts in the
    user's text). ``None`` for any other error."""
    m = _POSITION.search(error)
    if not m or "Prefix not found" not in m.group(3):
        return None
    line_no, column = int(m.group(1)), int(m.group(2))
    lines = query.split("\n")
    text = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    at = max(0, min(column - 1, len(text)))
    found = None
    for name in re.finditer(r"(?<![\w:?$<])([A-Za-z][\w.-]*)?:", text):  # the prefixed name the parser stopped in or after
        if name.start() <= at or found is None:
            found = name
        if name.start() > at:
            break
    if found is None:
        return None
    return found.group(1) or "", max(1, line_no - offset), found.start() + 1


def prefix_message(prefix: str, line: int, column: int, known: dict[str, str]) -> str:
    """'unknown prefix rdf: at 11:15 — add PREFIX rdf: <http://…#>' (the namespace when we know it)."""
    namespace = known.get(prefix, "\u2026")
    return f"unknown prefix {prefix}: at {line}:{column} \u2014 add PREFIX {prefix}: <{namespace}>"


def readable_error(error: str, query: str, known: dict[str, str]) -> str:
    """The endpoint's 400 text: the parser's message, or for an undeclared
    prefix one line saying which and how to declare it."""
    found = unknown_prefix(error, query, known)
    return f"syntax error: {prefix_message(*found, known)}" if found else error


def explain(error: str, query: str = "", *, offset: int = 0, known: dict[str, str] | None = None) -> dict[str, object]:
    """The parser's message as one readable line with ``line:column`` in the
    user's text (``offset`` lines were prepended to it): the words near the
    error, and what was expected there — at most eight tokens, without the
    parser's character classes."""
    m = _POSITION.search(error)
    if not m:
        return {"line": None, "column": None, "near": "", "message": " ".join(error.split())}
    line_no, column, rest = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    lines = query.split("\n")
    text = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    at = max(0, min(column - 1, len(text)))
    start = text.rfind(" ", 0, max(0, at - 12)) + 1 if at > 12 else 0
    end = text.find(" ", at + 12)
    near = text[start:end if end != -1 else len(text)].strip()
    found = unknown_prefix(error, query, known or {}, offset=offset)
    if found is not None:
        message = prefix_message(*found, known or {})
        line_no, column = found[1] + offset, found[2]
    elif "Prefix not found" in rest:
        message = "undeclared prefix (add a PREFIX line for it)"
    else:
        tokens = [a or b for a, b in re.findall(r'"((?:[^"\\]|\\.)*)"|(?<![\w\'])([A-Z]{2,})(?![\w\'])', rest.split(" [", 1)[0])]
        shown = [tok if tok.isalpha() else f'"{tok}"' for tok in tokens[:8]]
        message = ("expected " + ("one of " if len(tokens) > 1 else "") + ", ".join(shown)
                   + (", …" if len(tokens) > 8 else "")) if tokens else rest[:160]
    return {"line": max(1, line_no - offset), "column": column, "near": near, "message": message}


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
    lang: str = "en",
    strings: dict[str, str] | None = None,
    implicit: bool = False,
) -> str:
    """The page. ``query`` is what was run (with the implicit prefix line
    when ``implicit``); the editor shows it without the known declarations."""
    columns, rows = table(result, prefixes) if result is not None else ([], [])
    kind = result.kind if result is not None else None
    shown = query.split("\n", 1)[1] if implicit and "\n" in query else query
    return _env.get_template("sparql.html").render(
        endpoint=endpoint_path,
        query=strip_prefixes(shown, prefixes),
        full_query=query,
        known_prefixes=sorted(prefixes.items()),
        implicit_field=IMPLICIT,
        explained=explain(error, query, offset=1 if implicit else 0, known=prefixes) if error else None,
        lang=lang, dir="rtl" if lang == "ar" else "ltr", other_lang="ar" if lang == "en" else "en",
        t=strings or {},
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
