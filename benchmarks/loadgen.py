"""A bounded HTTP load generator for SPARQL endpoints (and the hello-world ceiling).

Why its own module: every endpoint — ours, rdflib-endpoint, Virtuoso — gets
exactly the same requests from the same client, so ratios compare servers,
not clients. One phase = ``clients`` concurrent asyncio tasks sharing one
``httpx.AsyncClient``, stopped by whichever comes first of ``duration``
seconds and ``max_requests``. The client runs in its own process (the
runner starts it), so it does not share a GIL with a server under test.

Queries come from ``benchmarks/queries/*.rq``; ``$PERSON``, ``$EVENT``,
``$CITY`` and ``$WORD`` are filled from the generated corpus (benchmark
IRIs, never user input). *Cold* requests pick a random parameter and add a
unique comment, so no result cache can answer; *repeated* requests cycle
through a few fixed texts, as a public endpoint sees its example queries.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlencode

import httpx

QUERY_DIR = Path(__file__).resolve().parent / "queries"
KINDS = ("point", "describe", "join", "aggregate", "label_search")
ACCEPT = {"describe": "application/n-triples"}
SELECT_ACCEPT = "application/sparql-results+json"


@dataclass
class Phase:
    name: str
    requests: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float | None
    p99_ms: float | None
    error_sample: str | None = None


def templates() -> dict[str, Template]:
    return {k: Template((QUERY_DIR / f"{k}.rq").read_text(encoding="utf-8")) for k in KINDS}


def parameters(n_articles: int, base: str) -> dict[str, list[str]]:
    """Values for the query templates, matching ``benchmarks.generate``."""
    from benchmarks.generate import WORDS, Pool

    pool = Pool.for_size(n_articles)
    return {
        "PERSON": [f"{base}id/person/p{p:06d}" for p in range(pool.officials)],
        "EVENT": [f"{base}id/event/bench-{i:06d}-meeting" for i in range(n_articles)],
        "CITY": [f"{base}id/place/c{c:05d}" for c in range(pool.cities)],
        "WORD": list(WORDS[:40]),
    }


class Requests:
    """Produces (kind, query text) for a phase."""

    def __init__(self, kinds: tuple[str, ...], params: dict[str, list[str]], *, cold: bool, seed: int) -> None:
        self.kinds, self.params, self.cold = kinds, params, cold
        self.tpl = templates()
        self.rng = random.Random(seed)
        self.i = 0
        # the repeated mix: 4 fixed texts per kind
        fixed = random.Random(seed + 1)
        self.fixed = {k: [self._fill(k, fixed) for _ in range(4)] for k in kinds}

    def _fill(self, kind: str, rng: random.Random) -> str:
        return self.tpl[kind].substitute({k: rng.choice(v) for k, v in self.params.items()})

    def next(self) -> tuple[str, str]:
        kind = self.kinds[self.i % len(self.kinds)]
        self.i += 1
        if self.cold:
            return kind, self._fill(kind, self.rng) + f"\n# cold {self.i} {self.rng.random()}"
        return kind, self.fixed[kind][self.i % 4]


async def _phase(url: str, reqs: Requests | None, *, name: str, clients: int, duration: float,
                 max_requests: int, timeout: float) -> Phase:
    latencies: list[float] = []
    errors = 0
    sample: str | None = None
    issued = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    # identity, as wrk and a static file's nginx answer: kg serve gzips for a client that asks
    # (kg.web.coding), which would add the client's decompression to kg's side of every ratio
    async with httpx.AsyncClient(timeout=timeout, limits=limits, headers={"Accept-Encoding": "identity"}) as client:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors, sample, issued
            while time.perf_counter() < deadline and issued < max_requests:
                issued += 1
                if reqs is None:
                    target, headers = url, {}
                else:
                    kind, query = reqs.next()
                    target = url + ("&" if "?" in url else "?") + urlencode({"query": query})
                    headers = {"Accept": ACCEPT.get(kind, SELECT_ACCEPT)}
                t = time.perf_counter()
                try:
                    r = await client.get(target, headers=headers)
                    await r.aread()
                    ok = r.status_code in (200, 304)
                    if not ok and sample is None:
                        sample = f"{r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok = False
                    if sample is None:
                        sample = f"{type(exc).__name__} {exc}"[:200]
                if ok:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) >= 2 else None
    return Phase(
        name, len(latencies), errors, round(seconds, 3), round(len(latencies) / seconds, 2) if seconds else 0.0,
        round(q[49] * 1000, 2) if q else (round(latencies[0] * 1000, 2) if latencies else None),
        round(q[98] * 1000, 2) if q else (round(latencies[0] * 1000, 2) if latencies else None),
        sample,
    )


def plan(quick: bool) -> list[tuple[str, tuple[str, ...], int, bool]]:
    """(phase name, query kinds, clients, cold) of one endpoint's run."""
    phases = [(f"{k}-c1", (k,), 1, True) for k in KINDS]
    phases += [("point-c16", ("point",), 16, True), ("mix-c1", KINDS, 1, True),
               ("mix-c16", KINDS, 16, True), ("mix-repeated-c16", KINDS, 16, False)]
    return phases[:2] if quick else phases


def run_endpoint(url: str, n_articles: int, base: str, *, quick: bool, duration: float, max_requests: int,
                 timeout: float, seed: int = 7) -> list[Phase]:
    params = parameters(n_articles, base)
    out = []
    for name, kinds, clients, cold in plan(quick):
        reqs = Requests(kinds, params, cold=cold, seed=seed)
        if not cold:  # warm the cache once: every fixed text answered once before timing
            asyncio.run(_phase(url, Requests(kinds, params, cold=False, seed=seed), name="warm", clients=1,
                               duration=timeout, max_requests=4 * len(kinds) + 1, timeout=timeout))
        out.append(asyncio.run(_phase(url, reqs, name=name, clients=clients, duration=duration,
                                      max_requests=max_requests, timeout=timeout)))
    return out


def run_hello(url: str, *, quick: bool, duration: float, max_requests: int, timeout: float) -> list[Phase]:
    return [asyncio.run(_phase(url, None, name=f"hello-c{c}", clients=c, duration=duration,
                               max_requests=max_requests, timeout=timeout)) for c in (1, 16)]


def main(argv: list[str]) -> int:
    """``python -m benchmarks.loadgen JSON-ARGS``: run in a child process, print phases as JSON."""
    a = json.loads(argv[0])
    if a.get("hello"):
        phases = run_hello(a["url"], quick=a["quick"], duration=a["duration"], max_requests=a["max_requests"], timeout=a["timeout"])
    else:
        phases = run_endpoint(a["url"], a["articles"], a["base"], quick=a["quick"], duration=a["duration"],
                              max_requests=a["max_requests"], timeout=a["timeout"])
    print(json.dumps([asdict(p) for p in phases]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
