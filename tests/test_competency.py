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
    "13-claims-by-speaker": ("speaker", {"person/ahmed-al-hammadi", "person/mohammed-bin-abdulrahman-al-thani"}),
    "14-wikidata-links": ("wikidata", {
        f"http://www.wikidata.org/entity/{q}" for q in
        ("Q846", "Q30", "Q858", "Q796", "Q805", "Q1016", "Q889", "Q7184", "Q2429253", "Q3861", "Q239", "Q3269455")
    }),
    "16-facts-per-article": ("published", {"2016-11-21", "2019-03-13"}),
    "17-mediation-parties": ("party", {"state/usa", "group/taliban"}),
    "18-undated-events": ("event", {"event/qatar-ratifies-ipcp"}),
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
