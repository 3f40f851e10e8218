"""The reader's pages over a real server (tests/live.py) on the test corpus:
facts as sentences in both languages, each quote once, events with role
labels (never a role IRI), the home page's timeline and main entities, and the
query page's implicit prefixes and one-line syntax errors. The browser-side
checks (layout at 390 px, direction) are in tests/test_pages_browser.py; the
wording itself (templates, dates) is checked here without a server too."""

from __future__ import annotations

import html
import re

import httpx
import pyoxigraph as ox
import pytest
from ld_fixtures import ld_url  # noqa: F401  (fixture)

from kg.query.reference import FactRecord
from kg.rdf.vocab import vocabulary
from kg.web import sparql_page
from kg.web.sentences import KIND_NAMES, STANCE_TEMPLATES, TEMPLATES, format_date, title

BASE = "https://qatar-nato.example.org/"
HTML = {"Accept": "text/html"}


def page(url: str, lang: str = "en") -> str:
    r = httpx.get(url + ("&" if "?" in url else "?") + f"lang={lang}", headers=HTML, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    return r.text


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def reader_part(body: str) -> str:
    """The page above the raw statements (which stay below, in <details>)."""
    main = body.split("<main>", 1)[1]
    return main.split('<details class="raw"', 1)[0]


def section(body: str, ident: str) -> str:
    m = re.search(rf'<section id="{ident}"[^>]*>(.*?)</section>\s*(?=<section|<details|{{%|</article>|<p class="notice">)', body, re.S)
    assert m, f"no section #{ident}"
    return m.group(1)


# -- the wording, without a server -------------------------------------------------
def test_every_kind_has_a_sentence_and_a_heading_in_both_languages() -> None:
    assert set(TEMPLATES) == set(KIND_NAMES)
    for kind, by_lang in TEMPLATES.items():
        assert set(by_lang) == {"en", "ar"}, kind
        assert set(re.findall(r"\{(\w+)\}", by_lang["en"])) == set(re.findall(r"\{(\w+)\}", by_lang["ar"])), kind
        assert set(KIND_NAMES[kind]) == {"en", "ar"}
    for kind, by_lang in STANCE_TEMPLATES.items():  # a claim's wording by stance: the claim's slots, both languages
        assert set(re.findall(r"\{(\w+)\}", by_lang["en"])) == set(re.findall(r"\{(\w+)\}", by_lang["ar"])) \
            == set(re.findall(r"\{(\w+)\}", TEMPLATES["claim"]["en"])), kind


@pytest.mark.parametrize("value, datatype, en, ar", [
    ("2019-03-13", "date", "13 March 2019", "13 مارس 2019"),
    ("2005-02", "gYearMonth", "February 2005", "فبراير 2005"),
    ("2018", "gYear", "2018", "2018"),
])
def test_dates_are_written_out(value: str, datatype: str, en: str, ar: str) -> None:
    lit = ox.Literal(value, datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{datatype}"))
    assert format_date(lit, "en") == en and format_date(lit, "ar") == ar


def test_a_participation_reads_as_a_sentence_with_the_role_label() -> None:
    N = ox.NamedNode
    ev, node, agent, role = N(BASE + "id/event/e"), N(BASE + "id/event/e#actor"), N(BASE + "id/state/x"), N(BASE + "id/role/host")
    sem = "http://semanticweb.cs.vu.nl/2009/11/sem/"
    rec = FactRecord(BASE + "id/fact/a/f", triples=[
        (ev, N(sem + "hasActor"), node), (node, N(sem + "roleType"), role),
        (node, N("http://www.w3.org/1999/02/22-rdf-syntax-ns#value"), agent),
    ])
    labels = {ev.value: {"en": "The summit", "ar": "القمة"}, agent.value: {"en": "Ruritania", "ar": "روريتانيا"},
              role.value: {"en": "host", "ar": "مضيف"}}
    assert title(rec, labels, "en", vocabulary(BASE)).text == "Ruritania took part in The summit as host"
    assert title(rec, labels, "ar", vocabulary(BASE)).text == "مشاركة روريتانيا في القمة بصفة مضيف"
    unlabelled = title(rec, {ev.value: {"ar": "القمة"}, agent.value: {"ar": "روريتانيا"}, role.value: {"ar": "مضيف"}}, "en", vocabulary(BASE))
    assert unlabelled.text == "روريتانيا took part in القمة as مضيف"  # the other language, never the IRI


# -- entity pages ------------------------------------------------------------------
def test_a_person_page_says_what_posts_they_hold_in_both_languages(ld_url: str) -> None:
    en = text_of(reader_part(page(f"{ld_url}/doc/person/jens-stoltenberg")))
    assert "Jens Stoltenberg holds the post of Secretary General of NATO, as of 13 March 2019" in en
    ar = text_of(reader_part(page(f"{ld_url}/doc/person/jens-stoltenberg", "ar")))
    assert "ينس ستولتنبرغ في منصب الأمين العام لحلف شمال الأطلسي، بتاريخ 13 مارس 2019" in ar


def test_qatar_lists_its_events_dated_with_role_labels_and_no_role_iri(ld_url: str) -> None:
    body = page(f"{ld_url}/doc/state/qat")
    events = text_of(section(body, "events"))
    assert "November 2016 Third meeting of the ICI Consultative Group (host)" in events
    assert "(ratifying party)" in events and "(contributor)" in events
    reader = reader_part(body)
    assert "actor-" not in reader and "/role/" not in text_of(reader) and "role:" not in text_of(reader)
    assert "Qatar is a member of Istanbul Cooperation Initiative as ICI partner country, since February 2005" in text_of(reader)
    dates = re.findall(r'<time datetime="([^"]+)"', section(body, "events"))
    assert dates == sorted(dates)  # a dated list, oldest first
    ar = text_of(section(page(f"{ld_url}/doc/state/qat", "ar"), "events"))
    assert "نوفمبر 2016 الاجتماع الثالث للمجموعة الاستشارية لمبادرة اسطنبول للتعاون (مضيف)" in ar


def test_an_event_page_shows_each_quote_once(ld_url: str) -> None:
    body = page(f"{ld_url}/doc/event/ici-cg-3")
    quotes = [text_of(q) for q in re.findall(r'<blockquote lang="ar" dir="rtl" class="quote">(.*?)</blockquote>', body, re.S)]
    assert len(quotes) >= 2
    visible = text_of(body.split("<main>", 1)[1])
    for q in quotes:
        assert visible.count(q) == 1, q
    participants = text_of(section(body, "participants"))
    assert "Qatar (host)" in participants and "ICI Consultative Group (participant)" in participants


def test_each_quote_links_to_its_highlighted_words(ld_url: str) -> None:
    body = page(f"{ld_url}/doc/person/jens-stoltenberg")
    links = re.findall(r'<p class="cite"><a href="(/doc/article/[^"#]+#span-(\d+)-(\d+))">', body)
    assert links
    for href, start, end in links:
        article = page(ld_url + href.split("#")[0])
        assert f'id="span-{start}-{end}"' in article


def test_a_fact_page_is_titled_by_its_sentence(ld_url: str) -> None:
    body = page(f"{ld_url}/doc/fact/mofa-2019-03-13-qatar-nato/stoltenberg-secretary-general")
    h1 = text_of(re.search(r"<h1>(.*?)</h1>", body, re.S).group(1))
    assert h1 == "Jens Stoltenberg holds the post of Secretary General of NATO, as of 13 March 2019"
    assert "<title>&#x2068;Jens Stoltenberg holds the post" in body
    ar = page(f"{ld_url}/doc/fact/mofa-2019-03-13-qatar-nato/stoltenberg-secretary-general", "ar")
    assert "<title>&#x2068;ينس ستولتنبرغ في منصب" in ar


def test_arabic_pages_put_the_arabic_label_first(ld_url: str) -> None:
    ar = page(f"{ld_url}/doc/state/qat", "ar")
    assert "<title>&#x2068;قطر · Qatar&#x2069;" in ar
    assert re.search(r'<h1><span lang="ar" dir="rtl" class="label-ar">قطر</span>', ar)
    en = page(f"{ld_url}/doc/state/qat", "en")
    assert "<title>&#x2068;Qatar · قطر&#x2069;" in en


def test_article_footnote_markers_are_bracketed_and_separated(ld_url: str) -> None:
    body = page(f"{ld_url}/doc/article/mofa-2019-03-13-qatar-nato")
    groups = [text_of(g) for g in re.findall(r'<sup class="refs">(.*?)</sup>', body, re.S)]
    assert groups and all(re.fullmatch(r"\[\d+(، \d+)*\]", g) for g in groups), groups
    assert any("،" in g for g in groups)  # places quoted by two facts show both numbers, apart


def test_home_page_shows_a_timeline_and_the_main_entities(ld_url: str) -> None:
    body = page(f"{ld_url}/")
    timeline = section(body, "timeline")
    dates = re.findall(r'<time datetime="([^"]+)"', timeline)
    assert len(dates) >= 5 and dates == sorted(dates)
    assert "Third meeting of the ICI Consultative Group" in text_of(timeline)
    entities = re.findall(r'<a href="(/doc/[^"]+)">', section(body, "main-entities"))
    assert entities[0] == "/doc/state/qat" and "/doc/alliance/nato" in entities


# -- the query page ----------------------------------------------------------------
def test_the_query_page_shows_an_example_without_its_prefix_lines(ld_url: str) -> None:
    body = page(f"{ld_url}/sparql?example=07-posts-held")
    editor = html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', body, re.S).group(1))
    assert "PREFIX" not in editor and "qn:PostHolding" in editor
    assert 'name="implicit-prefixes"' in body and "PREFIX qn: &lt;" in body  # declared for the reader, folded away


def test_the_form_runs_a_query_with_implicit_prefixes_and_the_protocol_does_not(ld_url: str) -> None:
    query = "SELECT ?p WHERE { ?h a qn:PostHolding ; qn:post ?p }"
    r = httpx.get(f"{ld_url}/sparql", params={"query": query, "implicit-prefixes": "1", "format": "json"}, timeout=30)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 6  # posts of articles A, B and C
    plain = httpx.get(f"{ld_url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert plain.status_code == 400  # SPARQL 1.1 clients get the standard: undeclared prefixes are an error


def test_a_syntax_error_is_one_line_with_the_users_line_and_column(ld_url: str) -> None:
    query = "# my question\nSELECT * WHERE { ?s qn:post }"
    r = httpx.get(f"{ld_url}/sparql", params={"query": query, "implicit-prefixes": "1"}, headers=HTML, timeout=30)
    assert r.status_code == 400
    error = re.search(r'<p class="error" id="error" role="alert">(.*?)</p>', r.text, re.S).group(1)
    assert "\n" not in error
    assert text_of(error).startswith("Syntax error at 2:")  # line 2 of what the user typed, not of the prefixed query
    assert len(text_of(error)) < 200
    ar = httpx.get(f"{ld_url}/sparql", params={"query": query, "implicit-prefixes": "1", "lang": "ar"}, headers=HTML, timeout=30)
    assert "خطأ في الصياغة عند 2:" in text_of(ar.text)


def test_explain_names_an_undeclared_prefix() -> None:
    got = sparql_page.explain("syntax error: error at 1:26: expected one of OPTIONAL, Prefix not found, ['%']",
                              "SELECT * WHERE { ?s foo:x ?o }")
    assert got["line"] == 1 and got["column"] == 21  # where the prefixed name starts
    assert got["message"] == "unknown prefix foo: at 1:21 \u2014 add PREFIX foo: <\u2026>"


def test_strip_prefixes_keeps_unknown_declarations_and_the_body() -> None:
    known = {"qn": BASE + "ontology#"}
    q = f"# t\nPREFIX qn: <{BASE}ontology#>\nPREFIX ex: <http://e/>\nPREFIX qn2: <x:>\n\nSELECT * {{ ?s ?p ?o }}\n"
    assert sparql_page.strip_prefixes(q, known) == "# t\nPREFIX ex: <http://e/>\nPREFIX qn2: <x:>\nSELECT * { ?s ?p ?o }\n"
    other = "PREFIX qn: <http://elsewhere/>\nSELECT * {}"
    assert sparql_page.strip_prefixes(other, known) == other  # same name, other namespace: the user's own


@pytest.mark.parametrize("n, en, ar", [
    (1, "fact", "حقيقة"), (2, "facts", "حقيقتان"), (3, "facts", "حقائق"), (10, "facts", "حقائق"),
    (11, "facts", "حقيقة"), (99, "facts", "حقيقة"), (100, "facts", "حقيقة"), (103, "facts", "حقائق"),
])
def test_counted_nouns_follow_each_languages_plural_rules(n: int, en: str, ar: str) -> None:
    from kg.web.plurals import noun

    assert (noun(n, "facts", "en"), noun(n, "facts", "ar")) == (en, ar)


def test_the_home_page_counts_the_articles_it_has(ld_url: str) -> None:
    """The intro says how many articles the release has (the test corpus: three), in words that agree with it."""
    assert "curated by hand from 3 Arabic news articles" in text_of(page(ld_url + "/", "en"))
    assert "منسّقة يدويا من 3 مقالات إخبارية عربية" in text_of(page(ld_url + "/", "ar"))
    main = section(page(ld_url + "/", "en"), "main-entities")
    assert "(1 facts)" not in text_of(main) and re.search(r"\(\d+ facts?\)", text_of(main))


# -- issue 22's patterns, on article C of the test corpus (written for the tests) ------------
C = "article/example-2018-06-06-liaison-agreement"


def h1(ld_url: str, path: str, lang: str) -> str:
    return text_of(re.search(r"<h1>(.*?)</h1>", page(f"{ld_url}/doc/{path}", lang), re.S).group(1))


def test_a_denial_by_an_unnamed_source_says_who_through_whom_when_and_where(ld_url: str) -> None:
    path = "claim/example-2018-06-06-liaison-agreement/no-path-to-membership"
    assert h1(ld_url, path, "en") == (
        "An unnamed NATO official ruled out (as cited by Example News Agency), on 6 June 2018, at Signing of the "
        "Qatar–NATO liaison agreement (6 June 2018): The agreement does not pave the way for Qatar to become a member of NATO.")
    assert h1(ld_url, path, "ar") == (
        "نفيٌ من مسؤول في الحلف لم يُكشف عن اسمه (نقلا عن وكالة أنباء المثال)، في 6 يونيو 2018، خلال توقيع اتفاقية "
        "الاتصال بين قطر وحلف الناتو (6 يونيو 2018): الاتفاقية لا تمهد لانضمام قطر إلى عضوية الحلف.")


def test_a_hedge_and_a_plan_read_with_their_modal_verbs(ld_url: str) -> None:
    hedge = h1(ld_url, "claim/example-2018-06-06-liaison-agreement/may-expand-training", "en")
    assert hedge.startswith("Salem bin Ali Al-Kuwari said it may be so, on 6 June 2018, at Signing of the Qatar–NATO liaison agreement")
    assert hedge.endswith(": The agreement may lead to wider joint training programmes between the two sides.")
    plan = h1(ld_url, "claim/example-2018-06-06-liaison-agreement/office-will-open", "ar")
    assert plan.startswith("ما سيتم بحسب سالم بن علي الكواري، في 6 يونيو 2018، خلال توقيع اتفاقية الاتصال")


def test_a_signing_names_the_party_each_signatory_signed_for_and_the_unnamed_attendees(ld_url: str) -> None:
    en = h1(ld_url, "fact/example-2018-06-06-liaison-agreement/signing", "en")
    assert "Salem bin Ali Al-Kuwari (signatory, for Qatar)" in en and "North Atlantic Treaty Organization (NATO) (signatory)" in en
    ar = h1(ld_url, "fact/example-2018-06-06-liaison-agreement/signing", "ar")
    assert "سالم بن علي الكواري (طرف موقع، نيابةً عن قطر)" in ar
    attendees = h1(ld_url, "fact/example-2018-06-06-liaison-agreement/signing-attendees", "en")
    assert "diplomats of the Qatari embassy to Belgium (attendee)" in attendees and "NATO officials (attendee)" in attendees


def test_rank_count_and_planned_event_sentences(ld_url: str) -> None:
    assert h1(ld_url, "fact/example-2018-06-06-liaison-agreement/muhannadi-rank", "en") == (
        "Nasser bin Saad Al-Muhannadi holds the rank of Staff brigadier general, as of 6 June 2018")
    assert h1(ld_url, "fact/example-2018-06-06-liaison-agreement/nato-has-29-members", "ar").endswith(": 29 دولة عضوا، بتاريخ 6 يونيو 2018")
    planned = h1(ld_url, "fact/example-2018-06-06-liaison-agreement/liaison-office-planned", "en")
    assert planned.startswith("Opening of a NATO liaison office in Doha (planned as of 6 June 2018)")
    assert "under Qatar–NATO agreement on cooperation in liaison" in planned
