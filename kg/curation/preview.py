"""``kg preview``: a curator's live view of the article being curated.

A small app of its own (not the published site): it reads the seeds on every
request, so it shows the files as they are now, including while they do not
validate. The article's text is shown with each located quote highlighted
and linked to its fact (and back), facts and claims listed, and every
problem of the run that falls in this article shown inline: in the list at
the top, beside its fact, and under its line of the YAML source. The page
polls ``/digest`` (a hash of the seed files' sizes and modification times)
and reloads when a file is saved. Everything it needs ships in the package.

Bound to loopback by default: it serves the working files, not a release.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.curation.checks import Parts, locate_quotes, parse_article
from kg.curation.loader import LINKS_FILE, CorpusStream
from kg.curation.problems import ENTITIES_FILE
from kg.curation.quote.verbatim import QuoteNotFound, Span, locate
from kg.curation.retired import RETIRED_FILE  # merged entities' old keys: not an article
from kg.curation.yamlio import read_yaml
from kg.errors import CurationError, Problem

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_ITEM = re.compile(r"^(facts|claims)\[(\d+)\]")


def digest(seeds_dir: Path) -> str:
    """Changes whenever a seed file is saved, added or removed (size and mtime of each)."""
    h = hashlib.sha256()
    for path in sorted(Path(seeds_dir).iterdir()):
        if path.suffix in (".yaml", ".txt") and path.is_file():
            st = path.stat()
            h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def run_problems(seeds_dir: Path) -> tuple[list[Problem], list[Problem]]:
    """Every problem and warning of a whole run, as ``kg validate`` would report them."""
    stream = CorpusStream(seeds_dir)
    for _ in stream.articles():
        pass
    try:
        stream.finish()
    except CurationError as exc:
        return exc.problems, stream.warnings
    return [], stream.warnings


@dataclass
class Segment:
    """A run of the article text, and the quotes (fact or claim ids, quote number) covering it."""

    text: str
    quotes: list[tuple[str, int]]
    anchors: list[str] = field(default_factory=list)
    """Ids of the quotes that start here (``q-<id>-<n>``), the targets of the facts' links."""
    back: list[str] = field(default_factory=list)
    """Items whose quote ends here and that no highlighted run links to (it lies inside another quote)."""


@dataclass
class Item:
    section: str
    index: int
    ident: str
    kind: str
    fields: list[tuple[str, str]]
    quotes: list[tuple[int, str, bool]]  # (number, text, found)
    line: int | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class View:
    name: str
    title: str
    segments: list[Segment]
    items: list[Item]
    problems: list[Problem]
    warnings: list[Problem]
    other_problems: int
    source_lines: list[tuple[int, str, list[Problem]]]
    digest: str


def segments(text: str, spans: dict[tuple[str, int], Span]) -> list[Segment]:
    """``text`` cut at every quote boundary; overlapping quotes share a segment."""
    cuts = {0, len(text)}
    for s in spans.values():
        cuts.update((s.start, s.end))
    bounds = sorted(cuts)
    firsts = {(s.start, key) for key, s in spans.items()}
    out = []
    for a, b in itertools.pairwise(bounds):
        covering = sorted(key for key, s in spans.items() if s.start <= a and b <= s.end)
        anchors = [f"q-{k[0]}-{k[1] + 1}" for (start, k) in sorted(firsts) if start == a and k in covering]
        out.append(Segment(text[a:b], covering, anchors))
    linked = {seg.quotes[0][0] for seg in out if seg.quotes}
    for key, s in sorted(spans.items()):
        if key[0] not in linked:
            next(seg for seg, b in zip(out, bounds[1:], strict=True) if b == s.end).back.append(key[0])
            linked.add(key[0])
    return out


_SKIP = {"id", "quote", "note", "kind"}


def _fields(model: Any) -> list[tuple[str, str]]:
    out = []
    for name, value in model.model_dump(exclude_defaults=True).items():
        if name in _SKIP:
            continue
        if isinstance(value, dict) and set(value) == {"text"}:
            value = value["text"]  # a PartialDate
        if isinstance(value, list):
            value = ", ".join(f"{v['agent']} ({v['role']})" if isinstance(v, dict) and "agent" in v else str(v) for v in value)
        out.append((name, str(value)))
    return out


def article_view(seeds_dir: Path, name: str) -> View:
    path = Path(seeds_dir) / name
    problems, warnings = run_problems(seeds_dir)
    mine = [p for p in problems if Path(p.path) == path or Path(p.path).name == _text_name(path)]
    source_text = path.read_text(encoding="utf-8", errors="replace")
    spans: dict[tuple[str, int], Span] = {}
    parts, text, title = Parts(None, [], [], []), "", name
    try:
        source = read_yaml(path)
    except CurationError:
        source = None
    if source is not None:
        parts = parse_article(source)[1]
        title = parts.meta.title.ar if parts.meta else title
        text_path = Path(seeds_dir) / (parts.meta.file if parts.meta else _text_name(path))
        if text_path.is_file():
            text = text_path.read_text(encoding="utf-8", errors="replace")
            locate_quotes(source, parts, text, spans)
    items = []
    for section, entries in (("facts", parts.facts), ("claims", parts.claims)):
        for i, item in entries:
            quotes = [(j + 1, q.text, (item.id, j) in spans) for j, q in enumerate(item.quote)]
            line = source.line([section, i]) if source is not None else None
            items.append(Item(section, i, item.id, getattr(item, "kind", "claim"), _fields(item), quotes, line))
    items += _invalid_items(source, parts, text, spans)
    items.sort(key=lambda it: (it.section != "facts", it.index))
    by_item = {(it.section, it.index): it for it in items}
    for p in mine:
        m = _ITEM.match(p.field)
        if m and (m.group(1), int(m.group(2))) in by_item:
            by_item[(m.group(1), int(m.group(2)))].problems.append(p)
    lines = [(n, line, [p for p in mine if p.line == n and Path(p.path) == path])
             for n, line in enumerate(source_text.splitlines(), 1)]
    return View(name, title, segments(text, spans), items, mine, [w for w in warnings if Path(w.path) == path],
                len(problems) - len(mine), lines, digest(seeds_dir))


def _invalid_items(source: Any, parts: Parts, text: str, spans: dict[tuple[str, int], Span]) -> list[Item]:
    """The facts and claims that do not validate, shown as written (their
    problems go beside them), their quotes still located where they can be."""
    if source is None:
        return []
    valid = {("facts", i) for i, _ in parts.facts} | {("claims", i) for i, _ in parts.claims}
    out = []
    for section in ("facts", "claims"):
        raw = source.data.get(section)
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            if (section, i) in valid:
                continue
            item = item if isinstance(item, dict) else {"value": item}
            quote = item.get("quote")
            quotes = quote if isinstance(quote, list) else [quote] if quote else []
            texts = [q.get("text") if isinstance(q, dict) else q for q in quotes]
            ident = str(item.get("id") or f"{section}-{i}")
            for j, (q, t) in enumerate(zip(quotes, texts, strict=True)):
                occurrence = q.get("occurrence") if isinstance(q, dict) else None
                try:
                    spans[(ident, j)] = locate(text, str(t), occurrence if isinstance(occurrence, int) else None)
                except (QuoteNotFound, TypeError):
                    pass
            fields = [(str(k), str(v)) for k, v in item.items() if k not in _SKIP]
            out.append(Item(section, i, ident, str(item.get("kind", "claim" if section == "claims" else "?")), fields,
                            [(j + 1, str(t), (ident, j) in spans) for j, t in enumerate(texts)], source.line([section, i])))
    return out


def _text_name(path: Path) -> str:
    return path.with_suffix(".txt").name


def article_names(seeds_dir: Path) -> list[str]:
    return [p.name for p in sorted(Path(seeds_dir).glob("*.yaml")) if p.name not in {ENTITIES_FILE, LINKS_FILE, RETIRED_FILE}]


def create_app(seeds_dir: Path) -> FastAPI:
    seeds_dir = Path(seeds_dir)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    app = FastAPI(title="kg preview", docs_url=None, redoc_url=None, openapi_url=None)

    def page(template: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(template).render(**context), headers=HEADERS)

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        problems, _ = run_problems(seeds_dir)
        counts: dict[str, int] = {}
        for p in problems:
            counts[Path(p.path).name] = counts.get(Path(p.path).name, 0) + 1
        return page("preview_index.html", names=article_names(seeds_dir), counts=counts,
                    total=len(problems), digest=digest(seeds_dir), seeds=str(seeds_dir))

    @app.get("/article/{name}", response_class=HTMLResponse)
    def article(name: str) -> HTMLResponse:
        if name not in article_names(seeds_dir):
            raise HTTPException(404, f"no article file {name!r} in the seeds")
        return page("preview_article.html", view=article_view(seeds_dir, name))

    @app.get("/digest")
    def current_digest() -> JSONResponse:
        return JSONResponse({"digest": digest(seeds_dir)}, headers=HEADERS)

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        files = {p.name: p for p in STATIC.iterdir()}
        if name not in files:
            raise HTTPException(404)
        media = "text/css" if name.endswith(".css") else "text/javascript"
        return Response(files[name].read_bytes(), media_type=f"{media}; charset=utf-8", headers=HEADERS)

    return app


def serve(seeds_dir: Path, *, host: str = "127.0.0.1", port: int = 8765, article: Path | None = None) -> int:
    import sys

    import uvicorn

    start = f"http://{host}:{port}/" + (f"article/{Path(article).name}" if article else "")
    print(f"kg preview: {start} (refreshes on save; Ctrl-C to stop)", file=sys.stderr, flush=True)
    uvicorn.run(create_app(seeds_dir), host=host, port=port, log_level="warning")
    return 0


__all__ = ["article_view", "create_app", "digest", "segments", "serve"]
