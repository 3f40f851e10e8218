"""Readers' details in a real headless browser (issue 23): what a page says
and how it reads, in English and Arabic, at 1280 and 390 px. Uses the
shared Chromium fixture of tests/test_pages_browser.py (skips, saying why,
without Chromium)."""

from __future__ import annotations

import re

import httpx
import pytest

from ld_fixtures import ld_url  # noqa: F401  (fixture)
from test_pages_browser import browser  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser


def by_css(driver, css: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


# -- item 4: broken bits -----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/doc/person/ahmed-al-hammadi", "/doc/alliance/nato", "/doc/state/qat",
                                  "/doc/person/jens-stoltenberg", "/doc/event/ici-cg-3"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_link_to_the_article_is_titled(browser, ld_url: str, path: str, lang: str) -> None:  # noqa: F811
    browser.get(f"{ld_url}{path}?lang={lang}")
    cites = by_css(browser, "#facts .cite a[href*='#span-']")
    assert cites
    for a in cites:
        title = a.find_element("tag name", "bdi").text.strip()
        assert len(title) > 10, (path, a.get_attribute("outerHTML"))


def test_claims_link_as_claim_records_and_facts_as_fact_records(browser, ld_url: str) -> None:  # noqa: F811
    browser.get(f"{ld_url}/doc/state/qat?lang=en")
    said = by_css(browser, "#kind-claim a.fact-link")
    assert said and {a.text for a in said} == {"claim record"}
    assert all("/doc/claim/" in a.get_attribute("href") for a in said)
    facts = [a for a in by_css(browser, "#facts a.fact-link") if "/doc/fact/" in a.get_attribute("href")]
    assert facts and {a.text for a in facts} == {"fact record"}
    browser.get(f"{ld_url}/doc/state/qat?lang=ar")
    assert {a.text for a in by_css(browser, "#kind-claim a.fact-link")} == {"سجل القول"}


def test_a_membership_page_is_titled_by_its_fact(browser, ld_url: str) -> None:  # noqa: F811
    browser.get(f"{ld_url}/doc/membership/qat-ici?lang=en")
    h1 = by_css(browser, "h1")[0].text
    assert "membership:" not in h1 and "Qatar is a member of Istanbul Cooperation Initiative" in h1, h1
    assert "membership:" not in browser.title
    browser.get(f"{ld_url}/doc/membership/qat-ici?lang=ar")
    assert by_css(browser, "h1 > span")[0].text.startswith("قطر عضو في مبادرة إسطنبول للتعاون")


def test_the_entity_count_is_one_count_said_the_same_everywhere(browser, ld_url: str, release) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Home, /releases, release.json and kg diff count entities alike (things under
    id/ that are not facts, claims or articles); VoID's void:entities counts
    what VoID counts and says how the two relate."""
    base = release.base_iri
    things = set()
    with open(release.path / "dataset.nt", encoding="utf-8") as fh:
        for line in fh:
            s = line.split(" ", 1)[0][1:-1]
            if s.startswith(base + "id/") and "#" not in s and s[len(base) + 3:].split("/")[0] not in ("fact", "claim", "article"):
                things.add(s)
    n = len(things)
    assert release.meta["entities"] == n
    browser.get(f"{ld_url}/?lang=en")
    counts = {li.text.split(" ", 1)[1]: li.text.split(" ", 1)[0] for li in by_css(browser, "ul.counts li")}
    assert counts["entities"] == str(n)
    assert "people, states, organisations" in by_css(browser, "#entities-are")[0].text
    browser.get(f"{ld_url}/releases?lang=en")
    header = [th.text for th in by_css(browser, "table.releases thead th")]
    row = [td.text for td in by_css(browser, "table.releases tbody tr")[0].find_elements("tag name", "td")]
    assert row[header.index("Entities")] == str(n)
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS, VOID

    void = Graph().parse(data=httpx.get(ld_url + "/.well-known/void", timeout=30).text, format="turtle")
    dataset = URIRef(base + "dataset")
    described = int(void.value(dataset, VOID.entities))
    subjects = set()
    with open(release.path / "dataset.nt", encoding="utf-8") as fh:
        subjects = {line.split(" ", 1)[0][1:-1] for line in fh if line.startswith(f"<{base}id/")}
    assert described == len(subjects) > n
    comments = [str(c) for c in void.objects(dataset, RDFS.comment) if isinstance(c, Literal)]
    assert any(f"Of them, {n} are entities as the site counts them" in c for c in comments), comments
