"""``/releases``: every published release, each with its own immutable dumps.

* ``/releases`` — the list (id, publication time, counts, change summary),
  as a page or, by negotiation or suffix, as RDF (a DCAT catalogue of the
  dataset's versions, ``kg.release.history_rdf``);
* ``/releases/{id}`` — one release: its files, its validation report, what
  changed from the previous release (stored at build time by ``kg.release.diff``, the
  code behind ``kg diff``), as a page or RDF;
* ``/releases/{id}/changes`` — the same changes as JSON (``kg diff --format json``'s shape);
* ``/releases/{id}/dumps/{name}`` — the release's files at URLs that never
  change meaning: ``Cache-Control: immutable`` with a year's max-age, the
  SHA-256 as ``ETag``. A pruned release's files answer ``410 Gone``.

The history is read from ``{var}/history.sqlite`` on each request (a prune
changes it without a new release); a release served but missing from it
(built before the history existed) is shown from its release.json.
"""

from __future__ import annotations

from email.utils import formatdate
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from kg.errors import NotAcceptable, ReleaseNotFound
from kg.rdf.formats import HTML, negotiate
from kg.rdf.iris import Iris
from kg.release import history
from kg.release.directory import RELEASE_ID, Release, release_by_id
from kg.release.history import ReleaseInfo
from kg.release.history_rdf import catalogue_triples, notes, release_iri, release_triples
from kg.web import changes_view, release_view
from kg.web.conditional import DOCUMENT_CACHE_CONTROL, http_date, made_from_history, published
from kg.web.context import ReleaseContext, context
from kg.web.dumps import catalogue, not_modified
from kg.web.negotiated import serve_document, suffix_format
from kg.web.render import choose_language, error_response, get_urls, not_found
from kg.web.urls import Urls

router = APIRouter()
METHODS = ["GET", "HEAD"]
IMMUTABLE = "public, max-age=31536000, immutable"
PAGE_ITEMS = 1000
"""IRIs shown per list on a release page; the JSON pages through the rest."""
JSON_ITEMS = 10_000
"""IRIs per list in one answer of ``/releases/{id}/changes`` (``?limit=`` up to ``JSON_MAX``, ``?offset=``)."""
JSON_MAX = 100_000
CATEGORIES = ("facts", "claims", "entities", "articles")


def history_validators(request: Request) -> dict[str, str]:
    """As ``kg.web.conditional.release_validators``, for what is made from the
    history too: a prune changes it without a new release, so the response is
    marked as depending on the history's stamp (a stored copy is used only
    while it holds) and the stamp's last change can move ``Last-Modified``."""
    var = var_dir(request)
    made_from_history(request, lambda: history.stamp(var))
    _, _, last = history.stamp(var)
    when = max(published(request), history.parse_time(last).timestamp() if last else 0.0)
    return {"Last-Modified": http_date(when), "Cache-Control": DOCUMENT_CACHE_CONTROL}


def var_dir(request: Request) -> Path:
    return Path(context(request).settings.var_dir)


def known_releases(request: Request) -> tuple[list[ReleaseInfo], str]:
    """(every release, oldest first; the id of the one served)."""
    return releases_of(context(request))


def releases_of(ctx: ReleaseContext) -> tuple[list[ReleaseInfo], str]:
    """``known_releases`` of ``ctx`` (no request: the release's warm-up asks too)."""
    current: Release = ctx.release
    infos = history.releases(Path(ctx.settings.var_dir))
    if current.id not in {i.id for i in infos}:
        infos.append(unrecorded(current))
    return infos, current.id


def unrecorded(release: Release) -> ReleaseInfo:
    """A release the history never saw: what its release.json says, changes unknown."""
    meta = {k: release.meta[k] for k in history.META_KEYS if k in release.meta}
    meta["articles"] = len(release.meta.get("articles", []))
    return ReleaseInfo(release.id, history.release_time(release), None, release.base_iri, meta, {})


def find(request: Request, release_id: str) -> ReleaseInfo | None:
    infos, _ = known_releases(request)
    return next((i for i in infos if i.id == release_id), None)


def row(info: ReleaseInfo, current: str, lang: str = "en") -> dict:
    return {"id": info.id, "href": f"/releases/{info.id}", "published": info.published, "current": info.id == current,
            "when": release_view.when(info.published, lang), "notes_text": release_view.notes(info, lang),
            "pruned_when": release_view.when(info.pruned, lang) if info.pruned else None,
            "available": info.available, "pruned": info.pruned, "previous": info.previous,
            "counts": {k: (info.meta.get("held") or info.meta).get(k) for k in CATEGORIES} | {"triples": info.meta.get("triples")},
            "summary": info.summary, "notes": notes(info) if info.summary else "Changes not recorded (published before the history was kept)."}


def variants(urls: Urls, iri: str) -> list[tuple[str, str, str]]:
    return [(href, "HTML" if fmt is HTML else fmt.name, fmt.media_type) for href, fmt in urls.variants(iri)]


@router.api_route("/releases", methods=METHODS, include_in_schema=False)
@router.api_route("/releases.{suffix}", methods=METHODS, include_in_schema=False)
def listing(request: Request, suffix: str | None = None) -> Response:
    ok, fmt = suffix_format(suffix)
    if not ok:
        return not_found(request)
    urls = get_urls(request)
    infos, current = known_releases(request)
    triples = catalogue_triples(urls.base, infos, current)
    lang = choose_language(request)
    rows = [row(i, current, lang) for i in reversed(infos)]
    iri = str(Iris(urls.base).releases)
    return serve_document(request, iri, triples, forced=fmt, validators=history_validators,
                          html=lambda: ("releases.html", {"releases": rows, "iri": iri, "variants": variants(urls, iri),
                                                          "rt": release_view.RELEASE_UI[lang]}))


@router.api_route("/releases/{name}", methods=METHODS, include_in_schema=False)
def one(name: str, request: Request) -> Response:
    stem, fmt = Urls.split_suffix(name)
    if not RELEASE_ID.match(stem):
        return not_found(request)
    info = find(request, stem)
    if info is None:
        return not_found(request)
    urls = get_urls(request)
    iri = release_iri(urls.base, info.id)
    _, current = known_releases(request)
    return serve_document(request, iri, release_triples(urls.base, info), forced=fmt, validators=history_validators,
                          html=lambda: ("release.html", release_context(request, info, current, iri)))


def release_context(request: Request, info: ReleaseInfo, current: str, iri: str) -> dict:
    files = []
    if info.available:
        try:
            release = release_by_id(var_dir(request), info.id)
            files = [{"name": n, "href": f"/releases/{info.id}/dumps/{n}", **f} for n, f in sorted(catalogue(release).items())]
        except ReleaseNotFound:
            files = []
    items = history.changed_items(var_dir(request), info.id, limit=PAGE_ITEMS)
    more = {c: {k: (info.summary.get(c, {}).get(k, 0) - len(v)) for k, v in kinds.items()} for c, kinds in items.items()} if info.summary else {}
    urls = get_urls(request)
    lang = choose_language(request)
    return {"r": row(info, current, lang), "iri": iri, "rt": release_view.RELEASE_UI[lang], "files": files, "items": items, "more": more, "categories": CATEGORIES,
            "has_report": any(f["name"] == "validation-report.ttl" for f in files),
            "variants": variants(urls, iri)}


CHANGES_OFFERED = ["application/json", "text/html", changes_view.PATCH]


@router.api_route("/releases/{release_id}/changes.{suffix}", methods=METHODS, include_in_schema=False)
def changes_as(release_id: str, suffix: str, request: Request) -> Response:
    """``.json``: the JSON; ``.rdfp``: the RDF Patch (every quad added or removed); ``.html``: the page."""
    forced = {"json": "application/json", "html": "text/html", "rdfp": changes_view.PATCH}.get(suffix)
    return answer_changes(release_id, request, forced) if forced else not_found(request)


@router.api_route("/releases/{release_id}/changes", methods=METHODS, include_in_schema=False)
def changes(release_id: str, request: Request) -> Response:
    return answer_changes(release_id, request, None)


def answer_changes(release_id: str, request: Request, forced: str | None) -> Response:
    """What ``kg diff --format json`` prints for (previous, this release), from the history;
    for a browser, the same as a page with what changed in each thing (``kg.web.changes_view``)."""
    info = find(request, release_id) if RELEASE_ID.match(release_id) else None
    if info is None:
        return not_found(request)
    previous = find(request, info.previous) if info.previous else None
    media = forced or negotiate(request.headers.get("accept"), CHANGES_OFFERED)
    if media is None:
        raise NotAcceptable(CHANGES_OFFERED)
    if media == "text/html":
        _, current = known_releases(request)
        return changes_view.page(request, var_dir(request), info, previous, row(info, current, choose_language(request)))
    if media == changes_view.PATCH:
        new, old = changes_view.kept(var_dir(request), info), changes_view.kept(var_dir(request), previous)
        if new is None or (previous is not None and old is None):
            return gone_release(info if new is None else previous)  # type: ignore[arg-type]
        return changes_view.patch(old, new, info)

    def side(i: ReleaseInfo | None) -> dict | None:
        return None if i is None else {"id": i.id, "published": i.published,
                                       **{k: i.meta[k] for k in ("quads", "triples", "facts", "claims", "entities", "articles") if k in i.meta}}

    limit, offset = _int(request, "limit", JSON_ITEMS, 1, JSON_MAX), _int(request, "offset", 0, 0, None)
    if limit is None or offset is None:
        return error_response(request, 400, f"Bad Request: limit is 1 to {JSON_MAX}, offset 0 or more")
    items = history.changed_items(var_dir(request), info.id, limit=limit, offset=offset)
    truncated = any(info.summary.get(c, {}).get(k, 0) > offset + limit for c in CATEGORIES for k in ("added", "removed", "changed"))
    body = {"old": side(previous), "new": side(info), **info.summary, "items": items, "offset": offset,
            "truncated": truncated, "recorded": bool(info.summary)}
    links = [f'</releases/{info.id}>; rel="describedby"']
    if truncated:
        links.append(f'</releases/{info.id}/changes?offset={offset + limit}&limit={limit}>; rel="next"')
    links.append(f'</releases/{info.id}/changes.rdfp>; rel="alternate"; type="{changes_view.PATCH}"')
    return JSONResponse(body, headers={"Cache-Control": IMMUTABLE if info.summary else "no-cache", "Link": ", ".join(links),
                                       "Vary": "Accept"})


def _int(request: Request, name: str, default: int, low: int, high: int | None) -> int | None:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isdigit():
        return None
    value = int(text)
    return value if value >= low and (high is None or value <= high) else None


@router.api_route("/releases/{release_id}/dumps/{name}", methods=METHODS, include_in_schema=False)
def download(release_id: str, name: str, request: Request) -> Response:
    info = find(request, release_id) if RELEASE_ID.match(release_id) else None
    if info is None:
        return not_found(request)
    if info.pruned:
        return gone_release(info)
    try:
        release = release_by_id(var_dir(request), release_id)
    except ReleaseNotFound:
        return gone_release(info)
    files = catalogue(release)
    if name not in files:  # only the names the release lists: no path leaves it
        return not_found(request)
    path, f = release.file(name), files[name]
    etag = f'"{f["sha256"]}"'
    mtime = path.stat().st_mtime
    headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True), "Cache-Control": IMMUTABLE,
               "X-Content-Type-Options": "nosniff",
               "Link": f'<https://creativecommons.org/licenses/by/4.0/>; rel="license", </releases/{release_id}>; rel="describedby"'}
    if not_modified(request, etag, mtime):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=f["media_type"], headers=headers)


def gone_release(info: ReleaseInfo) -> Response:
    when = f" on {info.pruned}" if info.pruned else ""
    return PlainTextResponse(f"410 Gone: release {info.id} was pruned{when}; its metadata stays at /releases/{info.id}\n",
                             status_code=410, headers={"Link": f'</releases/{info.id}>; rel="describedby"'})

