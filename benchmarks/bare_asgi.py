"""The least an ASGI application can do per request: the same bytes, every time.

    KG_BARE_FILE=page.html KG_BARE_HEADERS=headers.json python -m granian --interface asgi benchmarks.bare_asgi:app

``benchmarks/hit_ceiling.py --bare`` serves a kept page's bytes and headers
with it on Granian, beside ``kg serve`` and nginx: no routing, no middleware,
no lookup, so its rate is the ceiling of any Python ASGI application on that
server and machine, and ``kg serve``'s distance from it is what kg's own layers
cost (BENCHMARKS.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

BODY = Path(os.environ["KG_BARE_FILE"]).read_bytes()
HEADERS = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(Path(os.environ["KG_BARE_HEADERS"]).read_text())
           if k.lower() not in ("content-length", "content-encoding", "transfer-encoding", "connection", "date", "server")]
HEADERS.append((b"content-length", str(len(BODY)).encode("ascii")))
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
ANSWER = {"type": "http.response.body", "body": BODY}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":  # lifespan: nothing to start or stop
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
        return
    await send(START)
    await send(ANSWER)
