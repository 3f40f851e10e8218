"""Readers' details over two releases, in a real headless browser (issue 23,
items 1, 2, 7 and 8): every page type fits a 390 px phone with several
releases, in both languages; the release pages are Arabic throughout with
dates as the site writes them; the changes page says what changed in each
thing and offers the RDF Patch; every page carries schema.org JSON-LD that a
JSON-LD processor reads and that agrees with the resource's own document."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from conftest import SEEDS
from history_fixtures import BASE, QATAR, REMOVED_FACT, TwoReleases, build_two
from live import serve_settings
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from test_pages_browser import ARTIFACTS, PAGE_KINDS, browser  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser
PHONE = 390
SCHEMA = "http://schema.org/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    two = build_two(tmp_path_factory.mktemp("readers-history"), SEEDS)
    with serve_settings(two.settings) as url:
        yield two, url


@pytest.fixture()
def phone(browser):  # type: ignore[no-untyped-def]
    browser.set_window_size(PHONE, 900)
    try:
        yield browser
    finally:
        browser.set_window_size(1280, 1600)


def release_pages(two: TwoReleases) -> list[str]:
    return ["/releases", "/releases?lang=ar", f"/releases/{two.second.id}", f"/releases/{two.second.id}?lang=ar",
            f"/releases/{two.first.id}?lang=ar", f"/releases/{two.second.id}/changes", f"/releases/{two.second.id}/changes?lang=ar",
            f"/releases/{two.first.id}/doc/state/qat", f"/releases/{two.first.id}/doc/state/qat?lang=ar", "/dataset", "/dataset?lang=ar",
            "/search?q=Doha", "/search?q=%D8%A7%D9%84%D8%AF%D9%88%D8%AD%D8%A9&lang=ar", "/doc/membership/qat-ici?lang=ar",
            "/doc/person/jens-stoltenberg", "/doc/person/stoltenberg?lang=ar", "/doc/alliance/nato?lang=ar"]


# -- item 1: phones ----------------------------------------------------------------------------
def test_every_page_type_fits_a_phone_with_several_releases(phone, site) -> None:  # type: ignore[no-untyped-def]
    two, url = site
    wide = []
    for path in [*PAGE_KINDS, *release_pages(two)]:
        if "person/jens-stoltenberg" in path and "/releases/" not in path:
            path = path.replace("jens-stoltenberg", "stoltenberg")  # merged in the second release
        phone.get(url + path)
        phone.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        width = phone.execute_script("return document.documentElement.scrollWidth")
        if width > PHONE:
            wide.append((path, width))
    assert not wide, f"wider than a {PHONE} px phone: {wide}"
    phone.get(url + "/releases?lang=ar")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.save_screenshot(str(ARTIFACTS / "releases-ar-phone.png"))


def test_counts_and_names_never_break_inside_themselves(phone, site) -> None:  # type: ignore[no-untyped-def]
    """"(5 facts)" stays on one line; "org:member" is never cut in "Links to this resource"."""
    _, url = site
    for lang in ("en", "ar"):
        phone.get(f"{url}/?lang={lang}")
        counts = phone.find_elements("css selector", "#main-entities small.count")
        assert counts
        for c in counts:
            lines = phone.execute_script("const r = document.createRange(); r.selectNodeContents(arguments[0]);"
                                         "return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size", c)
            assert lines == 1, c.text
    phone.get(f"{url}/doc/state/qat?lang=en")
    phone.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    cut = phone.execute_script("""
        return [...document.querySelectorAll('#incoming td code, #statements th code, #statements td code')]
          .filter(c => /^[a-z]+:[A-Za-z]+$/.test(c.textContent)).filter(c => {  // a CURIE is one word
          const r = document.createRange(); r.selectNodeContents(c);
          return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; }).map(c => c.textContent)""")
    assert cut == []
    assert phone.execute_script("return [...document.querySelectorAll('#incoming td code')].map(c => c.textContent)").count("org:member") == 1


# -- item 2: the release pages in Arabic ---------------------------------------------------------
def test_the_release_pages_are_arabic_with_dates(browser, site) -> None:  # type: ignore[no-untyped-def]
    two, url = site
    browser.get(url + "/releases?lang=ar")
    main = browser.find_element("tag name", "main").text
    for english in ("First release", "Since release", "facts", "claims", "added", "removed", "current"):
        assert english not in main, english
    assert "الإصدار الأول" in main and "منذ الإصدار" in main
    times = browser.find_elements("css selector", "table.releases time")
    assert times and all(re.fullmatch(r"\d{1,2}\s\S+\s\d{4}، \d{2}:\d{2} بالتوقيت العالمي", t.text) for t in times), [t.text for t in times]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", t.get_attribute("datetime")) for t in times)
    browser.get(f"{url}/releases/{two.second.id}?lang=ar")
    rows = [th.text for th in browser.find_elements("css selector", "table th[scope=row]")]
    assert "الحقائق" in rows and "الكيانات" in rows and not {"facts", "entities", "triples"} & set(rows)
    summaries = [s.text for s in browser.find_elements("css selector", "#changes summary")]
    assert summaries and not any(re.search(r"[a-z]{4}", s) for s in summaries), summaries
    browser.get(f"{url}/releases?lang=en")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC", browser.find_element("css selector", "table.releases time").text)


def test_search_results_in_arabic_put_arabic_first_and_count_in_the_dual(browser, site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    browser.get(url + "/search?q=stoltenberg&lang=ar")
    first = browser.find_element("css selector", ".search-hit > span")
    assert first.get_attribute("lang") == "ar"
    count = browser.find_element("css selector", ".search-count").text
    assert count == "نتيجتان", count  # two results: the dual, no digit
    browser.get(url + "/search?q=stoltenberg&lang=en")
    assert browser.find_element("css selector", ".search-count").text == "2 results"
    assert browser.find_element("css selector", ".search-hit > span").get_attribute("lang") == "en"


def test_the_dataset_page_is_arabic(browser, site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    browser.get(url + "/dataset?lang=ar")
    assert browser.find_element("tag name", "h1").text == "الرسم المعرفي للتعاون بين قطر وحلف شمال الأطلسي"
    visible = browser.find_element("tag name", "main").text  # the raw description stays folded
    assert "Property" not in visible and "Value" not in visible and "Dataset description" not in visible
    assert browser.find_elements("css selector", "#downloads a[href$='dataset.nt']")


# -- item 7: the changes page ------------------------------------------------------------------
def test_the_changes_page_says_what_changed_in_each_thing(browser, site) -> None:  # type: ignore[no-untyped-def]
    two, url = site
    browser.get(f"{url}/releases/{two.second.id}?lang=en")  # the browser is shared: an earlier test chose Arabic
    browser.find_element("link text", "What changed in each").click()
    assert browser.current_url.endswith(f"/releases/{two.second.id}/changes")
    qatar = next(s for s in browser.find_elements("css selector", "section.thing-change") if "state:qat" in s.text)
    rename = qatar.find_element("css selector", "p.rename")
    assert rename.find_element("tag name", "del").text == "Qatar" and rename.find_element("tag name", "ins").text == "State of Qatar"
    fact = next(s for s in browser.find_elements("css selector", "section.thing-change") if REMOVED_FACT.rsplit("/", 1)[1] in s.text)
    assert fact.find_elements("css selector", "tr.removed") and not fact.find_elements("css selector", "tr.added")
    browser.save_screenshot(str(ARTIFACTS / "changes-page.png"))
    patch_href = browser.find_element("id", "patch").get_attribute("href")
    patch = httpx.get(patch_href, timeout=30)
    assert patch.status_code == 200 and patch.headers["content-type"].startswith("application/rdf-patch")
    rows = patch.text.splitlines()
    assert rows and all(r[:2] in ("A ", "D ") for r in rows)
    assert f'D <{QATAR}> <{RDFS}label> "Qatar"@en' in "\n".join(rows) and f'A <{QATAR}> <{RDFS}label> "State of Qatar"@en' in "\n".join(rows)
    summary = json.loads(httpx.get(f"{url}/releases/{two.second.id}/changes.json", timeout=30).text)
    assert len(rows) == summary["quads"]["added"] + summary["quads"]["removed"]
    negotiated = httpx.get(f"{url}/releases/{two.second.id}/changes", timeout=30)  # a client that says nothing: the JSON
    assert negotiated.headers["content-type"].startswith("application/json") and negotiated.json()["new"]["id"] == two.second.id
    browser.get(f"{url}/releases/{two.second.id}/changes?lang=ar")
    main = browser.find_element("tag name", "main").text
    assert "التغييرات في الإصدار" in main and "تنزيل بصيغة RDF Patch" in main and "Since release" not in main


# -- item 8: structured data ---------------------------------------------------------------------
def jsonld_of(driver) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(s.get_attribute("textContent"))
            for s in driver.find_elements("css selector", 'script[type="application/ld+json"]')]


def as_graph(data: dict) -> Graph:
    """The JSON-LD as RDF, read by a real JSON-LD processor (pyld), then by rdflib."""
    from pyld import jsonld

    nquads = jsonld.to_rdf(data, {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nquads")


@pytest.mark.parametrize("path, kind", [("/doc/person/stoltenberg", "Person"), ("/doc/place/doha", "Place"),
                                        ("/doc/alliance/nato", "Organization"), ("/doc/event/ici-cg-3", "Event"),
                                        ("/doc/article/mofa-2019-03-13-qatar-nato", "NewsArticle"),
                                        ("/doc/claim/zajel-2016-11-21-qatar-ici/qatar-participated-most-events", "Claim"),
                                        ("/doc/state/qat", "Country")])
def test_resource_pages_carry_schema_org_that_agrees_with_their_document(browser, site, path: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    browser.get(url + path)
    found = jsonld_of(browser)
    assert len(found) == 1
    g = as_graph(found[0])
    thing = URIRef(BASE + path.replace("/doc/", "id/", 1).lstrip("/"))
    types = {str(t)[len(SCHEMA):] for t in g.objects(thing, RDF.type) if str(t).startswith(SCHEMA)}
    assert kind in types or (kind == "Place" and "City" in types), types
    doc = Graph().parse(data=httpx.get(url + path, headers={"Accept": "text/turtle"}, timeout=30).text, format="turtle")
    assert {str(o) for o in g.objects(thing, URIRef(SCHEMA + "name"))} == {str(o) for o in doc.objects(thing, RDFS.label)}
    assert set(g.objects(thing, URIRef(SCHEMA + "sameAs"))) == set(doc.objects(thing, OWL.sameAs))
    derived = {URIRef(SCHEMA + p) for p in ("name", "alternateName", "sameAs", "url", "author", "appearance")}
    for s, p, o in g.triples((thing, None, None)):  # every other statement is the document's own
        if p == RDF.type or p in derived:
            continue
        assert (s, p, o) in doc, (p, o)
    for s in {types_ for types_ in doc.objects(thing, RDF.type) if str(types_).startswith(SCHEMA)}:
        assert (thing, RDF.type, s) in g


def test_home_and_dataset_pages_carry_a_dataset_with_its_downloads(browser, site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    void = Graph().parse(data=httpx.get(url + "/.well-known/void", timeout=30).text, format="turtle")
    dcat = "http://www.w3.org/ns/dcat#"
    downloads = {str(o) for d in void.objects(URIRef(BASE + "dataset"), URIRef(dcat + "distribution"))
                 for o in void.objects(d, URIRef(dcat + "downloadURL"))}
    assert downloads
    for path in ("/", "/dataset?lang=ar"):
        browser.get(url + path)
        (data,) = jsonld_of(browser)
        g = as_graph(data)
        ds = URIRef(BASE + "dataset")
        assert (ds, RDF.type, URIRef(SCHEMA + "Dataset")) in g
        assert {str(o) for o in g.objects(ds, URIRef(SCHEMA + "name"))} >= {"Qatar–NATO cooperation knowledge graph"}
        assert str(g.value(ds, URIRef(SCHEMA + "license"))) == "https://creativecommons.org/licenses/by/4.0/"
        got = {str(o) for d in g.objects(ds, URIRef(SCHEMA + "distribution")) for o in g.objects(d, URIRef(SCHEMA + "contentUrl"))}
        assert got == downloads
        assert all((d, RDF.type, URIRef(SCHEMA + "DataDownload")) in g for d in g.objects(ds, URIRef(SCHEMA + "distribution")))


def test_structured_data_is_not_blocked_and_cannot_be_broken_out_of(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A label holding </script> stays inside the JSON (escaped), the page runs
    no script of it, and Chromium reports no Content-Security-Policy violation."""
    from pathlib import Path

    from ld_fixtures import HOSTILE, hostile_settings

    chromium, driver_path = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not (chromium.exists() and driver_path.exists()):
        pytest.skip("chromium not installed: apt-get install -y chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    from selenium.webdriver.chrome.service import Service

    hostile = HOSTILE.replace("<script>", "</script><script>")  # tries to close the data block
    settings = hostile_settings(tmp_path_factory.mktemp("jsonld-hostile"), SEEDS, label=hostile)
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with serve_settings(settings) as url:
        raw = httpx.get(url + "/doc/state/qat?lang=en", timeout=30).text
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S).group(1)
        assert "</script>" not in block and "\\u003c/script\\u003e" in block
        driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
        try:
            driver.get(url + "/doc/state/qat?lang=en")
            (data,) = jsonld_of(driver)
            names = data["name"] if isinstance(data["name"], list) else [data["name"]]
            assert hostile in {n["@value"] for n in names}
            scripts = driver.find_elements("tag name", "script")
            assert [s.get_attribute("type") for s in scripts if not s.get_attribute("src")] == ["application/ld+json"]
            logs = driver.get_log("browser")
            assert not [e for e in logs if "Content Security Policy" in e["message"]], logs
        finally:
            driver.quit()
