"""The cold first request of each page kind, in process: wall time, every query it ran, and where the rest went.

    python -m benchmarks.cold_pages --var /work/bench/var-10000 [--profile DIR] [PATH …]

Why: render once (``kg.web.render_once``) makes a page's later requests cost a
cache lookup, so what is left of a page's cost is its *first* request each
release, which runs its queries and renders. This builds the app as ``kg
serve`` does (``kg.web.server.build_app``: the same worker processes, limits
and background warm-up), waits until the release's warm-up is done (as a
visitor after start would find it), then asks each path once through the ASGI
app (no socket) and prints, per path: status, bytes, wall milliseconds, the
queries it ran (name from the ``.rq`` file's first line, count, total ms,
rows), and the share of time outside the queries. ``--profile DIR`` writes a
cProfile of each request's handler thread (``DIR/<n>.prof``; read with
``python -m pstats``). Default paths: one of each kind, drawn from the
release as ``benchmarks.read_params`` draws them (home, hubs, a person, an
event, a fact, an article, a place, a type's list, the articles list).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.read_params import plan
from kg.query.describe import QUERIES_DIR
from kg.store.base import QueryResult, Store

HTML = "text/html"


def query_names() -> dict[str, str]:
    """First line of each ``kg/queries/*.rq`` → its name (how a query text is recognised)."""
    out = {}
    for f in sorted(QUERIES_DIR.glob("*.rq")):
        first = f.read_text(encoding="utf-8").splitlines()[0]
        out.setdefault(first, f.stem)
    return out


class Timings:
    """Every ``Store.query`` made while recording: (name, seconds, rows), per thread-agnostic run."""

    def __init__(self) -> None:
        self.names = query_names()
        self.rows: list[tuple[str, float, int]] = []
        self.lock = threading.Lock()
        self.local = threading.local()

    def name(self, text: str) -> str:
        """The ``.rq`` file a query text came from: its first line after the ``BASE``
        line that ``kg.query.describe.query_text`` puts in front of every query."""
        lines = [line for line in text.strip().splitlines() if not line.startswith("BASE <")]
        first = lines[0] if lines else ""
        return self.names.get(first, "user:" + first[:40])

    def wrap(self, cls: type[Store]) -> None:
        original: Callable[..., QueryResult] = cls.query  # type: ignore[assignment]
        timings = self

        def query(self: Store, sparql: str, **kw: Any) -> QueryResult:
            depth = getattr(timings.local, "depth", 0)
            timings.local.depth = depth + 1
            t = time.perf_counter()
            try:
                result = original(self, sparql, **kw)
            finally:
                timings.local.depth = depth
            if depth == 0:  # the executor's inline store is a store too: count the outer call only
                with timings.lock:
                    timings.rows.append((timings.name(sparql), time.perf_counter() - t, len(result.rows)))
            return result

        cls.query = query  # type: ignore[method-assign]

    def take(self) -> list[tuple[str, float, int]]:
        with self.lock:
            out, self.rows = self.rows, []
        return out


def profiled_threads(prof: cProfile.Profile) -> None:
    """Profile the handler threads: FastAPI runs a sync endpoint with ``run_in_threadpool``."""
    import fastapi.routing

    original = fastapi.routing.run_in_threadpool

    async def run(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def call() -> Any:
            prof.enable()
            try:
                return func(*args, **kwargs)
            finally:
                prof.disable()

        return await original(call)

    fastapi.routing.run_in_threadpool = run  # type: ignore[assignment]


def default_paths(release: Path) -> list[str]:
    p = plan(release, limit=400)
    docs = p.varied

    def first(prefix: str) -> list[str]:
        return [d for d in docs if d.startswith(prefix)][:1]

    return [p.home, *p.hubs, p.repeated, *first("/doc/person/"), *first("/doc/event/"), *first("/doc/fact/"),
            *first("/doc/article/"), *first("/doc/place/"), *first("/doc/city/"), "/types/qn:Meeting", "/articles?page=3",
            p.repeated + "?page=2", p.hubs[0] + "?page=5" if p.hubs else "/"]


def settle(app: Any, limit: float = 600) -> float:
    """Wait for the release's background warm-up (summary, hubs, search index): it has ended
    (``ReleaseContext.warmed``; not awaited with the warm-up off, ``KG_WARM=false``) and no
    query has run or waited for two seconds."""
    from kg.web.context import current

    started = time.monotonic()
    quiet = 0.0
    while time.monotonic() - started < limit:
        ctx = current(app)
        depth = getattr(ctx.store, "depth", None)
        warming = any(t.name in ("kg-summary", "kg-search-index") for t in threading.enumerate())
        unwarmed = ctx.settings.warm and not ctx.warmed.is_set()
        busy = warming or unwarmed or (depth is not None and (depth.running or depth.queued))
        quiet = 0.0 if busy else quiet + 0.25
        if quiet >= 2:
            break
        time.sleep(0.25)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, help="not read; kg's settings want one")
    ap.add_argument("--profile", type=Path, help="write a cProfile of each request here")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args(argv)

    from kg.config import from_environ
    from kg.store.embedded import OxigraphStore
    from kg.store.executor import QueryExecutor
    from kg.web.server import build_app

    timings = Timings()
    timings.wrap(QueryExecutor)
    timings.wrap(OxigraphStore)
    settings = from_environ(var_dir=args.var, **({"seeds_dir": args.seeds} if args.seeds else {}))
    paths = args.paths or default_paths(args.var / "current")
    app = build_app(settings)
    out: list[dict] = []

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        # the startup hooks (the summary, the search index) run as under uvicorn
        async with httpx.AsyncClient(transport=transport, base_url="http://kg.test", timeout=600) as client, _lifespan(app):
            waited = await asyncio.to_thread(settle, app)
            timings.take()
            print(f"warm-up settled after {waited:.1f} s", flush=True)
            for n, path in enumerate(paths):
                prof = cProfile.Profile()
                if args.profile:
                    profiled_threads(prof)
                t = time.perf_counter()
                r = await client.get(path, headers={"Accept": HTML})
                wall = time.perf_counter() - t
                qs = timings.take()
                by: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
                for name, secs, rows in qs:
                    by[name][0] += 1
                    by[name][1] += secs
                    by[name][2] += rows
                in_queries = sum(s for _, s, _ in qs)
                item = {"path": path, "status": r.status_code, "bytes": len(r.content), "ms": round(wall * 1000, 1),
                        "query_ms": round(in_queries * 1000, 1), "queries": {k: {"n": v[0], "ms": round(v[1] * 1000, 1), "rows": v[2]}
                                                                           for k, v in sorted(by.items(), key=lambda kv: -kv[1][1])}}
                out.append(item)
                print(f"{path}: {r.status_code} {len(r.content):,} B {item['ms']} ms (queries {item['query_ms']} ms, "
                      f"{len(qs)} queries)", flush=True)
                for k, v in item["queries"].items():
                    print(f"    {k:28s} ×{v['n']:<3d} {v['ms']:8.1f} ms {v['rows']:7d} rows", flush=True)
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    prof.dump_stats(args.profile / f"{n:02d}.prof")

    try:
        asyncio.run(go())
    finally:
        from kg.web.context import current

        current(app).close()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


class _lifespan:
    """Run the app's startup and shutdown hooks (httpx's ASGI transport sends no lifespan events)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict] = asyncio.Queue()
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> None:
        self.task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                                 self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        message = await self.outbox.get()
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"startup failed: {message}")

    async def __aexit__(self, *exc: object) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.outbox.get()
        if self.task is not None:
            await self.task


if __name__ == "__main__":
    raise SystemExit(main())
