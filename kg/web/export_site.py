"""``kg export-site DIR``: every page and document of the served release as
static files, and an nginx configuration that serves them as ``kg serve`` does.

Nothing is rendered here: every answer is asked of the real app, in process
(``httpx.ASGITransport``), so the files hold the bytes ``kg serve`` sends and
the configuration repeats the headers it sends (Link, Vary, ETag,
Content-Location, Content-Language, Set-Cookie, Cache-Control, the security
headers …). What to ask for comes from the release, not from knowing the
routes: the fixed documents, the types, the housekeeping graphs, and every
page the sitemaps list (with its ``/id/`` IRI, which answers ``303``); from
each answer, its ``Location``, its ``rel="alternate"`` variants and its
``rel="next"``/``"prev"`` pages (``Link`` header or ``<link>`` in the page)
are asked for in turn — so paginated pages are exported whatever their shape.

Each path (and query) is asked once per *Accept class* when its answer says
``Vary: Accept`` — no Accept (or ``*/*``), ``text/html`` first, or exactly one
of the RDF media types — and once per language when it says
``Vary: Accept-Language``. Only classes nginx can recognise exactly are
exported; any other request (a q-value list, ``Accept-Datetime``, a query not
exported, a POST) is proxied to ``kg serve``. See ``kg.web.nginx_conf`` and
docs/deploy.md.

Streaming: files and map lines are written as answers come; what is held is
the current resource's handful of variants, whatever the corpus size.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx

from kg.query.describe import run
from kg.release.directory import Release
from kg.release.sitemap import SITEMAP_DIR, sitemap_names
from kg.web import nginx_conf
from kg.web.context import current
from kg.web.nginx_conf import EXPORT_ORIGIN, Summary
from kg.web.pages import STATIC

CLASSES: dict[str, str | None] = {
    "star": None, "html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
    "json": "application/json", "nt": "application/n-triples", "rdf": "application/rdf+xml",
}
"""Accept classes nginx recognises exactly (``kg.web.nginx_conf.ACCEPT_CLASSES``), and the Accept asked with."""
LANGUAGES = ("en", "ar")
SAFE_PATH = re.compile(r"^/[A-Za-z0-9/_.:~-]*$")
SAFE_QUERY = re.compile(r"^[A-Za-z0-9=&_.-]*$")
FIXED = ["/", "/types/", "/ontology", "/shapes", "/dataset", "/.well-known/void", "/context.jsonld",
         "/robots.txt", "/sitemap.xml", "/favicon.ico"]
WORKERS = 4
"""Resources exported at once (their answers are rendered on the app's threads and query workers)."""
FOLLOWED_RELS = {"alternate", "next", "prev", "previous"}
_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]+)*)')
_HTML_LINK = re.compile(r'<link\b[^>]*>', re.IGNORECASE)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_TYPES_HREF = re.compile(r'href="(/types/[^"#?]+)"')


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
    def __init__(self, client: _SyncASGI, out: Path, progress: Callable[[int], None]) -> None:
        self.client = client
        self.site = nginx_conf.Site(out)
        self.progress = progress
        self.summary = self.site.summary

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

    def crawl(self, starts: Iterator[str], *, shared: set[str] | None = None, workers: int = 1) -> None:
        """From each start, its linked variants and pages, depth first; ``seen`` is per start
        (memory stays flat), except for the ``shared`` fixed pages. ``workers`` starts are
        exported at once, so the app renders on all its threads."""

        async def worker() -> None:
            for start in starts:  # one iterator for all: each start is taken once
                seen = shared if shared is not None else set()
                stack = [start]
                while stack:
                    stack.extend(reversed(await self.export(stack.pop(), seen)))

        async def all_workers() -> None:
            await asyncio.gather(*(worker() for _ in range(workers)))

        self.client.run(all_workers())


def export_site(app, release: Release, out: Path, *, listen: str, upstream: str, sparql: str | None = None,  # type: ignore[no-untyped-def]
                progress: Callable[[int], None] = lambda _n: None) -> Summary:
    """Write ``out/_kg_export/…`` and ``out/nginx/…`` (see the module docstring); the counts."""
    transport = httpx.ASGITransport(app=app)
    out.mkdir(parents=True, exist_ok=True)
    with _SyncASGI(transport) as client:
        exporter = Exporter(client, out, progress)
        fixed = list(FIXED) + [f"/static/{p.name}" for p in sorted(STATIC.iterdir()) if p.is_file()]
        types_page = client.get("/types/")
        fixed += sorted(set(_TYPES_HREF.findall(types_page.text)))
        graphs = run(current(app).store, "housekeeping_graphs", base=release.base_iri).dicts()
        fixed += ["/" + r["graph"].value[len(release.base_iri):] for r in graphs]
        exporter.crawl(iter(fixed), shared=set())

        def things() -> Iterator[str]:
            for doc in resource_paths(release):
                yield "/id/" + doc[len("/doc/"):] if doc.startswith("/doc/") else doc

        exporter.crawl(things(), workers=WORKERS)
        exporter.site.close(release, listen=listen, upstream=upstream, sparql=sparql,
                            cors=client.get("/ontology.ttl", headers={"Origin": "https://example.org"}).headers)
    return exporter.summary


class _SyncASGI:
    """A blocking client over the ASGI app: one event loop, requests one after another."""

    def __init__(self, transport: httpx.ASGITransport) -> None:
        self._loop = asyncio.new_event_loop()
        from http.cookiejar import CookieJar, DefaultCookiePolicy

        never = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # ?lang= sets a cookie: keep none
        self._client = httpx.AsyncClient(transport=transport, base_url=EXPORT_ORIGIN, timeout=600, cookies=never)

    def __enter__(self) -> _SyncASGI:
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


__all__ = ["CLASSES", "LANGUAGES", "Summary", "export_site", "links", "resource_paths"]
