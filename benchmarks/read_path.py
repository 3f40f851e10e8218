"""The read path at scale, side by side in one run (issue 21): pages, the cold SPARQL mix, and the ceilings.

    python -m benchmarks.read_path --var /work/bench/var-10000 \\
        [--kg before=/path/to/old/checkout --kg after=.] [--clients 8 16] [--duration 5] \\
        [--out benchmarks/results/DATE-read-path]
    python -m benchmarks.read_path --quick --work /tmp/rp --out /tmp/rp/out    # CI: tests/test_benchmarks_quick.py

Why its own runner: ``benchmarks.run`` builds every size and measures the
SPARQL endpoint; the pages most people read were never measured. This
starts, on one already-built release (``--var``, as ``kg build`` left it),
every server at once — ``kg serve`` from each ``--kg`` checkout with its
*default* settings (so a change of defaults shows), Virtuoso loaded with the
same ``dataset.nq`` (``benchmarks.servers``), and Debian's nginx serving a
static file — and then measures each phase on every server back to back,
interleaved, with ``wrk`` (C; ``benchmarks.wrk.run_paths``: a Lua table of
paths, one picked at random per request):

* **pages**: the home page and the hub pages one request at a time (bytes
  and latency; at many clients only when one request takes < 1 s, so a slow
  page does not pile up work that spills into the next phase); ≥ 1 000
  distinct entity pages from the sitemaps and one page repeated, at 1 client
  and at each ``--clients``; the ceilings: ``/robots.txt`` on the same server
  and nginx serving the repeated page's bytes as a static file;
* ``/search?q=…&format=json`` (the label index, ``kg.query.search_index``) with the
  Arabic words and phrases the SPARQL ``CONTAINS`` phase uses: the text
  search a reader is offered instead of a full-text SPARQL function;
* **the cold SPARQL mix** (``benchmarks.read_params.MIX``) at each
  ``--clients``: each kind its own phase, every request a parameter drawn
  from the data and a nonce, so no cache answers; ``refused`` = the share
  of non-2xx answers (503 from a saturated endpoint).

Parameters and paths come from the release itself (``benchmarks.read_params``).
Results: ``<out>/read-path.json`` and ``<out>/read-path.md`` (ratios to
Virtuoso, to the ceilings, and between ``--kg`` checkouts).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks import after_start, servers, wrk
from benchmarks.read_params import ACCEPT, MIX, SELECT_ACCEPT, ReadPlan, plan
from benchmarks.warm_pages import last_page, warm

ROOT = Path(__file__).resolve().parent.parent
HTML = "text/html"


def _one_at_a_time(url: str, budget: float) -> dict:
    """A page fetched sequentially until ``budget`` seconds are spent (at least twice): bytes, latency."""
    times, size, status = [], 0, None
    spent = time.perf_counter()
    with httpx.Client(timeout=120, headers={"Accept-Encoding": "identity"}) as c:  # sizes are the HTML's bytes
        while len(times) < 2 or (time.perf_counter() - spent < budget and len(times) < 50):
            t = time.perf_counter()
            try:
                r = c.get(url, headers={"Accept": HTML})
            except httpx.HTTPError as exc:
                return {"error": f"{type(exc).__name__}: {exc}"[:200], "requests": len(times)}
            times.append(time.perf_counter() - t)
            size, status = len(r.content), r.status_code
    return {"status": status, "bytes": size, "requests": len(times), "median_ms": round(statistics.median(times) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1), "first_ms": round(times[0] * 1000, 1)}


def _settle(server: servers.Server, limit: float = 120) -> None:
    """Wait until a kg server has no query running or queued (the last phase's
    backlog: wrk stops, the server still works on what it was sent); a server
    whose ``/health`` does not say (an older checkout) gets a second."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            body = httpx.get(server.url + "/health", timeout=30).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(1)
            continue
        q = body.get("queries")
        if q is None:
            time.sleep(1)
            return
        if q["running"] == 0 and q["queued"] == 0:
            return
        time.sleep(0.2)


def _check(url: str, accept: str) -> dict:
    """One request, to show the phase asks something real and every server
    answers it alike: status and the number of results (rows, or N-Triples lines)."""
    try:
        r = httpx.get(url, headers={"Accept": accept}, timeout=120)
    except httpx.HTTPError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}
    out: dict = {"status": r.status_code}
    if r.status_code == 200 and accept == SELECT_ACCEPT:
        out["results"] = len(r.json()["results"]["bindings"])
    elif r.status_code == 200:
        out["results"] = len({line for line in r.text.splitlines() if line.strip()})
    return out


def measure_pages(kgs: list[servers.Server], nginx: servers.Server | None, p: ReadPlan, args: argparse.Namespace) -> dict:
    out: dict = {"single": {}, "phases": []}
    deepest = [d for d in (last_page(kgs[-1].url + h) for h in p.hubs) if d]
    if args.warm:
        out["warm"] = {s.name: warm(s, list(dict.fromkeys([p.home, *p.hubs, *deepest, p.repeated, *p.varied]))) for s in kgs}
    for path in [p.home, *p.hubs, *deepest, p.repeated]:
        out["single"][path] = {s.name: _one_at_a_time(s.url + path, args.page_budget) for s in kgs}
    static = {}
    if nginx is not None:
        static = {"name": "static-file", "server": nginx, "paths": ["/page.html"]}
    for clients in dict.fromkeys((1, *args.clients)):
        for s in kgs:
            # the ceiling first, the slowest pages last: a phase's unfinished renders must not slow the next
            phases = [("robots.txt", ["/robots.txt"]), ("search-json", p.search_paths(args.limit)),
                      ("entity-pages-varied", p.varied), ("entity-page-repeated", [p.repeated])]
            single = out["single"][p.home][s.name]
            if clients == 1 or single.get("median_ms", 1e9) < 1000:
                phases.append(("home", [p.home]))
            for name, paths in phases:
                out["phases"].append({**wrk.run_paths(s.url + "/", paths, name=name, clients=clients, duration=args.duration,
                                                      accept=HTML, max_requests=args.max_requests), "server": s.name})
                print(f"pages {s.name} {name} c{clients}: {out['phases'][-1].get('throughput')}", file=sys.stderr, flush=True)
                _settle(s)
        if static:
            out["phases"].append({**wrk.run_paths(nginx.url + "/", static["paths"], name="static-file", clients=clients,
                                                  duration=args.duration, accept=HTML, max_requests=args.max_requests),
                                 "server": "nginx"})
    return out


def measure_sparql(endpoints: list[tuple[servers.Server, str]], p: ReadPlan, args: argparse.Namespace) -> dict:
    out: dict = {"checks": {}, "phases": []}
    for kind in args.kinds:
        accept = ACCEPT.get(kind, SELECT_ACCEPT)
        for s, path in endpoints:
            out["checks"].setdefault(kind, {})[s.name] = _check(s.url.rstrip("/") + p.sparql_paths(kind, path, 1)[0], accept)
        for clients in args.clients:
            for s, path in endpoints:
                paths = p.sparql_paths(kind, path, args.limit)
                phase = wrk.run_paths(s.url.rstrip("/") + "/", paths, name=kind, clients=clients, duration=args.duration,
                                      accept=accept, nonce=True, timeout=args.request_timeout, max_requests=args.max_requests)
                out["phases"].append({**phase, "server": s.name})
                print(f"sparql {s.name} {kind} c{clients}: {phase.get('throughput')} req/s, refused {phase.get('refused')}",
                      file=sys.stderr, flush=True)
                if s.name != "virtuoso":
                    _settle(s)
                else:
                    time.sleep(min(1.0, args.duration / 5))  # let Virtuoso finish what the phase left running
    return out


def engine_alone(release: Path, p: ReadPlan, n: int, kinds: tuple[str, ...] = MIX) -> dict:
    """Each kind of the mix run by pyoxigraph itself on the release's store, in this
    process, one at a time (``n`` distinct parameter values): what the engine
    costs without HTTP, workers or queueing — the floor under the served numbers."""
    from urllib.parse import unquote

    import pyoxigraph as ox

    store = ox.Store.read_only(str(release / "store"))
    out = {}
    try:
        for kind in kinds:
            times = []
            for path in p.sparql_paths(kind, "/sparql", n):
                text = unquote(path.split("query=", 1)[1])
                t = time.perf_counter()
                result = store.query(text)  # the release store's default graph is the union as a set, as kg serves it
                rows = len(list(result))
                times.append(time.perf_counter() - t)
            out[kind] = {"queries": len(times), "median_ms": round(statistics.median(times) * 1000, 2),
                         "max_ms": round(max(times) * 1000, 2), "last_rows": rows}
    finally:
        del store
    return out


def _static_root(work: Path, kg: servers.Server, p: ReadPlan) -> Path:
    """The repeated page's bytes, as kg serves them, for nginx to serve as a file."""
    root = work / "static"
    root.mkdir(parents=True, exist_ok=True)
    (root / "page.html").write_bytes(httpx.get(kg.url + p.repeated, headers={"Accept": HTML}, timeout=120).content)
    return root


def run(args: argparse.Namespace) -> dict:
    release = args.var / "current"
    p = plan(release, limit=args.limit)
    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results: dict = {"release": str(release.resolve()), "quads": json.loads((release / "release.json").read_text()).get("quads"),
                     "distinct": p.distinct(), "hubs": p.hubs, "repeated": p.repeated, "args": {k: str(v) for k, v in vars(args).items()},
                     "servers": {}}
    if args.after_start:  # only the first requests after each server's start (benchmarks.after_start)
        results["after_start"] = after_start.run(args.kg, args.var, logs)
        return results
    results["engine_alone"] = engine_alone(release, p, args.engine_queries, tuple(args.kinds))
    started: list[servers.Server] = []
    try:
        kgs = []
        for name, root in args.kg:
            s = servers.start_kg_checkout(name, root, args.var, logs)
            started.append(s)
            kgs.append(s)
            health = httpx.get(s.url + "/health", timeout=30).json()
            results["servers"][name] = {"root": str(root), "ready_s": s.ready_s, "health": health,
                                        "commit": _commit(root)}
        endpoints = [(s, "/sparql") for s in kgs]
        if not args.no_virtuoso and shutil.which("virtuoso-t"):
            try:
                v = servers.start_virtuoso(release / "dataset.nq", logs, timeout=args.stage_timeout)
                started.append(v)
                endpoints.append((v, "/sparql"))
                v.url = v.url.rsplit("/sparql", 1)[0]
                results["servers"]["virtuoso"] = {"ready_s": v.ready_s, **v.extra}
            except Exception as exc:  # noqa: BLE001 - a peer that will not start is reported, not fatal
                results["servers"]["virtuoso"] = {"error": f"{type(exc).__name__}: {exc}"[:600]}
        else:
            results["servers"]["virtuoso"] = {"skipped": "--no-virtuoso" if args.no_virtuoso else "virtuoso-t not installed"}
        nginx = None
        if not args.no_nginx:
            try:
                nginx = servers.start_nginx(_static_root(args.work, kgs[0], p), logs)
                started.append(nginx)
                results["servers"]["nginx"] = {"ready_s": nginx.ready_s}
            except RuntimeError as exc:
                results["servers"]["nginx"] = {"error": str(exc)[:300]}
        results["pages"] = {"single": {}, "phases": []} if args.no_pages else measure_pages(kgs, nginx, p, args)
        results["sparql"] = measure_sparql(endpoints, p, args)
        for s in started:
            results["servers"].setdefault(s.name, {})["rss_mb"] = s.rss_mb()
    finally:
        for s in started:
            s.stop()
    return results


def _commit(root: Path) -> str | None:
    """The checkout's commit; an exported tree (``git archive``) names it in a ``COMMIT`` file."""
    if (root / "COMMIT").exists():
        return (root / "COMMIT").read_text().strip()
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=root)
    return r.stdout.strip() or None


def _phase(phases: list[dict], server: str, name: str, clients: int) -> dict | None:
    return next((x for x in phases if x["server"] == server and x["name"] == name and x.get("clients") == clients), None)


def _ratio(a: dict | None, b: dict | None) -> str:
    return f"{a['throughput'] / b['throughput']:.2f}×" if a and b and a.get("throughput") and b.get("throughput") else "–"


def _cell(x: dict | None) -> str:
    if not x:
        return "–"
    if "error" in x:
        return "error"
    refused = f", {x['refused'] * 100:.0f} % refused" if x.get("refused") else ""
    timeouts = f", {x['timeouts']} timeouts" if x.get("timeouts") else ""
    return f"{x['throughput']} req/s, p99 {x['p99_ms']} ms{refused}{timeouts}"


def summary(r: dict) -> str:
    if "after_start" in r:
        return "\n".join([f"Release `{r['release']}` ({r['quads']} quads).", *after_start.summary(r["after_start"]), ""])
    kgs = [n for n in r["servers"] if n not in ("virtuoso", "nginx")]
    clients = [int(c) for c in r["args"]["clients"].strip("[]").split(",")]
    lines = [f"Release `{r['release']}` ({r['quads']} quads). Distinct values drawn: {r['distinct']}.", "",
             "### Pages one at a time (bytes, median latency)", "",
             "| page | " + " | ".join(kgs) + " |", "|---|" + "---|" * len(kgs)]
    for path, by in r["pages"]["single"].items():
        lines.append(f"| `{path}` | " + " | ".join(
            (f"{by[k]['bytes']:,} B, {by[k]['median_ms']} ms (first {by[k]['first_ms']} ms), {by[k]['status']}" if "bytes" in by[k] else "error")
            for k in kgs) + " |")
    for name, w in r["pages"].get("warm", {}).items():
        lines += ["", (f"Warm-up on {name}: {w['pages']} pages in {w['seconds']} s ({w['threads']} at a time, median {w['median_cold_ms']} ms), "
                  f"statuses {w['statuses']}; bytes median {w['median_bytes']:,}, p99 {w['p99_bytes']:,}, "
                  f"max {w['max_bytes']:,} (`{w['max_path']}`); over 200 KB: {len(w['over_200kb'])}")]
    pp = r["pages"]["phases"]
    lines += ["", "### Pages under load (wrk; ratio = req/s over the ceiling's)", "",
              "| phase | clients | " + " | ".join(f"{k} | {k} / robots.txt | {k} / nginx" for k in kgs) + " |",
              "|---|---:|" + "---|---:|---:|" * len(kgs)]
    for name in ("entity-pages-varied", "entity-page-repeated", "home", "search-json", "robots.txt"):
        for c in dict.fromkeys((1, *clients)):
            cells = []
            for k in kgs:
                x = _phase(pp, k, name, c)
                cells += [_cell(x), _ratio(x, _phase(pp, k, "robots.txt", c)), _ratio(x, _phase(pp, "nginx", "static-file", c))]
            if any(cell not in ("–",) for cell in cells[::3]):
                lines.append(f"| {name} | {c} | " + " | ".join(cells) + " |")
    for c in dict.fromkeys((1, *clients)):
        lines.append(f"\nnginx static file, {c} clients: {_cell(_phase(pp, 'nginx', 'static-file', c))}")
    sp = r["sparql"]["phases"]
    names = kgs + (["virtuoso"] if any(x["server"] == "virtuoso" for x in sp) else [])
    lines += ["", "### Cold SPARQL mix (wrk; each request a parameter from the data and a nonce)", "",
              "| query | clients | " + " | ".join(names) + " | " + " | ".join(f"{k} / virtuoso" for k in kgs) + " |",
              "|---|---:|" + "---|" * len(names) + "---:|" * len(kgs)]
    for kind in [k for k in MIX if any(x["name"] == k for x in sp)]:
        for c in clients:
            v = _phase(sp, "virtuoso", kind, c)
            lines.append(f"| {kind} | {c} | " + " | ".join(_cell(_phase(sp, n, kind, c)) for n in names) + " | "
                         + " | ".join(_ratio(_phase(sp, k, kind, c), v) for k in kgs) + " |")
    eng = r.get("engine_alone", {})
    if eng:
        lines += ["", "pyoxigraph alone on the store, one query at a time (median ms): "
                  + ", ".join(f"{k} {v['median_ms']}" for k, v in eng.items())]
    if len(kgs) == 2:
        a, b = kgs
        lines += ["", f"{b} / {a} (req/s): " + ", ".join(
            f"{kind} c{c} {_ratio(_phase(sp, b, kind, c), _phase(sp, a, kind, c))}" for kind in MIX for c in clients
            if _phase(sp, a, kind, c))]
    lines += ["", "First answer of each kind (status, results): " + json.dumps(r["sparql"]["checks"], ensure_ascii=False), "",
              "Servers: " + json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "health"} for k, v in r["servers"].items()}), ""]
    return "\n".join(lines)


def _quick_release(work: Path) -> Path:
    from benchmarks.generate import generate

    seeds, var = work / "seeds-10", work / "var-10"
    if not (var / "current").exists():
        generate(10, seeds)
        subprocess.run([sys.executable, "-m", "kg", "--seeds", str(seeds), "--var", str(var), "build", "--quiet"],
                       check=True, cwd=ROOT)
    return var


def _named_root(text: str) -> tuple[str, Path]:
    name, sep, root = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--kg NAME=CHECKOUT, got {text!r}")
    return name, Path(root).resolve()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Pages and the cold SPARQL mix beside Virtuoso and the static-file ceilings.")
    ap.add_argument("--var", type=Path, help="var directory of a built release (its current/ is served)")
    ap.add_argument("--kg", type=_named_root, action="append", help="NAME=CHECKOUT: a kg serve to measure (repeatable; default kg=this checkout)")
    ap.add_argument("--clients", type=int, nargs="+", default=[8, 16])
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per wrk phase")
    ap.add_argument("--limit", type=int, default=2000, help="distinct parameter values and page paths drawn, per kind")
    ap.add_argument("--page-budget", type=float, default=20.0, help="seconds spent fetching each home/hub page one at a time")
    ap.add_argument("--engine-queries", type=int, default=20, help="queries of each kind timed on the store alone, in-process")
    ap.add_argument("--request-timeout", type=float, default=30.0)
    ap.add_argument("--stage-timeout", type=float, default=3600.0, help="longest a server may take to start (Virtuoso's load)")
    ap.add_argument("--no-virtuoso", action="store_true")
    ap.add_argument("--no-nginx", action="store_true")
    ap.add_argument("--no-pages", action="store_true", help="only the SPARQL mix")
    ap.add_argument("--kinds", nargs="+", choices=MIX, default=list(MIX), help="query kinds of the mix to run (default: all)")
    ap.add_argument("--warm", action="store_true",
                    help="ask every page once before the page phases (render once: measure a warm cache; records every page's size)")
    ap.add_argument("--after-start", action="store_true",
                    help="only the first request of each busy page after each server's start and warm-up, one server at a time")
    ap.add_argument("--quick", action="store_true", help="10 generated articles, 1-s phases at 1 client (CI: the harness works, no numbers)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-read-path"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/kg-read-path/out"))
    args = ap.parse_args(argv)
    args.max_requests = None  # wrk phases run their whole duration
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    if args.quick:
        args.var, args.clients, args.duration, args.limit, args.page_budget = _quick_release(args.work), [1], 1.0, 50, 0.5
        args.max_requests = 20  # each wrk thread stops after 20 answers: the harness is checked, the server idles
    if args.var is None:
        ap.error("--var is required (or --quick)")
    args.kg = args.kg or [("kg", ROOT)]
    args.out.mkdir(parents=True, exist_ok=True)
    results = run(args)
    (args.out / "read-path.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    text = summary(results)
    (args.out / "read-path.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
