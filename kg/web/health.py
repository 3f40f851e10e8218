"""``/health``: liveness and which release is served (for proxies and tests)."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


@router.get("/health", include_in_schema=False)
async def health(request: Request) -> dict:
    release = request.app.state.release
    return {"status": "ok", "release": release.id, "triples": release.meta.get("triples")}
