"""``/robots.txt``, ``/sitemap.xml`` and ``/sitemaps/N.xml.gz``: what search engines need
to index every page (``kg.release.sitemap`` writes the files at build time).

The index and robots.txt are made per request from the served release
(they are a few lines); the sitemap files are served as written. The index
and the files carry the release id in their ``ETag`` (a new release may list
other pages) and answer a matching ``If-None-Match`` with ``304``: crawlers
fetch them often.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from kg.release.directory import Release
from kg.release.sitemap import SITEMAP_DIR, index_xml, robots_txt, sitemap_names
from kg.web.conditional import not_modified
from kg.web.context import context
from kg.web.render import get_urls, not_found

router = APIRouter()
METHODS = ["GET", "HEAD"]
CACHE_CONTROL = "public, max-age=3600"
_NAME = re.compile(r"^[1-9][0-9]{0,6}\.xml\.gz$")


@router.api_route("/robots.txt", methods=METHODS, include_in_schema=False)
def robots(request: Request) -> Response:
    return PlainTextResponse(robots_txt(get_urls(request).base), headers={"Cache-Control": CACHE_CONTROL})


@router.api_route("/sitemap.xml", methods=METHODS, include_in_schema=False)
def sitemap_index(request: Request) -> Response:
    release: Release = context(request).release
    names = sitemap_names(release.path)
    if not names:  # a release built before sitemaps: nothing to list
        return not_found(request)
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": f'"{release.id}"'}
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(index_xml(get_urls(request).base, names), media_type="application/xml", headers=headers)


@router.api_route("/sitemaps/{name}", methods=METHODS, include_in_schema=False)
def sitemap_file(name: str, request: Request) -> Response:
    release: Release = context(request).release
    if not _NAME.match(name) or name not in sitemap_names(release.path):  # no other path is served
        return not_found(request)
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": f'"{release.id}-{name}"'}
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return FileResponse(release.path / SITEMAP_DIR / name, media_type="application/gzip", headers=headers)
