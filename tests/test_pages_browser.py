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
    scripts = [s.get_attribute("src") for s in browser.find_elements(By.CSS_SELECTOR, "script[src]")]
    assert scripts == [f"{hostile_url}/static/search.js"]  # the search box's only
    data = [s.get_attribute("type") for s in browser.find_elements(By.CSS_SELECTOR, "script:not([src])")]
    assert data == ["application/ld+json"]  # structured data, never executed
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


# -- phones, Arabic, and the reader's view (issue 16, items 3-4) ---------------------
PHONE = 390
PAGE_KINDS = [
    "/", "/?lang=ar", "/doc/state/qat", "/doc/state/qat?lang=ar", "/doc/person/jens-stoltenberg",
    "/doc/event/ici-cg-3", "/doc/event/ici-cg-3?lang=ar", "/doc/article/mofa-2019-03-13-qatar-nato",
    "/doc/article/zajel-2016-11-21-qatar-ici?lang=ar",
    "/doc/fact/mofa-2019-03-13-qatar-nato/stoltenberg-secretary-general",
    "/types/", "/types/qn:State", "/dumps/", "/ontology", "/shapes", "/graph/entities", "/no/such/page",
    "/sparql", "/sparql?lang=ar", "/sparql?example=07-posts-held",
    "/sparql?implicit-prefixes=1&query=SELECT+%3Fs+%3Fp+%3Fo+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+50",
    "/sparql?implicit-prefixes=1&query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%7D",
]


@pytest.fixture()
def phone(browser):  # type: ignore[no-untyped-def]
    """The browser at a phone's width (390 CSS px), back to desktop afterwards."""
    browser.set_window_size(PHONE, 900)
    try:
        yield browser
    finally:
        browser.set_window_size(1280, 1600)


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_no_horizontal_scrolling_at_390_px(phone, ld_url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """Every kind of page fits a 390 px phone, with its folded raw
    statements open too (checksums, file names and IRIs wrap or scroll in
    their own box, never the page)."""
    phone.get(ld_url + path)
    assert phone.execute_script("return window.innerWidth") == PHONE
    phone.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    width = phone.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE, f"{path} is {width} px wide at a {PHONE} px viewport"


def test_event_page_shows_each_quote_once(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/doc/event/ici-cg-3?lang=en")
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "blockquote.quote")]
    assert len(quotes) >= 2
    text = browser.find_element(By.TAG_NAME, "main").text
    for q in quotes:
        assert text.count(q) == 1, q


def test_qatar_lists_its_events_with_role_labels(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    for lang, host in (("en", "(host)"), ("ar", "(مضيف)")):
        browser.get(f"{ld_url}/doc/state/qat?lang={lang}")
        items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#events li")]
        assert len(items) >= 8 and any(host in i for i in items), items
        visible = browser.find_element(By.TAG_NAME, "main").text  # the raw statements stay folded
        assert "actor-" not in visible and "role-" not in visible and "role:" not in visible


def test_arabic_titles_are_arabic_first_and_the_interface_is_arabic(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    from kg.web.ui import PAGE_UI, UI

    english_only = {v for k, v in {**UI["en"], **PAGE_UI["en"]}.items()
                    if " " in v and "{" not in v and v != {**UI["ar"], **PAGE_UI["ar"]}.get(k)}
    for path, arabic_title in (("/doc/state/qat", "قطر"), ("/sparql", "استعلام SPARQL"), ("/", "الرئيسية")):
        browser.get(f"{ld_url}{path}?lang=ar")
        assert browser.title.lstrip("\u2068").startswith(arabic_title), browser.title
        visible = browser.find_element(By.TAG_NAME, "body").text
        leaks = sorted(s for s in english_only if s in visible)
        assert not leaks, f"{path}: English interface text on the Arabic page: {leaks}"
    browser.get(f"{ld_url}/doc/state/qat?lang=ar")
    first = browser.find_element(By.CSS_SELECTOR, "h1 > span")
    assert first.get_attribute("lang") == "ar" and first.text == "قطر"
    browser.get(f"{ld_url}/sparql?lang=ar")
    assert browser.find_element(By.ID, "run").text == "نفّذ الاستعلام"
    browser.get(f"{ld_url}/?lang=en")  # leave the cookie on English for the other tests


def test_footnote_markers_do_not_run_together(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    import re

    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/doc/article/mofa-2019-03-13-qatar-nato?lang=en")
    groups = browser.find_elements(By.CSS_SELECTOR, ".seed sup.refs")
    texts = [g.text for g in groups]
    assert texts and all(re.fullmatch(r"\[\d+(، \d+)*\]", t) for t in texts), texts
    several = [g for g in groups if len(g.find_elements(By.TAG_NAME, "a")) > 1]
    assert several
    links = several[0].find_elements(By.TAG_NAME, "a")
    a, b = links[0].rect, links[1].rect  # laid out apart, not touching
    assert abs(a["x"] - b["x"]) > max(a["width"], b["width"])


def test_mixed_direction_labels_are_isolated(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/doc/state/qat?lang=ar")
    names = browser.find_elements(By.CSS_SELECTOR, "#facts p.sentence a, #events li a")
    assert names
    for a in names[:40]:
        bdi = a.find_element(By.TAG_NAME, "bdi")
        assert browser.execute_script("return getComputedStyle(arguments[0]).unicodeBidi", bdi) == "isolate"
    for span in browser.find_elements(By.CSS_SELECTOR, "h1 span[lang]"):
        assert browser.execute_script("return getComputedStyle(arguments[0]).unicodeBidi", span) == "isolate"
    browser.get(f"{ld_url}/?lang=en")


def test_query_page_shows_the_query_and_tables_keep_words_whole(phone, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    phone.get(f"{ld_url}/sparql?example=07-posts-held&lang=en")
    editor = phone.find_element(By.ID, "query").get_attribute("value")
    assert "PREFIX" not in editor and "qn:PostHolding" in editor
    phone.find_element(By.ID, "run").click()
    table = _wait_for(phone, "#results-table")
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 6  # posts held in articles A, B and C
    for td in table.find_elements(By.CSS_SELECTOR, "td")[:10]:
        style = phone.execute_script("const s = getComputedStyle(arguments[0]); return [s.overflowWrap, s.wordBreak]", td)
        assert style == ["normal", "normal"], style
    # a word is never cut: each cell's text is as wide as its widest word, at least
    narrow = phone.execute_script("""
        return [...arguments[0].querySelectorAll('td')].filter(td => {
          const r = document.createRange(); r.selectNodeContents(td);
          return r.getClientRects().length > 0 && td.scrollWidth > td.clientWidth + 1; }).length""", table)
    assert narrow == 0
    assert phone.execute_script("return document.documentElement.scrollWidth") <= PHONE


def test_a_newcomer_reads_what_the_dataset_says_about_qatar_from_the_home_page(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    """No SPARQL, no IRIs: home → Qatar (a main entity) → sentences with quotes."""
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/?lang=en")
    browser.find_element(By.CSS_SELECTOR, "#main-entities a[href='/doc/state/qat']").click()
    assert browser.current_url.endswith("/doc/state/qat")
    sentences = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "#facts p.sentence")]
    assert any("Qatar is a member of Istanbul Cooperation Initiative" in s for s in sentences)
    assert not any("https://" in s or "qn:" in s for s in sentences)
    browser.save_screenshot(str(ARTIFACTS / "entity-state-qat-reader.png"))
