"""What ``gc.freeze`` after the warm-up (``kg.web.warm.freeze``) changes: the collector's pauses under page requests.

    python -m benchmarks.gc_pauses --var /work/bench/var-10000 [--rounds 2] [--requests 4000]

Why: a server holding a 10 000-article release keeps hundreds of thousands of
long-lived Python objects (summary, search index, ordered lists, kept pages);
every full (generation 2) collection walks all of them while holding the
GIL, a pause every request in flight waits out — the p99. Frozen objects are
never walked. This builds the app as ``kg serve`` does, waits for the
warm-up, then alternates *unfrozen* (``gc.unfreeze``) and *frozen*
(``kg.web.warm.freeze``) rounds; each round asks, through the ASGI app,
``--requests`` requests: mostly render-once hits, with every tenth a
different entity page's first request (its queries and template: what
allocates). Per round: collections by generation, their total and longest
pause (``gc.callbacks``), objects tracked, and the requests' p50/p99/max.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.cold_pages import _lifespan
from benchmarks.read_params import plan

HTML = "text/html"


class Pauses:
    def __init__(self) -> None:
        self.started = 0.0
        self.by_gen: dict[int, list[float]] = {0: [], 1: [], 2: []}
        gc.callbacks.append(self.callback)

    def callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.by_gen[info["generation"]].append(time.perf_counter() - self.started)

    def take(self) -> dict:
        out = {f"gen{g}": {"n": len(v), "total_ms": round(sum(v) * 1000, 1), "max_ms": round(max(v, default=0) * 1000, 2)}
               for g, v in self.by_gen.items()}
        self.by_gen = {0: [], 1: [], 2: []}
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=2, help="unfrozen, frozen pairs")
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from kg.config import from_environ
    from kg.web.context import current
    from kg.web.server import build_app
    from kg.web.warm import freeze

    p = plan(args.var / "current", limit=4000)
    hot = [p.home, *p.hubs, p.repeated]
    cold = iter(p.varied)
    app = build_app(from_environ(var_dir=args.var))
    pauses = Pauses()
    out: list[dict] = []

    async def round_(name: str, client: httpx.AsyncClient) -> None:
        pauses.take()
        times = []
        for i in range(args.requests):
            path = next(cold, p.repeated) if i % 10 == 9 else hot[i % len(hot)]
            t = time.perf_counter()
            r = await client.get(path, headers={"Accept": HTML})
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (path, r.status_code)
        times.sort()
        item = {"round": name, "tracked_objects": len(gc.get_objects()), "frozen": gc.get_freeze_count(),
                "p50_ms": round(statistics.median(times) * 1000, 2), "p99_ms": round(times[int(len(times) * 0.99)] * 1000, 2),
                "max_ms": round(times[-1] * 1000, 2), "gc": pauses.take()}
        out.append(item)
        print(json.dumps(item), flush=True)

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kg.test", timeout=600) as client, _lifespan(app):
            await asyncio.to_thread(current(app).warmed.wait, 1800)
            for hot_path in hot:
                await client.get(hot_path, headers={"Accept": HTML})
            for _ in range(args.rounds):
                gc.unfreeze()
                await round_("unfrozen", client)
                freeze()
                await round_("frozen", client)

    try:
        asyncio.run(go())
    finally:
        current(app).close()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
