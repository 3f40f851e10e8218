"""The CPU time of one kept hit in process: the app called directly, no server, no socket.

    python -m benchmarks.hit_cost --var VAR [--path /doc/state/qat] [--n 20000] [--profile]

Why: under a server, a kept page's rate is the server's cost plus this one;
``hit_ceiling.py --bare`` measures the first, this the second, and a change to
the layers a hit passes (release pinning, CORS, security headers, the kept
answer's lookup) can be compared before and after on any release, quickly.
Prints the process CPU time per hit (``time.process_time``: less moved by
other work on the machine than wall time); ``--profile`` adds a cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

from kg.config import Settings
from kg.web.context import current
from kg.web.server import build_app


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", type=Path, required=True)
    ap.add_argument("--path", default="/doc/state/qat")
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    app = build_app(Settings(var_dir=args.var, query_workers=1))
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html"), (b"user-agent", b"wrk")]
    sent: list[dict[str, Any]] = []

    def scope() -> dict[str, Any]:
        return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                "path": args.path, "raw_path": args.path.encode(), "query_string": b"", "root_path": "",
                "headers": headers, "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 8000)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run(n: int) -> None:
        for _ in range(n):
            sent.clear()
            await app(scope(), receive, send)

    async def measure() -> None:
        await run(3)  # the first asks render and keep it
        print(f"{args.path}: status {sent[0]['status']}, {len(sent[1]['body'])} bytes")
        t = time.process_time()
        await run(args.n)
        print(f"{(time.process_time() - t) / args.n * 1e6:.1f} µs of CPU per kept hit ({args.n} hits)")
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            await run(args.n)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)

    try:
        asyncio.run(measure())
    finally:
        current(app).store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
