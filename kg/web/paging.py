"""Pages of long lists: ``?page=N``, the links between pages, and the
per-release memory of each list's order.

No page grows with the corpus (issue 21): every long list — the home page's
articles, a type's members, a resource's events, facts, statements and links
to it — is shown ``settings.page_size`` items at a time. Page 1 is the URL
without ``page``; page N is the same URL with ``?page=N``. Each page links
its neighbours three ways: ``<a rel="prev|next">`` in the body, ``<link
rel="prev|next|first|last">`` in the head, and the HTTP ``Link`` header
(RFC 8288), so a crawler that reads no HTML follows them too. ``page`` that
is not a whole number ≥ 1 (``0``, ``-1``, ``two``, empty) is ``400``; a page
past the last is ``404``.

The order of a long list is read once per release and kept (``Lists``, on the
generation's state, ``kg.web.reload``): a later page is then a slice of it
plus one bounded query for the details of that slice's items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request

from kg.errors import BadQuery
from kg.store.base import Store
from kg.store.embedded import OxigraphStore, embedded_files
from kg.web.context import Lists, ReleaseContext, context

T = TypeVar("T")


def page_size(request: Request) -> int:
    settings = context(request).settings
    return max(1, int(settings.page_size))


def page_number(request: Request) -> int:
    """``?page=N`` (absent: 1). Not a whole number ≥ 1: 400, whatever the list."""
    raw = request.query_params.get("page")
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or int(raw[:18]) < 1:
        raise BadQuery(f"page must be a whole number from 1, not {raw[:40]!r}")
    return int(raw) if len(raw) <= 18 else 10**18  # a page that long is past the end of any list: 404


@dataclass(frozen=True)
class Page:
    """Page ``number`` of lists whose longest has ``total`` items, ``size`` a page."""

    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def exists(self) -> bool:
        return 1 <= self.number <= self.last

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def slice(self, items: list[T]) -> list[T]:
        return items[self.offset : self.offset + self.size]

    def span(self, n: int) -> tuple[int, int]:
        """(first, last) item numbers of a list of ``n`` shown here, 1-based; (0, 0) when none."""
        first, last = self.offset + 1, min(n, self.offset + self.size)
        return (first, last) if first <= last else (0, 0)


def href(request: Request, number: int) -> str:
    """This URL at page ``number`` (page 1: without ``page``), other parameters kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if number > 1:
        params.append(("page", str(number)))
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def links(request: Request, page: Page) -> dict[str, str]:
    """rel → URL of the neighbouring pages (prev/next where they exist; first/last when paged)."""
    if page.last == 1:
        return {}
    out = {"first": href(request, 1), "last": href(request, page.last)}
    if page.number > 1:
        out["prev"] = href(request, page.number - 1)
    if page.number < page.last:
        out["next"] = href(request, page.number + 1)
    return out


def link_header(rels: dict[str, str], existing: str | None = None) -> str:
    """``rels`` as RFC 8288 links, after ``existing`` ones."""
    parts = [existing] if existing else []
    parts += [f'<{url}>; rel="{rel}"' for rel, url in rels.items()]
    return ", ".join(parts)


def pager(request: Request, page: Page) -> dict[str, Any]:
    """What the templates need: the links, the page number and how many there are."""
    return {"number": page.number, "last": page.last, "links": links(request, page)}


def list_store(ctx: ReleaseContext) -> Store:
    """Where the pages' own queries run: the release's on-disk store opened in
    this process. It answers a long list's order whole (the query workers cap
    rows at ``max_rows``, so a list of 150 000 facts would be read in 30
    chunks, each sorting all of them again), and a page's bounded queries (one
    IRI bound, or a ``VALUES`` table of one page's items) without the worker
    round trip: a cold page made a dozen or more of them, and the pipe and
    the pickling of their rows cost more than the engine (a person's page at
    10 000 articles: 390 → 140 ms; benchmarks/cold_pages.py). pyoxigraph
    releases the GIL while it evaluates, so other requests go on meanwhile;
    the worker processes stay for user SPARQL, which may need killing. The
    served store when there is no on-disk store (a remote one, ``--store``,
    or an older release)."""
    if isinstance(ctx.store, OxigraphStore):  # in-process already (a past release's store)
        return ctx.store
    release = ctx.release
    on_disk = release.store_dir is not None and not ctx.settings.store_url
    return ctx.list_store.get(lambda: OxigraphStore.load(embedded_files(release)) if on_disk else ctx.store)


__all__ = ["Lists", "Page", "href", "link_header", "links", "list_store", "page_number", "page_size", "pager"]
