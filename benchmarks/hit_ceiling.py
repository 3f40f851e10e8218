"""A warm render-once hit beside nginx's static file: where its time goes, and what a second process gives.

    python -m benchmarks.hit_ceiling --var /work/bench/var-10000 [--processes 1 2] [--granian] [--profile DIR]

Why: with every page kept (``kg.web.render_once``), a request is a lookup
and a send, yet ``read_path`` measured 0.22× (varied pages) and 0.36× (one
page repeated) of nginx serving a file on the same machine (BENCHMARKS.md run
E); issue 21 asks ≥ 0.30× and ≥ 0.70×. This starts, from one checkout, ``kg
serve`` (one process) and the same app under uvicorn with ``--processes N``
workers (each its own app on the same release, opened read-only: the store,
the query workers, the warm-up and the kept pages are per process), and nginx
serving the repeated page's bytes; asks every page of the sample through fresh
connections until each process has kept it; then runs ``wrk`` phases —
the repeated page and the varied pages at ``--clients`` — on each server in
turn, ``--repeats`` times. With ``--profile DIR``, ``py-spy record`` samples
the one-process server during an extra repeated-page phase (not measured)
and the hottest functions (inclusive share of the samples) are written.
With ``--granian``, ``kg serve --server granian`` (the same app on Granian's
Rust HTTP server, one worker) is measured beside them in every phase.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from benchmarks import servers, wrk
from benchmarks.after_start import wait_idle
from benchmarks.read_params import plan

ROOT = Path(__file__).resolve().parent.parent
HTML = "text/html"


def make_app():  # type: ignore[no-untyped-def]
    """The app as ``kg serve`` builds it, for ``uvicorn --factory`` (one per worker process)."""
    from kg.config import from_environ
    from kg.web.server import build_app

    return build_app(from_environ())


def start_processes(name: str, root: Path, var: Path, logs: Path, processes: int) -> servers.Server:
    """``make_app`` under uvicorn with ``processes`` workers, as ``kg serve`` runs it otherwise."""
    port = servers.free_port()
    code = ("import uvicorn; uvicorn.run('benchmarks.hit_ceiling:make_app', factory=True, host='127.0.0.1', "
            f"port={port}, workers={processes}, log_level='warning', proxy_headers=True, access_log=False)")
    env = {**os.environ, "KG_VAR_DIR": str(var), "PYTHONPATH": str(root)}
    log = logs / f"{name}.log"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    s = servers.Server(name, f"http://127.0.0.1:{port}", proc, log=log)
    deadline = time.monotonic() + 900
    while True:
        try:
            if httpx.get(s.url + "/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start: {log.read_text()[-500:]}")
        time.sleep(0.5)
    return s


def wait_warmed(s: servers.Server, limit: float = 900.0) -> float:
    """Seconds until ``/health`` says the release's warm-up ended: Granian's app runs in
    a worker process, so the supervisor's own CPU (``wait_idle``) says nothing."""
    started = time.monotonic()
    while time.monotonic() - started < limit and not httpx.get(s.url + "/health", timeout=30).json().get("warmed"):
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def keep_all(s: servers.Server, paths: list[str], asks: int) -> dict:
    """Ask each path ``asks`` times, each on a fresh connection (any worker may take it)."""
    statuses: Counter = Counter()
    for path in paths:
        for _ in range(asks):
            statuses[httpx.get(s.url + path, headers={"Accept": HTML}, timeout=120).status_code] += 1
    return dict(statuses)


def profile(s: servers.Server, path: str, out: Path, clients: int, seconds: int) -> list[tuple[str, float]]:
    """``py-spy record`` of the server process during a repeated-page phase: functions by inclusive share."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    raw = out / "hit.txt"
    rec = subprocess.Popen([spy, "record", "--pid", str(s.proc.pid), "--duration", str(seconds), "--rate", "250",
                            "--format", "raw", "--output", str(raw), "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    wrk.run_paths(s.url + "/", [path], name="profiled", clients=clients, duration=seconds - 2, accept=HTML)
    rec.wait(timeout=seconds + 60)
    inclusive: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            inclusive[frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].rstrip(")")] += n
    top = [(f, round(n / total, 3)) for f, n in inclusive.most_common(60)] if total else []
    (out / "hit-top.json").write_text(json.dumps({"samples": total, "top": top}, indent=1))
    return top


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", type=Path, required=True)
    ap.add_argument("--kg", type=Path, default=ROOT, help="the checkout to serve")
    ap.add_argument("--processes", type=int, nargs="*", default=[2], help="uvicorn workers to compare (none: one process only)")
    ap.add_argument("--granian", action="store_true", help="also kg serve --server granian, in every phase")
    ap.add_argument("--bare", action="store_true",
                    help="also the repeated page's bytes and headers from a bare ASGI app on Granian (benchmarks/bare_asgi.py): "
                         "the ceiling of any Python ASGI application here")
    ap.add_argument("--encodings", nargs="+", default=["identity"], choices=["identity", "gzip"],
                    help="Accept-Encoding of each phase; with gzip, nginx compresses its file per request (the peer)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--limit", type=int, default=300, help="varied pages drawn")
    ap.add_argument("--profile", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-hit-ceiling"))
    args = ap.parse_args(argv)
    p = plan(args.var / "current", limit=args.limit)
    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    varied = p.varied[: args.limit]
    started: list[servers.Server] = []
    out: dict = {"phases": [], "servers": {}, "load": []}
    try:
        kgs = [servers.start_kg_checkout("kg-1", args.kg, args.var, logs)]
        started.append(kgs[0])
        for n in args.processes:
            kgs.append(start_processes(f"kg-{n}p", args.kg, args.var, logs, n))
            started.append(kgs[-1])
        if args.granian:
            kgs.append(servers.start_kg_checkout("kg-granian", args.kg, args.var, logs, extra=["--server", "granian"]))
            started.append(kgs[-1])
        for s in kgs:
            idle = wait_warmed(s) if s.name == "kg-granian" else wait_idle(s)
            asks = 8 if s.name.endswith("p") else 1  # uvicorn's workers: any may take a connection
            out["servers"][s.name] = {"idle_after_s": idle, "kept": keep_all(s, [p.repeated, *varied], asks)}
        root = args.work / "static"
        root.mkdir(exist_ok=True)
        page = httpx.get(kgs[0].url + p.repeated, headers={"Accept": HTML}, timeout=60)
        (root / "page.html").write_bytes(page.content)
        if args.bare:
            (root / "headers.json").write_text(json.dumps(list(page.headers.multi_items())))
            bare = servers.start_bare_asgi(root / "page.html", root / "headers.json", logs)
            started.append(bare)
            kgs.append(bare)
        nginx = servers.start_nginx(root, logs, gzip="gzip" in args.encodings)
        started.append(nginx)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            out["profile"] = profile(kgs[0], p.repeated, args.profile, args.clients, int(args.duration) + 4)
        for r in range(args.repeats):
            out["load"].append(os.getloadavg()[0])
            for enc in args.encodings:
                for name, paths in (("repeated", [p.repeated]), ("varied", varied)):
                    x = wrk.run_paths(nginx.url + "/", ["/page.html"], name="static-file", clients=args.clients,
                                      duration=args.duration, accept=HTML, encoding=enc)
                    out["phases"].append({**x, "server": "nginx", "repeat": r, "encoding": enc})
                    for s in kgs:
                        if s.name == "bare-asgi" and name != "repeated":
                            continue  # it has one page
                        x = wrk.run_paths(s.url + "/", paths, name=name, clients=args.clients, duration=args.duration,
                                          accept=HTML, encoding=enc)
                        out["phases"].append({**x, "server": s.name, "repeat": r, "encoding": enc})
                        print(f"{s.name} {name} {enc}: {x.get('throughput')} req/s, p99 {x.get('p99_ms')} ms",
                              file=sys.stderr, flush=True)
        for s in kgs:
            out["servers"].setdefault(s.name, {})["rss_mb"] = s.rss_mb()
    finally:
        for s in started:
            s.stop()
    (args.work / "hit-ceiling.json").write_text(json.dumps(out, indent=1))
    lines = ["| phase | repeat | encoding | server | req/s | p99 ms | bytes/request | / nginx (same repeat, encoding) |",
             "|---|---:|---|---|---:|---:|---:|---:|"]
    for x in out["phases"]:
        if x["server"] == "nginx":
            continue
        ng = [y for y in out["phases"][: out["phases"].index(x)] if y["server"] == "nginx"][-1]
        lines.append(f"| {x['name']} | {x['repeat']} | {x['encoding']} | {x['server']} | {x.get('throughput')} | {x.get('p99_ms')} | "
                     f"{x.get('bytes_per_request')} | {x['throughput'] / ng['throughput']:.2f}× (nginx {ng['throughput']}) |")
    text = "\n".join(lines) + f"\n\nload average (1 min) at each repeat: {out['load']}\nservers: {json.dumps(out['servers'])}\n"
    (args.work / "hit-ceiling.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
