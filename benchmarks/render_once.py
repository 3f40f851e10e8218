"""Entity pages measured by ``wrk``: one page repeated, varied pages, and ``/robots.txt`` on the same server.

For issue 21 item 2 (render once per release): run it against ``kg serve``
before and after, and against nginx serving ``kg export-site``'s files, in
one session; it prints one JSON line per phase (req/s, p50, p99, non-2xx).

    python -m benchmarks.render_once URL VAR_DIR [--seconds 10] [--pages 2000] [--warm]

``VAR_DIR`` is the served release's var directory: the varied pages are the
first ``--pages`` pages its sitemaps list (every one a different entity,
article or fact page, ``Accept: text/html``). ``--warm`` asks each once
before measuring (render once: the measured run then sees a warm server).
Debian: ``apt-get install wrk``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
from pathlib import Path

import httpx

from kg.release.directory import open_release
from kg.web.export_site import resource_paths

_LUA = r"""
local paths = {%(paths)s}
local n = #paths
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(n)], {["Accept"] = "text/html", ["Accept-Language"] = "en"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non2xx": %%d, "socket_errors": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk(url: str, paths: list[str], seconds: int, name: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "pages.lua"
        script.write_text(_LUA % {"paths": ",".join(json.dumps(p) for p in paths)})
        r = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "-s", str(script), url],
                           capture_output=True, text=True, timeout=seconds + 120)
    m = re.search(r"WRKJSON (\{.*\})", r.stdout)
    if not m:
        return {"name": name, "error": (r.stderr or r.stdout)[-300:]}
    d = json.loads(m.group(1))
    s = d["duration_us"] / 1e6
    return {"name": name, "req_s": round(d["requests"] / s, 1), "p50_ms": round(d["p50_us"] / 1000, 2),
            "p99_ms": round(d["p99_us"] / 1000, 2), "non2xx": d["non2xx"] + d["socket_errors"], "requests": d["requests"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("var", type=Path)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--pages", type=int, default=2000)
    p.add_argument("--warm", action="store_true")
    p.add_argument("--only", choices=["robots", "repeated-page", "varied-pages"], action="append")
    a = p.parse_args(argv)
    release = open_release(a.var / "current")
    every = list(resource_paths(release))
    pages = every[:: max(1, len(every) // a.pages)][: a.pages]  # spread over every kind of page
    repeated = [d for d in pages if d.startswith("/doc/person/")][:1] or pages[:1]
    if a.warm:
        with httpx.Client(base_url=a.url, timeout=60, headers={"Accept": "text/html", "Accept-Language": "en"}) as c:
            for d in pages:
                c.get(d)
    for name, paths in (("robots", ["/robots.txt"]), ("repeated-page", repeated), ("varied-pages", pages)):
        if a.only and name not in a.only:
            continue
        print(json.dumps({**wrk(a.url, paths, a.seconds, name), "pages": len(paths), "warm": a.warm}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
