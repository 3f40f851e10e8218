"""Our fail-loud vocabulary matches ontology/, and the ontology is bilingual."""

from __future__ import annotations

import pytest
from conftest import ROOT
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from kg.rdf.vocab import QN, vocabulary


@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


def defined_terms(g: Graph) -> set[str]:
    ns = str(QN._NS)
    return {str(s)[len(ns):] for s in g.subjects() if str(s).startswith(ns)}


def test_vocab_and_ontology_define_the_same_terms(ontology: Graph) -> None:
    assert defined_terms(ontology) == set(QN.__annotations__)


def test_misspelt_term_raises() -> None:
    with pytest.raises(AttributeError):
        QN.Meetin  # noqa: B018


def test_vocabulary_mints_our_terms_under_its_base_and_refuses_a_typo() -> None:
    qn = vocabulary("https://elsewhere.example/kg/")
    assert qn.Fact.value == "https://elsewhere.example/kg/ontology#Fact"
    assert {qn.iri(name) for name in QN.__annotations__} == {"https://elsewhere.example/kg/ontology#" + n for n in QN.__annotations__}
    assert qn.local("https://elsewhere.example/kg/ontology#State") == "State"
    assert qn.local(str(QN.State)) is None  # the same term under another base is not ours here
    assert qn.local("https://elsewhere.example/kg/ontology#Meetin") is None
    with pytest.raises(AttributeError, match="Meetin"):
        _ = qn.Meetin
    with pytest.raises(AttributeError, match="Meetin"):
        qn.iri("Meetin")


def test_every_term_has_english_and_arabic_label_and_comment(ontology: Graph) -> None:
    ns = str(QN._NS)
    for term in sorted(s for s in set(ontology.subjects()) if str(s).startswith(ns)):
        for pred in (RDFS.label, RDFS.comment):
            langs = sorted(o.language for o in ontology.objects(term, pred) if isinstance(o, Literal))
            assert langs == ["ar", "en"], f"{term} {pred}: {langs}"


def test_ontology_metadata(ontology: Graph) -> None:
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert any("license" in str(p) for p in ontology.predicates(onto, None))
    assert str(ontology.value(onto, QN._NS.term("x").__class__("http://purl.org/vocab/vann/preferredNamespacePrefix"))) == "qn"


def test_no_https_schema_org(ontology: Graph) -> None:
    assert not any("https://schema.org/" in str(t) for triple in ontology for t in triple)


def test_expand_and_curie_are_inverse_for_our_prefixes() -> None:
    from kg.rdf.vocab import curie, expand, prefixes

    ns = prefixes("https://example.org/kg/")
    assert expand("qn:State", ns) == "https://example.org/kg/ontology#State"
    assert curie("https://example.org/kg/ontology#State", ns) == "qn:State"
    assert expand("http://schema.org/Place", ns) == "http://schema.org/Place"  # a full IRI is left alone
    assert expand("nope:X", ns) == "nope:X" and curie("urn:x:y", ns) == "urn:x:y"
