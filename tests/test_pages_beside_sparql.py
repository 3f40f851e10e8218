"""A page's own queries do not wait for the SPARQL endpoint's slots.

The pages' queries (a description, its lists, one page's details) are bounded
by one IRI or one page's ``VALUES`` table, and run in-process on the
release's store (``kg.web.paging.list_store``), not through the query workers
that user SPARQL queues for. So a reader's first visit to a page is answered
while a runaway user query holds the only slot and the endpoint refuses the
next user query with 503 — the page does not wait for that query to be
stopped. A real uvicorn on loopback, the test corpus's release.
"""

from __future__ import annotations

import threading
import time

import httpx
from live import serve_settings

from kg.config import Settings

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://x/p>|!<http://x/p>)* ?b . ?c (<http://x/p>|!<http://x/p>)* ?d }"
"""Runs until the query timeout stops it (tests/test_abuse.py's path explosion)."""
TIMEOUT = 8.0
"""Long enough for three cold pages of the test corpus many times over (well under
a second each), short enough that the runaway query does not burn a core for long."""


def test_a_cold_page_is_answered_while_user_sparql_holds_every_slot(release_settings: Settings, release: object) -> None:
    settings = release_settings.with_(max_concurrent_queries=1, max_queued_queries=0, query_timeout=TIMEOUT, query_workers=1)
    with serve_settings(settings) as url:
        slow: list[httpx.Response] = []
        runner = threading.Thread(target=lambda: slow.append(
            httpx.get(f"{url}/sparql", params={"query": SLOW}, timeout=TIMEOUT + 30)))
        runner.start()
        deadline = time.monotonic() + 15
        while httpx.get(f"{url}/health", timeout=30).json()["queries"]["running"] < 1:  # the slow query holds the slot
            assert time.monotonic() < deadline, "the slow query never started"
            time.sleep(0.05)
        refused = httpx.get(f"{url}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 1"}, timeout=30)
        assert refused.status_code == 503  # the endpoint is saturated
        for path in ("/doc/state/qat", "/doc/alliance/nato?lang=ar", "/types/qn:State"):  # first visits: cold
            page = httpx.get(url + path, headers={"Accept": "text/html"}, timeout=TIMEOUT + 30)
            assert page.status_code == 200, path
            assert runner.is_alive(), f"{path} was answered only after the slow query was stopped"
        runner.join(timeout=TIMEOUT + 30)
        assert slow and slow[0].status_code == 503  # stopped at the timeout, as before
