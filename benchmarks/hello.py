"""The ceiling: a FastAPI hello-world on uvicorn, the same HTTP stack ``kg serve`` uses.

A point lookup cannot be served faster than this answers a constant body;
``run.py`` reports ours / this ratio.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def hello() -> Response:
        return Response(b'{"head":{"vars":[]},"results":{"bindings":[]}}', media_type="application/sparql-results+json")

    return app
