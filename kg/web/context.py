"""``ReleaseContext``: everything the HTTP layer keeps for one release, typed.

The store, the release, its URL builder and every cache made from them (the
search index, the home page's summary, ordered lists, descriptions, parsed
VoID, the dump catalogue, the SPARQL executor …) live in one object per
release, made empty when the release is opened. ``kg.web.reload`` swaps the
current one for ``successor(store, release)`` — settings and what outlives a
release (the SPARQL result cache, the past releases open for Memento) carried
over, per-release caches empty — and pins each request to the context current
when it arrived (``context(request)``). A past release served by Memento gets
a context of its own (``past``), so handlers never know which they serve.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import pyoxigraph as ox
from fastapi import Request

from kg.config import Settings
from kg.query.describe import Description
from kg.query.search_index import LabelIndex
from kg.query.search_load import build_index
from kg.query.summary import Summary, summarize
from kg.release.directory import Release
from kg.store.base import Store
from kg.store.executor import QueryExecutor
from kg.web.urls import Urls

SCOPE_KEY = "kg.context"
"""Where ``kg.web.reload`` puts the request's context in the ASGI scope."""
LIST_CACHE = 1024
PAGE_PARTS = 64
"""Pages whose events and facts are kept: a page asked in its two languages
(and ``?lang=``, and by ``kg export-site`` in each) runs its queries once."""
PAST_RELEASES = 4
"""Past releases kept open (read-only) at once for Memento; the least recently used is closed."""
T = TypeVar("T")


class Once(Generic[T]):
    """A value of one release made by its first user; users who come while it is
    being made wait for that one computation instead of starting their own (the
    search index and the summary take seconds on a large release)."""

    def __init__(self) -> None:
        self._value: T | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> T | None:
        """The value if it has been made, without making it."""
        return self._value

    def get(self, make: Callable[[], T]) -> T:
        value = self._value
        if value is not None:
            return value
        with self._lock:
            if self._value is None:
                self._value = make()
            return self._value


class Lists:
    """Ordered lists of one release, computed on first use and kept (bounded, LRU)."""

    def __init__(self, capacity: int = LIST_CACHE) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: two first users may both compute; same result
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return value


class ResultCache:
    """A small LRU of SPARQL response bodies; entries are immutable because
    releases are (the key names the release), so it outlives a swap."""

    def __init__(self, max_entries: int = 512, max_body: int = 2 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, tuple[bytes, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries, self.max_body = max_entries, max_body

    def get(self, key: str) -> tuple[bytes, dict[str, str]] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, body: bytes, headers: dict[str, str]) -> None:
        if len(body) > self.max_body:
            return
        with self._lock:
            self._items[key] = (body, headers)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


class PastReleases:
    """The contexts of past releases Memento serves, each on its on-disk store
    opened read-only; a few kept open, the least recently used closed."""

    def __init__(self, capacity: int = PAST_RELEASES) -> None:
        self.capacity = capacity
        self._open: OrderedDict[str, ReleaseContext] = OrderedDict()
        self._lock = threading.Lock()

    def context(self, settings: Settings, release: Release) -> ReleaseContext:
        key = str(release.path)
        with self._lock:
            found = self._open.get(key)
            if found is not None and release.path.is_dir():
                self._open.move_to_end(key)
                return found
            from kg.store.embedded import embedded_store

            found = ReleaseContext(settings, embedded_store(release), release, pasts=self,
                                   urls=Urls(release.base_iri, release=release.id))
            self._open[key] = found
            while len(self._open) > self.capacity:
                self._open.popitem(last=False)[1].store.close()
            return found


@dataclass(eq=False)
class ReleaseContext:
    """One release as the HTTP layer serves it; every ``None`` is a cache made on first use."""

    settings: Settings
    store: Store
    release: Release
    sparql_cache: ResultCache = field(default_factory=ResultCache)
    pasts: PastReleases = field(default_factory=PastReleases)
    urls: Urls | None = None
    release_published: float | None = None
    void_triples: list[ox.Triple] | None = None
    dump_catalogue: dict[str, dict[str, Any]] | None = None
    sparql_executor: QueryExecutor | None = None
    search_type_labels: dict[str, dict[str, str]] | None = None
    term_labels: dict[str, dict[str, str]] | None = None
    list_store: Once[Store] = field(default_factory=Once)
    page_lists: Lists = field(default_factory=Lists)
    page_parts: Lists = field(default_factory=lambda: Lists(PAGE_PARTS))
    """The language-independent data of a page's lists, for the last ``PAGE_PARTS`` pages (a page's events and facts, a document's page of statements)."""
    descriptions: OrderedDict[str, Description | None] = field(default_factory=OrderedDict)
    search_index: Once[LabelIndex] = field(default_factory=Once)
    site_summary: Once[Summary] = field(default_factory=Once)
    warmed: threading.Event = field(default_factory=threading.Event)
    """Set when the release's warm-up has ended (``kg.web.pages.warm``, then ``kg.web.warm``)."""
    home_dataset: tuple[str, str] | None = None
    """(the history as read, the home page's schema.org script made from it): ``kg.web.pages.dataset_jsonld_of``."""

    def index(self) -> LabelIndex:
        """The release's search index (``kg.query.search_load``), built once: from
        the on-disk store when this process has one, else page by page through ``store``."""
        store_dir = None if self.settings.store_url else self.release.store_dir
        return self.search_index.get(lambda: build_index(self.store, store_dir, base=self.release.base_iri))

    def summary(self, lists: Store) -> Summary:
        """The release's summary for the home page (``kg.query.summary``), made once;
        ``lists`` is where its long orders are read (``kg.web.paging.list_store``)."""
        return self.site_summary.get(lambda: summarize(self.store, base=self.release.base_iri, lists=lists))

    def successor(self, store: Store, release: Release) -> ReleaseContext:
        """The context of the next release: same settings and long-lived parts, caches empty."""
        return ReleaseContext(self.settings, store, release, sparql_cache=self.sparql_cache, pasts=self.pasts)

    def past(self, release: Release) -> ReleaseContext:
        """The context of an earlier release, for Memento (kept open a while)."""
        return self.pasts.context(self.settings, release)

    def close(self) -> None:
        """Stop this release's store (its query workers) and any executor made over it."""
        self.store.close()
        if self.sparql_executor is not None and self.sparql_executor is not self.store:
            self.sparql_executor.close()


def current(app: Any) -> ReleaseContext:
    """The context the app serves now (new requests are pinned to it)."""
    return cast(ReleaseContext, app.state)


def make_current(app: Any, ctx: ReleaseContext) -> None:
    """Serve ``ctx`` from now on: the one assignment that switches release."""
    app.state = ctx


def context(request: Request) -> ReleaseContext:
    """The context this request is pinned to (``kg.web.reload``), else the app's current one."""
    found = request.scope.get(SCOPE_KEY)
    return cast(ReleaseContext, found) if found is not None else current(request.app)


def as_of(request: Request, ctx: ReleaseContext) -> Request:
    """The request as a server of ``ctx``'s release would see it (Memento's past states)."""
    return Request({**request.scope, SCOPE_KEY: ctx}, request.receive)
