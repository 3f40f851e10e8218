"""Memento (RFC 7089) on entity IRIs; ``410 Gone`` for IRIs that left the data is ``kg.web.gone``'s.

Pattern 2.1 of RFC 7089 §4 is not needed: each entity IRI ``{base}id/{path}``
is its own TimeGate (pattern 1.1, URI-R = URI-G, 302-style negotiation):

* ``GET /id/{path}`` with ``Accept-Datetime`` → ``302`` to the Memento of the
  release that was current at that time (the newest kept release published
  at or before it; before the first, the first), ``Vary: accept-datetime``;
* without it, the usual ``303`` to ``/doc/{path}``, with ``Vary:
  accept-datetime`` and ``Link: <…>; rel="original timegate", <…>; rel="timemap"``;
  ``/doc/{path}`` links to the same TimeGate and TimeMap;
* a Memento is ``/releases/{id}/doc/{path}``: the description as that release
  had it, from the release's own on-disk store, negotiated as ``/doc/`` is,
  with ``Memento-Datetime`` (the release's publication time) and immutable caching;
* the TimeMap ``/timemap/id/{path}`` (``application/link-format``) lists every
  release that held the IRI, those of pruned releases with ``status="pruned"``
  (their Mementos answer ``410``, and the TimeGate never picks them).

An ``/id/`` or ``/doc/`` IRI unknown to the current release but held by an
earlier one answers ``410 Gone`` (``kg.web.gone``).
The history comes from ``kg.release.history``; descriptions from ``kg.query.describe``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from kg.errors import ReleaseNotFound
from kg.query.describe import describe, exists
from kg.rdf.formats import RESOURCE_FORMATS
from kg.release import history
from kg.release.directory import RELEASE_ID, Release, release_by_id
from kg.release.history import ReleaseInfo
from kg.web import resources
from kg.web.conditional import made_from_history
from kg.web.context import as_of, context
from kg.web.gone import gone
from kg.web.memento_links import LINK_FORMAT, http_date, memento_path, timemap_path
from kg.web.memento_links import links as _links  # the name the handlers below were written with
from kg.web.releases import IMMUTABLE, find, unrecorded, var_dir
from kg.web.render import get_urls, not_found
from kg.web.urls import CC_BY

router = APIRouter()
METHODS = ["GET", "HEAD"]


def _add(response: Response, name: str, value: str, *, merge: bool = True) -> None:
    old = response.headers.get(name)
    response.headers[name] = f"{old}, {value}" if old and merge else value


def timeline(request: Request, iri: str) -> list[ReleaseInfo]:
    """Releases holding ``iri``, oldest first; the served release too if the history never saw it."""
    held = history.mementos(var_dir(request), iri)
    current: Release = context(request).release
    if history.get(var_dir(request), current.id) is None and exists(context(request).store, iri, base=current.base_iri):
        held.append(unrecorded(current))
    return held


def root(request: Request) -> str:
    """This server's root as the client reached it (``http://host:port``), for
    absolute ``Link`` targets: RFC 7089's examples and its clients (memento_client
    0.6.1 among them) take a TimeGate's URI as given, without resolving it."""
    return str(request.base_url).rstrip("/")


def original_links(rest: str, at: str = "") -> str:
    return _links(f'<{at}/id/{rest}>; rel="original timegate"', f'<{at}{timemap_path(rest)}>; rel="timemap"; type="{LINK_FORMAT}"')


# -- the entity IRI: TimeGate, current answer, 410 (kg.web.gone) -------------------------------------
@router.api_route("/id/{rest:path}", methods=METHODS, include_in_schema=False)
def thing(rest: str, request: Request) -> Response:
    wanted = request.headers.get("accept-datetime")
    if wanted is not None and rest:
        return timegate(request, rest, wanted)
    response = resources.thing(rest, request)
    if response.status_code == 404 and rest:
        return gone(request, rest) or response
    if response.status_code == 303:
        _add(response, "Link", original_links(rest, root(request)))
        _add(response, "Vary", "accept-datetime")
    return response


@router.api_route("/doc/{rest:path}", methods=METHODS, include_in_schema=False)
def document(rest: str, request: Request) -> Response:
    response = resources.document(rest, request)
    urls = get_urls(request)
    stem, fmt = urls.split_suffix(rest)
    if response.status_code == 404 and rest:
        if any(resources.cached_describe(request, urls.thing(r)) is not None for r in {rest, stem}):
            return response  # it is here: a page past the end of its description (?page=N), not gone
        return gone(request, rest) or (gone(request, stem, forced=fmt) if fmt else None) or response
    if response.status_code == 200:
        own = rest if resources.cached_describe(request, urls.thing(rest)) is not None else stem
        at = root(request)
        _add(response, "Link", _links(f'<{at}/id/{own}>; rel="timegate"', f'<{at}{timemap_path(own)}>; rel="timemap"; type="{LINK_FORMAT}"'))
    return response


def parse_accept_datetime(text: str) -> datetime | None:
    """RFC 7089 §2.1.1: an HTTP-date (RFC 1123, GMT); anything else is refused."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when.astimezone(UTC)


def timegate(request: Request, rest: str, wanted: str) -> Response:
    when = parse_accept_datetime(wanted)
    if when is None:
        return PlainTextResponse("400 Bad Request: Accept-Datetime must be an HTTP-date, e.g. 'Thu, 03 Dec 2026 08:00:00 GMT' (RFC 7089 §2.1.1)\n",
                                 status_code=400, headers={"Vary": "accept-datetime"})
    kept = [i for i in timeline(request, get_urls(request).thing(rest)) if i.available]
    if not kept:
        return PlainTextResponse(f"404 Not Found: no past state of /id/{rest} is kept\n", status_code=404,
                                 headers={"Vary": "accept-datetime"})
    before = [i for i in kept if i.datetime <= when]
    best = before[-1] if before else kept[0]
    uri_m = memento_path(best.id, rest)
    at = root(request)
    headers = {"Vary": "accept-datetime", "Link": _links(
        original_links(rest, at), f'<{at}{uri_m}>; rel="memento"; datetime="{http_date(best.published)}"')}
    return RedirectResponse(uri_m, status_code=302, headers=headers)


@router.api_route("/timegate/{target:path}", methods=METHODS, include_in_schema=False)
def prefix_timegate(target: str, request: Request) -> Response:
    """The TimeGate of ``/id/{path}`` at ``/timegate/{URI-R}`` too, as aggregators
    name theirs: for clients that build a TimeGate's URI by prefixing the
    original's (memento_client's ``timegate_uri``). ``URI-R`` is the IRI under
    the base or this server's ``/id/`` or ``/doc/`` URL. Without
    ``Accept-Datetime``, the most recent state (RFC 7089 §4.1)."""
    urls = get_urls(request)
    rest = None
    for prefix in (urls.base + "id/", urls.base + "doc/", root(request) + "/id/", root(request) + "/doc/"):
        if target.startswith(prefix) and len(target) > len(prefix):
            rest = target[len(prefix):]
            if "/doc/" in prefix:
                rest = urls.split_suffix(rest)[0]
            break
    if rest is None:
        return PlainTextResponse(f"404 Not Found: /timegate/ takes one of our IRIs ({urls.base}id/…), not {target[:120]!r}\n",
                                 status_code=404, headers={"Vary": "accept-datetime"})
    return timegate(request, rest, request.headers.get("accept-datetime") or formatdate(usegmt=True))


# -- Mementos and TimeMaps ----------------------------------------------------------------
@router.api_route("/releases/{release_id}/doc/{rest:path}", methods=METHODS, include_in_schema=False)
def memento(release_id: str, rest: str, request: Request) -> Response:
    info = find(request, release_id) if RELEASE_ID.match(release_id) else None
    urls = get_urls(request)
    stem, fmt = urls.split_suffix(rest)
    if info is None:
        return not_found(request)
    try:
        release = None if info.pruned else release_by_id(var_dir(request), release_id)
    except ReleaseNotFound:
        release = None
    if release is None:
        return PlainTextResponse(f"410 Gone: release {release_id} was pruned; its past states are no longer served\n",
                                 status_code=410, headers={"Link": original_links(stem if fmt else rest, root(request))})
    past = context(request).past(release)  # its own context: store, release, URLs under /releases/{id}/
    store = past.store
    for path, forced in ((rest, None), (stem, fmt)) if fmt else ((rest, None),):  # noqa: B007 - used after the break
        desc = describe(store, urls.thing(path), base=urls.base)
        if desc is not None:
            break
    else:
        return not_found(request)
    response = resources.represent(as_of(request, past), desc, forced)
    var = var_dir(request)
    made_from_history(request, lambda: history.stamp(var))  # a prune turns it into a 410
    at = root(request)
    alternates = [f'<{at}{memento_path(release_id, path)}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in RESOURCE_FORMATS]
    paging = [p.strip() for p in response.headers.get("link", "").split(",") if re.search(r'rel="(first|prev|next|last)"', p)]
    response.headers["Link"] = _links(original_links(path, at), *alternates, f'<{CC_BY}>; rel="license"', *paging)
    response.headers["Memento-Datetime"] = http_date(info.published)
    response.headers["Cache-Control"] = IMMUTABLE
    if "content-location" in response.headers:
        chosen = response.headers["content-location"].rpartition(".")[2]
        response.headers["Content-Location"] = f"{memento_path(release_id, path)}.{chosen}"
    if response.media_type and response.media_type.startswith("text/html"):
        return _with_banner(response, info, path)
    return response


def _with_banner(response: Response, info: ReleaseInfo, rest: str) -> Response:
    """A page of the past says so at its top (the template is the current one).
    Everything interpolated is escaped, though only IRIs the release holds get here."""
    rest = html.escape(rest, quote=True)
    release = f'<a href="/releases/{info.id}"><code dir="ltr">{info.id}</code></a>'
    from kg.web.release_view import when as written

    lang = "ar" if response.headers.get("content-language") == "ar" else "en"
    when = f'<time datetime="{info.published}">{html.escape(written(info.published, lang))}</time>'
    thing = f'<a href="/id/{rest}" dir="ltr">/id/{rest}</a>'
    if lang == "ar":
        text = f'هذه هي حالة {thing} كما نشرها الإصدار {release} في {when}. <a href="{timemap_path(rest)}">كل الحالات السابقة</a>.'
    else:
        text = f'This is {thing} as release {release} published it on {when}. <a href="{timemap_path(rest)}">All past states</a>.'
    note = f'<p class="memento" role="note">{text}</p>'
    body = bytes(response.body).replace(b"<main>", b"<main>\n" + note.encode("utf-8"), 1)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body, status_code=response.status_code, headers=headers)


@router.api_route("/timemap/id/{rest:path}", methods=METHODS, include_in_schema=False)
def timemap(rest: str, request: Request) -> Response:
    iri = get_urls(request).thing(rest)
    held = timeline(request, iri) if rest else []
    if not held:
        return not_found(request)
    kept = [i for i in held if i.available]
    lines = [f'</id/{rest}>; rel="original"', f'</id/{rest}>; rel="timegate"']
    self_link = f'<{timemap_path(rest)}>; rel="self"; type="{LINK_FORMAT}"'
    if kept:
        self_link += f'; from="{http_date(kept[0].published)}"; until="{http_date(kept[-1].published)}"'
    lines.insert(1, self_link)
    for info in held:
        rel = "memento"
        if kept and info is kept[0]:
            rel = "first memento"
        if kept and info is kept[-1]:
            rel = "last memento" if rel == "memento" else "first last memento"
        entry = f'<{memento_path(info.id, rest)}>; rel="{rel}"; datetime="{http_date(info.published)}"'
        if not info.available:
            entry += f'; status="pruned"; pruned="{info.pruned}"'
        lines.append(entry)
    return Response(",\n".join(lines) + "\n", media_type=LINK_FORMAT, headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    """Routes that must come before ``kg.web.resources``' own ``/id/`` and ``/doc/``."""
    app.include_router(router)

