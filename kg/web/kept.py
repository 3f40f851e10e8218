"""A kept answer (``kg.web.render_once``): made once from a response, sent many times.

Made from the first response to a request (a ``200`` gets its strong ETag, RFC 9110
§8.8.3, and ``Vary: Accept-Encoding`` if it compresses); sent as itself, gzip-coded
under its own ETag to a client that takes gzip (``kg.web.coding``), or as a ``304``
to a client whose copy it is. Its gzip body is made by the first request that takes
gzip: an answer only identity clients ask for (``kg export-site``'s crawl, scripts,
SPARQL clients that send no ``Accept-Encoding``) is never compressed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from kg.web.coding import accepts_gzip, add_vary, compressible, gzip_body, gzip_etag
from kg.web.conditional import Purity, fresh, strong_etag

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

NOT_MODIFIED_HEADERS = {b"cache-control", b"content-location", b"etag", b"expires", b"vary", b"last-modified",
                        b"link", b"set-cookie"}
"""What a 304 repeats of its 200 (RFC 9110 §15.4.5; Set-Cookie so that ``?lang=`` is remembered)."""
ENTRY_OVERHEAD = 256
"""Bytes charged per stored answer beyond its headers and body (the key, the bookkeeping)."""
WARM_HOST = "kg-warm-up.invalid"
WARM_ORIGIN = b"http://" + WARM_HOST.encode("ascii")
"""The origin the warm-up asks at; replaced by the reader's in a pinned answer's headers."""
ORIGINS_KEPT = 8
"""Origins a pinned answer keeps its headers made for (a server is reached at a few)."""

@dataclass
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    """As sent, ``Content-Length`` excepted (added when sending)."""
    body: bytes
    digest: bytes
    etag: str | None
    last_modified: str | None
    vary: tuple[str, ...]
    purity: Purity
    size: int
    gzipped: bytes | None = None
    """The same body gzip-coded (``kg.web.coding``), once a request that takes gzip has asked; else None."""
    gzippable: bool = False
    """The body compresses (a ``200`` with a strong ETag and a text type): its gzip body may be made."""
    templated: bool = False
    """Pinned, with ``WARM_ORIGIN`` in its headers: sent as ``for_origin`` makes it."""
    origins: dict[bytes, list[tuple[bytes, bytes]]] | None = None

    def for_origin(self, origin: bytes) -> Entry:
        """This answer as made for a request at ``origin`` (a pinned one's headers name it)."""
        if not self.templated:
            return self
        made = self.origins = self.origins if self.origins is not None else {}
        headers = made.get(origin)
        if headers is None:
            headers = [(k, v.replace(WARM_ORIGIN, origin)) for k, v in self.headers]
            if len(made) < ORIGINS_KEPT:
                made[origin] = headers
        return Entry(self.status, headers, self.body, self.digest, self.etag, self.last_modified, self.vary,
                     self.purity, self.size, self.gzipped, self.gzippable)

    @property
    def current(self) -> bool:
        """Still what the handler would answer (a history-made answer after a prune is not)."""
        check = self.purity.check
        return check is None or check() == self.purity.token


def make_entry(start: Message, body: bytes, purity: Purity, gzip_now: bool = True) -> Entry:
    """The answer as kept and sent: a ``200`` gets its strong ETag here. ``gzip_now``: the
    request that made it takes gzip, so its gzip body is made here (else on the first that does)."""
    status = int(start["status"])
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"etag")]
    found = {k.lower(): v for k, v in headers}
    digest = hashlib.sha256(body).digest()
    etag = None
    if status == 200:
        etag = strong_etag(found.get(b"content-type", b""), found.get(b"content-language", b""), digest)
        headers.append((b"etag", etag.encode("ascii")))
    vary = tuple(v.strip().lower() for v in found.get(b"vary", b"").decode("latin-1").split(",") if v.strip())
    last_modified = found[b"last-modified"].decode("latin-1") if b"last-modified" in found else None
    gzipped, gzippable = None, False
    if status == 200 and etag is not None and b"content-encoding" not in found \
            and compressible(found.get(b"content-type", b"").decode("latin-1"), len(body)):
        gzippable = True
        gzipped = gzip_body(body) if gzip_now else None
        headers = [(k, add_vary(v.decode("latin-1"), "Accept-Encoding").encode("latin-1")) if k.lower() == b"vary" else (k, v)
                   for k, v in headers]
        if b"vary" not in found:
            headers.append((b"vary", b"Accept-Encoding"))
    size = ENTRY_OVERHEAD + sum(len(k) + len(v) for k, v in headers)
    return Entry(status, headers, body, digest, etag, last_modified, vary, purity, size, gzipped, gzippable)


async def send_entry(entry: Entry, headers: dict[str, str], send: Send) -> None:
    """``304`` if the client's copy is this one, else the answer itself: gzip-coded,
    with that representation's own ETag, to a client that accepts gzip."""
    body, etag, entry_headers = entry.body, entry.etag, entry.headers
    if entry.gzippable and etag is not None and accepts_gzip(headers.get("accept-encoding")):
        if entry.gzipped is None:  # not kept (no store, or too large to keep): made for this request
            entry.gzipped = gzip_body(entry.body)
        body, etag = entry.gzipped, gzip_etag(etag)
        entry_headers = [(k, etag.encode("ascii")) if k == b"etag" else (k, v) for k, v in entry_headers]
        entry_headers.append((b"content-encoding", b"gzip"))
    if entry.status == 200 and fresh(headers, etag, entry.last_modified):
        kept = [(k, v) for k, v in entry_headers if k.lower() in NOT_MODIFIED_HEADERS]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    out = [*entry_headers, (b"content-length", str(len(body)).encode("ascii"))]
    await send({"type": "http.response.start", "status": entry.status, "headers": out})
    await send({"type": "http.response.body", "body": body})  # the server drops it for HEAD
