"""``/releases/{id}/changes`` for people: what changed in each thing, and the
RDF Patch to download.

The JSON (``kg diff --format json``'s shape) stays the answer for clients
(``Accept: application/json``, ``.json``, or none); a browser gets this page.
The detail comes from the two releases' own ``dataset.nq``: the sorted merge
of ``kg.release.diff`` yields every quad added or removed, in memory that does not
grow with the releases; the page keeps the first ``MAX_THINGS`` things (each
with at most ``MAX_ROWS`` statements) and says so when it cut. A label that
changed reads as "was … → now …" ("Doha" → "Doha (city)"). The patch
(``.rdfp``, ``application/rdf-patch``) streams every quad, ``A``/``D`` rows
as ``kg diff --format patch`` writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from kg.errors import ReleaseNotFound
from kg.rdf.vocab import RDFS, SKOS, prefixes
from kg.release.diff import merge, quad_key, write_patch_line
from kg.release.directory import Release, release_by_id
from kg.release.history import ReleaseInfo
from kg.web.context import context
from kg.web.render import Viewer, choose_language, get_urls, render_html

MAX_THINGS = 200
"""Things shown with their changed statements on one page; the JSON lists them all."""
MAX_ROWS = 40
"""Changed statements shown per thing."""
PATCH = "application/rdf-patch"
NAMES = (str(RDFS.label), str(SKOS.prefLabel))


@dataclass
class ThingChange:
    iri: str
    names: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {"was": {}, "now": {}})
    rows: list[tuple[int, ox.Quad]] = field(default_factory=list)
    more: int = 0


def kept(var_dir, info: ReleaseInfo | None) -> Release | None:  # type: ignore[no-untyped-def]
    """A release's files, if they are still kept."""
    if info is None or info.pruned:
        return None
    try:
        return release_by_id(var_dir, info.id)
    except ReleaseNotFound:
        return None


def quad_lines(release: Release | None) -> Iterator[bytes]:
    if release is None:
        return
    with open(release.file("dataset.nq"), "rb") as fh:
        yield from fh


def changed_quads(old: Release | None, new: Release) -> Iterator[tuple[int, bytes]]:
    """(+1 added | -1 removed, N-Quads line), in the dumps' order."""
    for sign, line in merge(quad_lines(old), quad_lines(new), quad_key):
        if sign:
            yield sign, line


def detail(old: Release | None, new: Release, base: str) -> tuple[list[ThingChange], bool]:
    """The changed statements per thing under ``{base}id/`` (by subject, fragments
    folded into their thing), the first ``MAX_THINGS``; and whether some were cut."""
    ours = base + "id/"
    things: dict[str, ThingChange] = {}
    cut = False
    for sign, line in changed_quads(old, new):
        quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_QUADS)))
        if not isinstance(quad.subject, ox.NamedNode) or not quad.subject.value.startswith(ours):
            continue
        iri = quad.subject.value.split("#", 1)[0]
        change = things.get(iri)
        if change is None:
            if len(things) >= MAX_THINGS:
                cut = True
                continue
            change = things[iri] = ThingChange(iri)
        if quad.subject.value == iri and quad.predicate.value in NAMES and isinstance(quad.object, ox.Literal):
            side = change.names["now" if sign > 0 else "was"].setdefault(quad.object.language or "", [])
            if quad.object.value not in side:
                side.append(quad.object.value)
            continue
        if len(change.rows) < MAX_ROWS:
            change.rows.append((sign, quad))
        else:
            change.more += 1
    return list(things.values()), cut


def patch(old: Release | None, new: Release, info: ReleaseInfo) -> Response:
    """Every quad added or removed as RDF Patch rows, streamed."""
    def rows() -> Iterator[bytes]:
        for sign, line in changed_quads(old, new):
            yield write_patch_line(sign, line)

    return StreamingResponse(rows(), media_type=PATCH, headers={
        "Content-Disposition": f'attachment; filename="changes-{info.id}.rdfp"',
        "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff",
        "Link": f'</releases/{info.id}/changes>; rel="describedby"'})


def page(request: Request, var_dir, info: ReleaseInfo, previous: ReleaseInfo | None, summary_row: dict) -> Response:  # type: ignore[no-untyped-def]
    """The HTML view: the summary, then each changed thing with what changed in it."""
    from kg.web.release_view import RELEASE_UI

    urls = get_urls(request)
    lang = choose_language(request)
    new, old = kept(var_dir, info), kept(var_dir, previous)
    available = new is not None and (previous is None or old is not None)
    things, cut = detail(old, new, urls.base) if available and new is not None else ([], False)
    view = Viewer(urls, prefixes(urls.base), context(request).term_labels or {})
    shown = []
    for t in things:
        names = {side: {k: " / ".join(v) for k, v in by_lang.items()} for side, by_lang in t.names.items()}
        shown.append({
            "iri": t.iri, "href": urls.page(t.iri), "curie": view.curie(t.iri),
            "was": names["was"].get(lang) or names["was"].get("en") or names["was"].get("ar") or next(iter(names["was"].values()), None),
            "now": names["now"].get(lang) or names["now"].get("en") or names["now"].get("ar") or next(iter(names["now"].values()), None),
            "rows": [{"sign": sign, "subject": view.term(q.subject), "predicate": view.term(q.predicate), "object": view.term(q.object),
                      "part": str(getattr(q.subject, "value", "")).partition("#")[2]} for sign, q in t.rows],
            "more": t.more,
        })
    return render_html(request, "changes.html", {
        "r": summary_row, "rt": RELEASE_UI[lang], "things": shown, "cut": cut, "available": available,
        "max_things": MAX_THINGS,
    }, headers={"Vary": "Accept, Accept-Language, Cookie", "Cache-Control": "public, max-age=60"})


__all__ = ["MAX_THINGS", "PATCH", "detail", "page", "patch"]
