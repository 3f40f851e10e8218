"""Point lookups against the hello-world ceiling, side by side in one run.

    python -m benchmarks.point_ceiling --var /tmp/h3/var --articles 1000 \\
        [--old-root /tmp/h3-old] [--repeats 3] [--duration 4] [--wrk]

Why its own script: issue 6's target "point lookups ≥ 50 % of a FastAPI
hello-world" is a ratio between two servers measured on a shared, noisy
2-core machine, so both (and, with ``--old-root``, ``kg serve`` from another
checkout — a ``git worktree`` of an older commit) are started once and then
measured *interleaved*: each repeat runs hello, old, new back to back with
the same load generator (``benchmarks.loadgen``, cold point lookups at 1 and
16 clients, its own process), and the medians are reported with their ratios
to the hello-world. The hello-world is measured twice: as in BENCHMARKS.md
(a bare URL) and sent the point lookups' own URLs (``hello-same-url``), so
that the Python client's cost of building a 400-character query URL is in
the ceiling too. Each server also runs on the pure-Python HTTP stack
(``-h11``: asyncio + h11, uvloop and httptools hidden), as ``kg serve`` did
before they became dependencies; a server's ratio is always to the
hello-world on its own stack. ``--wrk`` adds the same phases from ``wrk``
(C client, ``benchmarks.wrk``) as a cross-check of client cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from benchmarks import servers
from benchmarks.loadgen import Requests, _phase, parameters

BASE = "https://qatar-nato.example.org/"
ROOT = Path(__file__).resolve().parent.parent


PURE = ("import sys, runpy; sys.modules['uvloop'] = None; sys.modules['httptools'] = None; "
        "sys.argv = sys.argv[1:]; runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)")
"""Run a module as ``-m`` would, with uvloop and httptools hidden: uvicorn then falls
back to asyncio and h11, the stack ``kg serve`` had before they became dependencies."""


def _python(module: str, pure: bool) -> list[str]:
    return [sys.executable, "-c", PURE, module] if pure else [sys.executable, "-m", module]


def start(kind: str, name: str, root: Path, var: Path, logdir: Path, *, pure: bool) -> servers.Server:
    """``kg serve`` (run from ``root``: its ``kg`` package shadows the installed one) or the hello-world."""
    port = servers.free_port()
    log = logdir / f"{name}.log"
    if kind == "hello":
        cmd = [*_python("uvicorn", pure), "benchmarks.hello:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
        url, ready = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/"
    else:
        cmd = [*_python("kg", pure), "--var", str(var), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "2", "--max-concurrent", "64", "--timeout", "30"]
        url, ready = f"http://127.0.0.1:{port}/sparql", f"http://127.0.0.1:{port}/health"
    proc = servers._spawn(cmd, log, cwd=root)
    s = servers.Server(name, url, proc, log=log)
    s.ready_s = servers._wait(ready, proc, 300, log)
    return s


def measure(url: str, *, hello: bool, articles: int, duration: float, clients: int, seed: int, same_url: bool = False) -> dict:
    """One phase; ``same_url``: the hello-world is sent the point lookups' URLs (it ignores
    the query string), so the client does the same work per request as for ``kg serve``."""
    reqs = None if hello and not same_url else Requests(("point",), parameters(articles, BASE), cold=True, seed=seed)
    phase = asyncio.run(_phase(url, reqs, name=f"c{clients}", clients=clients, duration=duration,
                               max_requests=20_000, timeout=30))
    return asdict(phase)


def _child(args: dict) -> dict:
    r = subprocess.run([sys.executable, "-m", "benchmarks.point_ceiling", "--child", json.dumps(args)],
                       capture_output=True, text=True, cwd=ROOT, timeout=args["duration"] + 120)
    if r.returncode != 0:
        return {"error": r.stderr[-400:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--child")
    p.add_argument("--var", type=Path)
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--old-root", type=Path)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--duration", type=float, default=4.0)
    p.add_argument("--wrk", action="store_true")
    p.add_argument("--logs", type=Path, default=Path("/tmp/point-ceiling-logs"))
    a = p.parse_args(argv)
    if a.child:  # one phase, in its own process (no GIL shared with the parent)
        print(json.dumps(measure(**json.loads(a.child))))
        return 0
    a.logs.mkdir(parents=True, exist_ok=True)
    plan = [("hello", "hello", ROOT, False), ("hello-h11", "hello", ROOT, True)]
    if a.old_root:
        plan.append(("kg-old-h11", "kg", a.old_root, True))
    plan += [("kg-new-h11", "kg", ROOT, True), ("kg-new", "kg", ROOT, False)]
    started: list[servers.Server] = []
    try:
        for name, kind, root, pure in plan:
            started.append(start(kind, name, root, a.var, a.logs, pure=pure))
        # (label, server, hello?, same URL?): each hello-world also gets the point lookups' URLs
        phases = []
        for s in started:
            hello = s.name.startswith("hello")
            phases.append((s.name, s, hello, False))
            if hello:
                phases.append((s.name + "-same-url", s, True, True))
        results: dict[str, dict[int, list[dict]]] = {label: {1: [], 16: []} for label, *_ in phases}
        wrk_results: dict[str, list[list[dict]]] = {s.name: [] for s in started}
        for rep in range(a.repeats):
            for label, s, hello, same in phases:
                for clients in (1, 16):
                    res = _child({"url": s.url, "hello": hello, "articles": a.articles, "same_url": same,
                                  "duration": a.duration, "clients": clients, "seed": 7 + rep})
                    results[label][clients].append(res)
                    print(f"[{rep}] {label} c{clients}: {res}", file=sys.stderr, flush=True)
            if a.wrk:
                from benchmarks import wrk

                for s in started:
                    w = wrk.run(s.url, n_articles=a.articles, base=BASE, duration=a.duration, hello=s.name.startswith("hello"))
                    wrk_results[s.name].append(w)
                    print(f"[{rep}] {s.name} wrk: {w}", file=sys.stderr, flush=True)
        print(report(results, wrk_results))
    finally:
        for s in started:
            s.stop()
    return 0


def _med(runs: list[dict], key: str) -> float | None:
    vals = [r[key] for r in runs if r.get(key) is not None]
    return round(statistics.median(vals), 2) if vals else None


def _ceiling(name: str) -> str:
    return "hello-h11" if name.endswith("-h11") else "hello"


def report(results: dict[str, dict[int, list[dict]]], wrk_results: dict[str, list[list[dict]]]) -> str:
    """Medians; each server's ratio is to the hello-world on the same HTTP stack (``-h11``:
    asyncio + h11, else uvloop + httptools), bare and sent the same URLs."""
    lines = ["| server | clients | req/s | p50 ms | p99 ms | errors | ÷ hello (same stack) | ÷ hello, same URLs |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, by_c in results.items():
        for c, runs in by_c.items():
            tput = _med(runs, "throughput")
            ratios = []
            for ceiling in (_ceiling(name), _ceiling(name) + "-same-url"):
                top = _med(results[ceiling][c], "throughput") if ceiling in results else None
                ratios.append(f"{tput / top:.2f}×" if tput and top else "–")
            lines.append(f"| {name} | {c} | {tput} | {_med(runs, 'p50_ms')} | {_med(runs, 'p99_ms')} | "
                         f"{sum(r.get('errors', 0) for r in runs)} | {' | '.join(ratios)} |")
    if any(wrk_results.values()):
        lines += ["", "wrk (C client):", "", "| server | phase | req/s | p50 ms | p99 ms | errors | ÷ hello (same stack) |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for name, reps in wrk_results.items():
            for i, ph in enumerate(reps[0] if reps else []):
                runs = [r[i] for r in reps if i < len(r)]
                hello_runs = [r[i] for r in wrk_results.get(_ceiling(name), []) if i < len(r)]
                tput, hello = _med(runs, "throughput"), _med(hello_runs, "throughput")
                ratio = f"{tput / hello:.2f}×" if tput and hello else "–"
                lines.append(f"| {name} | {ph['name']} | {tput} | {_med(runs, 'p50_ms')} | {_med(runs, 'p99_ms')} | "
                             f"{sum(r.get('errors', 0) for r in runs)} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
