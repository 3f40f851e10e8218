"""The describe layer and the URL scheme without a server: one description per
IRI, overlapping evidence spans, IRI ↔ path mapping, queries moved to a base."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.query.describe import describe, query_text, serialize, to_triples
from kg.rdf.formats import HTML, TURTLE
from kg.web.resources import segment
from kg.web.urls import Urls

BASE = "https://qatar-nato.example.org/"


def test_urls_map_things_documents_and_fragments() -> None:
    u = Urls(BASE)
    assert u.page(BASE + "id/state/qat") == "/doc/state/qat"
    assert u.page(BASE + "id/fact/a/b#evidence-1") == "/doc/fact/a/b#evidence-1"
    assert u.page(BASE + "ontology#State") == "/ontology#State"
    assert u.page("http://www.wikidata.org/entity/Q846") == "http://www.wikidata.org/entity/Q846"
    assert u.document_iri(BASE + "id/state/qat#x") == BASE + "doc/state/qat"
    assert u.variant(BASE + "id/state/qat", "ttl") == "/doc/state/qat.ttl"
    assert u.split_suffix("state/qat.ttl") == ("state/qat", TURTLE)
    assert u.split_suffix("state/qat.html") == ("state/qat", HTML)
    assert u.split_suffix("event/v1.2") == ("event/v1.2", None)


def test_queries_follow_the_base() -> None:
    """The text carries no base of its own: a SPARQL parser resolves its
    relative ``qn:`` and ``<graph/>`` IRIs against the ``BASE`` it is given."""
    from rdflib.plugins.sparql import prepareQuery

    assert BASE not in query_text("resource_provenance", "https://kg.example.net/")
    for name in ("resource_provenance", "housekeeping_graphs"):
        algebra = str(prepareQuery(query_text(name, "https://kg.example.net/")).algebra)
        assert "https://kg.example.net/" in algebra and BASE not in algebra, name


def _spans(*pairs: tuple[int, int]) -> list[dict]:
    return [{"n": i, "start": s, "end": e, "ident": f"f{i}", "fact_href": f"/f{i}", "anchor": f"span-{s}-{e}", "exact": ""}
            for i, (s, e) in enumerate(pairs, start=1)]


def test_segment_handles_overlap_nesting_and_shared_starts() -> None:
    text = "abcdefghij"
    pieces = segment(text, _spans((1, 5), (3, 8), (3, 4), (1, 5)))
    assert "".join(p["text"] for p in pieces) == text
    depth = {p["text"]: p["depth"] for p in pieces}
    assert depth == {"a": 0, "bc": 2, "d": 4, "e": 3, "fgh": 1, "ij": 0}
    ids = [i for p in pieces for i in p["ids"]]
    assert sorted(ids) == ["span-1-5", "span-3-4", "span-3-8"], "one anchor per distinct span"
    refs = {p["text"]: [r["n"] for r in p["refs"]] for p in pieces}
    assert refs["d"] == [3] and refs["e"] == [1, 4] and refs["fgh"] == [2]


def test_describe_entity(store) -> None:  # type: ignore[no-untyped-def]
    d = describe(store, BASE + "id/state/qat", base=BASE)
    assert d is not None
    assert BASE + "ontology#State" in d.types()
    assert d.labels[BASE + "id/state/qat"] == {"en": "Qatar", "ar": "قطر"}
    assert any(iri == BASE + "ontology#State" for iri in d.labels), "types get their labels from the ontology"
    assert d.incoming and not d.incoming_truncated
    assert d.evidence and all(ev.exact and ev.end > ev.start for evs in d.evidence.values() for ev in evs)


def test_describe_fact_includes_its_graph_and_fragments(store) -> None:  # type: ignore[no-untyped-def]
    iri = BASE + "id/fact/mofa-2019-03-13-qatar-nato/visit-to-nato-hq"
    d = describe(store, iri, base=BASE)
    assert d is not None
    assert d.graph_content(), "what the fact asserts"
    assert iri + "#evidence-1" in d.fragments()


def test_unknown_iri_is_none(store) -> None:  # type: ignore[no-untyped-def]
    assert describe(store, BASE + "id/state/atlantis", base=BASE) is None


@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_serializations_round_trip(store, media: str) -> None:  # type: ignore[no-untyped-def]
    d = describe(store, BASE + "id/event/2019-03-13-visit", base=BASE)
    assert d is not None
    triples = to_triples(d)
    parsed = list(ox.parse(serialize(triples, media, {"qn": BASE + "ontology#"}), format=ox.RdfFormat.from_media_type(media)))
    assert len(parsed) == len(triples)
