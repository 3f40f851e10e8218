"""The ``/dataset`` page does not grow with the release history (issue 21).

The dataset description names every release with its distributions; listed
in full on the page that was ≈ 37 KB more per release at 10 000 articles. The
page describes the newest ``DATASET_RELEASES`` and links ``/releases`` for
the rest; the RDF documents keep every version (docs/linked-data.md, "The
dataset description"). Real releases of the test corpus (one label changed
between builds, so each is a new release), the real app, in process.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import SEEDS
from history_fixtures import BASE, edit, quiet

from kg.config import Settings
from kg.release.build import build
from kg.web.context import current
from kg.web.dataset import DATASET_RELEASES
from kg.web.export_crawl import SyncASGI
from kg.web.server import build_app

DUMP = re.compile(r"/releases/([0-9a-f]+)/dumps/")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def dataset_page(settings: Settings, suffix: str = "", accept: str = "text/html") -> httpx.Response:
    app = build_app(settings.with_(response_cache_bytes=0))
    try:
        with SyncASGI(httpx.ASGITransport(app=app)) as client:
            r = client.get("/dataset" + suffix, headers={"Accept": accept})
            assert r.status_code == 200, r.text
            return r
    finally:
        current(app).close()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[str]]:
    """``DATASET_RELEASES + 1`` releases; the next one is built by the test."""
    root = tmp_path_factory.mktemp("dataset-page")
    shutil.copytree(SEEDS, root / "seeds")
    settings = Settings(seeds_dir=root / "seeds", var_dir=root / "var", base_iri=BASE)
    ids = [build(settings, progress=quiet).id]
    for n in range(1, DATASET_RELEASES + 1):
        time.sleep(1.1)  # publication times are to the second
        old = "Qatar" if n == 1 else f"Qatar {n - 1}"
        edit(root / "seeds" / "entities.yaml", f"    label: {{en: {old}, ar: قطر}}", f"    label: {{en: Qatar {n}, ar: قطر}}")
        ids.append(build(settings, progress=quiet).id)
    assert len(set(ids)) == len(ids)
    return settings, ids


def test_the_page_describes_the_newest_releases_and_links_the_rest(history: tuple[Settings, list[str]]) -> None:
    settings, ids = history
    page = dataset_page(settings)
    shown = set(DUMP.findall(page.text))
    assert shown == set(ids[-DATASET_RELEASES:])  # the newest five, with their distributions
    assert page.text.count("<code dir=\"ltr\">dcat:hasVersion</code>") == DATASET_RELEASES
    assert re.search(r'<p class="more" id="releases">[^<]*<a href="/releases">', page.text)
    assert f"{DATASET_RELEASES} newest of {len(ids)} releases" in page.text


def test_the_rdf_documents_keep_every_version(history: tuple[Settings, list[str]]) -> None:
    settings, ids = history
    g = rdflib.Graph().parse(data=dataset_page(settings, ".ttl", "text/turtle").text, format="turtle")
    versions = {str(o) for o in g.objects(rdflib.URIRef(BASE + "dataset"), DCAT.hasVersion)}
    assert versions == {f"{BASE}releases/{i}" for i in ids}


def test_its_size_does_not_grow_with_more_releases(history: tuple[Settings, list[str]]) -> None:
    settings, ids = history
    before = dataset_page(settings)
    n = len(ids)
    time.sleep(1.1)
    edit(Path(settings.seeds_dir) / "entities.yaml", f"    label: {{en: Qatar {n - 1}, ar: قطر}}", f"    label: {{en: Qatar {n}, ar: قطر}}")
    newest = build(settings, progress=quiet).id
    after = dataset_page(settings)
    assert set(DUMP.findall(after.text)) == {*ids[-DATASET_RELEASES + 1:], newest}
    # one more release, the same number described: the same size but for the counts and ids' text
    assert abs(len(after.content) - len(before.content)) < 200, (len(before.content), len(after.content))
