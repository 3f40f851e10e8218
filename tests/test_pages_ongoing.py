"""An ongoing event (``began:`` and ``as_of:``, ``sem:hasBeginTimeStamp`` and
``qn:asOf``) is shown as ongoing: since when, and as of when it was known to
go on, never as a thing that happened on its beginning date. Over a real
server on the shipped seeds, where the blockade of Qatar began about 2017 and
was ongoing on 13 March 2019 (issue 22)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from live import serve_settings

from kg.config import Settings


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    from conftest import SHIPPED_SEEDS

    seeds = tmp_path_factory.mktemp("ongoing") / "seeds"
    shutil.copytree(SHIPPED_SEEDS, seeds)
    with serve_settings(Settings(var_dir=seeds.parent / "var", seeds_dir=seeds)) as base:
        yield base


def visible(url: str, lang: str) -> str:
    r = httpx.get(f"{url}?lang={lang}", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200, r.status_code
    main = r.text.split("<main>", 1)[1].split('<details class="raw"', 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.mark.parametrize("lang, phrase", [
    ("en", "since about 2017, ongoing as of 13 March 2019"),
    ("ar", "منذ نحو 2017، وحتى 13 مارس 2019 على الأقل"),
])
def test_the_blockades_fact_says_it_is_ongoing(url: str, lang: str, phrase: str) -> None:
    text = visible(url + "/doc/event/qatar-blockade", lang)
    assert phrase in text, text[:3000]


@pytest.mark.parametrize("lang, since", [("en", "since about 2017"), ("ar", "منذ نحو 2017")])
@pytest.mark.parametrize("path", ["/", "/doc/state/qat"])
def test_timeline_and_events_list_say_since(url: str, path: str, lang: str, since: str) -> None:
    text = visible(url + path, lang)
    assert since in text, text[:3000]
    bare = [text[max(0, m.start() - 60):m.end() + 20] for m in re.finditer(r"(?<![-/\w])2017\b", text.replace(since, ""))]
    assert not bare, f"2017 shown as the blockade's date, not its beginning: {bare}"


def test_the_mediation_is_ongoing_as_of_the_article(url: str) -> None:
    assert "ongoing as of 13 March 2019" in visible(url + "/doc/event/us-taliban-mediation", "en")
