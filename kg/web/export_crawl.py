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
from collections import OrderedDict
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
PAGING_RELS = {"first", "last", "next", "prev", "previous"}
SUFFIXES = {".html": "html", ".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "rdf"}
"""A document's suffix → the Accept class it names (``kg.web.urls.Urls.split_suffix``)."""
MEMO = 64
"""Pages whose answers are kept to derive their ``?lang=`` and suffixed variants from."""
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
    them to the process that writes).

    With ``derive`` (the default) each distinct answer is asked once and its
    byte-identical variants are made from it rather than asked again — each
    rule is what the app does (``kg.web.render.choose_language``,
    ``kg.web.negotiated``) and is checked on the answers before it is used;
    tests/test_export_shards.py compares a derived export with one that asks
    for everything, file for file and map line for map line:

    * ``Accept: text/html`` is the answer without Accept when that is HTML
      (the page does not read Accept once HTML is chosen);
    * ``Accept: application/json`` is ``application/ld+json`` when that is
      negotiated JSON-LD (``kg.rdf.formats.negotiate_format`` gives JSON-LD
      to plain JSON wherever JSON-LD is offered);
    * ``?lang=X`` wins over Accept-Language, so such a page is not asked
      again in the other language;
    * an RDF document does not depend on the language (its ``Vary`` names
      neither Accept-Language nor Cookie): at ``?lang=X…`` it is the one at
      ``…`` with the ``Link`` of the HTML page at ``?lang=X…`` (the paging
      links keep the query), provided both agreed on ``Link`` at ``…``;
    * ``/doc/x.ttl`` (``.jsonld``, ``.nt``, ``.rdf``, ``.html`` in each
      language) is ``Accept: text/turtle`` (…) on ``/doc/x`` without what
      negotiation adds (``Vary: Accept``, ``Content-Location``), when its
      ``Link`` has no paging links (a paged page's links name its own path);
    * an unpaged page at ``?lang=X`` is the page in language X with the
      ``Set-Cookie`` that remembers the switch (learnt from the first
      ``?lang=X`` page asked: it is the same on every page).

    ``?lang=X…`` variants of a page are visited right after the page, so what
    they are derived from is among the last ``MEMO`` pages kept."""

    def __init__(self, client: SyncASGI, site: Any, progress: Callable[[int], None] = lambda _n: None, *,
                 derive: bool = True) -> None:
        self.client = client
        self.site = site
        self.progress = progress
        self.summary: Summary = site.summary
        self.derive = derive
        self._memo: OrderedDict[str, dict[str, httpx.Response]] = OrderedDict()
        self._cookies: dict[str, list[str]] = {}

    def _keep(self, target: str, answers: dict[str, httpx.Response]) -> None:
        self._memo[target] = answers
        self._memo.move_to_end(target)
        while len(self._memo) > MEMO:
            self._memo.popitem(last=False)

    def waits_for_twin(self, target: str, seen: set[str]) -> bool:
        """A ``?lang=X…`` target whose page without ``lang`` is not exported yet (visit it later)."""
        path, _, query = target.partition("?")
        lang, plain = lang_of(query)
        return self.derive and lang is not None and _join(path, plain) not in seen

    def _suffixed(self, path: str, query: str) -> list[tuple[str, httpx.Response]] | None:
        """``/doc/x.ttl`` (``.html`` in each language …) made from the negotiated ``/doc/x``, when that is exact."""
        for suffix, cls in SUFFIXES.items():
            if not path.endswith(suffix):
                continue
            twin = self._memo.get(_join(path[: -len(suffix)], query), {})
            variants = [("any", twin.get(cls))] if cls != "html" else [("any-en", twin.get("html")), ("any-ar", twin.get("html-ar"))]
            out = []
            for variant, kept in variants:
                if (kept is None or kept.status_code != 200 or "content-location" not in kept.headers
                        or "accept" not in _vary(kept) or PAGING_RELS & _rels(kept)
                        or (variant != "any" and kept.headers.get("content-language") != variant[-2:])):
                    return None
                out.append((variant, _with(kept, drop=("content-location",),
                                           vary=", ".join(v for v in _vary_tokens(kept) if v.lower() != "accept"))))
            return out
        return None

    def _switched(self, path: str, lang: str, plain: str) -> httpx.Response | None:
        """The page at ``?lang=X`` made from the page without it in language X, when that page
        is not paged (its links would carry the query) and ``?lang=X``'s cookie is known."""
        twin = self._memo.get(_join(path, plain), {})
        base = twin.get("star" if lang == "en" else "star-ar")
        cookie = self._cookies.get(lang)
        if (base is None or cookie is None or base.status_code != 200 or base.headers.get("content-language") != lang
                or not base.headers.get("content-type", "").startswith("text/html") or PAGING_RELS & _rels(base)
                or "set-cookie" in base.headers):
            return None
        return _with(base, add=[("set-cookie", v) for v in cookie])

    async def export(self, target: str, seen: set[str]) -> list[str]:
        """Write every exact variant of ``target``; the targets it links to."""
        if target in seen:
            return []
        seen.add(target)
        path, _, query = target.partition("?")
        if not SAFE_PATH.match(path) or not SAFE_QUERY.match(query) or "/../" in path + "/":
            self.summary.skipped += 1
            return []
        if self.derive and (suffixed := self._suffixed(path, query)) is not None:
            self.summary.derived += len(suffixed)
            self.summary.paths += 1
            self.progress(self.summary.paths)
            for variant, answer in suffixed:
                self.site.file(path, query, variant, answer)
            if suffixed[0][0] == "any-en":  # the page in each language: what its ?lang= switch is made from
                self._keep(target, {"star": suffixed[0][1], "star-ar": suffixed[1][1]})
            found = _switches(path, query, suffixed[0][1])
            return found + [t for t in links(suffixed[0][1]) if t not in found]
        lang, plain = lang_of(query)
        switched = self._switched(path, lang, plain) if self.derive and lang is not None else None
        if switched is not None:
            first = switched
            self.summary.derived += 1
        else:
            first = (await self.client.aget_many([(target, None, None)]))[0]
            if lang is not None and first.status_code == 200 and first.headers.get_list("set-cookie"):
                self._cookies[lang] = first.headers.get_list("set-cookie")  # what the switch sets (the same on every page)
        self.summary.paths += 1
        self.progress(self.summary.paths)
        vary = _vary(first)
        if first.status_code in (301, 302, 303, 307, 308) and "accept" not in vary:
            self.site.redirect(path, query, first)
            return links(first)
        if first.status_code != 200:
            self.summary.skipped += 1
            return []
        by_accept = "accept" in vary
        found = _switches(path, query, first)
        found.extend(t for t in links(first) if t not in found)
        classes = list(CLASSES.items()) if by_accept else [("any", None)]
        made: dict[str, httpx.Response] = {}
        html_first = self.derive and first.headers.get("content-type", "").startswith("text/html")
        if html_first and by_accept:
            made["html"] = first
        twin = self._memo.get(_join(path, plain)) if self.derive and lang is not None and html_first else None
        if twin is not None:
            for cls, kept in twin.items():
                if (cls in CLASSES and kept.status_code == 200 and not {"accept-language", "cookie"} & _vary(kept)
                        and kept.headers.get_list("link") == twin["star"].headers.get_list("link")):
                    made[cls] = _with(kept, link=first.headers.get_list("link"))
        asked = [(cls, accept) for cls, accept in classes[1:] if cls not in made and not (self.derive and cls == "json")]
        answers = await self.client.aget_many([(target, accept, None) for _, accept in asked])
        got = dict(zip((cls for cls, _ in asked), answers, strict=True))
        if by_accept and "json" not in made and "json" not in got:  # JSON-LD is a JSON document: the app gives it for both
            jsonld = made.get("jsonld") or got.get("jsonld")
            if (jsonld is not None and jsonld.status_code == 200 and "accept" in _vary(jsonld)
                    and jsonld.headers.get("content-type", "").startswith("application/ld+json")):
                made["json"] = jsonld
            else:
                got["json"] = (await self.client.aget_many([(target, CLASSES["json"], None)]))[0]
        self.summary.derived += len(made)
        by_class = [(cls, accept, first if n == 0 else made[cls] if cls in made else got[cls]) for n, (cls, accept) in enumerate(classes)]
        second = [(cls, accept) for cls, accept, r in by_class  # a page in English: ask for it in Arabic too
                  if r.status_code == 200 and {"accept-language", "cookie"} & _vary(r) and r.headers.get("content-language") == "en"
                  and not (self.derive and lang == "en")]  # ?lang=en wins over Accept-Language
        asked_second = [(cls, accept) for cls, accept in second if not (self.derive and cls == "html" and ("star", None) in second)]
        others = dict(zip((cls for cls, _ in asked_second),
                          await self.client.aget_many([(target, accept, "ar") for _, accept in asked_second]), strict=True))
        if "html" not in others and ("html", "text/html") in second:
            others["html"] = others["star"]
            self.summary.derived += 1
        for cls, _, answer in by_class:
            if answer.status_code != 200:
                continue
            language = answer.headers.get("content-language")
            tag = f"-{language}" if {"accept-language", "cookie"} & _vary(answer) and language else ""
            self.site.file(path, query, cls + tag, answer)
            found.extend(t for t in links(answer) if t not in found)
        for cls, answer in others.items():
            if answer.status_code == 200 and answer.headers.get("content-language") == "ar":
                self.site.file(path, query, cls + "-ar", answer)
        if self.derive and lang is None:
            self._keep(target, {**{cls: answer for cls, _, answer in by_class}, **{f"{cls}-ar": a for cls, a in others.items()}}
                       if by_accept else {"star": first, **({"star-ar": others["any"]} if "any" in others else {})})
        return found

    def crawl(self, starts: Iterator[str], *, shared: set[str] | None = None, workers: int = 1,
              done: Callable[[], None] = lambda: None) -> None:
        """``acrawl`` on the client's loop."""
        self.client.run(self.acrawl(starts, shared=shared, workers=workers, done=done))

    async def acrawl(self, starts: Iterator[str], *, shared: set[str] | None = None, workers: int = 1,
                     done: Callable[[], None] = lambda: None) -> None:
        """From each start, its linked variants and pages, depth first; ``seen`` is per start
        (memory stays flat), except for the ``shared`` fixed pages. ``workers`` starts are
        exported at once, so the app renders on all its threads; ``done`` after each start.
        A ``?lang=X…`` page reached before its page without ``lang`` waits until the
        stack is empty (by then that page is usually exported, and it is derived from)."""

        async def worker() -> None:
            for start in starts:  # one iterator for all: each start is taken once
                seen = shared if shared is not None else set()
                stack, later = [start], list[str]()
                while stack or later:
                    from_stack = bool(stack)
                    target = stack.pop() if stack else later.pop(0)
                    if from_stack and self.waits_for_twin(target, seen):
                        later.append(target)
                        continue
                    stack.extend(reversed(await self.export(target, seen)))
                done()

        await asyncio.gather(*(worker() for _ in range(workers)))


def lang_of(query: str) -> tuple[str | None, str]:
    """(the ``lang=`` the query names, if one of ours and only one; the query without it)."""
    parts = query.split("&") if query else []
    named = [p[len("lang="):] for p in parts if p.startswith("lang=")]
    if len(named) != 1 or named[0] not in LANGUAGES:
        return None, query
    return named[0], "&".join(p for p in parts if not p.startswith("lang="))


def _switches(path: str, query: str, answer: httpx.Response) -> list[str]:
    """The language switch of a page in a language (``?lang=``, remembered by a cookie), visited next."""
    if not {"accept-language", "cookie"} & _vary(answer) or lang_of(query)[0] is not None:
        return []
    return [_join(path, f"lang={code}" + (f"&{query}" if query else "")) for code in LANGUAGES]


def _join(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _vary_tokens(response: httpx.Response) -> list[str]:
    return [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]


def _rels(response: httpx.Response) -> set[str]:
    out: set[str] = set()
    for value in response.headers.get_list("link"):
        for _, params in _LINK.findall(value):
            rels = re.search(r'rel\s*=\s*"([^"]*)"', params)
            out.update(rels.group(1).split() if rels else ())
    return out


def _with(response: httpx.Response, *, drop: tuple[str, ...] = (), vary: str | None = None,
          link: list[str] | None = None, add: list[tuple[str, str]] | None = None) -> httpx.Response:
    """``response`` with headers dropped or replaced, the same status and bytes."""
    headers = []
    for name, value in response.headers.multi_items():
        low = name.lower()
        if low in drop or (low == "vary" and vary is not None) or (low == "link" and link is not None):
            continue
        headers.append((name, value))
    if vary:
        headers.append(("vary", vary))
    headers.extend(("link", v) for v in link or [])
    headers.extend(add or [])
    return httpx.Response(response.status_code, headers=headers, content=response.content)


def things(release: Release, *, every: int = 1, shard: int = 0, shards: int = 1) -> Iterator[str]:
    """The ``/id/`` IRI of every ``every``-th page the sitemaps list (one shard's share of them)."""
    for n, doc in enumerate(resource_paths(release)):
        if n % every or (n // every) % shards != shard:
            continue
        yield "/id/" + doc[len("/doc/"):] if doc.startswith("/doc/") else doc


class SyncASGI:
    """A blocking client over the ASGI app: one event loop, requests one after another."""

    def __init__(self, transport: httpx.ASGITransport) -> None:
        self._runner = asyncio.Runner()
        from http.cookiejar import CookieJar, DefaultCookiePolicy

        never = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # ?lang= sets a cookie: keep none
        # the files are the identity representations: nginx serves them as they are (gzip, where
        # wanted, is nginx's own `gzip on`), so the export never asks for a content coding
        self._client = httpx.AsyncClient(transport=transport, base_url=EXPORT_ORIGIN, timeout=600, cookies=never,
                                         headers={"Accept-Encoding": "identity"})

    def __enter__(self) -> SyncASGI:
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the client, then the loop as ``asyncio.run`` does: tasks still
        pending (the fixed pages' crawl when a shard failed) are cancelled and
        awaited first. Closing the loop under them left an AnyIO worker thread
        (not a daemon) waiting for a stop that never came: the process hung at exit."""
        try:
            self._runner.run(self._client.aclose())
        finally:
            self._runner.close()

    def get(self, target: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self._runner.run(self._client.get(target, headers=headers or {}))

    def run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._runner.run(coroutine)

    def get_many(self, asks: list[tuple[str, str | None, str | None]]) -> list[httpx.Response]:
        return self._runner.run(self.aget_many(asks))

    async def aget_many(self, asks: list[tuple[str, str | None, str | None]]) -> list[httpx.Response]:
        """(target, Accept, Accept-Language) each, at once: the app renders them on its threads."""

        def headers(accept: str | None, lang: str | None) -> dict[str, str]:
            return {**({"Accept": accept} if accept else {}), **({"Accept-Language": lang} if lang else {})}

        return list(await asyncio.gather(*(self._client.get(t, headers=headers(a, lang)) for t, a, lang in asks)))


__all__ = ["CLASSES", "LANGUAGES", "Exporter", "SyncASGI", "lang_of", "links", "resource_paths", "things"]
