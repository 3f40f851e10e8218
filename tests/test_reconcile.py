"""The W3C Reconciliation API 0.2 at /reconcile on a real server over the test
corpus; every JSON answer validated against the specification's JSON Schemas
(tests/reconciliation_schemas/, see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft7Validator
from ld_fixtures import ld_url  # noqa: F401  (fixture)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent / "reconciliation_schemas"
SPEC = "https://reconciliation-api.github.io/specs/0.2/schemas/"


def _registry() -> Registry:
    """The schemas under their own ids and file names: ``type.json`` resolves
    locally, never over the network."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        resource = Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT7)
        resources += [(resource.contents["$id"], resource), (SPEC + path.name, resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(name: str, instance: object) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema, registry=REGISTRY).iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def batch(url: str, queries: dict, *, method: str = "POST") -> dict:
    validate("reconciliation-query-batch", queries)  # what we send is what OpenRefine may send
    if method == "POST":
        r = httpx.post(f"{url}/reconcile", data={"queries": json.dumps(queries, ensure_ascii=False)}, timeout=30)
    else:
        r = httpx.get(f"{url}/reconcile", params={"queries": json.dumps(queries, ensure_ascii=False)}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    validate("reconciliation-result-batch", body)
    assert set(body) == set(queries)
    return body


def test_the_schemas_reject_what_they_should() -> None:
    """The validator is live: a result without a score fails."""
    with pytest.raises(AssertionError):
        validate("reconciliation-result-batch", {"q0": {"result": [{"id": "x", "name": "y"}]}})
    with pytest.raises(AssertionError):
        validate("manifest", {"versions": ["0.1"], "name": "x", "identifierSpace": "x", "schemaSpace": "y"})


def test_manifest(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/reconcile", headers={"Origin": "https://example.com"}, timeout=30)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    m = r.json()
    validate("manifest", m)
    assert m["versions"] == ["0.2"]
    assert m["identifierSpace"] == "https://qatar-nato.example.org/id/"
    assert m["schemaSpace"] == "https://qatar-nato.example.org/ontology#"
    assert m["view"]["url"] == f"{ld_url}/id/{{{{id}}}}"
    assert {"id": "qn:State", "name": "State"} in m["defaultTypes"]
    for kind in ("entity", "type", "property"):
        s = m["suggest"][kind]
        assert httpx.get(s["service_url"] + s["service_path"], params={"prefix": "q"}, timeout=30).status_code == 200
    view = httpx.get(m["view"]["url"].replace("{{id}}", "place/doha"), headers={"Accept": "text/html"}, timeout=30)
    assert view.status_code == 303 and view.headers["location"] == "/doc/place/doha"
    docs = httpx.get(m["documentation"], headers={"Accept": "text/html"}, timeout=30)
    assert docs.status_code == 200 and f"{ld_url}/reconcile" in docs.text


def test_openrefine_style_post_batch(ld_url: str) -> None:
    body = batch(ld_url, {
        "q0": {"query": "Doha", "limit": 3},
        "q1": {"query": "شتولتنبرغ", "type": "qn:Official", "type_strict": "should"},
        "q2": {"query": "Stoltenburg"},
        "q3": {"query": "no such thing at all xq"},
    })
    doha = body["q0"]["result"][0]
    assert doha["id"] == "place/doha" and doha["name"] == "Doha" and doha["score"] == 100 and doha["match"] is True
    jens = body["q1"]["result"]
    assert [c["id"] for c in jens] == ["person/jens-stoltenberg"]
    assert jens[0]["name"] == "ينس ستولتنبرغ" and jens[0]["match"] is False and 60 <= jens[0]["score"] < 100
    assert {"id": "qn:Official", "name": "Official"} in jens[0]["type"]
    assert body["q2"]["result"][0]["id"] == "person/jens-stoltenberg"
    assert body["q3"]["result"] == []


def test_get_batch_answers_the_same(ld_url: str) -> None:
    queries = {"a": {"query": "الدوحه"}, "b": {"query": "qatar", "type": ["qn:State"]}}
    assert batch(ld_url, queries, method="GET") == batch(ld_url, queries)
    assert batch(ld_url, queries)["b"]["result"][0]["id"] == "state/qat"


def test_type_condition_filters(ld_url: str) -> None:
    body = batch(ld_url, {"q": {"query": "nato", "type": "qn:Alliance"}})
    assert [c["id"] for c in body["q"]["result"]] == ["alliance/nato"]
    full = batch(ld_url, {"q": {"query": "nato", "type": "https://qatar-nato.example.org/ontology#Alliance"}})
    assert full == body


def test_country_condition_raises_the_right_candidate(ld_url: str) -> None:
    plain = batch(ld_url, {"q": {"query": "secretary general"}})["q"]["result"]
    assert {c["id"] for c in plain[:2]} == {"post/nato-secretary-general", "post/qat-mfa-secretary-general"}
    for pid, v in (("country", "Qatar"), ("P17", "قطر"), ("country", "Q846"), ("country", {"id": "state/qat", "name": "Qatar"})):
        result = batch(ld_url, {"q": {"query": "secretary general", "properties": [{"pid": pid, "v": v}]}})["q"]["result"]
        assert result[0]["id"] == "post/qat-mfa-secretary-general", (pid, v)
        assert result[0]["score"] > result[1]["score"]
        assert {"id": "property_0", "value": True} in result[0]["features"]


def test_wikidata_qid_alone_identifies(ld_url: str) -> None:
    body = batch(ld_url, {"a": {"properties": [{"pid": "wikidata", "v": "Q3861"}]},
                          "b": {"query": "Doha", "properties": [{"pid": "sameAs", "v": "http://www.wikidata.org/entity/Q3861"}]},
                          "c": {"query": "Doha", "properties": [{"pid": "wikidata", "v": "Q846"}]}})
    assert [(c["id"], c["match"]) for c in body["a"]["result"]] == [("place/doha", True)]
    assert body["b"]["result"][0]["match"] is True and body["b"]["result"][0]["score"] == 100
    c = body["c"]["result"][0]
    assert c["id"] == "place/doha" and c["match"] is False and c["score"] == 50  # named Doha, but not Q846


def test_a_predicate_as_property(ld_url: str) -> None:
    body = batch(ld_url, {"q": {"query": "nato headquarters", "properties": [{"pid": "schema:containedInPlace", "v": "Brussels"}]},
                          "r": {"query": "nato headquarters", "properties": [{"pid": "within", "v": "بروكسل"}]}})
    assert body["q"]["result"][0]["id"] == "place/nato-hq" and body["q"]["result"][0]["match"] is True
    assert body["r"]["result"][0]["id"] == "place/nato-hq"


@pytest.mark.parametrize("queries, words", [
    ("not json", "not JSON"),
    ('["q"]', "JSON object"),
    ('{"q": {"query": 3}}', "'query' must be a string"),
    ('{"q": {"type": "qn:State"}}', "give 'query'"),
    ('{"q": {"query": "x", "properties": [{"pid": "nonsense", "v": "y"}]}}', "unknown property"),
    ('{"q": {"query": "x", "bogus": 1}}', "unknown field"),
])
def test_bad_batches_are_clear_400s(ld_url: str, queries: str, words: str) -> None:
    r = httpx.post(f"{ld_url}/reconcile", data={"queries": queries}, timeout=30)
    assert r.status_code == 400 and words in r.text


def test_suggest_entity_type_property(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/reconcile/suggest/entity", params={"prefix": "stol"}, timeout=30)
    validate("suggest-entities-response", r.json())
    first = r.json()["result"][0]
    assert first["id"] == "person/jens-stoltenberg" and first["notable"] == [{"id": "qn:Official", "name": "Official"}]
    r = httpx.get(f"{ld_url}/reconcile/suggest/entity", params={"prefix": "الدو", "type": "qn:Place"}, timeout=30)
    validate("suggest-entities-response", r.json())
    assert [x["id"] for x in r.json()["result"]] == ["place/doha"] and r.json()["result"][0]["name"] == "الدوحة"
    page2 = httpx.get(f"{ld_url}/reconcile/suggest/entity", params={"prefix": "nato", "cursor": "1"}, timeout=30).json()
    page1 = httpx.get(f"{ld_url}/reconcile/suggest/entity", params={"prefix": "nato"}, timeout=30).json()
    assert page2["result"][0] == page1["result"][1]
    r = httpx.get(f"{ld_url}/reconcile/suggest/type", params={"prefix": "sta"}, timeout=30)
    validate("suggest-types-response", r.json())
    assert r.json()["result"][0] == {"id": "qn:State", "name": "State"}
    r = httpx.get(f"{ld_url}/reconcile/suggest/property", params={"prefix": "count"}, timeout=30)
    validate("suggest-properties-response", r.json())
    assert r.json()["result"][0]["id"] == "country"
    assert httpx.get(f"{ld_url}/reconcile/suggest/entity", timeout=30).status_code == 400


def test_preview_is_a_framable_card(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/reconcile/preview", params={"id": "person/jens-stoltenberg"}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Jens Stoltenberg" in r.text and "ينس ستولتنبرغ" in r.text and "Official" in r.text
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "script-src" not in csp  # framable, and still no script
    assert "x-frame-options" not in r.headers
    assert httpx.get(f"{ld_url}/reconcile/preview", params={"id": "person/nobody"}, timeout=30).status_code == 404
    page = httpx.get(f"{ld_url}/doc/state/qat", headers={"Accept": "text/html"}, timeout=30)
    assert page.headers["x-frame-options"] == "DENY"  # every other page stays unframable


def test_hostile_ids_and_iris_are_client_errors(ld_url: str) -> None:
    """Found by the schema fuzzer: an id that is no IRI is a 404, not a 500."""
    r = httpx.get(f"{ld_url}/reconcile/preview", params={"id": "a b\U000f454a"}, timeout=30)
    assert r.status_code == 404
    body = batch(ld_url, {"q": {"properties": [{"pid": "sameAs", "v": "http://exa mple.org/<x>"}]}})
    assert body["q"]["result"] == []
    r = httpx.post(f"{ld_url}/reconcile", data={"queries": '{"q": {"query": "x", "properties": [{"pid": "http://a b", "v": 1}]}}'}, timeout=30)
    assert r.status_code == 400 and "unknown property" in r.text


@pytest.mark.parametrize("cursor", ["²", "٣", "-1", "x", "10001"])
def test_a_cursor_that_is_not_a_whole_number_is_400_not_500(ld_url: str, cursor: str) -> None:
    """'²' passes str.isdigit but int() refuses it (a 500 before, found by schemathesis);
    a cursor is ASCII digits, so Arabic-Indic '٣' is refused too."""
    for kind in ("entity", "type", "property"):
        r = httpx.get(f"{ld_url}/reconcile/suggest/{kind}", params={"prefix": "q", "cursor": cursor}, timeout=30)
        assert r.status_code == 400, (kind, cursor, r.status_code)
