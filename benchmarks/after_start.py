"""``read_path.py --after-start``: the first request of the busy pages right after a server starts, over HTTP.

What a reader meets when a release has just been loaded (a start, or ``kg
serve`` switching to a new build): each checkout's ``kg serve`` is started
alone, left until its background warm-up is over — its process and children
use < ``IDLE_SHARE`` of a core over ``IDLE_WINDOW`` seconds (the same rule for
every checkout, whatever its warm-up does; ``/health``'s ``warmed`` is
recorded where the checkout reports it) — then each page is asked once, one
at a time, with ``Accept: text/html`` (its first request this release), then
again (a render-once hit). Then the server is stopped and the next one
started, so no server's warm-up competes with another's measurement.

The pages: ``benchmarks.cold_pages.default_paths`` (the home page, the hubs,
a person, an event, a fact, an article, a place, a type's list, a list's
later page, a hub's later page: run F's list) and ``/dataset``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from benchmarks import servers
from benchmarks.cold_pages import default_paths

HTML = "text/html"
IDLE_SHARE = 0.10
IDLE_WINDOW = 3.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children alive now (``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in servers._tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_idle(server: servers.Server, limit: float = 900.0) -> float:
    """Seconds until the server is idle (see the module docstring), at most ``limit``."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = _cpu_seconds(server.proc.pid)
        time.sleep(IDLE_WINDOW)
        if _cpu_seconds(server.proc.pid) - before < IDLE_SHARE * IDLE_WINDOW:
            break
    return round(time.monotonic() - started, 1)


def first_requests(server: servers.Server, paths: list[str]) -> dict:
    out = {}
    with httpx.Client(timeout=120) as c:
        for path in paths:
            times, size, status = [], 0, 0
            for _ in range(2):
                t = time.perf_counter()
                r = c.get(server.url + path, headers={"Accept": HTML})
                times.append(time.perf_counter() - t)
                size, status = len(r.content), r.status_code
            out[path] = {"status": status, "bytes": size, "first_ms": round(times[0] * 1000, 1),
                         "second_ms": round(times[1] * 1000, 1)}
    return out


def run(kgs: list[tuple[str, Path]], var: Path, logs: Path) -> dict:
    paths = [*default_paths(var / "current"), "/dataset"]
    paths = list(dict.fromkeys(paths))
    out: dict = {"paths": paths, "servers": {}}
    for name, root in kgs:
        s = servers.start_kg_checkout(f"{name}-after-start", root, var, logs)
        try:
            idle_s = wait_idle(s)
            health = httpx.get(s.url + "/health", timeout=30).json()
            load = os.getloadavg()[0]
            out["servers"][name] = {"ready_s": s.ready_s, "idle_after_s": idle_s, "warmed": health.get("warmed"),
                                    "load_1min": round(load, 2), "pages": first_requests(s, paths)}
        finally:
            s.stop()
    return out


def summary(r: dict) -> list[str]:
    names = list(r["servers"])
    lines = ["", "### First request of each page right after start (HTTP, one at a time; then its second request)", "",
             "| page | " + " | ".join(f"{n}: first ms | {n}: second ms" for n in names) + " | "
             + (f"{names[-1]} / {names[0]} (first)" if len(names) == 2 else "") + " |",
             "|---|" + "---:|---:|" * len(names) + ("---:|" if len(names) == 2 else "|")]
    for path in r["paths"]:
        cells = []
        for n in names:
            x = r["servers"][n]["pages"][path]
            cells += [f"{x['first_ms']} ({x['status']}, {x['bytes']:,} B)", str(x["second_ms"])]
        ratio = ""
        if len(names) == 2:
            a, b = (r["servers"][n]["pages"][path]["first_ms"] for n in names)
            ratio = f"{b / a:.2f}×" if a else "–"
        lines.append(f"| `{path}` | " + " | ".join(cells) + f" | {ratio} |")
    for n in names:
        s = r["servers"][n]
        lines.append(f"\n{n}: ready in {s['ready_s']} s, idle {s['idle_after_s']} s later (warmed: {s['warmed']}), "
                     f"load average {s['load_1min']} when measured")
    return lines
