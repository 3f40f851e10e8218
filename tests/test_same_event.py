"""Same real event, more precise date (issue 14 item 5): a later article
reuses the event's key and says ``refines:`` instead of minting a duplicate.

The corpus gets a third, test-only article C whose text gives the day of the
third ICI Consultative Group meeting, which article A dates only to the month.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.curation.loader import load_corpus
from kg.errors import CurationError
from kg.rdf.iris import Iris
from kg.release.build import build

A = "000_35b9f4be7a1e8528.yaml"
C_TEXT = "الدوحة - انطلقت يوم 21 نوفمبر 2016 أعمال الاجتماع الثالث للمجموعة الاستشارية لمبادرة اسطنبول للتعاون.\n"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def add_article_c(seeds: Path, fact: str) -> Path:
    """Article C (and its checksum) with one event fact; the event moved to entities.yaml (now shared)."""
    (seeds / "002_test.txt").write_text(C_TEXT, encoding="utf-8")
    digest = hashlib.sha256(C_TEXT.encode("utf-8")).hexdigest()
    with (seeds / "SHA256SUMS").open("a", encoding="utf-8") as fh:
        fh.write(f"{digest}  002_test.txt\n")
    a = seeds / A
    text = a.read_text(encoding="utf-8")
    block = ("  - key: event/ici-cg-3\n    type: Meeting\n"
             "    label: {en: Third meeting of the ICI Consultative Group, ar: الاجتماع الثالث للمجموعة الاستشارية لمبادرة اسطنبول للتعاون}\n")
    assert block in text, "the test corpus changed; update this test"
    a.write_text(text.replace(block, ""), encoding="utf-8")
    with (seeds / "entities.yaml").open("a", encoding="utf-8") as fh:
        fh.write(block)
    path = seeds / "002_test.yaml"
    path.write_text(
        "article:\n  id: test-c\n  file: 002_test.txt\n"
        "  title: {en: Third ICI Consultative Group meeting opens, ar: انطلاق الاجتماع الثالث}\n"
        "  publisher: publisher/zajel-news\n  published: 2016-11-21\n"
        "facts:\n" + fact, encoding="utf-8")
    return path


REFINING = ("  - id: cg3-day\n    kind: event\n    event: event/ici-cg-3\n    date: 2016-11-21\n    refines: 2016-11\n"
            "    quote: انطلقت يوم 21 نوفمبر 2016 أعمال الاجتماع الثالث\n")


def test_refining_states_one_date_the_precise_one(seeds_copy: Path, tmp_path: Path) -> None:
    add_article_c(seeds_copy, REFINING)
    corpus = load_corpus(seeds_copy)
    assert corpus.refined == {"event/ici-cg-3": "2016-11-21"}
    assert corpus.warnings == []  # the event is shared now: nothing to warn about
    release = build(Settings(var_dir=tmp_path / "var", seeds_dir=seeds_copy), progress=lambda _l: None)  # conforms, or raises
    store = ox.Store()
    store.load(path=str(release.file("dataset.nq")), format=ox.RdfFormat.N_QUADS)
    iris = Iris()
    event = ox.NamedNode(str(iris.entity("event/ici-cg-3")))
    stamps = {(q.object.value, q.object.datatype.value, q.graph_name.value)
              for q in store.quads_for_pattern(event, ox.NamedNode(SEM + "hasTimeStamp"), None, None)}
    c_fact = str(iris.fact("test-c", "cg3-day"))
    assert stamps == {("2016-11-21", XSD + "date", c_fact)}
    # A's fact keeps its evidence (the quote) and what else it says: the place
    a_fact = ox.NamedNode(str(iris.fact("zajel-2016-11-21-qatar-ici", "ici-cg-3-meeting")))
    a_graph = list(store.quads_for_pattern(event, None, None, a_fact))
    assert a_graph and all(q.predicate.value != SEM + "hasTimeStamp" for q in a_graph)
    # the opening session, dated 2016-11 and not refined, keeps its month
    opening = ox.NamedNode(str(iris.entity("event/ici-cg-3-opening")))
    assert [q.object.value for q in store.quads_for_pattern(opening, ox.NamedNode(SEM + "hasTimeStamp"), None, None)] == ["2016-11"]


def test_a_second_date_without_refines_says_how_to_reconcile(seeds_copy: Path) -> None:
    path = add_article_c(seeds_copy, REFINING.replace("    refines: 2016-11\n", ""))
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    (problem,) = info.value.problems
    assert Path(problem.path) == path and problem.field.startswith("facts[0].date")
    assert path.read_text(encoding="utf-8").splitlines()[problem.line - 1] == "    date: 2016-11-21"
    assert "'event/ici-cg-3' is dated 2016-11 by fact 'ici-cg-3-meeting'" in problem.message
    assert "add 'refines: 2016-11'" in problem.fix


def test_a_conflicting_date_is_not_offered_refines(seeds_copy: Path) -> None:
    add_article_c(seeds_copy, REFINING.replace("    date: 2016-11-21\n    refines: 2016-11\n", "    date: 2016-12-01\n"))
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    (problem,) = info.value.problems
    assert "refines" not in problem.fix and "its own key" in problem.fix


def test_refines_must_name_a_date_another_fact_gives(seeds_copy: Path) -> None:
    path = add_article_c(seeds_copy, REFINING.replace("refines: 2016-11", "refines: 2016"))
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    fields = {p.field.split(" ")[0]: p for p in info.value.problems}
    assert "no other fact dates 'event/ici-cg-3' as 2016" in fields["facts[0].refines"].message
    assert "2016-11" in fields["facts[0].refines"].fix
    assert all(Path(p.path) == path for p in info.value.problems)


@pytest.mark.parametrize(("date", "refines"), [("2016-10-21", "2016-11"), ("2016-11", "2016-11"), (None, "2016-11")])
def test_refines_must_be_coarser_and_contain_the_date(seeds_copy: Path, date: str | None, refines: str) -> None:
    fact = REFINING.replace("    date: 2016-11-21\n", f"    date: {date}\n" if date else "").replace("refines: 2016-11", f"refines: {refines}")
    add_article_c(seeds_copy, fact)
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    problem = info.value.problems[0]
    assert problem.field.startswith("facts[0]") and "refines" in problem.message and problem.fix
