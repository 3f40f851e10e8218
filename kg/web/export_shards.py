"""``kg export-site --shards N``: the resources rendered by N processes, written by one.

Why processes: rendering a page or a document is Python (templates, sentences,
serialisers) holding the GIL, so one process uses one core however many
requests it has in flight; a release of 10 000 articles lists 165 438 pages,
each asked in every format and language. Each shard is a fresh process
(``spawn``: no inherited threads or store handles) that builds its own app
over the same release, exactly as ``kg serve`` would (``build_app``: the
answers are the served ones), and renders every ``N``-th resource of the
sitemaps. It sends the answers — status, headers, body: what
``nginx_conf.Site`` reads — to the parent, which alone writes the files and
the maps, so the export is one ``Site`` with one table of types and one map
per header, whatever the number of shards.

A shard that fails fails the export (``ExportFailed``): a half-written site
must not look complete. A shard whose app opened another release than the
parent's (``var/current`` switched meanwhile) fails it too.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue as queues
import traceback
from collections.abc import Callable
from typing import Any

import httpx

from kg.config import Settings
from kg.release.directory import Release
from kg.web.nginx_conf import Site, Summary

BATCH = 8
"""Resources whose answers travel to the parent together."""

Record = tuple[str, str, str, str, int, list[tuple[str, str]], bytes]
"""(kind ``file``/``redirect``, path, query, variant, status, headers, body)."""


class ExportFailed(RuntimeError):
    """A shard of ``kg export-site`` failed; the export is incomplete."""


class Recorder:
    """Stands where ``Site`` stands in a shard's ``Exporter``: keeps the answers to send."""

    def __init__(self) -> None:
        self.summary = Summary()
        self.records: list[Record] = []

    def file(self, path: str, query: str, variant: str, response: httpx.Response) -> None:
        self.records.append(("file", path, query, variant, response.status_code, response.headers.multi_items(), response.content))

    def redirect(self, path: str, query: str, response: httpx.Response) -> None:
        self.records.append(("redirect", path, query, "", response.status_code, response.headers.multi_items(), response.content))

    def take(self) -> tuple[list[Record], int, int, int]:
        """(records, paths asked, answers skipped, answers derived) since the last take."""
        out = (self.records, self.summary.paths, self.summary.skipped, self.summary.derived)
        self.records, self.summary.paths, self.summary.skipped, self.summary.derived = [], 0, 0, 0
        return out


def shard_main(settings: Settings, release_id: str, shard: int, shards: int, every: int, workers: int, outbox: Any,
               derive: bool = True) -> None:
    """One shard's process: its app, its share of the resources, batches to ``outbox``."""
    try:
        from kg.web.context import current
        from kg.web.export_crawl import Exporter, SyncASGI, things
        from kg.web.server import build_app

        app = build_app(settings.with_(query_workers=1, response_cache_bytes=0))
        ctx = current(app)
        try:
            if ctx.release.id != release_id:
                raise ExportFailed(f"shard {shard} opened release {ctx.release.id}, not {release_id} (var/current changed)")
            recorder = Recorder()
            done = [0]
            with SyncASGI(httpx.ASGITransport(app=app)) as client:
                exporter = Exporter(client, recorder, derive=derive)

                def one_done() -> None:
                    done[0] += 1
                    if done[0] % BATCH == 0:
                        outbox.put(("batch", shard, done[0], *recorder.take()))
                        done[0] = 0

                exporter.crawl(things(ctx.release, every=every, shard=shard, shards=shards), workers=workers, done=one_done)
                outbox.put(("batch", shard, done[0], *recorder.take()))
        finally:
            ctx.close()
        outbox.put(("done", shard, 0, [], 0, 0, 0))
    except BaseException:  # noqa: BLE001 - crosses the process boundary as text; the parent fails the export
        outbox.put(("failed", shard, 0, traceback.format_exc(), 0, 0, 0))


async def render_in_shards(settings: Settings, release: Release, site: Site, state: Any, progress: Callable[[Any], None], *,
                           shards: int, every: int = 1, workers: int = 4, derive: bool = True) -> None:
    """Start ``shards`` processes and write what they render into ``site`` as it
    comes (on the caller's loop, so the caller's own crawl goes on meanwhile)."""
    ctx = multiprocessing.get_context("spawn")
    outbox = ctx.Queue(maxsize=4 * shards)
    procs = [ctx.Process(target=shard_main, args=(settings, release.id, k, shards, every, workers, outbox, derive), name=f"kg-export-{k}", daemon=True)
             for k in range(shards)]
    for p in procs:
        p.start()
    running = set(range(shards))
    try:
        while running:
            try:
                kind, shard, resources, records, paths, skipped, derived = await asyncio.to_thread(outbox.get, True, 2)
            except queues.Empty:
                dead = [k for k in running if not procs[k].is_alive() and procs[k].exitcode not in (0, None)]
                if dead:
                    raise ExportFailed(f"export shard {dead[0]} exited with {procs[dead[0]].exitcode}") from None
                continue
            if kind == "failed":
                raise ExportFailed(f"export shard {shard} failed:\n{records}")
            if kind == "done":
                running.discard(shard)
                continue
            for rec_kind, path, query, variant, status, headers, body in records:
                response = httpx.Response(status, headers=headers, content=body)
                if rec_kind == "file":
                    site.file(path, query, variant, response)
                else:
                    site.redirect(path, query, response)
            site.summary.paths += paths
            site.summary.skipped += skipped
            site.summary.derived += derived
            state.resources += resources
            state.paths = site.summary.paths
            progress(state)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
            p.join(timeout=30)


__all__ = ["ExportFailed", "Recorder", "render_in_shards", "shard_main"]
