"""Asking the app for every exact variant of a release's pages (``kg export-site``).

The crawl ``kg.web.export_site`` runs in its own process and
``kg.web.export_shards`` in each shard: from each start (an ``/id/`` IRI of
the sitemaps, or a fixed page), every Accept class its answer varies by, each
language, and the targets it links to (``Location``, ``rel="alternate"``,
``rel="next"``/``"prev"``), handed to a ``site`` that writes (or sends) them.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import Callable, Coroutine, Iterator
from typing import Any
from xml.etree import ElementTree

import httpx

from kg.release.directory import Release
from kg.release.sitemap import SITEMAP_DIR, sitemap_names
from kg.web.nginx_conf import EXPORT_ORIGIN, Summary

CLASSES: dict[str, str | None] = {
    "star": None, "html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
    "json": "application/json", "nt": "application/n-triples", "rdf": "application/rdf+xml",
}
"""Accept classes nginx recognises exactly (``kg.web.nginx_conf.ACCEPT_CLASSES``), and the Accept asked with."""
LANGUAGES = ("en", "ar")
SAFE_PATH = re.compile(r"^/[A-Za-z0-9/_.:~-]*$")
SAFE_QUERY = re.compile(r"^[A-Za-z0-9=&_.-]*$")
FOLLOWED_RELS = {"alternate", "next", "prev", "previous"}
_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]+)*)')
_HTML_LINK = re.compile(r'<link\b[^>]*>', re.IGNORECASE)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def resource_paths(release: Release) -> Iterator[str]:
    """``/doc/…`` of every page the release's sitemaps list, in their order, one at a time."""
    base = release.base_iri
    for name in sitemap_names(release.path):
        with gzip.open(release.path / SITEMAP_DIR / name, "rb") as fh:
            for _, element in ElementTree.iterparse(fh):
                if element.tag.endswith("}loc") and element.text and element.text.startswith(base):
                    yield "/" + element.text[len(base):]
                element.clear()


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")}


def links(response: httpx.Response) -> list[str]:
    """Same-site targets of the answer's Location, Link rel=alternate/next/prev and ``<link rel=next|prev>``."""
    out = []
    if "location" in response.headers:
        out.append(response.headers["location"])
    for value in response.headers.get_list("link"):
        for target, params in _LINK.findall(value):
            rels = re.search(r'rel\s*=\s*"([^"]*)"', params)
            if rels and FOLLOWED_RELS & set(rels.group(1).split()):
                out.append(target)
    if response.headers.get("content-type", "").startswith("text/html"):
        for tag in _HTML_LINK.findall(response.text):
            attrs = dict(_ATTR.findall(tag))
            if FOLLOWED_RELS & set(attrs.get("rel", "").split()) and "href" in attrs:
                out.append(attrs["href"])
    return [t for t in out if t.startswith("/") and not t.startswith("//")]


class Exporter:
    """Asks the app for every variant of each target and hands the answers to
    ``site`` (``nginx_conf.Site`` writes them; ``export_shards.Recorder`` sends
    them to the process that writes)."""

    def __init__(self, client: SyncASGI, site: Any, progress: Callable[[int], None] = lambda _n: None) -> None:
        self.client = client
        self.site = site
        self.progress = progress
        self.summary: Summary = site.summary

    async def export(self, target: str, seen: set[str]) -> list[str]:
        """Write every exact variant of ``target``; the targets it links to."""
        if target in seen:
            return []
        seen.add(target)
        path, _, query = target.partition("?")
        if not SAFE_PATH.match(path) or not SAFE_QUERY.match(query) or "/../" in path + "/":
            self.summary.skipped += 1
            return []
        first = (await self.client.aget_many([(target, None, None)]))[0]
        self.summary.paths += 1
        self.progress(self.summary.paths)
        vary = {v.strip().lower() for v in first.headers.get("vary", "").split(",")}
        if first.status_code in (301, 302, 303, 307, 308) and "accept" not in vary:
            self.site.redirect(path, query, first)
            return links(first)
        if first.status_code != 200:
            self.summary.skipped += 1
            return []
        by_accept = "accept" in vary
        found = links(first)
        if {"accept-language", "cookie"} & vary and not query:  # the language switch (?lang=, remembered by a cookie)
            found.extend(f"{path}?lang={lang}" for lang in LANGUAGES)
        classes = list(CLASSES.items()) if by_accept else [("any", None)]
        answers = await self.client.aget_many([(target, accept, None) for cls, accept in classes[1:]])
        by_class = [(classes[0][0], classes[0][1], first), *((cls, accept, r) for (cls, accept), r in zip(classes[1:], answers, strict=True))]
        second = [(cls, accept) for cls, accept, r in by_class  # a page in English: ask for it in Arabic too
                  if r.status_code == 200 and {"accept-language", "cookie"} & _vary(r) and r.headers.get("content-language") == "en"]
        others = await self.client.aget_many([(target, accept, "ar") for _, accept in second])
        for cls, _, answer in by_class:
            if answer.status_code != 200:
                continue
            language = answer.headers.get("content-language")
            lang = f"-{language}" if {"accept-language", "cookie"} & _vary(answer) and language else ""
            self.site.file(path, query, cls + lang, answer)
            found.extend(t for t in links(answer) if t not in found)
        for (cls, _), answer in zip(second, others, strict=True):
            if answer.status_code == 200 and answer.headers.get("content-language") == "ar":
                self.site.file(path, query, cls + "-ar", answer)
        return found

    def crawl(self, starts: Iterator[str], *, shared: set[str] | None = None, workers: int = 1,
              done: Callable[[], None] = lambda: None) -> None:
        """``acrawl`` on the client's loop."""
        self.client.run(self.acrawl(starts, shared=shared, workers=workers, done=done))

    async def acrawl(self, starts: Iterator[str], *, shared: set[str] | None = None, workers: int = 1,
                     done: Callable[[], None] = lambda: None) -> None:
        """From each start, its linked variants and pages, depth first; ``seen`` is per start
        (memory stays flat), except for the ``shared`` fixed pages. ``workers`` starts are
        exported at once, so the app renders on all its threads; ``done`` after each start."""

        async def worker() -> None:
            for start in starts:  # one iterator for all: each start is taken once
                seen = shared if shared is not None else set()
                stack = [start]
                while stack:
                    stack.extend(reversed(await self.export(stack.pop(), seen)))
                done()

        await asyncio.gather(*(worker() for _ in range(workers)))


def things(release: Release, *, every: int = 1, shard: int = 0, shards: int = 1) -> Iterator[str]:
    """The ``/id/`` IRI of every ``every``-th page the sitemaps list (one shard's share of them)."""
    for n, doc in enumerate(resource_paths(release)):
        if n % every or (n // every) % shards != shard:
            continue
        yield "/id/" + doc[len("/doc/"):] if doc.startswith("/doc/") else doc


class SyncASGI:
    """A blocking client over the ASGI app: one event loop, requests one after another."""

    def __init__(self, transport: httpx.ASGITransport) -> None:
        self._loop = asyncio.new_event_loop()
        from http.cookiejar import CookieJar, DefaultCookiePolicy

        never = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # ?lang= sets a cookie: keep none
        self._client = httpx.AsyncClient(transport=transport, base_url=EXPORT_ORIGIN, timeout=600, cookies=never)

    def __enter__(self) -> SyncASGI:
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()

    def get(self, target: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self._loop.run_until_complete(self._client.get(target, headers=headers or {}))

    def run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._loop.run_until_complete(coroutine)

    def get_many(self, asks: list[tuple[str, str | None, str | None]]) -> list[httpx.Response]:
        return self._loop.run_until_complete(self.aget_many(asks))

    async def aget_many(self, asks: list[tuple[str, str | None, str | None]]) -> list[httpx.Response]:
        """(target, Accept, Accept-Language) each, at once: the app renders them on its threads."""

        def headers(accept: str | None, lang: str | None) -> dict[str, str]:
            return {**({"Accept": accept} if accept else {}), **({"Accept-Language": lang} if lang else {})}

        return list(await asyncio.gather(*(self._client.get(t, headers=headers(a, lang)) for t, a, lang in asks)))


__all__ = ["CLASSES", "LANGUAGES", "Exporter", "SyncASGI", "links", "resource_paths", "things"]
