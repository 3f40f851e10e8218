"""Readers' details in a real headless browser (issue 23): what a page says
and how it reads, in English and Arabic, at 1280 and 390 px. Uses the
shared Chromium fixture of tests/test_pages_browser.py (skips, saying why,
without Chromium)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

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
def test_every_link_to_the_article_is_titled(browser, ld_url: str, path: str, lang: str) -> None:
    browser.get(f"{ld_url}{path}?lang={lang}")
    cites = by_css(browser, "#facts .cite a[href*='#span-']")
    assert cites
    for a in cites:
        title = a.find_element("tag name", "bdi").text.strip()
        assert len(title) > 10, (path, a.get_attribute("outerHTML"))


def test_claims_link_as_claim_records_and_facts_as_fact_records(browser, ld_url: str) -> None:
    browser.get(f"{ld_url}/doc/state/qat?lang=en")
    said = by_css(browser, "#kind-claim a.fact-link")
    assert said and {a.text for a in said} == {"claim record"}
    assert all("/doc/claim/" in a.get_attribute("href") for a in said)
    facts = [a for a in by_css(browser, "#facts a.fact-link") if "/doc/fact/" in a.get_attribute("href")]
    assert facts and {a.text for a in facts} == {"fact record"}
    browser.get(f"{ld_url}/doc/state/qat?lang=ar")
    assert {a.text for a in by_css(browser, "#kind-claim a.fact-link")} == {"سجل القول"}


def test_a_membership_page_is_titled_by_its_fact(browser, ld_url: str) -> None:
    browser.get(f"{ld_url}/doc/membership/qat-ici?lang=en")
    h1 = by_css(browser, "h1")[0].text
    assert "membership:" not in h1 and "Qatar is a member of Istanbul Cooperation Initiative" in h1, h1
    assert "membership:" not in browser.title
    browser.get(f"{ld_url}/doc/membership/qat-ici?lang=ar")
    assert by_css(browser, "h1 > span")[0].text.startswith("قطر عضو في مبادرة إسطنبول للتعاون")


def test_the_entity_count_is_one_count_said_the_same_everywhere(browser, ld_url: str, release) -> None:  # type: ignore[no-untyped-def]
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


# -- item 5: sentences ---------------------------------------------------------------------------
FACT = "/doc/fact/mofa-2019-03-13-qatar-nato/"


def heading(driver, url: str) -> str:  # type: ignore[no-untyped-def]
    driver.get(url)
    return by_css(driver, "h1")[0].text


def test_a_permission_reads_as_a_sentence(browser, ld_url: str) -> None:
    en = heading(browser, f"{ld_url}{FACT}permits-entry-transit?lang=en")
    assert en.endswith("permits North Atlantic Treaty Organization (NATO) to enter and transit Qatar"), en
    assert "(Qatar)" not in en
    ar = by_css(browser, "p.other-language")[0].text
    assert ar.endswith("بما يلي: الدخول والعبور في قطر"), ar
    use = heading(browser, f"{ld_url}{FACT}permits-use-of-al-udeid?lang=en")
    assert use.endswith("to use Al Udeid Air Base"), use


def test_an_agent_with_two_roles_is_named_once(browser, ld_url: str, store) -> None:  # type: ignore[no-untyped-def]
    en = heading(browser, f"{ld_url}{FACT}us-taliban-mediation?lang=en")
    assert "Qatar (facilitator), Qatar (host)" not in en and en.count("Qatar") == 1, en  # the name says it already
    # the same fact where the event's name does not name Qatar: one mention, both roles
    from kg.query import reference
    from kg.rdf.vocab import vocabulary
    from kg.web.sentences import title

    base = "https://qatar-nato.example.org/"
    fact = base + "id/fact/mofa-2019-03-13-qatar-nato/us-taliban-mediation"
    facts = reference.facts_of(store, fact, base=base)
    rec = next(r for r in facts.records if r.iri == fact)
    labels = {k: dict(v) for k, v in facts.labels.items()}
    event = next(s.value for s, p, o in rec.triples if p.value.endswith("hasActor"))
    labels[event] = {"en": "Mediation talks in Doha", "ar": "محادثات وساطة في الدوحة"}
    assert title(rec, labels, "en", vocabulary(base)).text.endswith("with Taliban (party), Qatar (facilitator, host), United States (party)")
    assert "قطر (ميسر، مضيف)" in title(rec, labels, "ar", vocabulary(base)).text


def _bare(text: str) -> list[str]:
    from kg.folding import fold_words

    return [re.sub(r"^(?:[وف])?(?:[بلك])?(?:ال|ل)?(?=\w{3})", "", w) for w in fold_words(text).split(" ")]


_TITLE = """const h1 = document.querySelector('h1'), seen = t => t.replace(/\\s+/g, ' ').trim();
return {text: seen(h1.innerText), links: [...h1.querySelectorAll('a')].map(a => [seen(a.innerText), a.href])};"""
"""The first ``h1``'s rendered text (``innerText``: what a reader sees, as WebDriver's
``.text``) and each of its links' text and resolved ``href``."""


class _Heading(HTMLParser):
    """The first ``h1`` of a page as served: its text and each link's text and resolved ``href``."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.depth, self.done = url, 0, False
        self.text: list[str] = []
        self.links: list[list[str]] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done or (tag != "h1" and not self.depth):
            return
        if tag == "h1" or self.depth:
            self.depth += 1
        if tag == "a":
            self._link = ["", urljoin(self.url, dict(attrs).get("href") or "")]

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or self.done:
            return
        self.depth -= 1
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        if self.depth == 0:
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.depth and not self.done:
            self.text.append(data)
            if self._link is not None:
                self._link[0] += data


def _seen(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def served_title(client: httpx.Client, url: str) -> dict:
    """``_TITLE``'s answer, from the page as served (``html.parser``) instead of a browser."""
    page = client.get(url)
    assert page.status_code == 200, url
    h = _Heading(url)
    h.feed(page.text)
    return {"text": _seen("".join(h.text)), "links": [[_seen(t), href] for t, href in h.links]}


def _repeats(path: str, h1: dict) -> list[tuple[str, str, str]]:
    """The linked names (two words or more) said again elsewhere in the title."""
    repeated = []
    words = " " + " ".join(_bare(h1["text"])) + " "
    names = {text for text, href in h1["links"] if "/doc/role/" not in href}  # a role may recur
    for name in names:
        bare = " ".join(_bare(name))
        rest = words
        for other in names - {name}:  # the words of a longer name that holds this one
            if f" {bare} " in " " + " ".join(_bare(other)) + " ":
                rest = rest.replace(" " + " ".join(_bare(other)) + " ", " ")
        if len(bare.split(" ")) >= 2 and rest.count(f" {bare} ") > 1:
            repeated.append((path, name, h1["text"]))
    if "membership" in h1["text"]:
        repeated.append((path, "membership", h1["text"]))
    return repeated


BROWSER_SAMPLE = 8
"""Every how-many-th fact page the browser reads too, to hold the served title to what a reader sees."""


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_no_fact_title_names_a_thing_twice(browser, ld_url: str, lang: str) -> None:
    """Every fact and claim title of the corpus: no linked name (of two words or
    more) is said again elsewhere in the sentence, clitics (ل، و، ال) aside —
    «مبادرة إسطنبول للتعاون» once, "in Qatar (host)" not "in Qatar, with Qatar (host)".
    A name inside another linked thing's name is that thing's, not a repetition:
    "at NATO headquarters …, with NATO (signatory)" names two things.

    Every title is read from the page as served; every ``BROWSER_SAMPLE``-th is also
    read in Chromium (``innerText``), which must see the same text and links."""
    query = ("SELECT DISTINCT ?f WHERE { ?f a ?t VALUES ?t { <https://qatar-nato.example.org/ontology#Fact> "
             "<https://qatar-nato.example.org/ontology#AttributedStatement> } } ORDER BY ?f")
    rows = httpx.post(ld_url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=30).json()["results"]["bindings"]
    assert len(rows) > 40
    repeated, compared = [], 0
    with httpx.Client(timeout=30) as client:
        for i, row in enumerate(rows):
            path = row["f"]["value"].replace("https://qatar-nato.example.org/id/", "/doc/")
            url = f"{ld_url}{path}?lang={lang}"
            h1 = served_title(client, url)
            assert h1["text"] and h1["links"], url
            if i % BROWSER_SAMPLE == 0:
                browser.get(url)
                # the title as rendered, and its links, in one round trip to the browser (not one per link)
                assert browser.execute_script(_TITLE) == h1, url
                compared += 1
            repeated += _repeats(path, h1)
    assert compared >= 5
    browser.get(f"{ld_url}/doc/membership/qat-ici?lang=ar")
    h1_text = by_css(browser, "h1 > span")[0].text
    if " ".join(_bare(h1_text)).count("مبادره اسطنبول") > 1:
        repeated.append(("/doc/membership/qat-ici", "مبادرة إسطنبول", h1_text))
    assert not repeated, repeated


# -- item 3: the article page --------------------------------------------------------------------
ARTICLE = "/doc/article/zajel-2016-11-21-qatar-ici"


@pytest.mark.parametrize("lang, publisher, date", [("en", "Zajel News", "21 November 2016"), ("ar", "زاجل نيوز", "21 نوفمبر 2016")])
def test_the_article_card_says_who_published_it_and_when(browser, ld_url: str, lang: str, publisher: str, date: str) -> None:
    browser.get(f"{ld_url}{ARTICLE}?lang={lang}")
    card = by_css(browser, "header.card")[0]
    assert publisher in card.find_element("id", "publisher").text
    when = card.find_element("id", "published-on")
    assert when.text == date and when.get_attribute("datetime") == "2016-11-21"


def test_words_that_are_not_the_article_are_dimmed_and_offsets_stay_valid(browser, ld_url: str, release) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{ld_url}{ARTICLE}?lang=en")
    dim = by_css(browser, ".seed .not-article")
    texts = [d.get_attribute("textContent") for d in dim]
    assert "تسجيل الدخول" in texts and "900x450_uploads201611211a6a8ce265" in texts
    assert any(t.startswith("رابط مختصر") and t.rstrip().endswith("والشتائم.") for t in texts)
    color = browser.execute_script("return getComputedStyle(arguments[0]).color", dim[0])
    body = browser.execute_script("return getComputedStyle(arguments[0]).color", by_css(browser, ".seed")[0])
    assert color != body  # dimmed
    # the page shows the seed text unchanged: every span's words are at their offsets
    text = browser.execute_script("return arguments[0].textContent", by_css(browser, ".seed")[0])
    marks = by_css(browser, ".seed mark[id^='span-']")
    assert marks
    visible = re.sub(r"\[[\d، ]+\]", "", text)  # footnote markers aside
    for m in marks[:10]:
        assert m.get_attribute("textContent") in visible
    from rdflib import Graph, URIRef

    doc = Graph().parse(data=httpx.get(f"{ld_url}{ARTICLE}", headers={"Accept": "text/turtle"}, timeout=30).text, format="turtle")
    article = URIRef("https://qatar-nato.example.org/id/article/zajel-2016-11-21-qatar-ici")
    stored = str(doc.value(article, URIRef("http://schema.org/text")))
    oa = "http://www.w3.org/ns/oa#"
    runs = list(doc.objects(article, URIRef("https://qatar-nato.example.org/ontology#notArticleText")))
    assert len(runs) == 4
    for run in runs:
        start, end = int(doc.value(run, URIRef(oa + "start"))), int(doc.value(run, URIRef(oa + "end")))
        assert stored[start:end] in texts  # the selector's offsets pick exactly the dimmed words


def test_read_it_in_the_article_lands_with_room_a_strong_outline_and_the_fact_named(browser, ld_url: str) -> None:
    browser.set_window_size(1280, 900)
    try:
        browser.get(f"{ld_url}/doc/person/ahmed-al-hammadi?lang=en")
        browser.add_cookie({"name": "lang", "value": "en", "path": "/"})  # a page cached earlier sets no cookie
        link = by_css(browser, "#facts .cite a[href*='#span-']")[0]
        sentence = link.find_element("xpath", "ancestor::li[contains(@class,'fact')]//p[contains(@class,'sentence')]").text
        link.click()
        anchor = browser.current_url.split("#", 1)[1]
        target = browser.find_element("id", anchor)
        mark = target if target.tag_name == "mark" else target.find_element("xpath", "ancestor::mark")
        top = browser.execute_script("return arguments[0].getBoundingClientRect().top", mark)
        assert top > 150, f"the words land {top} px from the top edge"
        outline = browser.execute_script("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)]", mark)
        assert outline[0] == "solid" and outline[1] >= 3
        after = "return getComputedStyle(arguments[0], '::after').content"
        note = browser.execute_script(after, mark)
        assert re.sub(r"^\[\d+\]\s*", "", sentence)[:30] in note, note
        shown = [m for m in by_css(browser, ".seed mark[data-note]") if browser.execute_script(after, m) not in ("none", "normal", "")]
        assert shown == [mark]  # only the words landed on
    finally:
        browser.set_window_size(1280, 1600)
