"""How fast ``kg export-site`` renders a release's resources, checkouts side by side.

    python -m benchmarks.export_speed --var /work/bench/var-10000 --seeds /work/bench/seeds-10000 \\
        --every 400 --kg before=/work/bench/kg-pages2-before --kg after=. [--shards 1 2] [--out DIR]

Why a sample: at 10 000 articles the sitemaps list 165 438 pages, each asked
in every Accept class and language; an export of all of them takes hours at
the old speed. ``--every K`` exports every K-th resource of the sitemaps (a
spread sample: people, events, facts, articles, places and hubs alike) and
nothing else — the fixed pages and the type lists are left out (``FIXED``
emptied) so the number is the resources' rate. Each run is its own process
started from the checkout (``cwd`` = the checkout, so its ``kg`` package is
the one imported), one after the other, on the same release; a checkout
whose ``export_site`` has no ``every``/``shards`` (the code before) gets the
same sample by wrapping its ``resource_paths``. Prints one JSON line per run:
resources, paths, files, seconds, paths/s, resources/s, and what the whole
release would take at that rate, how many answers were derived rather than
asked (``Summary.derived``; 0 for code without it), and the 1-minute load
average before and after the run.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(var: Path, seeds: Path, every: int, shards: int, out: Path) -> dict:
    """One export, in this process, by the ``kg`` importable here."""
    from kg.config import from_environ
    from kg.web import export_site as ex
    from kg.web.context import current
    from kg.web.server import build_app

    settings = from_environ(var_dir=var, seeds_dir=seeds)
    app = build_app(settings)
    release = current(app).release
    total = sum(1 for _ in ex.resource_paths(release))
    kwargs: dict = {}
    params = inspect.signature(ex.export_site).parameters
    if "every" in params:
        kwargs = {"every": every, "shards": shards, "settings": settings, "fixed": False}
    else:  # the code before: the same sample through its resource_paths, one process, no fixed pages
        original = ex.resource_paths
        ex.resource_paths = lambda r: itertools.islice(original(r), 0, None, every)  # type: ignore[assignment]
        ex.FIXED[:] = []
        ex._TYPES_HREF = re.compile(r"(?!)")  # type: ignore[attr-defined]
        ex.run = lambda *a, **k: _NoRows()  # type: ignore[attr-defined]  # no housekeeping graphs
        shards = 1
    started = time.perf_counter()
    try:
        summary = ex.export_site(app, release, out, listen="127.0.0.1:1", upstream="http://127.0.0.1:2", **kwargs)
    finally:
        current(app).close()
    seconds = time.perf_counter() - started
    resources = -(-total // every)
    return {"shards": shards, "every": every, "resources": resources, "paths": summary.paths, "files": summary.files,
            "redirects": summary.redirects, "derived": getattr(summary, "derived", 0), "seconds": round(seconds, 1), "paths_per_s": round(summary.paths / seconds, 1),
            "resources_per_s": round(resources / seconds, 2), "release_resources": total,
            "whole_release_h": round(total / (resources / seconds) / 3600, 2)}


class _NoRows:
    def dicts(self) -> list:
        return []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, required=True)
    ap.add_argument("--every", type=int, default=400)
    ap.add_argument("--kg", action="append", default=[], help="NAME=CHECKOUT (repeatable; default: this checkout)")
    ap.add_argument("--shards", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, help="where the exports go (default: a temporary directory, removed)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.var, args.seeds, args.every, args.shards[0], args.out)), flush=True)
        return 0
    here = Path(__file__).resolve()
    runs = [kg.partition("=")[::2] for kg in args.kg] or [("kg", str(here.parent.parent))]
    with tempfile.TemporaryDirectory(prefix="kg-export-speed-") as tmp:
        for name, root in runs:
            for shards in args.shards:
                out = (args.out or Path(tmp)) / f"{name}-{shards}"
                env = {**os.environ, "PYTHONPATH": str(Path(root).resolve())}
                load_before = os.getloadavg()[0]
                r = subprocess.run([sys.executable, str(here), "--one", "--var", str(args.var), "--seeds", str(args.seeds),
                                    "--every", str(args.every), "--shards", str(shards), "--out", str(out)],
                                   cwd=root, env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    print(json.dumps({"kg": name, "shards": shards, "error": r.stderr[-2000:]}), flush=True)
                    continue
                line = json.loads(r.stdout.strip().splitlines()[-1])
                print(json.dumps({"kg": name, **line, "load_before": load_before, "load": os.getloadavg()[0]}), flush=True)
                if line["shards"] != shards:  # a checkout without shards: one run is its number
                    break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
