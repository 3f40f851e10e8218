"""The pages in a real headless browser (Debian's chromium + chromedriver):
Arabic renders right-to-left, links between pages work by clicking, a hostile
label shows as text, and a screenshot of an entity page is kept in
tests/artifacts/. Skips, saying why, when chromium or selenium is missing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ld_fixtures import HOSTILE, hostile_url, ld_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        reason = f"chromium not installed ({', '.join(missing)} missing): apt-get install -y chromium chromium-driver"
        print(reason)
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1600",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _direction(driver, element) -> str:  # type: ignore[no-untyped-def]
    return driver.execute_script("return getComputedStyle(arguments[0]).direction", element)


def test_arabic_renders_right_to_left_and_english_left_to_right(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/doc/state/qat?lang=en")
    ar = browser.find_element(By.CSS_SELECTOR, "h1 .label-ar")
    en = browser.find_element(By.CSS_SELECTOR, "h1 .label-en")
    assert ar.text == "قطر" and _direction(browser, ar) == "rtl"
    assert en.text == "Qatar" and _direction(browser, en) == "ltr"
    quotes = browser.find_elements(By.CSS_SELECTOR, "#facts blockquote.quote")
    assert quotes and all(_direction(browser, q) == "rtl" for q in quotes)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "entity-state-qat.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_arabic_chrome_flips_the_whole_page(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/doc/article/mofa-2019-03-13-qatar-nato?lang=ar")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "ar" and _direction(browser, html) == "rtl"
    seed = browser.find_element(By.CSS_SELECTOR, ".seed")
    assert _direction(browser, seed) == "rtl"
    assert browser.find_elements(By.CSS_SELECTOR, ".seed mark[id^='span-']")
    browser.save_screenshot(str(ARTIFACTS / "article-ar.png"))
    # the switch is remembered without script: the next page is Arabic too, until switched back
    browser.get(f"{ld_url}/doc/state/qat")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar"
    browser.find_element(By.ID, "lang-switch").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


def test_links_between_pages_work(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(ld_url + "/")
    browser.find_element(By.CSS_SELECTOR, "#articles a").click()
    assert "/doc/article/" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, ".seed")
    # from the article's list of spans to a fact page, and from there to an entity
    browser.find_element(By.CSS_SELECTOR, "#facts li a.fact-link").click()
    assert "/doc/fact/" in browser.current_url or "/doc/claim/" in browser.current_url
    link = browser.find_element(By.CSS_SELECTOR, "h1 a[href^='/doc/']")  # the fact's sentence names its entities
    target = link.get_attribute("href")
    link.click()
    assert browser.current_url == target
    assert browser.find_element(By.TAG_NAME, "h1").text
    # evidence links back to the article, at the span
    browser.get(f"{ld_url}/doc/state/qat")
    ev = browser.find_element(By.CSS_SELECTOR, "#facts .cite a[href*='#span-']")
    href = ev.get_attribute("href")
    ev.click()
    assert browser.current_url == href
    anchor = href.split("#", 1)[1]
    assert browser.find_element(By.ID, anchor).tag_name in ("mark", "span")


def test_hostile_label_shows_as_text(browser, hostile_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{hostile_url}/doc/state/qat?lang=en")
    assert browser.find_element(By.CSS_SELECTOR, "h1 .label-en").text == HOSTILE
    assert browser.find_elements(By.TAG_NAME, "script") == []
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018  (an alert would mean the script ran)


def _wait_for(browser, css: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_query_page_runs_an_example_and_offers_downloads(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    """The query page in a real browser: no CDN, an example loads into the
    editor, Run shows a results table, each download link answers its format."""
    import httpx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{ld_url}/sparql")
    assert browser.find_element(By.TAG_NAME, "h1").text == "SPARQL query"
    scripts = [s.get_attribute("src") for s in browser.find_elements(By.CSS_SELECTOR, "script[src], link[href]")]
    assert all(not s or s.startswith(ld_url) for s in scripts), scripts  # nothing from elsewhere
    browser.find_element(By.CSS_SELECTOR, "#examples a[data-slug='03-areas-in-both-articles']").click()
    WebDriverWait(browser, 20).until(lambda b: "example=" in b.current_url)
    editor = _wait_for(browser, "#query")
    assert "cooperationArea" in editor.get_attribute("value")
    browser.find_element(By.ID, "run").click()
    _wait_for(browser, "#results-table")  # a click does not wait for the navigation it starts
    rows = browser.find_elements(By.CSS_SELECTOR, "#results-table tbody tr")
    assert len(rows) == 7
    assert "Training" in browser.find_element(By.ID, "results-table").text
    browser.save_screenshot(str(ARTIFACTS / "sparql-query-page.png"))
    links = {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#results a[download]")}
    assert links
    for label, href in links.items():
        response = httpx.get(href, timeout=30)
        assert response.status_code == 200, (label, href)
        assert response.content


def test_query_page_shows_a_syntax_error_without_losing_the_query(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/sparql")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    error = _wait_for(browser, "#error")
    assert "1:" in error.text  # the parser's position
    assert browser.find_element(By.ID, "query").get_attribute("value") == "SELECT * WHERE { ?s ?p }"
