"""No page grows with the corpus (issue 21): on a generated corpus large
enough to need paging (``benchmarks.generate``, built with a small
``page_size``), over a real uvicorn server on loopback, every long list —
``/articles``, a type's members, a hub's events, facts, statements and
incoming links, its RDF documents — is cut into pages of at most
``page_size`` items; following ``rel="next"`` from page 1 visits every item
exactly once and ends; ``rel="prev"`` leads back; the same links are in the
body, the head and the ``Link`` header; a page past the end is 404 and a page
number that is not one is 400. The RDF pages parse with rdflib, carry Hydra
paging links, and together hold the whole description. No timing asserts
(speed is measured in benchmarks/)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from live import serve_settings

from benchmarks.generate import generate
from kg.config import Settings
from kg.query.describe import describe, page_of, query_text, run, run_all, statements, to_triples
from kg.release.directory import open_release
from kg.store.bindings import inline_table
from kg.store.embedded import OxigraphStore, embedded_files
from kg.store.executor import QueryExecutor

ARTICLES = 40
SIZE = 7
BASE = "https://qatar-nato.example.org/"
NATO = BASE + "id/alliance/nato"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
HTML = {"Accept": "text/html"}
MAX_PAGE_BYTES = 200_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("paging")
    generate(ARTICLES, root / "seeds")
    return root


@pytest.fixture(scope="module")
def url(corpus: Path) -> Iterator[str]:
    settings = Settings(var_dir=corpus / "var", seeds_dir=corpus / "seeds", page_size=SIZE)
    with serve_settings(settings) as base:
        yield base


@pytest.fixture(scope="module")
def store(url: str, corpus: Path) -> Iterator[OxigraphStore]:
    release = open_release(corpus / "var" / "current")
    s = OxigraphStore.load(embedded_files(release))
    yield s
    s.close()


def sparql(url: str, query: str) -> list[dict]:
    r = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def rels(r: httpx.Response) -> dict[str, str]:
    """rel → URL from the ``Link`` header (paging rels only)."""
    out = {}
    for part in r.headers.get("link", "").split(","):
        m = re.match(r'\s*<([^>]*)>\s*;\s*rel="(first|last|prev|next)"', part)
        if m:
            out[m.group(2)] = m.group(1)
    return out


def html_rels(body: str) -> tuple[dict[str, str], dict[str, str]]:
    """(``<link rel>`` in the head, ``<a rel>`` in the body) for prev/next/first/last."""
    head, _, rest = body.partition("</head>")
    links = {m.group(1): m.group(2).replace("&amp;", "&") for m in re.finditer(r'<link rel="(first|last|prev|next)" href="([^"]*)">', head)}
    anchors = {m.group(1): m.group(2).replace("&amp;", "&") for m in re.finditer(r'<a rel="(prev|next)" href="([^"]*)">', rest)}
    return links, anchors


def walk(url: str, start: str, headers: dict[str, str]) -> list[httpx.Response]:
    """Follow rel=next from ``start`` to the end, checking the links each page carries."""
    pages: list[httpx.Response] = []
    path: str | None = start
    while path is not None:
        r = httpx.get(url + path, headers=headers, timeout=60)
        assert r.status_code == 200, (path, r.status_code)
        assert len(r.content) <= MAX_PAGE_BYTES, (path, len(r.content))
        link = rels(r)
        if pages:
            assert link.get("prev") == pages[-1].request.url.raw_path.decode(), (path, link)  # prev is where we came from
        else:
            assert "prev" not in link
        if "text/html" in r.headers["content-type"]:
            head, body = html_rels(r.text)
            assert head == link, (path, head, link)
            assert body == {k: v for k, v in link.items() if k in ("prev", "next")}, (path, body, link)
        pages.append(r)
        assert len(pages) < 500, "rel=next never ends"
        path = link.get("next")
    if len(pages) > 1:
        last = rels(pages[0])["last"]
        assert pages[-1].request.url.raw_path.decode() == last
    return pages


def hrefs(body: str, list_class: str) -> list[str]:
    m = re.search(rf'<ol class="{list_class}"[^>]*>(.*?)</ol>', body, re.S)
    assert m, list_class
    return re.findall(r'<li><a href="([^"]+)"', m.group(1))


def test_articles_are_listed_a_page_at_a_time_each_once(url: str) -> None:
    pages = walk(url, "/articles", HTML)
    seen = [h for p in pages for h in hrefs(p.text, "articles")]
    assert all(len(hrefs(p.text, "articles")) <= SIZE for p in pages)
    assert len(pages) == -(-ARTICLES // SIZE)
    assert len(seen) == len(set(seen)) == ARTICLES
    every = {b["a"]["value"].replace(BASE + "id/", "/doc/") for b in sparql(url, "SELECT ?a WHERE { ?a a <http://schema.org/NewsArticle> }")}
    assert set(seen) == every
    dates = [d for p in pages for d in re.findall(r'<time datetime="([^"]+)"', p.text)]
    assert dates == sorted(dates, reverse=True)  # newest first, across pages


def test_home_page_is_a_bounded_summary_linking_to_the_rest(url: str) -> None:
    r = httpx.get(url + "/", headers=HTML, timeout=60)
    assert r.status_code == 200
    articles = re.search(r'<section id="articles">(.*?)</section>', r.text, re.S).group(1)
    shown = re.findall(r"<li>", articles)
    assert 0 < len(shown) < ARTICLES and 'href="/articles"' in articles
    timeline = re.search(r'<section id="timeline">(.*?)</section>', r.text, re.S).group(1)
    dates = re.findall(r'<time datetime="([^"]+)"', timeline)
    latest = max(b["d"]["value"] for b in sparql(url, "SELECT ?d WHERE { ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp> ?d }"))
    assert dates == sorted(dates) and dates[-1] == latest  # the latest events, oldest of them first
    assert "/doc/alliance/nato" in re.search(r'<section id="main-entities">(.*?)</section>', r.text, re.S).group(1)


def test_a_types_members_are_paged_each_once(url: str) -> None:
    pages = walk(url, "/types/qn:Fact", HTML)
    assert len(pages) > 2
    seen = [h for p in pages for h in re.findall(r'<li><a href="([^"]+)"', re.search(r'<ol class="instances"[^>]*>(.*?)</ol>', p.text, re.S).group(1))]
    assert all(len(re.findall(r"<li>", re.search(r'<ol class="instances"[^>]*>(.*?)</ol>', p.text, re.S).group(1))) <= SIZE for p in pages)
    every = {b["f"]["value"].replace(BASE + "id/", "/doc/") for b in sparql(url, f"SELECT ?f WHERE {{ ?f a <{BASE}ontology#Fact> }}")}
    assert len(seen) == len(set(seen)) and set(seen) == every


def test_a_hubs_page_pages_its_events_facts_and_links(url: str) -> None:
    pages = walk(url, "/doc/alliance/nato", HTML)
    events, facts, incoming = [], [], []
    for p in pages:
        body = p.text
        ev = re.search(r'<section id="events">.*?<ol class="timeline">(.*?)</ol>', body, re.S)
        fa = re.findall(r'<li class="fact" id="fact-(\d+)">.*?<a href="(/doc/(?:fact|claim)/[^"#]+)" class="fact-link">', body, re.S)
        inc = re.search(r'<section id="incoming">.*?<tbody>(.*?)</tbody>', body, re.S)
        page_events = re.findall(r"<li>.*?<a href=\"(/doc/event/[^\"]+)\">", ev.group(1)) if ev else []
        page_incoming = re.findall(r"<tr>(.*?)</tr>", inc.group(1), re.S) if inc else []
        assert len(page_events) <= SIZE and len(fa) <= SIZE and len(page_incoming) <= SIZE
        assert "North Atlantic Treaty Organization" in body  # the card is on every page
        events += page_events
        facts += [f for _, f in fa]
        incoming += page_incoming
    assert len(pages) > 2
    want_events = sparql(url, f"""SELECT DISTINCT ?e WHERE {{ {{ ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> <{NATO}> }}
                                  UNION {{ ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace> <{NATO}> }} }}""")
    assert sorted(events) == sorted({b["e"]["value"].replace(BASE + "id/", "/doc/") for b in want_events})
    want_facts = sparql(url, f"""SELECT DISTINCT ?f WHERE {{ {{ GRAPH ?f {{ <{NATO}> ?p ?o }} }} UNION {{ GRAPH ?f {{ ?s ?p <{NATO}> }} }}
                                 ?f <{BASE}ontology#article> ?a }}""")
    assert len(facts) == len(set(facts)) == len(want_facts)
    assert set(facts) == {b["f"]["value"].replace(BASE + "id/", "/doc/") for b in want_facts}
    want_incoming = sparql(url, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{NATO}> FILTER(!STRSTARTS(STR(?s), \"{NATO}#\")) }}")
    assert len(incoming) == len(want_incoming)


@pytest.mark.parametrize("path", ["/articles", "/types/qn:Fact", "/doc/alliance/nato", "/doc/alliance/nato.ttl", "/doc/alliance/nato.nt"])
def test_a_page_past_the_end_is_404_and_a_bad_number_400(url: str, path: str) -> None:
    first = httpx.get(url + path, headers=HTML, timeout=60)
    last = int(re.search(r"page=(\d+)", rels(first)["last"]).group(1))
    assert httpx.get(f"{url}{path}?page={last}", headers=HTML, timeout=60).status_code == 200
    assert httpx.get(f"{url}{path}?page={last + 1}", headers=HTML, timeout=60).status_code == 404
    assert httpx.get(f"{url}{path}?page={'9' * 30}", headers=HTML, timeout=60).status_code == 404
    for bad in ("0", "-1", "two", "1.5", "", "00"):
        assert httpx.get(f"{url}{path}?page={bad}", headers=HTML, timeout=60).status_code == 400, bad


@pytest.mark.parametrize("suffix, fmt", [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml")])
def test_rdf_pages_parse_carry_hydra_links_and_together_are_the_description(url: str, store: OxigraphStore, suffix: str, fmt: str) -> None:
    pages = walk(url, f"/doc/alliance/nato{suffix}", {})
    assert len(pages) > 2
    doc = rdflib.URIRef(BASE + "doc/alliance/nato")
    union = rdflib.Graph()
    for n, r in enumerate(pages, start=1):
        g = rdflib.Graph().parse(data=r.content, format=fmt)
        view = rdflib.URIRef(f"{doc}?page={n}")
        assert (doc, HYDRA.view, view) in g and (view, rdflib.RDF.type, HYDRA.PartialCollectionView) in g
        assert g.value(view, HYDRA.first) == rdflib.URIRef(f"{doc}?page=1")
        assert g.value(view, HYDRA.last) == rdflib.URIRef(f"{doc}?page={len(pages)}")
        following = g.value(view, HYDRA.next)
        assert following == (rdflib.URIRef(f"{doc}?page={n + 1}") if n < len(pages) else None)
        link_next = rels(r).get("next")
        assert (link_next is None) == (following is None)
        if link_next:  # the header keeps the client in its format; the graph names the negotiated page
            assert link_next == f"/doc/alliance/nato{suffix}?page={n + 1}"
        assert int(g.value(doc, HYDRA.totalItems)) > SIZE * 2
        for t in g:
            if not any(isinstance(x, rdflib.BNode) for x in t):  # reified provenance uses page-local blank nodes
                union.add(t)
    for n in (1, 2):  # negotiated: Content-Location names the variant of that page
        r = httpx.get(f"{url}/doc/alliance/nato" + (f"?page={n}" if n > 1 else ""), headers={"Accept": pages[0].headers["content-type"].split(";")[0]}, timeout=60)
        assert r.headers["content-location"] == f"/doc/alliance/nato{suffix}" + (f"?page={n}" if n > 1 else "")
        assert r.content == pages[n - 1].content
    desc = describe(store, NATO, base=BASE)
    assert desc is not None
    whole = page_of(store, desc, 1, len(statements(desc)))
    expected = {t for t in to_triples(whole) if not any(isinstance(x, ox.BlankNode) for x in (t.subject, t.object))}
    got = {ox.Triple(*(_ox(x) for x in t)) for t in union}
    assert expected <= got  # every statement, label and piece of evidence of the whole description
    extra = {t for t in got - expected if not t.subject.value.startswith(str(doc))}
    assert not extra, sorted(map(str, extra))[:5]
    own = {t for t in got if t.subject == ox.NamedNode(NATO)}
    incoming = {t for t in got if t.object == ox.NamedNode(NATO) and not t.subject.value.startswith(str(doc))}
    linking = sparql(url, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{NATO}> FILTER(!STRSTARTS(STR(?s), \"{NATO}#\")) }}")
    want = {ox.Triple(ox.NamedNode(b["s"]["value"]), ox.NamedNode(b["p"]["value"]), ox.NamedNode(NATO)) for b in linking}
    assert want and want == incoming, sorted(map(str, incoming ^ want))[:5]
    assert own and len(own) == len(sparql(url, f"SELECT DISTINCT ?p ?o WHERE {{ <{NATO}> ?p ?o }}"))


def _ox(x: rdflib.term.Node):  # type: ignore[no-untyped-def]
    if isinstance(x, rdflib.URIRef):
        return ox.NamedNode(str(x))
    if isinstance(x, rdflib.Literal):
        if x.language:
            return ox.Literal(str(x), language=x.language)
        return ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype))) if x.datatype else ox.Literal(str(x))
    raise TypeError(x)


def test_a_description_of_one_page_says_nothing_of_paging(url: str) -> None:
    candidates = [b["x"]["value"] for b in sparql(url, f"SELECT DISTINCT ?x WHERE {{ ?x a ?t FILTER(STRSTARTS(STR(?x), \"{BASE}id/\")) }} ORDER BY ?x LIMIT 40")]
    checked = 0
    for iri in candidates:
        r = httpx.get(url + iri.replace(BASE + "id/", "/doc/") + ".ttl", timeout=60)
        if "last" in rels(r):
            continue
        g = rdflib.Graph().parse(data=r.content, format="turtle")
        assert not list(g.triples((None, rdflib.RDF.type, HYDRA.PartialCollectionView))) and not list(g.triples((None, HYDRA.next, None)))
        assert httpx.get(url + iri.replace(BASE + "id/", "/doc/") + ".ttl?page=2", timeout=60).status_code == 404
        checked += 1
    assert checked, "every candidate needed paging"


def test_search_results_link_their_neighbours_in_head_and_header(url: str) -> None:
    r = httpx.get(url + "/search", params={"q": "state", "limit": "5"}, headers=HTML, timeout=60)
    assert r.status_code == 200
    link = rels(r)
    head, body = html_rels(r.text)
    assert "next" in link and head.get("next") == link["next"] and body.get("next") == link["next"]
    r2 = httpx.get(urljoin(url, link["next"]), headers=HTML, timeout=60)
    assert rels(r2).get("prev") is not None


def test_a_long_values_table_is_cut_under_the_query_length_limit(corpus: Path, store: OxigraphStore) -> None:
    """A page's names can be hundreds of IRIs: the store behind the server
    refuses texts over ``max_query_length`` (413), so ``run`` cuts the table;
    the answer is the same as in one piece."""

    release = open_release(corpus / "var" / "current")
    things = [b[0] for b in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 1500").rows]
    table = (["x"], [(t,) for t in things])
    assert sum(len(str(t)) for t in things) > Settings().max_query_length
    executor = QueryExecutor.for_files(embedded_files(release), Settings(query_workers=1))
    try:
        cut = run(executor, "labels_of", base=BASE, table=table)
    finally:
        executor.close()
    whole = store.query(inline_table(query_text("labels_of", BASE), ["x"], table[1]))
    assert sorted(map(str, cut.rows)) == sorted(map(str, whole.rows)) and whole.rows


def test_a_long_list_is_read_whole_through_a_row_cap(corpus: Path, store: OxigraphStore) -> None:
    """Behind ``--store`` (or a release without an on-disk store) the order of a
    long list comes through the query workers, whose answers stop at
    ``max_rows``: ``run_all`` continues each cut answer, and gets every row once."""
    release = open_release(corpus / "var" / "current")
    executor = QueryExecutor.for_files(embedded_files(release), Settings(query_workers=1, max_rows=6))
    try:
        capped = run_all(executor, "article_keys", base=BASE)
    finally:
        executor.close()
    whole = run_all(store, "article_keys", base=BASE)
    assert len(whole) == ARTICLES and capped == whole


def test_a_reader_pages_with_the_links_in_a_browser_on_a_phone(url: str) -> None:
    """In headless Chromium at 390 px: the pager fits, "Next page" leads to the
    next page and "Previous page" back, in English and in Arabic."""
    from test_pages_browser import CHROMEDRIVER, CHROMIUM

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium not installed: apt-get install -y chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install selenium)")
    import shutil
    import tempfile

    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=390,900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        for lang, next_word, prev_word in (("en", "Next page", "Previous page"), ("ar", "الصفحة التالية", "الصفحة السابقة")):
            driver.get(f"{url}/doc/alliance/nato?lang={lang}&page=2")
            driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= driver.execute_script("return window.innerWidth"), width
            pager = driver.find_elements(By.CSS_SELECTOR, "nav.pager")[-1]
            pager.find_element(By.CSS_SELECTOR, 'a[rel="next"]').click()
            assert driver.current_url.endswith(f"/doc/alliance/nato?lang={lang}&page=3")
            nav = driver.find_elements(By.CSS_SELECTOR, "nav.pager")[0]
            assert next_word in nav.text and prev_word in nav.text
            nav.find_element(By.CSS_SELECTOR, 'a[rel="prev"]').click()
            assert driver.current_url.endswith(f"/doc/alliance/nato?lang={lang}&page=2")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_dataset_page_shows_a_page_of_its_sources_and_links_the_rest(url: str) -> None:
    """The description names every source article; its HTML page shows one page's
    worth and links the paged list, while the RDF keeps them all."""
    g = rdflib.Graph().parse(data=httpx.get(f"{url}/dataset", headers={"Accept": "text/turtle"}, timeout=60).text, format="turtle")
    sources = set(g.objects(rdflib.URIRef(BASE + "dataset"), rdflib.URIRef("http://purl.org/dc/terms/source")))
    assert len(sources) == ARTICLES
    r = httpx.get(f"{url}/dataset", headers=HTML, timeout=60)
    assert r.status_code == 200 and len(r.content) <= MAX_PAGE_BYTES
    raw = r.text.partition('<details class="raw"')[2].partition("</details>")[0]
    shown = set(re.findall(r'href="(/doc/article/[^"#?]+)"', raw))
    assert len(shown) == SIZE, shown
    assert f"1–{SIZE} of {ARTICLES}" in raw and 'href="/articles"' in raw
