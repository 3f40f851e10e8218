"""A date the curator marked approximate (``approximate: true``, ``qn:approximate``)
is never shown as a firm date: the event's card, its fact's sentence, the
home page's timeline and the events list of a participant all say "about …"
("نحو …"), over a real server, on a copy of the test corpus where one event's
date is made approximate."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from live import serve_settings

from kg.config import Settings

A = "000_35b9f4be7a1e8528.yaml"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    from conftest import SEEDS

    seeds = tmp_path_factory.mktemp("approx") / "seeds"
    shutil.copytree(SEEDS, seeds)
    path = seeds / A
    text = path.read_text(encoding="utf-8")
    old = "    event: event/nato-gulf-security-2014\n    date: 2014-12\n"
    assert old in text
    path.write_text(text.replace(old, "    event: event/nato-gulf-security-2014\n    date: 2014\n    approximate: true\n"), encoding="utf-8")
    with serve_settings(Settings(var_dir=seeds.parent / "var", seeds_dir=seeds)) as base:
        yield base


def visible(url: str, lang: str) -> str:
    r = httpx.get(f"{url}{'&' if '?' in url else '?'}lang={lang}", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200, r.status_code
    main = r.text.split("<main>", 1)[1].split('<details class="raw"', 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.mark.parametrize("lang, about", [("en", "about 2014"), ("ar", "نحو 2014")])
@pytest.mark.parametrize("path", ["/doc/event/nato-gulf-security-2014", "/", "/doc/state/qat"])
def test_an_approximate_date_says_so(url: str, path: str, lang: str, about: str) -> None:
    text = visible(url + path, lang)
    assert about in text, text[:2000]
    bare = [text[max(0, m.start() - 80):m.end() + 20] for m in re.finditer(r"(?<![-/\w])2014\b", text.replace(about, ""))]
    assert not bare, f"2014 shown as a firm date: {bare}"


def test_a_firm_date_is_not_called_approximate(url: str) -> None:
    text = visible(url + "/doc/event/ici-cg-3", "en")
    assert "November 2016" in text and "about November 2016" not in text
