"""Render once per release: pages and documents answered from memory, with strong ETags.

A release never changes, so a page or an RDF document made from it is the
same bytes every time the same request is made. Handlers whose answer is such
a function of the release mark it (``kg.web.conditional.made_from_release``,
or ``made_from_history`` for what a prune can change); this pure-ASGI layer,
just inside the release pinning (``kg.web.reload``), then:

* gives every marked ``200`` a **strong ETag**: a hash of its bytes and of the
  metadata that tell representations apart (Content-Type, Content-Language),
  RFC 9110 §8.8.3; and answers ``If-None-Match`` (weak comparison, as §13.1.2
  asks for GET) or, without it, ``If-Modified-Since`` with ``304``;
* keeps the answer (``200`` and ``303`` only: never an error, a ``404`` or a
  ``503``) in an LRU bounded in bytes (``Settings.response_cache_bytes``) and
  answers the release's later requests for it before FastAPI routes them: no
  template is rendered and no store queried on a hit.

Keys, as an HTTP cache's (RFC 9111 §4.1): the request's raw path and raw
query (handlers echo the query, e.g. in a ``303``'s ``Location``, so two
spellings are two keys), then the request headers the stored answer's
``Vary`` names, normalised to what the handlers read of them: ``Accept`` as
parsed ranges (``kg.rdf.formats.parse_accept``), ``Accept-Language`` as the
language it selects, ``Cookie`` as the ``lang`` cookie alone. An answer with
``Vary: *``, and every request with ``Accept-Datetime`` (Memento: the answer
depends on the history), bypass the store. Identical bodies (the same page
reached with two browsers' ``Accept``) are kept once.

**gzip**: a kept answer (``kg.web.kept``) gets its gzip body from the first
request that takes gzip, once; the store then counts it beside the identity body.

**Pinned answers** (``kg.web.warm``): the release's busiest pages are asked
at its start by the server itself, before any reader, marked ``WARM_SCOPE``
in the ASGI scope and sent with the host ``WARM_HOST``. Their answers are
kept apart from the LRU — never evicted, bounded by ``PINNED_SHARE`` of the
byte budget — and keyed without the origin: a reader's request that misses
the LRU is answered from them, with ``WARM_ORIGIN`` in the headers (Memento's
absolute ``Link`` targets) replaced by the origin the reader asked. An
answer whose body names ``WARM_ORIGIN`` depends on the origin in a way a
header substitution cannot follow, and is not pinned. ``WARM_ORIGIN`` is a
``.invalid`` host (RFC 2606): no reader's request can carry it by accident,
and a reader who sends it gets the bytes the warm-up got.

The store belongs to one generation (release): the first request pinned to a
new one empties it, and requests still finishing on the old one neither read
nor write it, so a new release never gets the old one's bytes. CORS and the
security headers are added outside this layer, per request, hits included.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

from kg.config import Settings
from kg.web.cache_keys import request_headers, vary_value
from kg.web.coding import accepts_gzip, gzip_body
from kg.web.conditional import PURE, Purity
from kg.web.context import SCOPE_KEY, current
from kg.web.kept import WARM_ORIGIN, Entry, make_entry, send_entry

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KEPT_STATUSES = (200, 303)
"""What is worth keeping and safe to: a page or document, and the 303 of a thing's IRI."""
LARGEST_SHARE = 8
"""An answer larger than ``1/LARGEST_SHARE`` of the store is served, not kept (it would evict too much)."""

PINNED_SHARE = 8
"""The pinned answers may hold up to ``1/PINNED_SHARE`` of the store's byte budget."""
WARM_SCOPE = "kg.warm"
"""Set in the scope of the warm-up's own requests: their answers are pinned, not put in the LRU."""

Primary = tuple[bytes, bytes]
Key = tuple[Primary, tuple[str, ...], tuple[object, ...]]


class ResponseCache:
    """The answers of one generation, least recently used out first, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self.generation: object | None = None
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._varies: dict[Primary, dict[tuple[str, ...], int]] = {}  # the Vary field sets kept per path, counted
        self._bodies: dict[bytes, list[Any]] = {}  # digest → [body, references, gzipped body or None]
        self.pinned_max = max_bytes // PINNED_SHARE
        self.pinned_size = 0
        self.pinned_hits = 0
        self._pinned: dict[Key, Entry] = {}  # keyed by path and query, without the origin
        self._pinned_varies: dict[Primary, set[tuple[str, ...]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def reset(self, generation: object) -> None:
        """Forget everything: ``generation`` (a new release's state) is served from now on."""
        self.generation = generation
        self._entries.clear()
        self._varies.clear()
        self._bodies.clear()
        self.size = 0
        self._pinned.clear()
        self._pinned_varies.clear()
        self.pinned_size = 0

    def lookup(self, primary: Primary, headers: dict[str, str]) -> Entry | None:
        for vary in tuple(self._varies.get(primary, ())):
            key = (primary, vary, tuple(vary_value(name, headers) for name in vary))
            entry = self._entries.get(key)
            if entry is None:
                continue
            if not entry.current:
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry
        self.misses += 1
        return None

    def pinned(self, path: Primary, headers: dict[str, str]) -> Entry | None:
        """The pinned answer to ``path`` (raw path, raw query) for these request headers."""
        for vary in tuple(self._pinned_varies.get(path, ())):
            entry = self._pinned.get((path, vary, tuple(vary_value(name, headers) for name in vary)))
            if entry is not None and entry.current:
                self.pinned_hits += 1
                return entry
        return None

    def pin(self, path: Primary, headers: dict[str, str], entry: Entry) -> bool:
        """Keep ``entry`` (asked by the warm-up at ``WARM_ORIGIN``) for every origin,
        out of the LRU; False if it may not be (it names the origin in its body, is
        not an answer worth keeping) or the pinned budget is spent."""
        if "*" in entry.vary or entry.status not in KEPT_STATUSES or WARM_ORIGIN in entry.body:
            return False
        key = (path, entry.vary, tuple(vary_value(name, headers) for name in entry.vary))
        if key in self._pinned:
            return True
        same = next((e for e in self._pinned.values() if e.digest == entry.digest), None)
        cost = entry.size + (0 if same is not None else len(entry.body) + len(entry.gzipped or b""))
        if self.pinned_size + cost > self.pinned_max:
            return False
        if same is not None:  # one copy of identical bytes (the same page for two browsers' Accept)
            entry.body, entry.gzipped = same.body, same.gzipped
        entry.templated = any(WARM_ORIGIN in v for _, v in entry.headers)
        self._pinned[key] = entry
        self._pinned_varies.setdefault(path, set()).add(entry.vary)
        self.pinned_size += cost
        return True

    def store(self, primary: Primary, headers: dict[str, str], entry: Entry) -> None:
        if "*" in entry.vary or entry.status not in KEPT_STATUSES:
            return
        if entry.size + len(entry.body) + len(entry.gzipped or b"") > self.max_bytes // LARGEST_SHARE:
            return
        key = (primary, entry.vary, tuple(vary_value(name, headers) for name in entry.vary))
        if key in self._entries:
            self._remove(key)
        shared = self._bodies.get(entry.digest)
        if shared is None:
            shared = self._bodies[entry.digest] = [entry.body, 0, entry.gzipped]
            self.size += len(entry.body) + len(entry.gzipped or b"")
        else:
            entry.body = shared[0]  # one copy of identical bytes
            if shared[2] is None and entry.gzipped is not None:
                shared[2] = entry.gzipped
                self.size += len(entry.gzipped)
            entry.gzipped = shared[2]
        shared[1] += 1
        self._entries[key] = entry
        counts = self._varies.setdefault(primary, {})
        counts[entry.vary] = counts.get(entry.vary, 0) + 1
        self.size += entry.size
        while self.size > self.max_bytes and self._entries:
            self._remove(next(iter(self._entries)))

    def gzip(self, entry: Entry) -> None:
        """Make ``entry``'s gzip body for a request that takes gzip, once: kept with the
        identity body it codes (shared by every answer with those bytes) and counted."""
        if entry.gzipped is not None or not entry.gzippable:
            return
        shared = self._bodies.get(entry.digest)
        if shared is not None and shared[2] is not None:
            entry.gzipped = shared[2]
            return
        entry.gzipped = gzip_body(entry.body)
        if shared is not None:
            shared[2] = entry.gzipped
            self.size += len(entry.gzipped)
            while self.size > self.max_bytes and self._entries:
                self._remove(next(iter(self._entries)))

    def _remove(self, key: Key) -> None:
        entry = self._entries.pop(key)
        self.size -= entry.size
        shared = self._bodies[entry.digest]
        shared[1] -= 1
        if shared[1] == 0:
            del self._bodies[entry.digest]
            self.size -= len(shared[0]) + len(shared[2] or b"")
        primary, vary = key[0], key[1]
        counts = self._varies[primary]
        counts[vary] -= 1
        if counts[vary] == 0:
            del counts[vary]
            if not counts:
                del self._varies[primary]


class RenderOnceMiddleware:
    """Answers kept for the release served now. The store is the layer's, not a
    field of each ``ReleaseContext``: its byte budget (``response_cache_bytes``)
    is one for the process, and on a swap it is emptied for the new release
    (``reset``) rather than a second one filled beside the first."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.cache = ResponseCache(max_bytes)

    def cache_for(self, scope: Scope) -> ResponseCache | None:
        """The store, if this request is pinned to the release now served (and storing is on)."""
        if self.cache.max_bytes <= 0:
            return None
        served = current(scope["app"])
        state = scope.get(SCOPE_KEY, served)
        if state is not served:
            return None  # a request still finishing on the previous release
        if self.cache.generation is not state:
            self.cache.reset(state)
        return self.cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        cache = None if "accept-datetime" in headers else self.cache_for(scope)
        # the origin the client reached us at is part of the key: answers name it in absolute
        # Link targets (Memento's TimeGate and TimeMap, RFC 7089), so two hosts never share bytes
        origin = (scope.get("scheme", "http") + "://" + headers.get("host", "")).encode("latin-1")
        path: Primary = (scope.get("raw_path") or scope["path"].encode("utf-8"), scope.get("query_string", b""))
        primary: Primary = (origin + path[0], path[1])
        warming = bool(scope.get(WARM_SCOPE))
        if cache is not None:
            entry = None if warming else cache.lookup(primary, headers)
            if entry is None and "host" in headers:
                entry = cache.pinned(path, headers)
                entry = entry.for_origin(origin) if entry is not None else None
            if entry is not None:
                if entry.gzipped is None and entry.gzippable and accepts_gzip(headers.get("accept-encoding")):
                    cache.gzip(entry)  # the first hit that takes gzip (a hit that has it parses Accept-Encoding once, in send_entry)
                await send_entry(entry, headers, send)
                return
        start: Message | None = None
        parts: list[bytes] = []
        passing = False

        async def capture(message: Message) -> None:
            nonlocal start, passing
            if message["type"] == "http.response.start":
                if not isinstance(scope.get(PURE), Purity) or message["status"] not in KEPT_STATUSES:
                    passing = True  # not ours to keep: streamed through untouched
                    await send(message)
                else:
                    start = message
                return
            if passing or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(parts)
                declared = next((v for k, v in start.get("headers", []) if k.lower() == b"content-length"), None)
                if declared is not None and int(declared) != len(body):  # a HEAD answered without its body
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    return
                # the warm-up's pinned answers are made in both codings: they are the busiest pages
                entry = make_entry(start, body, scope[PURE], gzip_now=warming or accepts_gzip(headers.get("accept-encoding")))
                if cache is not None and warming:
                    cache.pin(path, headers, entry)
                elif cache is not None:
                    cache.store(primary, headers, entry)
                await send_entry(entry, headers, send)

        await self.app(scope, receive, capture)


def install(app: FastAPI, settings: Settings) -> RenderOnceMiddleware | None:
    """Add the layer; it must sit inside the release pinning (install before ``kg.web.reload``)
    and inside CORS (before ``kg.web.sparql``), which add their headers per request."""
    app.add_middleware(RenderOnceMiddleware, max_bytes=settings.response_cache_bytes)
    return None


def cache_of(app: FastAPI) -> ResponseCache:
    """The app's store (tests and the benchmark read its size and hit counts)."""
    stack = app.middleware_stack or app.build_middleware_stack()
    app.middleware_stack = stack
    layer: Any = stack
    while layer is not None and not isinstance(layer, RenderOnceMiddleware):
        layer = getattr(layer, "app", None)
    if layer is None:
        raise LookupError("the render-once layer is not installed")
    return layer.cache
