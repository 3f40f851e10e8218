"""Does SHACL validation really use two cores? ``validate_store`` on one thread vs two, side by side.

    python -m benchmarks.validate_parallel VAR/current --repeats 2

Each run is a process of its own (``--child``). Besides wall and CPU time, an outside
sampler reads every thread's state from ``/proc/<pid>/task/*/stat`` every 10 ms
and counts the threads that are running or runnable (``R``): a thread waiting
for the GIL sleeps (``S``), so the mean number of runnable threads is how many
cores the validation could keep busy, whatever else the machine runs. On a
shared machine (load above the core count) wall times compare badly; this
number and CPU time do not depend on the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path


def child(release: Path, threads: int) -> None:
    import pyoxigraph as ox

    from kg.config import Settings
    from kg.rdf.turtledir import load_turtle_dir
    from kg.release.directory import open_release
    from kg.validation.literals import Originals
    from kg.validation.validate import validate_store

    rel = open_release(release)
    s = Settings()
    shapes, ontology = load_turtle_dir(s.shapes_dir, rel.base_iri), load_turtle_dir(s.ontology_dir, rel.base_iri)
    store = ox.Store.read_only(str(rel.store_dir))
    warnings.simplefilter("ignore")  # no originals: integers checked by value, alike in every run
    t = time.perf_counter()
    report = validate_store(store, shapes, ontology, originals=Originals(), threads=threads)
    wall = time.perf_counter() - t
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall_s": wall, "cpu_s": r.ru_utime + r.ru_stime, "results": len(report.violations),
                      "triples": rel.meta["triples"]}))


def _runnable(pid: int) -> int | None:
    n = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/stat", "rb") as fh:
                stat = fh.read()
            if stat[stat.rindex(b")") + 2:stat.rindex(b")") + 3] == b"R":
                n += 1
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return n


def measure(release: Path, threads: int) -> dict:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.validate_parallel", str(release), "--child", str(threads)],
                            stdout=subprocess.PIPE, text=True)
    samples: list[int] = []
    time.sleep(1.0)  # imports and reading the shapes: not validation
    while proc.poll() is None:
        n = _runnable(proc.pid)
        if n is not None:
            samples.append(n)
        time.sleep(0.01)
    out = json.loads(proc.stdout.read())  # type: ignore[union-attr]
    out["mean_runnable_threads"] = round(sum(samples) / max(1, len(samples)), 2)
    out["share_2_or_more"] = round(sum(1 for n in samples if n >= 2) / max(1, len(samples)), 2)
    out["load"] = round(os.getloadavg()[0], 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("release", type=Path)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.release, args.child)
        return 0
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for _ in range(args.repeats):
        for threads in (1, 2):
            r = measure(args.release, threads)
            runs[threads].append(r)
            m = r["triples"] / 1e6
            print(f"threads={threads}: wall {r['wall_s']:.1f} s ({r['wall_s'] / m:.1f} s per M triples), "
                  f"CPU {r['cpu_s']:.1f} s, mean runnable threads {r['mean_runnable_threads']}, "
                  f"≥2 runnable {r['share_2_or_more']:.0%} of samples, load {r['load']}", flush=True)
    best = {t: min(r["wall_s"] for r in v) for t, v in runs.items()}
    print(json.dumps({"best_wall_ratio_1_over_2": round(best[1] / best[2], 2), "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
