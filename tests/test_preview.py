"""kg preview (issue 14 item 6) on a real uvicorn server: the article with
its quotes highlighted and linked to their facts, every problem inline
(file:line:column), still rendered while the files do not validate, and a
reload when a file is saved (in headless Chromium, when installed)."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from live import get, serve

from kg.curation.loader import load_corpus
from kg.curation.preview import create_app

A = "000_35b9f4be7a1e8528.yaml"
B = "001_8ef1d1eb9683969b.yaml"


class Marks(HTMLParser):
    """The text inside <mark>, the ids present, and the classes of elements by id."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.marked, self.ids, self.classes = 0, "", set(), {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
            self.classes[a["id"]] = a.get("class") or ""
        if a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "mark":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marked += data


def parse(html: str) -> Marks:
    m = Marks()
    m.feed(html)
    return m


@pytest.fixture
def preview(seeds_copy: Path) -> Iterator[str]:
    with serve(create_app(seeds_copy)) as url:
        yield url


def test_quotes_are_highlighted_and_linked_both_ways(preview: str, seeds_copy: Path) -> None:
    r = get(f"{preview}/article/{A}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"] and "default-src 'none'" in r.headers["content-security-policy"]
    page = parse(r.text)
    art = next(a for a in load_corpus(seeds_copy).articles if a.path.name == A)
    for ident, n in art.spans:
        assert f"q-{ident}-{n + 1}" in page.ids  # the quote's place in the text
        assert f"#q-{ident}-{n + 1}" in page.hrefs  # the fact links to it
        assert f"item-{ident}" in page.ids and f"#item-{ident}" in page.hrefs  # and the text links back
    covered = {i for s in art.spans.values() for i in range(s.start, s.end)}
    assert len(page.marked) == len(covered)  # exactly the quoted characters are highlighted
    assert "No problems in this article" in r.text


def test_every_problem_is_shown_inline_while_validation_fails(preview: str, seeds_copy: Path) -> None:
    path = seeds_copy / A
    text = path.read_text(encoding="utf-8")
    text = text.replace("since: 2005-02", "since: 2005-13", 1)
    text = text.replace("person: person/ahmed-al-hammadi", "person: person/ahmed-al-hamadi", 1)
    text = text.replace("quote: ظلت تعمل على تطوير", "quote: ظلت تعمل على تطويرر", 1)
    path.write_text(text, encoding="utf-8")
    (seeds_copy / B).write_text((seeds_copy / B).read_text(encoding="utf-8").replace("kind: holds_post", "kind: nope", 1), encoding="utf-8")
    r = get(f"{preview}/article/{A}")
    assert r.status_code == 200
    assert "3 problem(s) in this article" in r.text and "1 problem(s) in other files" in r.text
    found = re.findall(rf"<code>{re.escape(A)}:(\d+):(\d+)</code>", r.text)
    assert len(found) == 3
    page = parse(r.text)
    lines = text.splitlines()
    for line, col in found:
        assert "has-problem" in page.classes[f"line-{line}"]  # the YAML line, marked where it is
        assert len(lines[int(line) - 1]) >= int(col) - 1
    for ident in ("hammadi-secretary-general", "qatar-joins-ici", "qatar-nato-cooperation"):
        assert "has-problem" in page.classes.get(f"item-{ident}", ""), ident
    assert "did you mean &#39;person/ahmed-al-hammadi&#39;" in r.text
    assert "(not located)" in r.text  # the quote that is not in the text


def test_an_unparsable_file_still_previews_its_source_and_problem(preview: str, seeds_copy: Path) -> None:
    (seeds_copy / A).write_text("article:\n  id: x\n  title: [unclosed\n", encoding="utf-8")
    r = get(f"{preview}/article/{A}")
    assert r.status_code == 200 and "1 problem(s) in this article" in r.text
    assert re.search(rf"<code>{re.escape(A)}:\d+:\d+</code>", r.text)
    assert 'id="line-3"' in r.text


def test_the_digest_changes_when_a_file_is_saved(preview: str, seeds_copy: Path) -> None:
    before = get(f"{preview}/digest").json()["digest"]
    assert get(f"{preview}/digest").json()["digest"] == before
    path = seeds_copy / A
    path.write_text(path.read_text(encoding="utf-8") + "\n# saved\n", encoding="utf-8")
    assert get(f"{preview}/digest").json()["digest"] != before


def test_only_article_files_are_served(preview: str) -> None:
    assert get(f"{preview}/article/entities.yaml").status_code == 404
    assert get(f"{preview}/article/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert get(f"{preview}/static/..%2Fpreview.py").status_code == 404
    index = get(f"{preview}/")
    assert index.status_code == 200 and f'href="/article/{A}"' in index.text and f'href="/article/{B}"' in index.text


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def heading(driver) -> str:  # type: ignore[no-untyped-def]
    """The problems heading, read inside the page in one step: the page reloads itself on
    save, and an element handle held across that reload is gone (Chromium's "Node with given
    id does not belong to the document"), which is the page working, not failing."""
    return str(driver.execute_script("const h = document.querySelector('#problems h2'); return h ? h.textContent.trim() : '';"))


@pytest.mark.browser
def test_the_page_refreshes_on_save_in_a_browser(preview: str, seeds_copy: Path) -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.skip(f"chromium not installed ({', '.join(missing)} missing): apt-get install -y chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    profile = tempfile.mkdtemp(prefix="kg-preview-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,1600", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(f"{preview}/article/{A}")
        assert driver.find_element(By.CSS_SELECTOR, "#problems h2").text == "No problems in this article"
        marks = driver.find_elements(By.CSS_SELECTOR, "#seed mark")
        assert marks and driver.execute_script("return getComputedStyle(arguments[0]).direction", marks[0]) == "rtl"
        first = driver.find_element(By.CSS_SELECTOR, ".items .quotes a")
        target = first.get_attribute("href").split("#", 1)[1]
        first.click()
        assert driver.execute_script("return location.hash") == f"#{target}"
        # a curator saves a mistake: the open page shows it without being reloaded by hand
        path = seeds_copy / A
        path.write_text(path.read_text(encoding="utf-8").replace("since: 2005-02", "since: 2005-13", 1), encoding="utf-8")
        WebDriverWait(driver, 30).until(lambda d: "1 problem(s)" in heading(d))
        assert "month out of range" in driver.find_element(By.CSS_SELECTOR, "#problems").text
        assert driver.find_elements(By.CSS_SELECTOR, "#item-qatar-joins-ici.has-problem")
        # and the fix clears it again
        path.write_text(path.read_text(encoding="utf-8").replace("since: 2005-13", "since: 2005-02", 1), encoding="utf-8")
        WebDriverWait(driver, 30).until(lambda d: heading(d) == "No problems in this article")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
