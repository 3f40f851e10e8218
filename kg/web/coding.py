"""Content coding (RFC 9110 §8.4, §12.5.3): gzip for the clients that ask for it.

Why here and not Starlette's ``GZipMiddleware``: what the render-once layer
keeps (``kg.web.render_once``) is compressed **once** per answer and sent to
every later client that accepts gzip, where the middleware would compress the
same bytes again on every request (≈ 0.3 ms for a 30 KB page: the price of a
whole cache hit); and a gzip representation is other bytes than the identity
one, so its strong ``ETag`` must differ (RFC 9110 §8.8.3) — the middleware
keeps the identity ``ETag``. The SPARQL endpoint's answers, made per request,
use the same functions.

The bytes are deterministic (``mtime=0``, no file name): the same page gives
the same gzip body and ``ETag`` in every process and every run, as a cache or
a CDN in front expects.
"""

from __future__ import annotations

import gzip

from kg.rdf.formats import weighted

LEVEL = 6
"""zlib's default: near level 9's size on text at a fraction of its time."""
MINIMUM_SIZE = 1024
"""Below this a gzip header and trailer (18 bytes) and a round trip's worth of CPU gain nothing worth having."""
COMPRESSIBLE = frozenset({
    "application/json", "application/ld+json", "application/n-quads", "application/n-triples",
    "application/rdf+xml", "application/sparql-results+json", "application/sparql-results+xml",
    "application/trig", "application/xml", "application/xhtml+xml", "application/javascript",
    "application/link-format", "application/rdf-patch", "image/svg+xml",
})
"""Text formats besides ``text/*``: what we serve that compresses (never ``application/gzip``)."""


def compressible(content_type: str, size: int) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return size >= MINIMUM_SIZE and (media.startswith("text/") or media in COMPRESSIBLE)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the client takes gzip (RFC 9110 §12.5.3): ``gzip`` (or
    ``x-gzip``) with a non-zero weight, or ``*`` with one when gzip is not named."""
    weights = dict(weighted(accept_encoding))
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0) > 0


def gzip_body(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def gzip_etag(etag: str) -> str:
    """The gzip representation's own strong ETag: ``"x"`` → ``"x-gzip"`` (as Apache's mod_deflate names it)."""
    return etag[:-1] + '-gzip"'


def add_vary(value: str | None, name: str) -> str:
    """``Vary`` with ``name`` added once (compared case-insensitively)."""
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    if name.lower() not in (n.lower() for n in names):
        names.append(name)
    return ", ".join(names)
