"""``410 Gone`` for an IRI that left the data.

An ``/id/`` or ``/doc/`` IRI unknown to the current release but held by an
earlier one answers ``410``, naming the last release that had it, linking its
Memento and TimeMap (``kg.web.memento``), and, where a curator recorded a merge
(``seeds/retired.yaml``), its replacement (``dcterms:isReplacedBy``, also as a
``Link``); negotiated as a page, plain text, or a small RDF description. An IRI
no release ever held is the caller's 404 (``gone`` answers None)."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from kg.query.describe import serialize
from kg.rdf.formats import HTML, RESOURCE_FORMATS, Format, negotiate
from kg.rdf.iris import Iris
from kg.rdf.vocab import DCT, RDFS, prefixes
from kg.release import history
from kg.release.directory import Release
from kg.web.context import context as release_context
from kg.web.memento_links import LINK_FORMAT, http_date, links, memento_path, timemap_path
from kg.web.releases import var_dir
from kg.web.render import get_urls, render_html

__all__ = ["gone"]


def gone(request: Request, rest: str, *, forced: Format | None = None) -> Response | None:
    """``410`` for an IRI an earlier release held (or a curated merge names); None if never known."""
    urls = get_urls(request)
    iri = urls.thing(rest)
    current: Release = release_context(request).release
    replacement = (current.meta.get("retired") or {}).get(iri)
    presence = history.presence(var_dir(request), iri)
    held = [info for info, h in presence if h]
    if not held and replacement is None:
        return None
    last = held[-1] if held else None
    after = [info for info, h in presence if not h and last is not None and info.datetime > last.datetime]
    removed_in = after[0] if after else None
    targets = [f'<{timemap_path(rest)}>; rel="timemap"; type="{LINK_FORMAT}"'] if held else []
    if last is not None:
        targets.append(f'</releases/{last.id}>; rel="describedby"')
        if last.available:
            targets.append(f'<{memento_path(last.id, rest)}>; rel="memento"; datetime="{http_date(last.published)}"')
    if replacement:
        targets.append(f'<{replacement}>; rel="{DCT.isReplacedBy}"')
    headers = {"Link": links(*targets), "Vary": "Accept"}
    offered = ["text/html", "text/plain", *[f.media_type for f in RESOURCE_FORMATS if f is not HTML]]
    media = forced.media_type if forced is not None else negotiate(request.headers.get("accept"), offered)
    if media == "text/html":
        context = {"iri": iri, "last": last, "removed_in": removed_in, "replacement": replacement,
                   "replacement_href": urls.page(replacement) if replacement else None,
                   "memento": memento_path(last.id, rest) if last and last.available else None,
                   "timemap": timemap_path(rest) if held else None}
        return render_html(request, "gone.html", context, status=410, headers=headers)
    if media in (None, "text/plain"):
        text = f"410 Gone: {iri} is no longer in the data"
        text += f"; the last release that had it is {last.id} ({last.published})" if last else ""
        text += f"; replaced by {replacement}" if replacement else ""
        return PlainTextResponse(text + "\n", status_code=410, headers=headers)
    node = ox.NamedNode(iri)
    triples = [ox.Triple(node, ox.NamedNode(str(RDFS.comment)), ox.Literal(
        f"Gone: not in the current release{f'; last in release {last.id}' if last else ''}.", language="en"))]
    if last is not None:
        triples.append(ox.Triple(node, ox.NamedNode(str(RDFS.seeAlso)), ox.NamedNode(str(Iris(urls.base).release(last.id)))))
    if replacement:
        triples.append(ox.Triple(node, ox.NamedNode(str(DCT.isReplacedBy)), ox.NamedNode(replacement)))
    fmt = next(f for f in RESOURCE_FORMATS if f.media_type == media)
    return Response(serialize(triples, media, prefixes(urls.base)), status_code=410, media_type=fmt.content_type, headers=headers)
