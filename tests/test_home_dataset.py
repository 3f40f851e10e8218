"""The home page's schema.org Dataset, made once per release and state of the history.

Merging void.ttl with the release history and picking the schema.org fields
from it was most of the home page's first render at 10 000 articles, so it is
made at the release's warm-up and kept (``kg.web.pages.dataset_jsonld_of``).
A prune changes the history without a new release: the kept script must then
be made again, not served stale. Two real releases of the test corpus
(``history_fixtures``), the real app, the real ``kg prune``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS
from history_fixtures import BASE, build_two

from kg.cli import main
from kg.web import structured
from kg.web.context import current
from kg.web.dataset import description_of
from kg.web.export_crawl import SyncASGI
from kg.web.pages import dataset_jsonld_of
from kg.web.server import build_app

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def fresh(ctx) -> str:  # type: ignore[no-untyped-def]
    """The script made from scratch, as every render made it before it was kept."""
    return structured.script(structured.dataset(description_of(ctx), BASE + "dataset"))


def test_made_once_at_warm_up_and_again_after_a_prune(tmp_path: Path) -> None:
    two = build_two(tmp_path / "history", SEEDS)
    var = tmp_path / "var"
    shutil.copytree(two.settings.var_dir, var, symlinks=True)
    app = build_app(two.settings.with_(var_dir=var, response_cache_bytes=0))
    ctx = current(app)
    try:
        with SyncASGI(httpx.ASGITransport(app=app)) as client:
            page = client.get("/", headers={"Accept": "text/html"})
            assert page.status_code == 200
            kept = ctx.home_dataset
            assert kept is not None  # made by the warm-up or the first render, and kept
            assert kept[1] == fresh(ctx)
            assert kept[1] in page.text
            assert dataset_jsonld_of(ctx) is kept[1]  # not made again while the history is the same
            (shown,) = SCRIPT.findall(page.text)
            data = json.loads(shown)
            assert shown == kept[1] and data["@id"] == BASE + "dataset" and data["@type"] == "Dataset"

            assert main(["--var", str(var), "prune", "--keep", "1"]) == 0
            after = dataset_jsonld_of(ctx)
            assert ctx.home_dataset is not None and ctx.home_dataset[0] != kept[0]  # the history changed: made again
            assert after == fresh(ctx)
            assert client.get("/", headers={"Accept": "text/html"}).text.count(after) == 1
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_home_page_carries_the_kept_script(tmp_path: Path, lang: str, release_settings) -> None:  # type: ignore[no-untyped-def]
    app = build_app(release_settings.with_(response_cache_bytes=0))
    ctx = current(app)
    try:
        with SyncASGI(httpx.ASGITransport(app=app)) as client:
            page = client.get(f"/?lang={lang}")
        assert page.status_code == 200 and fresh(ctx) in page.text
    finally:
        ctx.close()
