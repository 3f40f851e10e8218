"""Where the memory of ``kg build``'s validation stage goes, query by query.

    python -m benchmarks.validate_memory RELEASE [--copy DIR] [--top 15] [--threads 0]

RELEASE is a published release directory (``VAR/current``). Its store is
copied to DIR first (opening a store read-write may compact it: the
release stays untouched), the integer literals as written are read back
from ``dataset.nq`` into a ``kg.validation.literals.DiskOriginals`` as the build does, and then:

* RSS after opening the store, and after a full scan of every quad (what
  RocksDB's caches keep once everything was read);
* each compiled query alone, on this thread, its rows turned into results
  by the engine's own code, with the peak RSS above the level before it
  (a sampler thread reads ``/proc/self/status`` every 10 ms) and its time;
* ``--threads N`` (N > 0): also the whole ``kg.validation.engine.run`` as the
  build calls it, with its peak and time.

Prints one JSON line per step and the ``--top`` queries by peak.
"""

from __future__ import annotations

import argparse
import json
import shutil
import threading
import time
import tracemalloc
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDFS


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """The highest VmRSS seen since the last ``reset``, read every 10 ms."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def reset(self) -> float:
        now = rss_mb()
        self.peak = now
        return now

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    from kg.validation.engine import _results, compile_all
    from kg.validation.literals import DiskOriginals
    from kg.validation.model import Hierarchy
    from kg.validation.sparql import SUBCLASS_PAIRS

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("release", type=Path)
    p.add_argument("--copy", type=Path, default=Path("/tmp/kg-validate-memory"))
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--threads", type=int, default=0, help="also run the whole engine on N threads")
    p.add_argument("--only", default="", help="only queries whose shape IRI contains this")
    p.add_argument("--skip-queries", action="store_true", help="skip the query-by-query pass")
    p.add_argument("--slice", type=int, default=-1, help="slice_size for --threads (default: the engine's; 0: unsliced)")
    args = p.parse_args(argv)

    sampler = Sampler()

    def step(name: str, **kw: object) -> None:
        print(json.dumps({"step": name, "rss_mb": round(rss_mb(), 1), "peak_mb": round(sampler.peak, 1), **kw}), flush=True)

    step("start")
    if args.copy.exists():
        shutil.rmtree(args.copy)
    args.copy.mkdir(parents=True)
    originals = DiskOriginals(args.copy / "originals.sqlite")
    batch: list[ox.Quad] = []
    for q in ox.parse(path=str(args.release / "dataset.nq"), format=ox.RdfFormat.N_QUADS):
        batch.append(q)
        if len(batch) >= 100_000:
            originals.add(batch)
            batch.clear()
    originals.add(batch)
    del batch
    step("originals read")
    shutil.copytree(args.release / "store", args.copy / "store")
    shapes = Graph().parse(args.release / "shapes.ttl", format="turtle")
    ontology = Graph().parse(args.release / "ontology.ttl", format="turtle")
    sampler.reset()
    step("shapes parsed")
    store = ox.Store(str(args.copy / "store"))
    step("store opened")
    t = time.perf_counter()
    n = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value  # type: ignore[index]
    step("full scan (named graphs)", quads=n, s=round(time.perf_counter() - t, 2))
    t = time.perf_counter()
    n = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value  # type: ignore[index]
    step("full scan (default graph)", triples=n, s=round(time.perf_counter() - t, 2))

    pairs = [(str(s), str(o)) for g in (ontology, shapes) for s, o in g.subject_objects(RDFS.subClassOf)]
    pairs += [(r["s"].value, r["o"].value) for r in store.query(SUBCLASS_PAIRS)  # type: ignore[union-attr]
              if isinstance(r["s"], ox.NamedNode) and isinstance(r["o"], ox.NamedNode)]
    queries = [q for q in compile_all(shapes, Hierarchy(pairs)) if args.only in str(q.shape.node)]
    step("compiled", queries=len(queries))

    rows_out = []
    tracemalloc.start()
    for i, q in enumerate([] if args.skip_queries else queries):
        base = sampler.reset()
        tracemalloc.reset_peak()
        t = time.perf_counter()
        solutions = store.query(q.text)
        variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        n_rows = 0

        def rows(solutions, variables):  # type: ignore[no-untyped-def]
            nonlocal n_rows
            for row in solutions:
                n_rows += 1
                yield {name: row[name] for name in variables}

        found = _results(q, variables, rows(solutions, variables), originals)
        s = time.perf_counter() - t
        del solutions
        py_peak = tracemalloc.get_traced_memory()[1] / 2**20
        item = {"i": i, "shape": str(q.shape.node).rsplit("#", 1)[-1], "component": str(q.component).rsplit("#", 1)[-1],
                "int": bool(q.integer_datatype), "rows": n_rows, "results": len(found), "s": round(s, 3),
                "base_mb": round(base, 1), "peak_above_mb": round(sampler.peak - base, 1),
                "after_mb": round(rss_mb(), 1), "py_peak_mb": round(py_peak, 1)}
        rows_out.append(item)
        print(json.dumps(item), flush=True)
    tracemalloc.stop()
    total = sum(r["s"] for r in rows_out)  # type: ignore[misc]
    step("all queries alone", s=round(total, 1))
    for r in sorted(rows_out, key=lambda r: -r["peak_above_mb"])[:args.top]:  # type: ignore[operator]
        print("TOP", json.dumps(r, ensure_ascii=False))
    for r in sorted(rows_out, key=lambda r: -r["s"])[:args.top]:  # type: ignore[operator]
        print("SLOW", json.dumps(r, ensure_ascii=False))
    if args.threads:
        from kg.validation.validate import validate_store
        sampler.reset()
        t = time.perf_counter()
        kw = {} if args.slice < 0 else {"slice_size": args.slice or None}
        report = validate_store(store, shapes, ontology, originals=originals, threads=args.threads, **kw)  # type: ignore[arg-type]
        step("validate_store", threads=args.threads, slice=args.slice, s=round(time.perf_counter() - t, 1),
             violations=len(report.violations))
        import ctypes
        import gc
        del report
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        step("after malloc_trim (what the store and Python still hold)")
        del store
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        step("store closed, malloc_trim")
    sampler.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
