"""A bounded load test against ``python -m kg serve`` as a child process:
mixed SPARQL queries, page views, RDF documents and downloads, with zero
errors (no 5xx, no transport error, nothing but the expected status) and a
bounded growth of the server's resident memory between a quarter of the way
and the end.

Quick form (CI): ``KG_LOAD_REQUESTS`` (default 2000) at ``KG_LOAD_CONCURRENCY``
(default 16). Long form, as recorded in docs/security.md:
``KG_LOAD_REQUESTS=20000 KG_LOAD_CONCURRENCY=32 pytest tests/test_load.py -s``.
The numbers (requests/s, p50/p99, RSS) are printed; nothing is asserted about
time.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
from pathlib import Path

import httpx
import pytest
from security_fixtures import MARGIN, kg_serve_process, rss_bytes

from kg.config import Settings
from kg.release.directory import Release

REQUESTS = int(os.environ.get("KG_LOAD_REQUESTS", "2000"))
CONCURRENCY = int(os.environ.get("KG_LOAD_CONCURRENCY", "16"))
GROWTH_LIMIT = 100 * 1024 * 1024
BASE = "https://qatar-nato.example.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

QUERIES = [
    "SELECT ?s ?l WHERE {{ ?s <{label}> ?l }} ORDER BY ?s LIMIT 10 OFFSET {n}",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE {{ ?s a ?type }} GROUP BY ?type ORDER BY DESC(?n) LIMIT {n}",
    "ASK {{ ?s ?p ?o FILTER(STRLEN(STR(?o)) > {n}) }}",
    "CONSTRUCT {{ ?s <{label}> ?l }} WHERE {{ ?s <{label}> ?l }} LIMIT {n}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g ORDER BY ?g LIMIT {n}",
]
ACCEPTS = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml", "text/turtle"]


def plan(entities: list[str], rng: random.Random) -> list[tuple[str, str, dict, dict, set[int]]]:
    """(method, path, params, headers, expected statuses) for every request, decided up front."""
    out = []
    for i in range(REQUESTS):
        kind = rng.random()
        if kind < 0.40:
            q = rng.choice(QUERIES).format(label=RDFS_LABEL, n=rng.randrange(1, 60))
            accept = "text/turtle" if q.startswith("CONSTRUCT") else rng.choice(ACCEPTS[:3:2] if q.startswith("ASK") else ACCEPTS[:3])
            method = "GET" if i % 2 else "POST"
            out.append((method, "/sparql", {"query": q}, {"Accept": accept}, {200}))
        elif kind < 0.75:
            e = rng.choice(entities).removeprefix(BASE + "id/")
            out.append(("GET", f"/doc/{e}", {}, {"Accept": "text/html"}, {200}))
        elif kind < 0.85:
            e = rng.choice(entities).removeprefix(BASE + "id/")
            out.append(("GET", f"/doc/{e}.ttl", {}, {}, {200}))
        elif kind < 0.92:
            out.append(("GET", rng.choice(["/", "/types/", "/dumps/", "/sparql"]), {}, {"Accept": "text/html"}, {200}))
        elif kind < 0.97:
            out.append(("GET", rng.choice(["/dumps/SHA256SUMS", "/dumps/dataset.nt.gz", "/.well-known/void"]), {}, {}, {200}))
        else:
            out.append(("GET", f"/id/{rng.choice(entities).removeprefix(BASE + 'id/')}", {}, {}, {303}))
    return out


async def run_load(url: str, requests: list, pid: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    rss: dict[str, int] = {}
    quarter = len(requests) // 4
    done = 0
    queue: asyncio.Queue = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    # an idle connection is dropped by the client (2 s) before uvicorn's keep-alive timeout (5 s) closes
    # it, else a request sent as the server closes races it: a client-side artefact, not a server error
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=url, timeout=10.0 + MARGIN, limits=limits) as client:

        async def worker() -> None:
            nonlocal done
            while True:
                try:
                    method, path, params, headers, expected = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t = time.perf_counter()
                try:
                    if method == "POST":
                        resp = await client.post(path, data=params, headers=headers)
                    else:
                        resp = await client.get(path, params=params, headers=headers)
                    await resp.aread()
                    if resp.status_code not in expected:
                        errors.append(f"{method} {path} {params} → {resp.status_code} {resp.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{method} {path} → {exc!r}")
                latencies.append(time.perf_counter() - t)
                done += 1
                if done == quarter:
                    rss["quarter"] = rss_bytes(pid)

        started = time.perf_counter()
        rss["start"] = rss_bytes(pid)
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
        rss["end"] = rss_bytes(pid)
    latencies.sort()
    return {
        "requests": len(requests), "concurrency": CONCURRENCY, "seconds": round(elapsed, 2),
        "requests_per_second": round(len(requests) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
        "max_ms": round(1000 * latencies[-1], 1),
        "rss_mb": {k: round(v / 2**20, 1) for k, v in rss.items()},
        "errors": errors,
    }


@pytest.mark.slow
def test_mixed_load_has_no_errors_and_stable_memory(release: Release, release_settings: Settings, tmp_path: Path) -> None:
    env = {
        "KG_MAX_CONCURRENT_QUERIES": str(CONCURRENCY),  # the limit sheds load beyond capacity; here we measure capacity
        "KG_QUERY_WORKERS": os.environ.get("KG_LOAD_WORKERS", "4"),
    }
    log = tmp_path / "kg-serve.log"
    with kg_serve_process(release_settings.var_dir, env=env, log=log) as (url, proc):
        q = f'SELECT DISTINCT ?s WHERE {{ ?s <{RDFS_LABEL}> ?l FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}'
        r = httpx.get(f"{url}/sparql", params={"query": q, "format": "json"}, timeout=30)
        entities = [b["s"]["value"] for b in r.json()["results"]["bindings"]]
        assert len(entities) > 50
        report = asyncio.run(run_load(url, plan(entities, random.Random(7)), proc.pid))
        assert proc.poll() is None, "the server died under load"
    errors = report.pop("errors")
    print("\nload:", json.dumps(report))
    out = os.environ.get("KG_LOAD_REPORT")
    if out:
        Path(out).write_text(json.dumps(report, indent=2) + "\n")
    server_log = log.read_text(errors="replace")
    assert errors == [], f"{len(errors)} errors, first: {errors[:5]}\nserver log tail:\n{server_log[-3000:]}"
    assert "Traceback" not in server_log, server_log[-3000:]
    growth = (report["rss_mb"]["end"] - report["rss_mb"]["quarter"]) * 2**20
    assert growth < GROWTH_LIMIT, report["rss_mb"]
