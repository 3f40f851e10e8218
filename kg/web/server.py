"""``kg serve``: load the current release (building it if absent) and run uvicorn (or Granian: ``kg.web.granian_serve``)."""

from __future__ import annotations

import uvicorn

from kg.config import Settings
from kg.errors import ReleaseNotFound
from kg.release.directory import Release, open_release
from kg.store.base import Store
from kg.store.embedded import embedded_files
from kg.store.executor import QueryExecutor
from kg.web.context import current


def current_release(settings: Settings) -> Release:
    """The release to serve: the current one, built first if there is none or
    if it was built under another base IRI than the one asked for."""
    try:
        release = open_release(settings.current_release)
        if release.base_iri == settings.base_iri:
            return release
    except ReleaseNotFound:
        pass
    from kg.release.build import build  # the only place serving touches the pipeline: first start

    build(settings)
    return open_release(settings.current_release)


def make_store(settings: Settings, release: Release) -> Store:
    """The embedded store behind the query executor (worker processes, limits),
    or, with ``store_url``, the remote SPARQL endpoint behind the same executor
    (threads: the data lives elsewhere; see ``kg.store.remote``)."""
    if settings.store_url:
        from kg.store.remote import for_release

        remote = for_release(settings.store_url, release.base_iri, timeout=settings.query_timeout + 5)
        return QueryExecutor.for_store(remote, settings)
    return QueryExecutor.for_files(embedded_files(release), settings)


def build_app(settings: Settings):  # type: ignore[no-untyped-def]
    from kg.web import reload
    from kg.web.app import create_app

    release = current_release(settings)
    app = create_app(settings, make_store(settings, release), release)
    reload.watch(app, settings, make_store)  # switch when var/current points at a new release
    return app


def serve(settings: Settings) -> int:
    """uvicorn's ``kg serve`` (``kg.cli`` picks ``kg.web.granian_serve.serve`` for ``--server granian``)."""
    import signal

    app = build_app(settings)
    signal.signal(signal.SIGHUP, lambda *_: app.kg_watcher.poke())  # kill -HUP: check for a new release now
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True,
                    access_log=settings.access_log)
    finally:
        current(app).store.close()  # stop the query worker processes
    return 0
