"""How many answers ``kg export-site`` asks the app for, per resource, deriving or asking for every variant.

    python -m benchmarks.export_asks --var /work/bench/var-1000 --seeds /work/bench/seeds-1000 /id/event/… /id/article/…

Counts the requests the crawl makes from each start (by the answer's media
type) and the files it writes, with ``derive`` off and on, in process. A
fresh ``Exporter`` per start: its first ``?lang=`` pages are asked (to learn
the switch's cookie), as at the start of a real export.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import httpx

from kg.config import from_environ
from kg.web.context import current
from kg.web.export_crawl import Exporter, SyncASGI
from kg.web.export_shards import Recorder
from kg.web.server import build_app


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, required=True)
    ap.add_argument("starts", nargs="+")
    args = ap.parse_args(argv)
    settings = from_environ(var_dir=args.var, seeds_dir=args.seeds)
    app = build_app(settings.with_(response_cache_bytes=0))
    try:
        with SyncASGI(httpx.ASGITransport(app=app)) as client:
            asked = client.aget_many
            for start in args.starts:
                for derive in (False, True):
                    kinds: collections.Counter[str] = collections.Counter()

                    async def counting(asks: list[tuple[str, str | None, str | None]],
                                       kinds: collections.Counter[str] = kinds) -> list[httpx.Response]:
                        answers = await asked(asks)
                        kinds.update(r.headers.get("content-type", "").split(";")[0] or "(none)" for r in answers)
                        return answers

                    client.aget_many = counting  # type: ignore[method-assign]
                    recorder = Recorder()
                    Exporter(client, recorder, derive=derive).crawl(iter([start]))
                    print(f"{start} {'derive' if derive else 'ask-all'}: files {len(recorder.records)}, "
                          f"asked {sum(kinds.values())} {dict(kinds)}", flush=True)
    finally:
        current(app).close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
