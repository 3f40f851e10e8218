"""The competency questions return their expected answers, and two engines
(Oxigraph, which serves them, and rdflib, which builds) agree on every one."""

from __future__ import annotations

import pytest
from rdflib import Dataset
from rdflib.term import Node

from kg.competency import questions
from kg.release.directory import Release
from kg.store.embedded import OxigraphStore

ID = "https://qatar-nato.example.org/id/"
QN = "https://qatar-nato.example.org/ontology#"
C_CLAIM = "claim/example-2018-06-06-liaison-agreement"
C_CLAIMS = ("office-will-open", "may-expand-training", "aspires-to-regional-hub", "coordination-should-grow",
            "no-path-to-membership", "article-10-european-states")

# question slug → (column, expected set of values); values are IRIs (without
# the base) or lexical forms. Written from the articles, not from the output.
EXPECTED: dict[str, tuple[str, set[str]]] = {
    "01-qatar-joined-ici": ("since", {"2005-02"}),
    "02-who-met-secretary-general": ("person", {"person/mohammed-bin-abdulrahman-al-thani"}),
    "03-areas-in-both-articles": ("area", {
        "area/political-dialogue", "area/crisis-management", "area/education", "area/training",
        "area/counter-terrorism", "area/wmd-non-proliferation", "area/civil-emergency-planning",
    }),
    "04-events-qatar-hosted": ("event", {
        "event/ici-cg-3", "event/nato-gulf-security-2014", "event/wmd-conference-2015", "event/us-taliban-mediation",
    }),
    "05-agreements-2018-permissions": ("agreement", {"agreement/2018-information-security", "agreement/2018-military-security-cooperation"}),
    "06-operations-qatar-contributed": ("operation", {"operation/unified-protector", "operation/resolute-support"}),
    "07-posts-held": ("post", {
        "post/qat-mfa-secretary-general", "post/qat-deputy-prime-minister", "post/qat-foreign-minister", "post/nato-secretary-general",
        "post/qat-head-of-mission-nato", "post/qat-military-attache-belgium",  # article C (synthetic)
    }),
    "08-evidence-for-a-fact": ("quote", {
        "دولة قطر ومنذ انضمامها لمبادرة اسطنبول للتعاون في شهر فبراير 2005",
        "قطر -كعضو في مبادرة اسطنبول للتعاون-",
        "منذ انضمامها إلى مبادرة إسطنبول للتعاون",
    }),
    "09-entities-by-arabic-label": ("entity", {"alliance/nato"}),
    "10-events-in-doha": ("event", {"event/ici-cg-3", "event/ici-cg-3-opening"}),
    "11-parts-of-the-2019-visit": ("part", {"event/2019-03-13-meeting", "event/2019-03-13-briefing"}),
    "12-challenges-addressed": ("challenge", {
        "challenge/syrian-crisis", "challenge/isil-threat", "challenge/refugee-crisis", "challenge/middle-east-conflicts",
        "challenge/cyber-attacks", "challenge/libyan-crisis", "challenge/yemeni-crisis",
    }),
    "13-claims-by-speaker": ("speaker", {"person/ahmed-al-hammadi", "person/mohammed-bin-abdulrahman-al-thani", "person/salem-al-kuwari",
                                         # article C's unnamed NATO official: one node per claim, never a minted person
                                         f"{C_CLAIM}/no-path-to-membership#source", f"{C_CLAIM}/article-10-european-states#source"}),
    "14-wikidata-links": ("wikidata", {
        f"http://www.wikidata.org/entity/{q}" for q in
        ("Q846", "Q30", "Q858", "Q796", "Q805", "Q1016", "Q889", "Q7184", "Q2429253", "Q3861", "Q239", "Q3269455")
    }),
    "16-facts-per-article": ("published", {"2016-11-21", "2019-03-13", "2018-06-06"}),
    "17-mediation-parties": ("party", {"state/usa", "group/taliban"}),
    "18-undated-events": ("event", {"event/qatar-ratifies-ipcp"}),
    # issue 22's patterns, answered from article C (tests/corpus/002_cf2049b82e56d8e2.txt, written for the tests)
    "19-claims-when-and-where": ("claim", {f"{C_CLAIM}/{c}" for c in C_CLAIMS}),
    "20-unnamed-sources": ("claim", {f"{C_CLAIM}/no-path-to-membership", f"{C_CLAIM}/article-10-european-states"}),
    "21-claims-by-stance": ("stance", {f"{QN}Denial", f"{QN}Hedge", f"{QN}Aspiration", f"{QN}Prescription", f"{QN}Plan"}),
    "22-acting-on-behalf-of": ("party", {"state/qat"}),
    "23-accredited-representations": ("representation", {
        "mission/qat-nato", "mission/qat-nato-military", "mission/qat-embassy-belgium",
        "post/qat-head-of-mission-nato", "post/qat-military-attache-belgium",
    }),
    "24-ranks-held": ("rank", {"rank/staff-brigadier-general"}),
    "25-treaty-provisions": ("provision", {"provision/north-atlantic-treaty-article-10"}),
    "26-counts-as-of": ("value", {"29"}),
    "27-unnamed-attendees": ("affiliation", {"mission/qat-embassy-belgium", "alliance/nato", "mission/qat-nato-military"}),
    "28-planned-events": ("event", {"event/nato-liaison-office-opening"}),
}


def _value(term: object) -> str:
    text = str(term) if isinstance(term, Node) else term.value  # rdflib | pyoxigraph
    return text[len(ID):] if text.startswith(ID) else text


QUESTIONS = {q.slug: q for q in questions()}


def test_there_are_at_least_fifteen_questions_each_with_titles() -> None:
    assert len(QUESTIONS) >= 15
    for q in QUESTIONS.values():
        assert q.title and q.title_ar and q.title != q.slug


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_competency_question_answer(store: OxigraphStore, slug: str) -> None:
    column, expected = EXPECTED[slug]
    result = store.query(QUESTIONS[slug].sparql)
    assert {_value(row[column]) for row in result.dicts() if column in row} == expected


def test_inferred_facts_all_carry_a_curator_note(store: OxigraphStore) -> None:
    rows = store.query(QUESTIONS["15-inferred-facts"].sparql).dicts()
    assert len(rows) >= 5
    assert all("note" in row and len(row["note"].value) > 20 for row in rows)


def test_the_meeting_was_at_nato_hq_in_brussels(store: OxigraphStore) -> None:
    (row,) = store.query(QUESTIONS["02-who-met-secretary-general"].sparql).dicts()
    assert (_value(row["place"]), _value(row["city"])) == ("place/nato-hq", "place/brussels")


def test_offsets_point_at_the_quote(store: OxigraphStore, release: Release) -> None:
    from conftest import SEEDS

    from kg.curation.loader import load_corpus

    texts = {f"{ID}article/{a.id}": a.text for a in load_corpus(SEEDS).articles}
    rows = store.query(QUESTIONS["08-evidence-for-a-fact"].sparql).dicts()
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert texts[row["article"].value][start:end] == row["quote"].value


@pytest.fixture(scope="module")
def rdflib_dataset(release: Release) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(release.file("dataset.nq"), format="nquads")
    return ds


def _rows(result: object) -> set[tuple[str, ...]]:
    return {tuple(_value(v) if v is not None else "" for v in row) for row in result}  # type: ignore[union-attr]


@pytest.mark.parametrize("slug", sorted(QUESTIONS))
def test_oxigraph_and_rdflib_agree(store: OxigraphStore, rdflib_dataset: Dataset, slug: str) -> None:
    ours = store.query(QUESTIONS[slug].sparql)
    theirs = rdflib_dataset.query(QUESTIONS[slug].sparql)
    assert ours.variables == [str(v) for v in theirs.vars]
    assert {tuple(_value(t) if t is not None else "" for t in row) for row in ours.rows} == _rows(theirs)


def _answers(store: OxigraphStore, slug: str) -> list[dict[str, str]]:
    return [{k: _value(v) for k, v in row.items()} for row in store.query(QUESTIONS[slug].sparql).dicts()]


def test_each_claim_of_article_c_is_dated_and_placed_at_the_signing(store: OxigraphStore) -> None:
    rows = _answers(store, "19-claims-when-and-where")
    mine = [r for r in rows if r["claim"].startswith(C_CLAIM)]
    assert {(r["date"], r["occasion"]) for r in mine} == {("2018-06-06", "event/2018-06-06-liaison-signing")}
    assert len(mine) == len(C_CLAIMS)


def test_the_unnamed_official_belongs_to_nato_and_is_cited_through_the_agency(store: OxigraphStore) -> None:
    rows = _answers(store, "20-unnamed-sources")
    assert {(r["description"], r["affiliation"], r["via"]) for r in rows} == {
        ("an unnamed NATO official", "alliance/nato", "publisher/example-news-agency")}


def test_each_stance_belongs_to_the_claim_whose_words_mark_it(store: OxigraphStore) -> None:
    """«لا تمهد» denial, «قد تفضي» hedge, «تطمح» aspiration, «ينبغي» prescription, «سيتم» plan."""
    rows = _answers(store, "21-claims-by-stance")
    assert {r["claim"].rsplit("/", 1)[1]: r["stance"][len(QN):] for r in rows} == {
        "no-path-to-membership": "Denial", "may-expand-training": "Hedge", "aspires-to-regional-hub": "Aspiration",
        "coordination-should-grow": "Prescription", "office-will-open": "Plan"}


def test_the_ambassador_signed_for_qatar(store: OxigraphStore) -> None:
    (row,) = _answers(store, "22-acting-on-behalf-of")
    assert (row["event"], row["agent"], row["role"], row["party"]) == (
        "event/2018-06-06-liaison-signing", "person/salem-al-kuwari", "role/signatory", "state/qat")


def test_missions_to_nato_and_the_attache_to_belgium(store: OxigraphStore) -> None:
    rows = {(r["representation"], r["state"], r["accreditedTo"]) for r in _answers(store, "23-accredited-representations")}
    assert ("mission/qat-nato", "state/qat", "alliance/nato") in rows
    assert ("mission/qat-nato-military", "state/qat", "alliance/nato") in rows
    assert ("post/qat-military-attache-belgium", "state/qat", "state/bel") in rows


def test_rank_and_count_are_dated_by_the_article(store: OxigraphStore) -> None:
    (rank,) = _answers(store, "24-ranks-held")
    assert (rank["person"], rank["asOf"]) == ("person/nasser-al-muhannadi", "2018-06-06")
    (count,) = _answers(store, "26-counts-as-of")
    assert (count["subject"], count["value"], count["unit"], count["asOf"]) == ("alliance/nato", "29", "member countries", "2018-06-06")


def test_article_10_is_part_of_the_north_atlantic_treaty(store: OxigraphStore) -> None:
    (row,) = _answers(store, "25-treaty-provisions")
    assert (row["number"], row["treaty"], row["claim"]) == ("10", "agreement/north-atlantic-treaty", f"{C_CLAIM}/article-10-european-states")


def test_the_planned_office_opening_is_under_the_signed_agreement(store: OxigraphStore) -> None:
    (row,) = _answers(store, "28-planned-events")
    assert (row["asOf"], row["about"], row["agreement"]) == ("2018-06-06", "office/nato-liaison-doha", "agreement/qat-nato-liaison-2018")
