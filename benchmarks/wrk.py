"""Point lookups measured by ``wrk`` (C, epoll), beside the Python load generator.

Why: ``benchmarks.loadgen`` is asyncio + httpx on the same two cores as the
server under test; at 16 clients it spends as much CPU as a small server,
which compresses every ratio towards 1 and inflates p99. ``wrk`` issues the
same requests for a fraction of the CPU, so its numbers are closer to what a
separate client machine would see. Used for the two phases where the client
cost matters most: point lookups (cold: each request a fresh person and a
unique comment, so no cache answers) and the hello-world ceiling, at 1 and
16 connections.

    python -m benchmarks.wrk JSON-ARGS   # {"url":…, "articles":…, "base":…, "duration":…, "hello": bool}

Prints one JSON list of phases shaped like ``benchmarks.loadgen.Phase``.
Debian: ``apt-get install wrk``; absent → the runner records "skipped".
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

from benchmarks.loadgen import QUERY_DIR, SELECT_ACCEPT, parameters

_STOP_LUA = r"""
local answered = 0
response = function(status, headers, body)
  answered = answered + 1
  if answered >= %d then wrk.thread:stop() end
end
"""
"""With ``max_requests`` (the quick modes, which check the harness and report no numbers):
each wrk thread stops sending after that many answers, so the server under test idles
for the rest of the (whole-second) phase instead of burning a core. Defining
``response`` makes wrk parse every answer, so real runs leave it out."""


def _stop(max_requests: int | None) -> str:
    return _STOP_LUA % max_requests if max_requests else ""

# Lua: pick a random path from a table, count non-2xx/3xx, report percentiles as JSON.
_LUA = r"""
local paths = {%(paths)s}
local n = #paths
local counter = 0
math.randomseed(7)
request = function()
  counter = counter + 1
  local p = paths[math.random(n)]
  if %(cold)s then p = p .. "%%0A%%23%%20cold%%20" .. counter .. "-" .. math.random(1000000000) end
  return wrk.format("GET", p, {["Accept"] = "%(accept)s", ["Accept-Encoding"] = "%(encoding)s"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non2xx": %%d, "socket_errors": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def _paths(url: str, n_articles: int, base: str, hello: bool) -> list[str]:
    split = urlsplit(url)
    path = split.path or "/"
    if hello:
        return [path + (("?" + split.query) if split.query else "")]
    template = (QUERY_DIR / "point.rq").read_text(encoding="utf-8")
    joiner = "&" if split.query else "?"
    prefix = path + (("?" + split.query) if split.query else "")
    people = parameters(n_articles, base)["PERSON"][:2000]
    return [prefix + joiner + "query=" + quote(template.replace("$PERSON", p), safe="") for p in people]


def run(url: str, *, n_articles: int = 0, base: str = "", duration: float = 4.0, hello: bool = False,
        max_requests: int | None = None) -> list[dict]:
    paths = _paths(url, n_articles, base, hello)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "point.lua"
        script.write_text(_LUA % {
            "paths": ",".join(json.dumps(p) for p in paths),
            "cold": "false" if hello else "true",
            "accept": SELECT_ACCEPT,
            "encoding": "identity",  # as the Python load generator asks: ratios stay like for like
        } + _stop(max_requests))
        split = urlsplit(url)
        root = f"{split.scheme}://{split.netloc}/"
        for clients in (1, 16):
            r = subprocess.run(["wrk", "-t", "1" if clients == 1 else "2", "-c", str(clients), "-d", f"{max(1, round(duration))}s",
                                "--timeout", "30s", "-s", str(script), root],
                               capture_output=True, text=True, timeout=max(1, round(duration)) + 60)
            m = re.search(r"WRKJSON (\{.*\})", r.stdout)
            name = f"{'hello' if hello else 'point'}-c{clients}-wrk"
            if r.returncode != 0 or not m:
                out.append({"name": name, "error": (r.stderr or r.stdout)[-300:]})
                continue
            d = json.loads(m.group(1))
            seconds = d["duration_us"] / 1e6
            errors = d["non2xx"] + d["socket_errors"]
            out.append({"name": name, "requests": d["requests"], "errors": errors, "seconds": round(seconds, 3),
                        "throughput": round((d["requests"] - errors) / seconds, 2) if seconds else 0.0,
                        "p50_ms": round(d["p50_us"] / 1000, 2), "p99_ms": round(d["p99_us"] / 1000, 2)})
    return out


_PATHS_LUA = r"""
local paths = {%(paths)s}
local n = #paths
local counter = 0
local nonce = %(nonce)s
math.randomseed(%(seed)d)
request = function()
  counter = counter + 1
  local p = paths[math.random(n)]
  if nonce then p = p .. "%%0A%%23%%20cold%%20" .. counter .. "-" .. math.random(1000000000) end
  return wrk.format("GET", p, {["Accept"] = "%(accept)s", ["Accept-Encoding"] = "%(encoding)s"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non2xx": %%d, "socket_errors": %%d, "timeouts": %%d, "bytes": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout, e.timeout, summary.bytes))
end
"""


def run_paths(root: str, paths: list[str], *, name: str, clients: int, duration: float, accept: str = "*/*",
              nonce: bool = False, seed: int = 7, timeout: float = 30.0, encoding: str = "identity",
              max_requests: int | None = None) -> dict:
    """One ``wrk`` phase: ``clients`` connections for ``duration`` seconds, each request a
    random path of ``paths`` (with ``nonce``: a unique SPARQL comment appended, so no
    cache answers it). ``encoding`` is sent as Accept-Encoding (identity, as wrk
    sends none, unless a phase measures gzip). ``throughput`` counts 2xx/3xx
    answers only; ``refused`` is the share of other statuses (503 from an
    overloaded endpoint). ``max_requests``: each thread stops after that many answers
    (``_STOP_LUA``; the quick modes)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(_PATHS_LUA % {"paths": ",".join(json.dumps(p) for p in paths), "nonce": "true" if nonce else "false",
                                        "seed": seed, "accept": accept, "encoding": encoding} + _stop(max_requests))
        seconds = max(1, round(duration))
        r = subprocess.run(["wrk", "-t", "1" if clients == 1 else "2", "-c", str(clients), "-d", f"{seconds}s",
                            "--timeout", f"{timeout:g}s", "-s", str(script), root],
                           capture_output=True, text=True, timeout=seconds + timeout + 60)
    m = re.search(r"WRKJSON (\{.*\})", r.stdout)
    if r.returncode != 0 or not m:
        return {"name": name, "clients": clients, "error": (r.stderr or r.stdout)[-300:]}
    d = json.loads(m.group(1))
    secs = d["duration_us"] / 1e6
    ok = d["requests"] - d["non2xx"] - d["socket_errors"]
    return {"name": name, "clients": clients, "paths": len(set(paths)), "requests": d["requests"], "ok": ok,
            "non2xx": d["non2xx"], "socket_errors": d["socket_errors"], "timeouts": d["timeouts"],
            "refused": round(d["non2xx"] / d["requests"], 4) if d["requests"] else None,
            "seconds": round(secs, 3), "throughput": round(ok / secs, 2) if secs else 0.0,
            "p50_ms": round(d["p50_us"] / 1000, 2), "p99_ms": round(d["p99_us"] / 1000, 2),
            "bytes_per_request": round(d["bytes"] / d["requests"]) if d["requests"] else None}


def main(argv: list[str]) -> int:
    a = json.loads(argv[0])
    print(json.dumps(run(a["url"], n_articles=a.get("articles", 0), base=a.get("base", ""),
                         duration=a.get("duration", 4.0), hello=a.get("hello", False),
                         max_requests=a.get("max_requests") if a.get("quick") else None)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
