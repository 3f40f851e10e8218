"""The benchmark runner: build, validate, load and serve N synthetic articles, beside the peers.

    python -m benchmarks.run --quick                      # CI: 10 articles, a few requests
    python -m benchmarks.run --sizes 10 1000 10000 --repeats 3

At each size: generate (``benchmarks.generate``), then each stage in its own
process (``benchmarks.stages``: ``kg build`` with its per-stage times and peak
memory; the release store validated by the SPARQL engine and, where
affordable, by whole-graph pyshacl, reports compared; the store opened as
``kg serve`` opens it), then each server in turn — the hello-world ceiling,
``kg serve``, rdflib-endpoint, Virtuoso — queried by the same load generator
(``benchmarks.loadgen``) in its own process, and by ``wrk`` for point lookups
(``benchmarks.wrk``). Phases are repeated ``--repeats`` times and the median kept. Everything lands in
``<out>/results.json``, ``<out>/summary.md`` and ``<out>/cost-vs-size.png``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import servers, wrk
from benchmarks.generate import generate

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _child(args: list[str], timeout: float) -> dict:
    r = subprocess.run([PY, "-m", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if r.returncode != 0:
        return {"error": (r.stderr or r.stdout)[-600:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def _median_phases(runs: list[list[dict]]) -> list[dict]:
    out = []
    for group in zip(*runs, strict=True):  # every run measures the same phases
        merged = dict(group[0])
        for key in ("throughput", "p50_ms", "p99_ms", "seconds"):
            vals = [g[key] for g in group if g[key] is not None]
            merged[key] = round(statistics.median(vals), 2) if vals else None
        merged["requests"] = sum(g["requests"] for g in group)
        merged["errors"] = sum(g["errors"] for g in group)
        merged["runs"] = len(group)
        out.append(merged)
    return out


def _serve_and_measure(start, load_args: dict, repeats: int, timeout: float) -> dict:  # type: ignore[no-untyped-def]
    try:
        t = time.perf_counter()
        server = start()
        started = round(time.perf_counter() - t, 3)
    except Exception as exc:  # noqa: BLE001 - a peer that will not start is reported, not fatal
        return {"error": f"{type(exc).__name__}: {exc}"[:600]}
    try:
        runs = []
        for _ in range(repeats):
            res = _child(["benchmarks.loadgen", json.dumps({**load_args, "url": server.url})], timeout)
            if "error" in res:
                return {"error": res["error"], "start_s": started}
            runs.append(res)
        phases, extra = _median_phases(runs), dict(server.extra)
        if wrk.available():  # the same point lookups from a C client: less client CPU on the shared cores
            wrk_runs = [_child(["benchmarks.wrk", json.dumps({**load_args, "url": server.url})], timeout) for _ in range(repeats)]
            if all(isinstance(r, list) and all("error" not in p for p in r) for r in wrk_runs):
                phases += _median_phases(wrk_runs)
            else:
                extra["wrk_error"] = str(wrk_runs)[-400:]
        else:
            extra["wrk"] = "skipped: wrk not installed (Debian: apt-get install wrk)"
        return {"start_s": started, "rss_mb": server.rss_mb(), "phases": phases, **extra}
    finally:
        server.stop()


def run_size(n: int, work: Path, args: argparse.Namespace) -> dict:
    seeds, var, logs = work / f"seeds-{n}", work / f"var-{n}", work / f"logs-{n}"
    logs.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(var, ignore_errors=True)
    res: dict = {"articles": n}
    t = time.perf_counter()
    generate(n, seeds)
    res["generate_s"] = round(time.perf_counter() - t, 3)
    print(f"[{n}] generated in {res['generate_s']} s", file=sys.stderr, flush=True)
    res["build"] = _child(["benchmarks.stages", "build", str(seeds), str(var)], args.stage_timeout)
    print(f"[{n}] build {res['build']}", file=sys.stderr, flush=True)
    if "error" in res["build"]:
        return res
    b = res["build"]
    if b["triples"] > args.whole_max and b.get("validate"):
        # no pyshacl to compare with: validating the same store again would only repeat the build's stage
        res["shacl"] = {"engine": {"s": b["validate"], "triples_per_s": round(b["triples"] / b["validate"]), "in_build": True},
                        "whole": {"skipped": f"{b['triples']} triples > {args.whole_max}: whole-graph pyshacl not affordable here"}}
    else:
        res["shacl"] = _child(["benchmarks.stages", "shacl", str(var), str(args.whole_max)], args.stage_timeout)
    print(f"[{n}] shacl {res['shacl']}", file=sys.stderr, flush=True)
    loads = [_child(["benchmarks.stages", "load", str(var)], args.stage_timeout) for _ in range(args.repeats)]
    res["load"] = {"s": statistics.median(x["s"] for x in loads if "s" in x) if any("s" in x for x in loads) else None,
                   "rss_mb": max((x.get("rss_mb", 0) for x in loads), default=None), "quads": loads[0].get("quads"),
                   "runs": [x.get("s", x.get("error")) for x in loads]}
    print(f"[{n}] load {res['load']}", file=sys.stderr, flush=True)
    nq = var / "current" / "dataset.nq"
    quads = res["build"]["quads"]
    if n > args.serve_max:
        res["servers"] = {"skipped": f"{n} articles > --serve-max {args.serve_max}: build, validation and store only"}
        return res
    load_args = {"articles": n, "base": "https://qatar-nato.example.org/", "quick": args.quick, "duration": args.duration,
                 "max_requests": args.max_requests, "timeout": args.request_timeout}
    servers_out: dict = {}
    servers_out["hello"] = _serve_and_measure(lambda: servers.start_hello(logs), {**load_args, "hello": True}, args.repeats, args.stage_timeout)
    servers_out["kg"] = _serve_and_measure(lambda: servers.start_kg(var, seeds, logs), load_args, args.repeats, args.stage_timeout)
    if shutil.which("rdflib-endpoint") or Path(PY).with_name("rdflib-endpoint").exists():
        if quads <= args.rdflib_max_quads:
            servers_out["rdflib-endpoint"] = _serve_and_measure(lambda: servers.start_rdflib_endpoint(nq, logs), load_args, args.repeats, args.stage_timeout)
        else:
            servers_out["rdflib-endpoint"] = {"skipped": f"{quads} quads > --rdflib-max-quads {args.rdflib_max_quads}"}
    else:
        servers_out["rdflib-endpoint"] = {"skipped": "rdflib-endpoint not installed"}
    if shutil.which("virtuoso-t") and not args.no_virtuoso:
        servers_out["virtuoso"] = _serve_and_measure(lambda: servers.start_virtuoso(nq, logs), load_args, args.repeats, args.stage_timeout)
    else:
        servers_out["virtuoso"] = {"skipped": "virtuoso-t not installed" if not shutil.which("virtuoso-t") else "--no-virtuoso"}
    res["servers"] = servers_out
    for name, s in servers_out.items():
        print(f"[{n}] {name}: {json.dumps({k: v for k, v in s.items() if k != 'phases'})}", file=sys.stderr, flush=True)
    return res


def machine() -> dict:
    import importlib.metadata as md

    def ver(p: str) -> str | None:
        try:
            return md.version(p)
        except md.PackageNotFoundError:
            return None

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")), "?")
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")), "0")
    virt = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "virtuoso-opensource-7-bin"], capture_output=True, text=True).stdout or None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip() or None
    return {"commit": commit, "nproc": len(__import__("os").sched_getaffinity(0)), "cpu": cpu, "mem_gb": round(int(mem) / 2**20, 1),
            "python": platform.python_version(), "kernel": platform.release(),
            "versions": {p: ver(p) for p in ("qatar-nato-kg", "pyoxigraph", "rdflib", "pyshacl", "fastapi", "uvicorn", "httpx", "rdflib-endpoint")} | {"virtuoso-opensource": virt}}


def phase(res: dict, server: str, name: str) -> dict | None:
    s = res.get("servers", {}).get(server, {})
    return next((p for p in s.get("phases", []) if p["name"] == name), None)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def summary(results: dict) -> str:
    lines = ["## Build, validation and load", "",
             ("`kg build` stages (one process; validation is the SPARQL engine on the release store), then the same store validated "
              "again by the engine and by whole-graph pyshacl where affordable, and the store opened as `kg serve` opens it."), "",
             ("| articles | quads | triples | curate s | map s | sort+write+store s | validate s | serialize s | publish s | build total s | build peak RSS MB "
              "| engine s (triples/s) | pyshacl whole s | same report | open store s |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in results["sizes"]:
        b = r.get("build", {})
        if "error" in b or not b:
            lines.append(f"| {r['articles']} | build error: {b.get('error', 'not run')[-120:]!r} |")
            continue
        sh = r.get("shacl", {})
        eng, whole = sh.get("engine", {}), sh.get("whole", {})
        eng_s = f"{eng['s']} ({eng['triples_per_s']:,})" if "s" in eng else ("error" if "error" in sh else "–")
        if eng.get("in_build"):
            eng_s += " = build's"
        whole_s = whole.get("s", "skipped" if "skipped" in whole else "–")
        same = whole.get("same_report_as_engine", "–")
        lines.append(f"| {r['articles']} | {b['quads']} | {b['triples']} | {b.get('curate', '–')} | {b.get('map', '–')} | "
                     f"{b.get('sort_write_store', '–')} | {b.get('validate', '–')} | {b.get('serialize', '–')} | {b.get('publish', '–')} | {b['total_s']} | {b['rss_mb']} | "
                     f"{eng_s} | {whole_s} | {same} | {r.get('load', {}).get('s', '–')} |")
    lines += ["", "## Served queries (medians over repeats; cold = distinct query texts, repeated = 20 fixed texts)", ""]
    for r in results["sizes"]:
        if "skipped" in r.get("servers", {}):
            lines += [f"### {r['articles']} articles", "", f"Not served: {r['servers']['skipped']}.", ""]
            continue
        lines += [f"### {r['articles']} articles", "",
                  "| phase | " + " | ".join(f"{s} req/s | {s} p50 ms | {s} p99 ms" for s in ("kg", "rdflib-endpoint", "virtuoso")) + " |",
                  "|---|" + "---:|" * 9]
        names = [p["name"] for p in r.get("servers", {}).get("kg", {}).get("phases", [])]
        for name in names:
            cells = []
            for s in ("kg", "rdflib-endpoint", "virtuoso"):
                p = phase(r, s, name)
                cells += [str(p["throughput"]) + (f" ({p['errors']} err)" if p["errors"] else ""), str(p["p50_ms"]), str(p["p99_ms"])] if p else ["–"] * 3
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        hello = {p["name"]: p for p in r.get("servers", {}).get("hello", {}).get("phases", [])}
        k_point16, h16 = phase(r, "kg", "point-c16"), hello.get("hello-c16")
        k_point1, h1 = phase(r, "kg", "point-c1"), hello.get("hello-c1")
        hw1, hw16 = hello.get("hello-c1-wrk"), hello.get("hello-c16-wrk")
        lines += ["", f"hello-world ceiling: c1 {h1['throughput'] if h1 else '–'} req/s, c16 {h16['throughput'] if h16 else '–'} req/s"
                  + (f"; with wrk: c1 {hw1['throughput']} req/s (p99 {hw1['p99_ms']} ms), c16 {hw16['throughput']} req/s (p99 {hw16['p99_ms']} ms)" if hw1 and hw16 else ""), ""]
        lines += ["| ratio | value |", "|---|---:|",
                  f"| kg / rdflib-endpoint, mix c16 cold (req/s) | {ratio(_tp(r, 'kg', 'mix-c16'), _tp(r, 'rdflib-endpoint', 'mix-c16'))} |",
                  f"| kg / rdflib-endpoint, mix c1 cold (req/s) | {ratio(_tp(r, 'kg', 'mix-c1'), _tp(r, 'rdflib-endpoint', 'mix-c1'))} |",
                  f"| kg / virtuoso, mix c16 cold (req/s) | {ratio(_tp(r, 'kg', 'mix-c16'), _tp(r, 'virtuoso', 'mix-c16'))} |",
                  f"| kg / virtuoso, mix c16 repeated (req/s) | {ratio(_tp(r, 'kg', 'mix-repeated-c16'), _tp(r, 'virtuoso', 'mix-repeated-c16'))} |",
                  f"| kg point c1 / hello c1 (req/s) | {ratio(k_point1 and k_point1['throughput'], h1 and h1['throughput'])} |",
                  f"| kg point c16 / hello c16 (req/s) | {ratio(k_point16 and k_point16['throughput'], h16 and h16['throughput'])} |"]
        for c in (1, 16):
            kw, hw = phase(r, "kg", f"point-c{c}-wrk"), hello.get(f"hello-c{c}-wrk")
            if kw and hw:
                lines.append(f"| wrk: kg point c{c} / hello c{c} (req/s); kg p99 | {ratio(kw['throughput'], hw['throughput'])}; {kw['p99_ms']} ms |")
        lines.append("")
        mem = {s: r.get("servers", {}).get(s, {}).get("rss_mb") for s in ("kg", "rdflib-endpoint", "virtuoso")}
        starts = {s: r.get("servers", {}).get(s, {}).get("start_s") for s in ("kg", "rdflib-endpoint", "virtuoso")}
        lines += [f"server peak RSS MB: {mem}; start (incl. load) s: {starts}", ""]
        for s in ("rdflib-endpoint", "virtuoso"):
            info = r.get("servers", {}).get(s, {})
            if "skipped" in info or "error" in info:
                lines += [f"{s}: {info.get('skipped') or info.get('error')}", ""]
    return "\n".join(lines) + "\n"


def _tp(r: dict, server: str, name: str) -> float | None:
    p = phase(r, server, name)
    return p["throughput"] if p else None


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in results["sizes"] if "error" not in r.get("build", {"error": 1})]
    if not rows:
        return
    xs = [r["articles"] for r in rows]
    series = {name: [r["build"].get(name) for r in rows] for name in ("curate", "map", "sort_write_store", "validate", "serialize", "publish")}
    series["build total"] = [r["build"]["total_s"] for r in rows]
    series["pyshacl whole graph"] = [r.get("shacl", {}).get("whole", {}).get("s") for r in rows]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, ys in series.items():
        pts = [(x, y) for x, y in zip(xs, ys, strict=True) if isinstance(y, (int, float)) and y > 0]
        if pts:
            a1.plot(*zip(*pts, strict=True), marker="o", label=name)
    a1.set(xscale="log", yscale="log", xlabel="articles", ylabel="seconds", title="Cost per stage vs size")
    a1.grid(True, which="both", alpha=0.3)
    a1.legend(fontsize=8)
    mem = {"build peak RSS": [r["build"]["rss_mb"] for r in rows],
           "store open RSS": [r["load"]["rss_mb"] for r in rows],
           "kg serve RSS (all workers)": [r.get("servers", {}).get("kg", {}).get("rss_mb") for r in rows]}
    for name, ys in mem.items():
        pts = [(x, y) for x, y in zip(xs, ys, strict=True) if isinstance(y, (int, float)) and y > 0]
        if pts:
            a2.plot(*zip(*pts, strict=True), marker="o", label=name)
    a2.set(xscale="log", yscale="log", xlabel="articles", ylabel="MB", title="Peak memory vs size")
    a2.grid(True, which="both", alpha=0.3)
    a2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmarks: build, validate, load and serve N synthetic articles beside the peers.")
    p.add_argument("--quick", action="store_true", help="10 articles, two short phases, one repeat (CI)")
    p.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 10000])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--duration", type=float, default=4.0, help="seconds per load phase")
    p.add_argument("--max-requests", type=int, default=20000)
    p.add_argument("--request-timeout", type=float, default=30.0)
    p.add_argument("--stage-timeout", type=float, default=3600.0)
    p.add_argument("--whole-max", type=int, default=150_000, help="largest graph (triples) given to whole-graph pyshacl")
    p.add_argument("--rdflib-max-quads", type=int, default=5_000_000)
    p.add_argument("--serve-max", type=int, default=10**9, help="largest size (articles) whose servers are started and queried")
    p.add_argument("--no-virtuoso", action="store_true")
    p.add_argument("--keep-work", action="store_true", help="keep each size's seeds and release (default: removed once measured)")
    p.add_argument("--work", type=Path, default=Path("/tmp/kg-bench"))
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--resummarize", action="store_true", help="only rewrite summary.md and the plot from <out>/results.json")
    p.add_argument("--plot-with", type=Path, nargs="*", default=[],
                   help="with --resummarize: other runs' results.json whose sizes the plot adds (sizes of <out> win)")
    args = p.parse_args(argv)
    if args.resummarize:
        results = json.loads((args.out / "results.json").read_text())
        (args.out / "summary.md").write_text(summary(results))
        plotted = {r["articles"]: r for other in args.plot_with for r in json.loads(other.read_text())["sizes"]}
        plotted.update({r["articles"]: r for r in results["sizes"]})
        plot({**results, "sizes": [plotted[n] for n in sorted(plotted)]}, args.out / "cost-vs-size.png")
        return 0
    if args.quick:
        args.sizes, args.repeats, args.duration, args.max_requests = [10], 1, 0.5, 20
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}, "sizes": []}
    for n in args.sizes:  # in the order given (largest first finishes the long build while the machine is fresh)
        try:
            results["sizes"].append(run_size(n, args.work, args))
            results["sizes"].sort(key=lambda r: r["articles"])  # tables and plot read smallest to largest
        finally:
            if not args.keep_work:  # a release of 100 000 articles is ≈ 50 GB: free it before the next size
                for d in (args.work / f"var-{n}", args.work / f"seeds-{n}"):
                    shutil.rmtree(d, ignore_errors=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
        (args.out / "summary.md").write_text(summary(results))
        plot(results, args.out / "cost-vs-size.png")
    print(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
