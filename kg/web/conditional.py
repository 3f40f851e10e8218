"""Conditional GET (RFC 9110 §13): validators and ``304 Not Modified``, shared
by ``/sparql``, the dumps and the documents.

A release never changes once published, so anything derived from it is
validated by the release id (in the ``ETag``) and dated by the release's
publication time (``Last-Modified``): a new release changes every ETag and
moves every date forward.
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

from kg.release.directory import Release

DOCUMENT_CACHE_CONTROL = "public, max-age=60"
"""As ``/sparql``: caches may reuse a document for a minute, then revalidate (cheaply, by ETag)."""


def etag_for(*parts: object) -> str:
    """A weak ETag naming ``parts`` (the representation is the same data,
    not necessarily the same bytes: compression may differ on the way)."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def http_date(timestamp: float) -> str:
    """An IMF-fixdate (RFC 9110 §5.6.7), whole seconds."""
    return formatdate(int(timestamp), usegmt=True)


def not_modified(request: Request, etag: str, last_modified: float | None = None) -> bool:
    """RFC 9110 §13.2.2: ``If-None-Match`` (weak comparison, §8.8.3.2) when
    present, else ``If-Modified-Since`` against ``last_modified`` (if the
    response has one); an unparsable date is ignored, as the RFC says."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = request.headers.get("if-modified-since")
    if ims and last_modified is not None:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return int(last_modified) <= int(since)
    return False


def published(request: Request) -> float:
    """When the served release was published: its directory's mtime, which
    ``kg build`` sets when it publishes (and renews when it publishes the same
    dumps again; ``kg.release.directory``). Read once per release (per generation)."""
    state = request.app.state
    when = getattr(state, "release_published", None)
    if when is None:
        release: Release = state.release
        when = state.release_published = release.path.stat().st_mtime
    return when


def release_validators(request: Request, *parts: object) -> dict[str, str]:
    """``ETag`` (the release id and ``parts``: path, format, language …),
    ``Last-Modified`` (the release's publication) and ``Cache-Control`` for a
    response made from the release alone."""
    return {
        "ETag": etag_for(request.app.state.release.id, *parts),
        "Last-Modified": http_date(published(request)),
        "Cache-Control": DOCUMENT_CACHE_CONTROL,
    }


def unchanged(request: Request, headers: dict[str, str]) -> Response | None:
    """``304`` with ``headers`` (RFC 9110 §15.4.5: the ones a 200 would carry)
    if the client's copy is current, else ``None``."""
    if not_modified(request, headers["ETag"], published(request)):
        return Response(status_code=304, headers=headers)
    return None
