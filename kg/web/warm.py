"""The busiest pages of a release made before anyone asks: their first request is a cache hit.

Render once (``kg.web.render_once``) makes a page's second request as fast as
a static file, but its first still runs its queries: at 10 000 articles the
place in most events took 211 ms, a type with 20 000 members 216 ms (BENCHMARKS.md
run F) — and the busiest pages are the ones a reader or a crawler meets
first. So when a release opens (after the summary and the hubs,
``kg.web.pages.warm``), the server asks itself, through the whole app, for
the first page of

* the home page and ``/types/``;
* the ``WARM_THINGS`` things the most events name as an actor and the
  ``WARM_PLACES`` places the most events happened at (``busiest.rq``: the
  longest events lists), and the main entities (the agents the most facts
  name, the home page's);
* the ``WARM_TYPES`` biggest types of the ontology (the home page lists them);

in each language and for the ``Accept`` values readers send (``WARM_ACCEPTS``).
The answers are *pinned* in the render-once store: kept out of its LRU for the
release's life, for every origin (``ResponseCache.pin``), within
``1/PINNED_SHARE`` of ``response_cache_bytes`` (16 MB of the default 128 MB;
the pages are ≤ 200 KB each and the two browsers' ``Accept`` share one body:
≈ 40 pages × 2 languages ≈ 3–6 MB at 10 000 articles).

Warming is for idle time, as the hubs' is: before each page it waits while
users' queries fill the query slots or wait in the queue
(``kg.web.resources.when_idle``), so it never takes the place that would turn
a user's query away; the pages' own queries run in this process, not in those
slots. When it is done the objects the process holds then (the release's
store, caches, summary, search index, pinned pages: hundreds of thousands of
long-lived objects) are moved out of the garbage collector's generations
(``gc.freeze``), so the full collections that requests trigger never walk
them again (measured: BENCHMARKS.md run H, ``benchmarks/gc_pauses.py``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI

from kg.query.describe import run
from kg.rdf.vocab import prefixes
from kg.web.context import ReleaseContext, current
from kg.web.kept import WARM_HOST
from kg.web.paging import list_store
from kg.web.render_once import WARM_SCOPE, cache_of
from kg.web.resources import when_idle
from kg.web.urls import Urls

log = logging.getLogger("kg.warm")

WARM_THINGS = 24
"""Things the most events name as an actor whose first page is made at the release's start."""
WARM_PLACES = 8
"""Places the most events happened at whose first page is made at the release's start."""
WARM_TYPES = 8
"""Biggest types of the ontology (``qn:``, the home page's) whose first page of members is made at the start."""
WARM_LANGUAGES = (None, "ar")
"""``Accept-Language`` of the warm-up's requests: none (English) and Arabic."""
WARM_ACCEPTS = (
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # Firefox
    ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
     "application/signed-exchange;v=b3;q=0.7"),  # Chrome, Edge
)
"""The ``Accept`` headers asked for (the render-once key parses ``Accept``: each is its own key)."""
FIXED = ("/", "/types/")


def busiest(ctx: ReleaseContext, actors: int = WARM_THINGS, places: int = WARM_PLACES) -> list[str]:
    """The ``actors`` things the most events name as an actor and the ``places``
    places the most events happened at, most first (``busiest.rq``)."""
    rows = run(list_store(ctx), "busiest", base=ctx.release.base_iri).dicts()
    found: dict[bool, list[str]] = {True: [], False: []}
    for r in rows:
        place = r["place"].value == "true"
        if len(found[place]) < (places if place else actors):
            found[place].append(r["this"].value)
    return [*found[False], *found[True]]


def paths(ctx: ReleaseContext) -> list[str]:
    """What the warm-up asks for, in that order, each once."""
    urls = Urls(ctx.release.base_iri)
    summary = ctx.summary(list_store(ctx))
    things = [*busiest(ctx), *(iri for iri, _ in summary.main_entities)]
    ours = prefixes(urls.base)["qn"]  # the types the home page links (its others are on /types/)
    types = [urls.type_list("qn:" + cls[len(ours):]) for cls, _n in summary.classes if cls.startswith(ours)][:WARM_TYPES]
    out = [*FIXED, *(urls.page(iri) for iri in things), *types]
    return list(dict.fromkeys(p.split("#", 1)[0] for p in out if p.startswith("/")))


def marked(app: Any) -> Callable[..., Any]:
    """The app, with the warm-up's requests marked for pinning (``WARM_SCOPE``)."""

    async def asgi(scope: dict, receive: Any, send: Any) -> None:
        await app({**scope, WARM_SCOPE: True}, receive, send)

    return asgi


def warm_pages(app: FastAPI, ctx: ReleaseContext, asked: list[str]) -> dict[str, Any]:
    """Ask ``asked`` in every language and ``Accept`` of the warm-up, one at a
    time and in idle time, while ``ctx`` is the release served; what was pinned.
    Called from a thread of its own; the requests run on the server's event loop
    (``remember_loop``), as every reader's do, so the render-once store is only
    ever read and written from that one thread."""
    cache = cache_of(app)
    started = time.perf_counter()
    done: dict[str, Any] = {"pages": 0, "requests": 0, "statuses": {}}

    async def go() -> None:
        transport = httpx.ASGITransport(app=marked(app))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{WARM_HOST}", timeout=600) as client:
            for path in asked:
                await asyncio.to_thread(when_idle, ctx)
                for lang in WARM_LANGUAGES:
                    for accept in WARM_ACCEPTS:
                        if current(app) is not ctx:
                            return  # a newer release is served: its own warm-up pins its pages
                        headers = {"Accept": accept, **({"Accept-Language": lang} if lang else {})}
                        r = await client.get(path, headers=headers)
                        done["requests"] += 1
                        done["statuses"][r.status_code] = done["statuses"].get(r.status_code, 0) + 1
                done["pages"] += 1
                if cache.pinned_size >= cache.pinned_max:
                    return  # the budget is spent: the rest stay first-request pages

    loop = getattr(app, "kg_loop", None)
    if loop is not None and loop.is_running():  # on the server's own loop: the cache is touched from one thread only
        asyncio.run_coroutine_threadsafe(go(), loop).result()
    else:  # no server loop (an app driven without its lifespan)
        asyncio.run(go())
    done.update(pinned_bytes=cache.pinned_size, seconds=round(time.perf_counter() - started, 2))
    return done


def remember_loop(app: FastAPI) -> None:
    """At start (a startup handler, so on the server's event loop): the loop the
    warm-up's requests run on. The render-once store is not locked; every
    request that reads or fills it, the warm-up's included, runs on this loop."""
    app.kg_loop = asyncio.get_running_loop()  # type: ignore[attr-defined]


def freeze() -> None:
    """Move what the process holds now out of the collector's generations
    (``gc.freeze``), after ``gc.unfreeze`` and a collection: a previous
    release's objects, dropped since, are then collected as usual instead of
    staying frozen (freezing never frees; reference counting still does)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def warm(app: FastAPI, ctx: ReleaseContext) -> dict[str, Any] | None:
    """Pin the busiest pages of ``ctx``'s release, then freeze (see the module docstring)."""
    try:
        done = warm_pages(app, ctx, paths(ctx))
    except Exception:  # the server serves without it: every page is made on its first request instead
        log.exception("warming the busiest pages failed")
        return None
    finally:
        if current(app) is ctx:
            freeze()
    log.info("warm-up: %d pages (%d requests, %s) pinned in %.1f s, %d KB",
             done["pages"], done["requests"], done["statuses"], done["seconds"], done["pinned_bytes"] // 1024)
    return done


def start(app: FastAPI, ctx: ReleaseContext) -> threading.Thread:
    """``warm`` in the background (``kg.web.pages.warm`` calls it once the summary and the hubs are made)."""
    t = threading.Thread(target=warm, args=(app, ctx), name="kg-warm-pages", daemon=True)
    t.start()
    return t
