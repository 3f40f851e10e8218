"""Context survives the default graph (issue 15.3).

A consumer that queries only the default graph (the union of the data graphs,
what the endpoint answers without GRAPH) must not read a dated or limited
statement as timeless, nor an inferred one as stated, nor a claim as a fact.
Each test asks the served store over SPARQL, the default graph only, except
where it compares with a fact's named graph on purpose."""

from __future__ import annotations

from kg.store.embedded import OxigraphStore

PREFIXES = """
PREFIX qn: <https://qatar-nato.example.org/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def ask(store: OxigraphStore, query: str) -> bool:
    return bool(store.query(PREFIXES + query).boolean)


def rows(store: OxigraphStore, query: str) -> list[dict]:
    return store.query(PREFIXES + query).dicts()


def test_no_timeless_post_or_membership_shortcut(store: OxigraphStore) -> None:
    """org:holds / org:memberOf carry no time; the union has neither."""
    assert not ask(store, "ASK { ?who org:holds ?post }")
    assert not ask(store, "ASK { ?who org:memberOf ?org }")


def test_every_holding_and_membership_carries_its_date_in_the_union(store: OxigraphStore) -> None:
    holdings = rows(store, "SELECT ?h ?asOf WHERE { ?h a qn:PostHolding . OPTIONAL { ?h qn:asOf ?asOf } }")
    assert len(holdings) >= 4
    assert all("asOf" in r and r["asOf"].datatype.value == "http://www.w3.org/2001/XMLSchema#date" for r in holdings)
    memberships = rows(store, """SELECT ?m WHERE { ?m a org:Membership
        FILTER NOT EXISTS { ?m qn:asOf ?d } }""")
    assert memberships == []
    # and the date is the holding's own, not shared: one holding, one date
    assert not ask(store, "ASK { ?h a qn:PostHolding ; qn:asOf ?a , ?b FILTER (?a != ?b) }")


def test_a_post_holder_is_not_a_member_of_the_posts_organisation(store: OxigraphStore) -> None:
    """An ORG-aware consumer asking for NATO's members gets none: NATO's
    Secretary General holds a post in NATO, he is not one of its members
    (the articles name none). The holding is still there, dated, with its holder."""
    nato = "<https://qatar-nato.example.org/id/alliance/nato>"
    assert rows(store, f"SELECT ?x WHERE {{ ?m org:organization {nato} ; org:member ?x }}") == []
    assert not ask(store, "ASK { ?h a qn:PostHolding , org:Membership }")
    assert not ask(store, "ASK { ?h a qn:PostHolding ; org:member ?x }")
    held = rows(store, f"""SELECT ?who ?asOf WHERE {{ ?h a qn:PostHolding ; qn:holder ?who ; qn:asOf ?asOf ;
        qn:post/org:postIn {nato} }}""")
    assert [(r["who"].value, r["asOf"].value) for r in held] == [
        ("https://qatar-nato.example.org/id/person/jens-stoltenberg", "2019-03-13")]


def test_inferred_facts_are_flagged_in_the_union(store: OxigraphStore) -> None:
    inferred = rows(store, "SELECT ?f WHERE { ?f a qn:Fact ; qn:isInferred true }")
    assert len(inferred) >= 5
    # every fact says stated or inferred in the union, not only in its own graph
    assert not ask(store, "ASK { ?f a qn:Fact FILTER NOT EXISTS { ?f qn:isInferred ?any } }")


def test_inferred_statements_are_listed_exactly(store: OxigraphStore) -> None:
    """Each triple of an inferred fact's graph is an rdf:Statement of that fact
    in the union, and nothing else is: a union reader can tell them apart."""
    missing = rows(store, """SELECT ?f ?s ?p ?o WHERE {
        ?f qn:isInferred true . GRAPH ?f { ?s ?p ?o }
        FILTER NOT EXISTS { ?f qn:statement ?st . ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }""")
    assert missing == []
    extra = rows(store, """SELECT ?f ?st WHERE {
        ?f qn:statement ?st . ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o
        FILTER NOT EXISTS { GRAPH ?f { ?s ?p ?o } } }""")
    assert extra == []
    assert not ask(store, "ASK { ?f qn:statement ?st ; qn:isInferred false }")
    assert ask(store, "ASK { ?f qn:statement ?st ; qn:isInferred true }")


def test_a_union_query_can_leave_out_what_was_inferred(store: OxigraphStore) -> None:
    """Where an event took place, stated only: the inferred places drop out."""
    everything = rows(store, "PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> "
                             "SELECT ?e ?place WHERE { ?e sem:hasPlace ?place }")
    stated = rows(store, """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
        SELECT ?e ?place WHERE { ?e sem:hasPlace ?place
        FILTER NOT EXISTS { ?st rdf:subject ?e ; rdf:predicate sem:hasPlace ; rdf:object ?place .
                            ?f qn:statement ?st } }""")
    assert 0 < len(stated) < len(everything)


def test_claims_assert_nothing_but_themselves(store: OxigraphStore) -> None:
    """A claim's graph only describes the claim node (its speaker, text, label,
    subjects, evidence): what the speaker said is never a triple of the union."""
    assert ask(store, "ASK { ?c a qn:AttributedStatement }")
    strays = rows(store, """SELECT ?c ?s ?p ?o WHERE { ?c a qn:AttributedStatement .
        GRAPH ?c { ?s ?p ?o } FILTER (?s != ?c && !STRSTARTS(STR(?s), CONCAT(STR(?c), "#"))) }""")
    assert strays == []
    assert not ask(store, "ASK { ?c a qn:AttributedStatement , qn:Fact }")
