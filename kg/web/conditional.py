"""Conditional GET (RFC 9110 §13): validators and ``304 Not Modified``, shared
by ``/sparql``, the dumps and the documents.

A release never changes once published, so anything derived from it is
dated by the release's publication time (``Last-Modified``), and a response
made from the release alone is *marked* so (``made_from_release``): the
render-once layer (``kg.web.render_once``) then gives it a strong ``ETag``
(a hash of its bytes), answers ``If-None-Match``/``If-Modified-Since`` with
``304`` and keeps its bytes for the release's later requests. Responses made
from the history too (a prune changes it without a new release) are marked
with what they depend on (``made_from_history``), and a stored copy is used
only while that is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from fastapi import Request

from kg.web.context import context

DOCUMENT_CACHE_CONTROL = "public, max-age=60"
"""As ``/sparql``: caches may reuse a document for a minute, then revalidate (cheaply, by ETag)."""


PURE = "kg.pure"
"""Request scope key: set (to a ``Purity``) by a handler whose answer is a function of the
served release, the request's path and query and the request headers its ``Vary`` names."""


@dataclass(frozen=True)
class Purity:
    """What a marked response depends on beyond the release: nothing, or
    ``check()``'s value, which was ``token`` when the response was made."""

    check: Callable[[], Any] | None = None
    token: Any = None


def made_from_release(request: Request) -> None:
    """Mark the response being made as a function of the release alone (see the module docstring)."""
    request.scope[PURE] = Purity()


def made_from_history(request: Request, check: Callable[[], Any]) -> None:
    """Mark it as made from the release and from what ``check()`` returns (the history's stamp)."""
    request.scope[PURE] = Purity(check, check())


def strong_etag(*parts: bytes) -> str:
    """A strong ETag (RFC 9110 §8.8.3) for exactly these bytes: the
    representation's body and the metadata that tell representations apart."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f'"{digest.hexdigest()[:32]}"'


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
    ctx = context(request)
    if ctx.release_published is None:
        ctx.release_published = ctx.release.path.stat().st_mtime
    return ctx.release_published


def release_validators(request: Request) -> dict[str, str]:
    """``Last-Modified`` (the release's publication) and ``Cache-Control`` for a
    response made from the release alone, which this marks so: its strong
    ``ETag`` and any ``304`` come from ``kg.web.render_once``, from its bytes."""
    made_from_release(request)
    return {
        "Last-Modified": http_date(published(request)),
        "Cache-Control": DOCUMENT_CACHE_CONTROL,
    }


def fresh(headers: dict[str, str], etag: str | None, last_modified: str | None) -> bool:
    """RFC 9110 §13.2.2 for GET/HEAD, given the request's (lower-cased)
    ``headers``: ``If-None-Match`` (weak comparison, §13.1.2) when present,
    else ``If-Modified-Since`` against ``last_modified``; True → ``304``."""
    inm = headers.get("if-none-match")
    if inm is not None:
        if etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = headers.get("if-modified-since")
    if ims and last_modified:
        try:
            return parsedate_to_datetime(last_modified).timestamp() <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
    return False
