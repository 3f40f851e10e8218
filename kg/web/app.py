"""``create_app``: the FastAPI application, built from its settings and store.

No module-level app or graph: each test builds its own. Domain errors are
answered here, once, with the status their class carries (``kg.errors``);
anything else stays a 500. One responder (``kg.web.render.error_response``)
answers every error as a page, JSON or text by Accept.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from kg import __version__
from kg.config import Settings
from kg.errors import KGError, NotAcceptable
from kg.release.directory import Release
from kg.store.base import Store
from kg.web.context import ReleaseContext, make_current
from kg.web.render import error_response


def create_app(settings: Settings, store: Store, release: Release) -> FastAPI:
    app = FastAPI(
        title="Qatar–NATO knowledge graph",
        version=__version__,
        description="Linked data and a SPARQL 1.1 endpoint over hand-curated facts from Arabic news articles.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    make_current(app, ReleaseContext(settings, store, release))  # typed, one per release (kg.web.context)

    @app.exception_handler(KGError)
    async def _kg_error(request: Request, exc: KGError) -> Response:
        status = exc.http_status
        headers = {}
        if status == 503:
            headers["Retry-After"] = "5"
        if isinstance(exc, NotAcceptable):
            headers["Link"] = ", ".join(f'<>; rel="alternate"; type="{t}"' for t in exc.offered)
        return error_response(request, status, str(exc), headers=headers)

    # --- routers (each module owns one concern) ---------------------------------
    from kg.web import health

    app.include_router(health.router)
    # [routers] keep one include per line: sparql, resources, dumps, void, pages
    from kg.web import render_once
    render_once.install(app, settings)  # answers kept per release, strong ETags; inside CORS and the pinning
    from kg.web import sparql
    sparql.install(app)  # /sparql router, CORS (any origin, no credentials), result cache
    from kg.web import crawl, dataset, documents, dumps, memento, pages, releases, resources
    memento.install(app)  # /id/… as its own Memento TimeGate, 410 for gone IRIs; before resources
    app.include_router(releases.router)  # /releases, /releases/<id>, immutable per-release dumps
    app.include_router(resources.router)  # /id/… → 303 → /doc/…, /graph/…
    app.include_router(documents.router)  # /ontology, /shapes
    app.include_router(dumps.router)  # /dumps/
    app.include_router(dataset.router)  # /.well-known/void, /dataset
    pages.install(app)  # /, /articles, /types/, /static/; the release summary, warmed per release
    app.include_router(crawl.router)  # /robots.txt, /sitemap.xml, /sitemaps/N.xml.gz
    pages.install_not_found(app)  # every 404 as a page or text, by Accept
    from kg.web import reconcile, search
    search.install(app)  # /search (HTML, JSON); the label index, built per release in the background
    reconcile.install(app)  # /reconcile: W3C Reconciliation API 0.2 (OpenRefine)
    from kg.web import openapi
    openapi.install(app)  # /api/openapi.json describes the negotiated routes by hand
    # [/routers]
    from kg.web import reload, security
    reload.install(app)  # each request pinned to one release; kg serve switches to a new build
    security.install(app, settings)  # security headers; 413 for oversized bodies (outermost)
    return app
