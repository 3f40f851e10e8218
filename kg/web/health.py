"""``/health``: liveness, which release is served, and the query queue (for proxies, monitors and tests)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from kg.web.context import context

router = APIRouter()


@router.get("/health", include_in_schema=False)
async def health(request: Request) -> dict:
    release = context(request).release
    body = {"status": "ok", "release": release.id, "triples": release.meta.get("triples"),
            "warmed": context(request).warmed.is_set()}  # the release's warm-up has ended (kg.web.warm)
    executor = _executor(request)
    if executor is not None:  # slots in use and queries waiting: what a load balancer needs to shed load early
        body["queries"] = asdict(executor.depth)
    return body


def _executor(request: Request):  # type: ignore[no-untyped-def]
    """The executor ``/sparql`` admits through, if one exists yet (never made here)."""
    from kg.store.executor import QueryExecutor

    ctx = context(request)
    if isinstance(ctx.store, QueryExecutor):
        return ctx.store
    return ctx.sparql_executor
