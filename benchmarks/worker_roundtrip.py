"""What a query pays for running in a killable worker process, old path vs new.

    python -m benchmarks.worker_roundtrip VAR_CURRENT [--runs 300]

For a few queries on a release: the median time in-process (the store
opened here), through a worker the old way (``QueryExecutor.query`` in a
thread, awaited from an event loop as the endpoint did: the rows come back
as pickled terms and are then turned into JSON on the loop) and the new way (``QueryExecutor.aquery`` on an event loop with the
JSON made in the worker: only bytes come back). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from functools import partial
from pathlib import Path

from kg.config import Settings
from kg.rdf import formats as F
from kg.release.directory import open_release
from kg.store.embedded import OxigraphStore, embedded_files
from kg.store.executor import QueryExecutor
from kg.web import results as R

QUERIES = {
    "`SELECT … LIMIT 10`": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",
    "`COUNT(*)` over all triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "1 000 rows": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000",
}


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 2)


async def _old(ex: QueryExecutor, q: str) -> bytes:
    """What the endpoint did before: the blocking call in a thread, then JSON on the loop."""
    result = await asyncio.to_thread(ex.query, q)
    return R.serialize(result, F.RESULTS_JSON)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("release", type=Path)
    p.add_argument("--runs", type=int, default=300)
    a = p.parse_args(argv)
    release = open_release(a.release)
    files = embedded_files(release)
    local = OxigraphStore.load(files)
    ex = QueryExecutor.for_files(files, Settings(query_workers=1, max_concurrent_queries=4, max_rows=10_000))
    loop = asyncio.new_event_loop()
    json_rows = partial(R.serialize_rows, media_type=F.RESULTS_JSON.media_type)
    print("| query | in-process + JSON | worker, old path (thread, rows pickled, JSON here) | worker, new path (awaited, JSON in the worker) |")
    print("|---|---:|---:|---:|")
    try:
        for label, q in QUERIES.items():
            inproc = _median_ms(lambda q=q: R.serialize(local.query(q), F.RESULTS_JSON), a.runs)
            old = _median_ms(lambda q=q: loop.run_until_complete(_old(ex, q)), a.runs)
            new = _median_ms(lambda q=q: loop.run_until_complete(ex.aquery(q, serializer=json_rows, serialize_kind="select")), a.runs)
            print(f"| {label} | {inproc} ms | {old} ms | {new} ms |")
    finally:
        ex.close()
        loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
