"""One article added to a generated corpus of N: incremental vs full ``kg build``, side by side; then
SHACL validation of the result on one thread vs two (issue 24).

    python -m benchmarks.incremental 1000 --work /tmp/kg-inc

Generates N+1 articles (``benchmarks.generate``), builds the first N (a full build:
it also writes the build cache), adds article N+1, then in the same run builds
(a) incrementally from that release and (b) with ``--full`` into a fresh ``var/``,
checks both publish the same release id, and prints each one's stage lines and
the ratio. Then ``validate_store`` on the new release's store, ``threads=1`` and
``threads=2``, alternating, with wall and CPU time per million triples.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
import warnings
from pathlib import Path

from benchmarks.generate import generate


def _remove(seeds: Path, stem: str) -> None:
    (seeds / f"{stem}.yaml").unlink()
    (seeds / f"{stem}.txt").unlink()
    sums = seeds / "SHA256SUMS"
    sums.write_text("".join(ln for ln in sums.read_text().splitlines(keepends=True) if not ln.rstrip().endswith(f"{stem}.txt")))


def _timed_build(seeds: Path, var: Path, *, full: bool) -> dict:
    from kg.config import Settings
    from kg.release.build import build

    lines: list[str] = []
    load = os.getloadavg()[0]
    t = time.perf_counter()
    release = build(Settings(seeds_dir=seeds, var_dir=var), progress=lines.append, full=full)
    return {"s": round(time.perf_counter() - t, 2), "id": release.id, "lines": lines,
            "triples": release.meta["triples"], "quads": release.meta["quads"],
            "load_1min": [round(load, 1), round(os.getloadavg()[0], 1)]}  # before, after


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def validation(store_dir: Path, triples: int, repeats: int) -> dict:
    import pyoxigraph as ox

    from kg.config import Settings
    from kg.rdf.turtledir import load_turtle_dir
    from kg.validation.literals import Originals
    from kg.validation.validate import validate_store

    s = Settings()
    shapes, ontology = load_turtle_dir(s.shapes_dir, s.base_iri), load_turtle_dir(s.ontology_dir, s.base_iri)
    store = ox.Store.read_only(str(store_dir))
    out: dict = {1: [], 2: []}
    warnings.simplefilter("ignore")  # no originals here: both runs check integers by value alike
    for _ in range(repeats):
        for threads in (1, 2):
            c, t = _cpu(), time.perf_counter()
            report = validate_store(store, shapes, ontology, originals=Originals(), threads=threads)
            wall, cpu = time.perf_counter() - t, _cpu() - c
            out[threads].append({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "results": len(report.violations),
                                 "load": round(os.getloadavg()[0], 1)})
    per_m = {k: min(r["wall_s"] for r in v) / (triples / 1e6) for k, v in out.items()}
    return {"runs": out, "s_per_million_triples": {k: round(v, 2) for k, v in per_m.items()},
            "speedup_2_threads": round(per_m[1] / per_m[2], 2)}


def again(n: int, work: Path) -> int:
    """Two more incremental builds on a finished run's ``var/``: article N+1 removed, then added back."""
    before = json.loads((work / "result.json").read_text())
    full = before["full"]
    seeds, stem = work / "seeds", f"{n:06d}_bench"
    out = []
    for label in ("removed", "added back"):
        if label == "removed":
            _remove(seeds, stem)
        else:
            for name in (f"{stem}.yaml", f"{stem}.txt", "SHA256SUMS"):
                shutil.copyfile(work / "all" / name, seeds / name)
        r = _timed_build(seeds, work / "var", full=False)
        out.append({"change": label, **r})
        print(f"article {n + 1} {label}: incremental {r['s']} s / full {full['s']} s = {r['s'] / full['s']:.3f} "
              f"(release {r['id']}; load {r['load_1min'][0]} → {r['load_1min'][1]})", *("  " + line for line in r["lines"]), sep="\n", flush=True)
    (work / "again.json").write_text(json.dumps(out, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("articles", type=int)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-incremental"))
    ap.add_argument("--repeats", type=int, default=2, help="validation runs per thread count (default %(default)s)")
    ap.add_argument("--skip-validation", action="store_true")
    ap.add_argument("--full-first", action="store_true",
                    help="run the --full build before the incremental one (swap the order to see the machine's drift)")
    ap.add_argument("--base-as-full", action="store_true",
                    help="no separate --full build: compare with the base build (a full build of N, not N+1 articles); "
                         "half the time at 10 000 articles, for when the hour is short")
    ap.add_argument("--again", action="store_true",
                    help="reuse --work from a finished run of the same code (no corpus, no base build): remove "
                         "article N+1 (an incremental build), add it back (another), and compare each with that "
                         "run's full build; the build cache is only used by the same kg code, so run the same commit")
    args = ap.parse_args(argv)
    n, work = args.articles, args.work
    if args.again:
        return again(n, work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    generate(n + 1, work / "all")
    seeds = work / "seeds"
    shutil.copytree(work / "all", seeds)
    stem = f"{n:06d}_bench"
    _remove(seeds, stem)
    base = _timed_build(seeds, work / "var", full=True)
    print(f"base: full build of {n} articles {base['s']} s", *("  " + line for line in base["lines"]), sep="\n", flush=True)
    for name in (f"{stem}.yaml", f"{stem}.txt", "SHA256SUMS"):
        shutil.copyfile(work / "all" / name, seeds / name)
    if args.base_as_full:
        inc = _timed_build(seeds, work / "var", full=False)
        full = {**base, "lines": [f"(the base build: a full build of {n} articles)", *base["lines"]]}
    elif args.full_first:
        full = _timed_build(seeds, work / "var-full", full=True)
        inc = _timed_build(seeds, work / "var", full=False)
    else:
        inc = _timed_build(seeds, work / "var", full=False)
        full = _timed_build(seeds, work / "var-full", full=True)
    assert args.base_as_full or inc["id"] == full["id"], (inc["id"], full["id"])
    result = {"articles": n, "base_full_s": base["s"], "incremental": inc, "full": full,
              "ratio_incremental_over_full": round(inc["s"] / full["s"], 3)}
    for label, r in (("incremental", inc), ("full", full)):
        print(f"{label}: {r['s']} s (load {r.get('load_1min')})", *("  " + line for line in r["lines"]), sep="\n", flush=True)
    same = f"same release {inc['id']}" if not args.base_as_full else f"full = the base build of {n} articles"
    print(f"one article added to {n}: incremental {inc['s']} s / full {full['s']} s = {result['ratio_incremental_over_full']}"
          f" ({same})", flush=True)
    if not args.skip_validation:
        result["validation"] = validation(work / "var" / "current" / "store", inc["triples"], args.repeats)
        v = result["validation"]
        print(f"validation of {inc['triples']} triples, s per million triples: 1 thread {v['s_per_million_triples'][1]}, "
              f"2 threads {v['s_per_million_triples'][2]} (speed-up {v['speedup_2_threads']}×)", flush=True)
        print(json.dumps(v["runs"]), flush=True)
    (work / "result.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
