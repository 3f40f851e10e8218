"""What the curation says, checked generically on the shipped seeds, and the
two curation features the blockade needed (an approximate date, a generic
event type) checked end to end on a copy of the fixed corpus.

Nothing here pins an answer of the shipped seeds: the invariants hold for any
careful curation (an inferred fact says why; a label or summary gives the same
numbers in both languages), so adding an article breaks no test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHIPPED_SEEDS
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF

from kg.config import Settings
from kg.curation.loader import load_corpus
from kg.curation.model import Entity
from kg.errors import CurationError
from kg.rdf.mapping import Mapper
from kg.rdf.vocab import QN, SCHEMA, SEM
from kg.release.build import build
from kg.release.directory import open_release

ID = "https://qatar-nato.example.org/id/"
XSD_ = "http://www.w3.org/2001/XMLSchema#"
B = "001_8ef1d1eb9683969b.yaml"
DIGITS = re.compile(r"\d+")


def _digits(text: str) -> list[str]:
    return sorted(DIGITS.findall(text))


@pytest.mark.seeds
def test_every_inferred_fact_says_why() -> None:
    corpus = load_corpus(SHIPPED_SEEDS)
    unexplained = [f"{a.path.name}:{f.id}" for a in corpus.articles for f in a.doc.facts
                   if f.inferred and not (f.note and len(f.note) > 20)]
    assert not unexplained


@pytest.mark.seeds
def test_every_claim_says_when_and_where_it_was_made() -> None:
    """Issue 22: a claim has a date and an occasion (the speech, session or visit it was made at);
    one that only the context places says so (inferred) and why (note)."""
    corpus = load_corpus(SHIPPED_SEEDS)
    claims = [(a.path.name, c) for a in corpus.articles for c in a.doc.claims]
    assert [f"{name}:{c.id}" for name, c in claims if c.date is None or c.occasion is None] == []
    assert [f"{name}:{c.id}" for name, c in claims if c.inferred and not (c.note and len(c.note) > 20)] == []
    occasions = {c.occasion for _, c in claims}
    assert all(corpus.entities[o].entity.type in EVENT_TYPES for o in occasions), occasions


EVENT_TYPES = {"Meeting", "Session", "Conference", "Visit", "Briefing", "Speech", "Signing", "Event"}


@pytest.mark.seeds
def test_labels_and_summaries_give_the_same_numbers_in_both_languages() -> None:
    """A date or count in one language's label and not the other's is a label
    that does not translate the other (Arabic labels here use 0-9 digits)."""
    corpus = load_corpus(SHIPPED_SEEDS)
    pairs = [(key, located.entity.label) for key, located in corpus.entities.items()]
    pairs += [(f"{a.path.name}:{c.id}", c.summary) for a in corpus.articles for c in a.doc.claims]
    mismatched = [(name, b.en, b.ar) for name, b in pairs if _digits(b.en) != _digits(b.ar)]
    assert not mismatched


@pytest.mark.seeds
def test_every_claim_quote_is_a_distinct_statement() -> None:
    """Two claims of one article never rest on the very same words."""
    for art in load_corpus(SHIPPED_SEEDS).articles:
        first = [(art.spans[(c.id, 0)].start, art.spans[(c.id, 0)].end) for c in art.doc.claims]
        assert len(first) == len(set(first)), art.path.name


def test_generic_event_type_is_an_event_and_claims_no_more_specific_class() -> None:
    """qn:Event (so the disjointness of events covers it), sem:Event, schema:Event: no Meeting, Visit …"""
    ent = Entity.model_validate({"key": "event/x-blockade", "type": "Event", "label": {"en": "Blockade", "ar": "الحصار"}})
    types = {o for s, p, o, g in Mapper(lambda _k: None).entity(ent) if p == RDF.type}
    assert types == {QN.Event, SEM.Event, SCHEMA.Event}


APPROXIMATE_EVENT = """
  - key: event/test-blockade
    type: Event
    label: {en: Blockade imposed on Qatar, ar: الحصار المفروض على قطر}
"""
APPROXIMATE_FACT = """
  - id: test-blockade
    kind: event
    event: event/test-blockade
    date: 2017
    approximate: true
    as_of: 2019-03-13
    actors:
      - {agent: state/qat, role: role/party}
    quote: الحصار غير المشروع المفروض على قطر، منذ قرابة عامين
"""


def _add_blockade(seeds: Path, fact: str = APPROXIMATE_FACT) -> None:
    path = seeds / B
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nentities:\n", "\nentities:" + APPROXIMATE_EVENT, 1)
    text = text.replace("\nfacts:\n", "\nfacts:" + fact, 1)
    path.write_text(text, encoding="utf-8")


def test_approximate_date_is_published_and_conforms(seeds_copy: Path, tmp_path: Path) -> None:
    _add_blockade(seeds_copy)
    settings = Settings(var_dir=tmp_path / "var", seeds_dir=seeds_copy)
    build(settings, progress=lambda _line: None)  # raises unless the SHACL gate passes
    ds = Dataset(default_union=True)
    ds.parse(open_release(settings.current_release).file("dataset.nq"), format="nquads")
    event = URIRef(ID + "event/test-blockade")
    assert (event, QN.approximate, Literal(True)) in ds
    assert (event, SEM.hasTimeStamp, Literal("2017", datatype=URIRef(XSD_ + "gYear"))) in ds
    assert (event, QN.asOf, Literal("2019-03-13", datatype=URIRef(XSD_ + "date"))) in ds
    assert (event, RDF.type, SEM.Event) in ds


def test_approximate_without_a_date_is_refused_at_the_fact(seeds_copy: Path) -> None:
    _add_blockade(seeds_copy, APPROXIMATE_FACT.replace("    date: 2017\n", ""))
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    err = info.value
    assert Path(err.path).name == B
    assert "approximate" in err.message and "date" in err.message
    text = (seeds_copy / B).read_text(encoding="utf-8").splitlines()
    assert err.line is not None and "id: test-blockade" in "\n".join(text[err.line - 2:err.line + 1])


ONGOING_FACT = APPROXIMATE_FACT.replace("    date: 2017\n", "    began: 2017\n")


def test_an_ongoing_event_has_a_beginning_not_a_date(seeds_copy: Path, tmp_path: Path) -> None:
    """began: (issue 22): the blockade began about 2017 and was ongoing on
    2019-03-13; it did not take place in 2017. sem:hasBeginTimeStamp, repeated
    as schema:startDate, and no sem:hasTimeStamp; the SHACL gate passes."""
    _add_blockade(seeds_copy, ONGOING_FACT)
    settings = Settings(var_dir=tmp_path / "var", seeds_dir=seeds_copy)
    build(settings, progress=lambda _line: None)
    ds = Dataset(default_union=True)
    ds.parse(open_release(settings.current_release).file("dataset.nq"), format="nquads")
    event, year = URIRef(ID + "event/test-blockade"), Literal("2017", datatype=URIRef(XSD_ + "gYear"))
    assert (event, SEM.hasBeginTimeStamp, year) in ds
    assert (event, SCHEMA.startDate, year) in ds
    assert (event, SEM.hasTimeStamp, None) not in ds
    assert (event, QN.asOf, Literal("2019-03-13", datatype=URIRef(XSD_ + "date"))) in ds


def test_a_date_and_a_beginning_are_refused_together(seeds_copy: Path) -> None:
    _add_blockade(seeds_copy, ONGOING_FACT.replace("    began: 2017\n", "    began: 2017\n    date: 2017\n"))
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    assert "began" in info.value.message and "date" in info.value.message
