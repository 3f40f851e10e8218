"""Issue 8, "done when": the suite that checks the embedded endpoint's protocol
behaviour (tests/test_sparql_protocol.py) run again, unchanged, against
``kg serve --store`` on a real Virtuoso.

Every test of that module is imported and re-run here with its ``server``
fixture replaced: our app fronting Virtuoso, into which the release (``kg
publish``) and the W3C protocol test graphs were loaded. One test is left
out on purpose: the competency questions, which
``test_virtuoso.test_competency_question_identical_through_kg_serve_store``
runs with the known differences listed (strict xfails with their cause).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live import serve
from sparql_fixtures import w3c_graphs
from test_sparql_protocol import *  # noqa: F403 - the suite re-run on Virtuoso
from test_virtuoso import published, virtuoso  # noqa: F401 - fixtures
from virtuoso_fixtures import DBA_PASSWORD, Virtuoso

from kg.config import Settings

pytestmark = pytest.mark.slow  # starts Virtuoso and loads a release into it

del test_competency_questions_same_over_http_as_in_process  # noqa: F821 - see the module docstring


@pytest.fixture(scope="module")
def server(published: Virtuoso, release_settings: Settings) -> Iterator[str]:  # replaces the embedded one
    for path, _media_type, graph in w3c_graphs():
        with open(path, "rb") as fh:
            r = httpx.put(
                published.gsp_auth, params={"graph": graph}, content=fh.read(),
                headers={"Content-Type": "application/n-triples"}, auth=httpx.DigestAuth("dba", DBA_PASSWORD), timeout=30,
            )
        assert r.is_success, r.text
    from kg.web.server import build_app

    app = build_app(release_settings.with_(store_url=published.sparql, query_timeout=20.0))
    try:
        with serve(app) as url:
            yield url
    finally:
        app.state.store.close()
