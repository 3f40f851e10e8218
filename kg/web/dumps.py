"""``/dumps/``: the release's files for download, and a page listing them.

Only names listed in ``release.json`` (plus ``SHA256SUMS``) are served, so no
path can leave the release. Each file carries ``Content-Length``, an ``ETag``
that is its SHA-256, ``Last-Modified``, ``Cache-Control``; conditional GET
(``If-None-Match``, ``If-Modified-Since``) answers 304; ``Range`` works
(Starlette's ``FileResponse``); HEAD works.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from kg.rdf.formats import GRAPH_FORMATS
from kg.release.directory import CHECKSUMS, Release
from kg.web.conditional import http_date, not_modified
from kg.web.context import context
from kg.web.render import get_urls, not_found, render_html

router = APIRouter()
METHODS = ["GET", "HEAD"]
CACHE_CONTROL = "public, max-age=3600, must-revalidate"
_BY_SUFFIX = {f.suffix: f for f in GRAPH_FORMATS}

def catalogue(release: Release) -> dict[str, dict]:
    """name → {bytes, sha256, media_type} for every servable file (the app keeps it)."""
    files = {name: dict(info) for name, info in release.meta.get("files", {}).items()}
    sums = release.file(CHECKSUMS)
    if sums.is_file():
        data = sums.read_bytes()
        files[CHECKSUMS] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    for name, info in files.items():
        info["media_type"] = media_type(name)
    return files


def media_type(name: str) -> str:
    if name.endswith(".gz"):
        return "application/gzip"
    if name == CHECKSUMS:
        return "text/plain; charset=utf-8"
    fmt = _BY_SUFFIX.get(name.rpartition(".")[2])
    mt = fmt.media_type if fmt is not None else "application/octet-stream"
    return mt + ("; charset=utf-8" if mt.startswith("text/") else "")


def _catalogue(request: Request) -> dict[str, dict]:
    ctx = context(request)
    if ctx.dump_catalogue is None:
        ctx.dump_catalogue = catalogue(ctx.release)
    return ctx.dump_catalogue


@router.api_route("/dumps/", methods=METHODS, include_in_schema=False)
def listing(request: Request) -> Response:
    files = _catalogue(request)
    rows = [{"name": n, "href": get_urls(request).dump(n), **files[n]} for n in sorted(files)]
    return render_html(request, "dumps.html", {"files": rows, "release": context(request).release.id})


@router.api_route("/dumps", methods=METHODS, include_in_schema=False)
def listing_slash(request: Request) -> Response:
    return Response(status_code=308, headers={"Location": "/dumps/"})


@router.api_route("/dumps/{name}", methods=METHODS, include_in_schema=False)
def download(name: str, request: Request) -> Response:
    files = _catalogue(request)
    if name not in files:  # the only names served: those the release lists
        return not_found(request)
    release: Release = context(request).release
    path = release.file(name)
    info = files[name]
    etag = f'"{info["sha256"]}"'
    mtime = path.stat().st_mtime
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(mtime),
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Link": '<https://creativecommons.org/licenses/by/4.0/>; rel="license"',
    }
    if not_modified(request, etag, mtime):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=info["media_type"], headers=headers, filename=None)
