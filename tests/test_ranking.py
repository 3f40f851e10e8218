"""Search and reconciliation ranking, against a real server (issue 23, item 6):
a person or organisation whose name is the query ranks above what mentions
it; a bracketed abbreviation is a name; spelling variants far from the query
are dropped when something holds it; one bad query of a batch does not fail
the others; an unknown type is said; property suggest offers what describes
things, not articles."""

from __future__ import annotations

import json

import httpx
import pytest
from ld_fixtures import ld_url  # noqa: F401  (fixture)
from test_reconcile import batch, validate


def search(url: str, q: str, **params: str) -> httpx.Response:
    return httpx.get(f"{url}/search", params={"q": q, "format": "json", **params}, timeout=30)


def ids(body: dict) -> list[str]:
    return [r["id"].rsplit("/id/", 1)[1] for r in body["results"]]


def test_a_person_named_by_the_query_ranks_above_an_event_that_mentions_him(ld_url: str) -> None:
    results = search(ld_url, "Stoltenberg").json()["results"]
    assert ids({"results": results})[:2] == ["person/jens-stoltenberg", "event/2019-03-13-meeting"]
    assert results[0]["score"] > results[1]["score"]
    answer = batch(ld_url, {"q": {"query": "Stoltenberg"}, "exact": {"query": "Jens Stoltenberg"}})
    assert answer["q"]["result"][0]["id"] == "person/jens-stoltenberg"
    assert answer["q"]["result"][0]["score"] > answer["q"]["result"][1]["score"]
    assert answer["q"]["result"][0]["match"] is False  # a surname alone is not his name: a person looks
    exact = answer["exact"]["result"]
    assert exact[0]["id"] == "person/jens-stoltenberg" and exact[0]["match"] is True  # the exact, unique name


def test_a_bracketed_abbreviation_is_a_name(ld_url: str) -> None:
    assert ids(search(ld_url, "ISIL").json())[:2] == ["group/isil", "challenge/isil-threat"]
    first = batch(ld_url, {"q": {"query": "ISIL"}})["q"]["result"][0]
    assert first["id"] == "group/isil" and first["score"] == 100 and first["match"] is True
    assert ids(search(ld_url, "NATO").json())[0] == "alliance/nato"


def test_a_far_spelling_variant_is_dropped_when_a_name_holds_the_query(ld_url: str) -> None:
    assert ids(search(ld_url, "الحمادي").json()) == ["person/ahmed-al-hammadi"]  # not Operation Unified Protector («الحامي»)
    assert ids(search(ld_url, "شتولتنبرغ").json())[0] == "person/jens-stoltenberg"  # a typo alone still finds him


def test_one_empty_query_does_not_fail_the_batch(ld_url: str) -> None:
    queries = {"q0": {"query": "Doha"}, "q1": {"query": ""}, "q2": {"query": "qatar", "type": "qn:State"}}
    r = httpx.post(f"{ld_url}/reconcile", data={"queries": json.dumps(queries)}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    validate("reconciliation-result-batch", body)
    assert body["q0"]["result"][0]["id"] == "place/doha" and body["q2"]["result"][0]["id"] == "state/qat"
    assert body["q1"]["result"] == [] and "q1" in body["q1"]["error"] and "give 'query'" in body["q1"]["error"]
    alone = httpx.post(f"{ld_url}/reconcile", data={"queries": json.dumps({"q1": {"query": ""}})}, timeout=30)
    assert alone.status_code == 400  # nothing to answer: the batch is wrong


def test_an_unknown_type_is_said(ld_url: str) -> None:
    r = search(ld_url, "Doha", type="qn:Nope")
    assert r.status_code == 400 and "unknown type qn:Nope" in r.text
    page = httpx.get(f"{ld_url}/search", params={"q": "Doha", "type": "qn:Nope"}, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 400 and 'id="unknown-type"' in page.text and "qn:Nope" in page.text
    body = batch(ld_url, {"a": {"query": "Doha", "type": "qn:Nope"}, "b": {"query": "Doha", "type": "qn:Place"}})
    assert body["a"]["result"] == [] and "unknown type qn:Nope" in body["a"]["error"]
    assert body["b"]["result"][0]["id"] == "place/doha"
    assert search(ld_url, "Doha", type="qn:Place").json()["results"][0]["id"].endswith("/id/place/doha")
    suggest = httpx.get(f"{ld_url}/reconcile/suggest/entity", params={"prefix": "do", "type": "qn:Nope"}, timeout=30)
    assert suggest.status_code == 400 and "qn:Nope" in suggest.text


@pytest.mark.parametrize("prefix", ["orig", "file", "sha", "evidence", "article"])
def test_property_suggest_offers_what_describes_things(ld_url: str, prefix: str) -> None:
    r = httpx.get(f"{ld_url}/reconcile/suggest/property", params={"prefix": prefix}, timeout=30)
    validate("suggest-properties-response", r.json())
    offered = {p["id"] for p in r.json()["result"]}
    assert not offered & {"qn:originalFileName", "qn:sha256", "qn:evidence", "qn:article", "qn:isInferred", "qn:statement"}
    partner = httpx.get(f"{ld_url}/reconcile/suggest/property", params={"prefix": "partner"}, timeout=30).json()
    assert "qn:partner" in {p["id"] for p in partner["result"]}
