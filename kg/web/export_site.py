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
exported, a POST) is proxied to ``kg serve``. A variant that is the same
answer as one already asked (``Accept: text/html`` and no Accept, ``.ttl``
and ``Accept: text/turtle`` on an unpaged page …) is made from it instead of
asked again (``kg.web.export_crawl.Exporter``, ``derive``). See
``kg.web.nginx_conf`` and docs/deploy.md.

Streaming: files and map lines are written as answers come; what is held is
the current resource's handful of variants, whatever the corpus size. The
crawl itself is ``kg.web.export_crawl``; with ``shards`` the resources are
rendered by that many processes (``kg.web.export_shards``) and written here.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg.config import Settings
from kg.query.describe import run
from kg.release.directory import Release
from kg.web import nginx_conf
from kg.web.context import current
from kg.web.export_crawl import CLASSES, LANGUAGES, Exporter, SyncASGI, links, resource_paths, things
from kg.web.export_shards import render_in_shards
from kg.web.nginx_conf import Summary
from kg.web.pages import STATIC
from kg.web.paging import list_store

FIXED = ["/", "/types/", "/ontology", "/shapes", "/dataset", "/.well-known/void", "/context.jsonld",
         "/robots.txt", "/sitemap.xml", "/favicon.ico"]
WORKERS = 4
"""Resources exported at once (their answers are rendered on the app's threads and query workers)."""
_TYPES_HREF = re.compile(r'href="(/types/[^"#?]+)"')


def export_site(app, release: Release, out: Path, *, listen: str, upstream: str, sparql: str | None = None,  # type: ignore[no-untyped-def]
                progress: Callable[[Progress], None] = lambda _p: None, settings: Settings | None = None,
                shards: int = 1, every: int = 1, fixed: bool = True, derive: bool = True) -> Summary:
    """Write ``out/_kg_export/…`` and ``out/nginx/…`` (see the module docstring); the counts.

    The fixed pages (with the type lists and the housekeeping graphs, every
    page of each) are rendered here while the resources of the sitemaps are
    rendered beside them: with ``shards`` > 1 (needs ``settings``) by that
    many processes, each with its own app over the same release
    (``kg.web.export_shards``), written here as they come. ``every``: only
    every ``every``-th resource (a sample); ``fixed=False``: no fixed pages
    (both for benchmarks); ``derive=False``: every variant asked of the app,
    none made from another (``kg.web.export_crawl.Exporter``; for tests and
    benchmarks)."""
    transport = httpx.ASGITransport(app=app)
    out.mkdir(parents=True, exist_ok=True)
    site = nginx_conf.Site(out)
    state = Progress(total=-(-sum(1 for _ in resource_paths(release)) // every))
    with SyncASGI(transport) as client:
        exporter = Exporter(client, site, derive=derive)
        starts: list[str] = []
        if fixed:
            starts = list(FIXED) + [f"/static/{p.name}" for p in sorted(STATIC.iterdir()) if p.is_file()]
            starts += sorted(set(_TYPES_HREF.findall(client.get("/types/").text)))
            graphs = run(list_store(current(app)), "housekeeping_graphs", base=release.base_iri).dicts()  # in-process: no timeout
            starts += ["/" + r["graph"].value[len(release.base_iri):] for r in graphs]

        def one_done() -> None:
            state.resources += 1
            state.paths = site.summary.paths
            progress(state)

        async def everything() -> None:
            resources = (render_in_shards(settings, release, site, state, progress, shards=shards, every=every, workers=WORKERS,
                                          derive=derive)
                         if shards > 1 and settings is not None else
                         exporter.acrawl(things(release, every=every), workers=WORKERS, done=one_done))
            await asyncio.gather(exporter.acrawl(iter(starts), shared=set()), resources)

        state.started = time.monotonic()
        client.run(everything())
        site.close(release, listen=listen, upstream=upstream, sparql=sparql,
                   cors=client.get("/ontology.ttl", headers={"Origin": "https://example.org"}).headers)
    return site.summary


@dataclass
class Progress:
    """How far an export is: resources (sitemap entries) done of ``total``, paths asked."""

    total: int
    resources: int = 0
    paths: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        spent = max(1e-9, time.monotonic() - self.started)
        rate = self.resources / spent
        left = (self.total - self.resources) / rate if rate else float("inf")
        eta = f"{left / 60:.0f} min left" if left != float("inf") else "…"
        return (f"export-site: {self.resources}/{self.total} resources, {self.paths} paths "
                f"({self.paths / spent:.0f} paths/s, {rate:.1f} resources/s), {eta}")


__all__ = ["CLASSES", "LANGUAGES", "Progress", "Summary", "export_site", "links", "resource_paths", "things"]
