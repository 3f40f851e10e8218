"""Pages asked for once before they are measured, and a paged page's deepest page (issue 21, render once).

Why: ``kg serve`` renders a page on its first request and then answers it
from a cache keyed by release (``kg.web.render_once``), so a benchmark of
pages measures either a cold server (every page rendered) or a warm one
(every page a cache hit); ``benchmarks.read_path --warm`` reports the warm
one after this has asked for each page, and keeps each page's size — the
"every page ≤ 200 KB" bound, checked on every page drawn, the hubs' deepest
pages included.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from benchmarks import servers

HTML = "text/html"


def last_page(url: str) -> str | None:
    """The path of a paged page's ``rel="last"`` (its deepest page), if it has one."""
    try:
        links = httpx.get(url, headers={"Accept": HTML}, timeout=120).links
    except httpx.HTTPError:
        return None
    last = links.get("last", {}).get("url")
    return urlsplit(last)._replace(scheme="", netloc="").geturl() if last else None


def warm(s: servers.Server, paths: list[str], threads: int = 4) -> dict:
    """Every page asked for once (``threads`` at a time) before the page phases,
    so they measure a server whose render-once cache holds them; each page's
    bytes and status are kept: the size bound checked on every page drawn."""
    def one(path: str) -> tuple[str, int, int, float]:
        t = time.perf_counter()
        r = httpx.get(s.url + path, headers={"Accept": HTML}, timeout=120)
        return path, r.status_code, len(r.content), time.perf_counter() - t

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        got = list(pool.map(one, paths))
    sizes = sorted(b for _, _, b, _ in got)
    biggest = max(got, key=lambda g: g[2])
    return {"pages": len(got), "seconds": round(time.perf_counter() - t0, 1), "threads": threads,
            "statuses": {str(c): sum(1 for g in got if g[1] == c) for c in sorted({g[1] for g in got})},
            "max_bytes": biggest[2], "max_path": biggest[0], "p99_bytes": sizes[int(0.99 * (len(sizes) - 1))],
            "median_bytes": sizes[len(sizes) // 2], "over_200kb": [g[0] for g in got if g[2] > 200_000],
            "median_cold_ms": round(statistics.median(g[3] for g in got) * 1000, 1)}
