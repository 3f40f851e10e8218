"""Issue 8: publish a release into a real Virtuoso open source, then serve our
endpoint on top of it (``kg serve --store``) and compare every competency
question with the embedded store.

Virtuoso comes from Debian (``apt-get install virtuoso-opensource``); where it
is not installed these tests are skipped with that reason (``-ra`` prints
it). Known differences between the two engines are listed in
``KNOWN_DIFFERENCES`` (and in docs/deploy.md) as strict xfails, with their
cause: nothing is hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from live import serve
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from release_helpers import serialize, write_release
from test_competency import EXPECTED, _value
from virtuoso_fixtures import Virtuoso, running_virtuoso, virtuoso_binary

from kg.cli import main
from kg.competency import questions
from kg.config import Settings
from kg.rdf.iris import Iris
from kg.release.directory import Release
from kg.store.embedded import OxigraphStore
from kg.store.publish import release_graphs
from kg.store.remote import RemoteStore, check_query, for_release, vendor_iris

pytestmark = pytest.mark.slow  # starts Virtuoso and loads a release into it

QUESTIONS = {q.slug: q for q in questions()}
JSON = "application/sparql-results+json"
NT = "application/n-triples"
XSD = "http://www.w3.org/2001/XMLSchema#"

KNOWN_DIFFERENCES: dict[str, tuple[str, str]] = {
    # slug: (what differs, why) — also in docs/deploy.md
    "05-agreements-2018-permissions": ("order", (
        "ORDER BY ?name ?permissionName: Virtuoso 7.2.5 puts 'NATO forces and personnel may use Al Udeid Air Base' "
        "before '… may enter and transit Qatar'; code-point order (SPARQL 1.1 §15.1, Oxigraph) puts it after. "
        "Observed with long strings only (Virtuoso keeps long literals out of row, in RDF_OBJ): same rows, other order."
    )),
    "08-evidence-for-a-fact": ("datatype", (
        "?start/?end: the data says xsd:nonNegativeInteger; Virtuoso returns it as loaded, the embedded "
        "Oxigraph normalises integer-derived datatypes to xsd:integer on load (oxigraph/oxigraph#526). "
        "Same values, different datatype IRI: the embedded store is the one that deviates."
    )),
}


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    binary, why = virtuoso_binary()
    if binary is None:
        pytest.skip(why)
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), binary) as v:
        yield v


def _publish(var: Path, v: Virtuoso, *extra: str, to: str | None = None) -> int:
    return main(["--var", str(var), "publish", "--to", to or v.gsp_auth_with_credentials(), "--every", "25", *extra])


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso, release: Release, release_settings: Settings) -> Virtuoso:
    assert _publish(release_settings.var_dir, virtuoso, "--update", virtuoso.sparql_auth) == 0
    return virtuoso


@pytest.fixture(scope="module")
def front(published: Virtuoso, release_settings: Settings) -> Iterator[str]:
    """``kg serve --store <virtuoso>/sparql`` on a free loopback port."""
    from kg.web.server import build_app

    app = build_app(release_settings.with_(store_url=published.sparql, query_timeout=20.0))
    try:
        with serve(app) as url:
            yield url
    finally:
        app.state.store.close()


@pytest.fixture(scope="module")
def remote(published: Virtuoso, release: Release) -> Iterator[RemoteStore]:
    store = for_release(published.sparql, release.base_iri, timeout=30)
    yield store
    store.close()


def _key(term: object) -> str:
    return "" if term is None else str(term)  # N-Triples form: IRI, language tag and datatype all count


def _json_key(b: dict | None) -> str:
    if b is None:
        return ""
    if b["type"] == "uri":
        return str(ox.NamedNode(b["value"]))
    if "xml:lang" in b:
        return str(ox.Literal(b["value"], language=b["xml:lang"]))
    return str(ox.Literal(b["value"], datatype=ox.NamedNode(b.get("datatype", XSD + "string"))))


def _over_http(front: str, sparql: str) -> tuple[list[str], list[tuple[str, ...]]]:
    r = httpx.post(f"{front}/sparql", data={"query": sparql}, headers={"Accept": JSON}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    names = body["head"]["vars"]
    return names, [tuple(_json_key(row.get(n)) for n in names) for row in body["results"]["bindings"]]


def _graph_triples(v: Virtuoso, graph: str) -> set[ox.Triple] | None:
    r = httpx.get(v.gsp, params={"graph": graph}, headers={"Accept": NT}, timeout=30)
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)}


def _rdflib(ntriples: bytes) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ntriples.decode("utf-8"), format="nt")


def _graphs_in_store(v: Virtuoso, base: str) -> set[str]:
    q = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {ox.Literal(base)})) }}"
    r = httpx.post(v.sparql, data={"query": q}, headers={"Accept": JSON}, timeout=30)
    assert r.status_code == 200, r.text
    return {b["g"]["value"] for b in r.json()["results"]["bindings"]}


def _manifest_id(v: Virtuoso, base: str) -> str | None:
    triples = _graph_triples(v, str(Iris(base).graph("release"))) or set()
    ids = [t.object.value for t in triples if t.predicate.value == "http://purl.org/dc/terms/identifier"]
    return ids[0] if ids else None


# --- publishing ---------------------------------------------------------------------------


def test_every_graph_is_loaded_with_its_name_and_nothing_else(published: Virtuoso, release: Release) -> None:
    expected = release_graphs(release)
    for graph, body in expected:
        loaded = _graph_triples(published, graph)
        assert loaded is not None, f"graph {graph} missing"
        ours, theirs = _rdflib(ox.serialize(sorted(loaded, key=str), format=ox.RdfFormat.N_TRIPLES)), _rdflib(body)
        if not isomorphic(ours, theirs):  # blank nodes (the shapes' lists) get new labels in the store
            _both, only_store, only_release = graph_diff(to_isomorphic(ours), to_isomorphic(theirs))
            pytest.fail(f"{graph}: only in the store {sorted(only_store)[:3]}; only in the release {sorted(only_release)[:3]}")
    names = {g for g, _ in expected} | {str(Iris(release.base_iri).graph("release"))}
    assert _graphs_in_store(published, release.base_iri) == names  # no staging graphs left behind
    assert _manifest_id(published, release.base_iri) == release.id


def test_publishing_again_is_idempotent_and_reports_progress(
    published: Virtuoso, release: Release, release_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _graphs_in_store(published, release.base_iri)
    assert _publish(release_settings.var_dir, published, "--update", published.sparql_auth) == 0
    err = capsys.readouterr().err
    assert re.search(r"staged 25/\d+ graphs", err) and f"release {release.id} is live" in err
    assert _graphs_in_store(published, release.base_iri) == before


def test_a_refusing_store_gives_status_and_body_and_changes_nothing(
    published: Virtuoso, release: Release, release_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _graphs_in_store(published, release.base_iri)
    # the anonymous Graph Store endpoint may read but not write
    assert _publish(release_settings.var_dir, published, to=published.gsp) == 7
    err = capsys.readouterr().err
    assert "HTTP 403" in err and "Permission denied" in err
    assert _graphs_in_store(published, release.base_iri) == before
    assert _manifest_id(published, release.base_iri) == release.id


def _second_release(first: Release, var: Path) -> tuple[Release, str]:
    """The first release minus one fact graph: a release whose graphs differ."""
    quads = list(ox.parse(first.file("dataset.nq").read_bytes(), format=ox.RdfFormat.N_QUADS))
    dropped = sorted({q.graph_name.value for q in quads if "/id/fact/" in q.graph_name.value})[0]
    kept = [q for q in quads if q.graph_name.value != dropped]
    files = {
        "dataset.nq": serialize(kept, ox.RdfFormat.N_QUADS, {}),
        "dataset.nt": serialize(kept, ox.RdfFormat.N_TRIPLES, {}),
        "ontology.ttl": first.file("ontology.ttl").read_bytes(),
        "shapes.ttl": first.file("shapes.ttl").read_bytes(),
    }
    meta = {k: v for k, v in first.meta.items() if k not in ("id", "files")}
    return write_release(var, files, meta), dropped


def test_a_second_release_replaces_the_first_with_and_without_update(
    published: Virtuoso, release: Release, release_settings: Settings, tmp_path: Path
) -> None:
    second, dropped = _second_release(release, tmp_path / "var")
    assert second.id != release.id
    gone = _graph_triples(published, dropped)
    assert gone
    try:
        # Graph Store Protocol only (no --update): re-upload, then delete what the new release lacks
        assert _publish(tmp_path / "var", published) == 0
        assert _manifest_id(published, release.base_iri) == second.id
        assert _graph_triples(published, dropped) is None
        union = _graph_triples(published, str(Iris(release.base_iri).graph("union"))) or set()
        assert not (gone - {q.triple for q in ox.parse(second.file("dataset.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES)}) & union
        assert dropped not in _graphs_in_store(published, release.base_iri)
    finally:
        # back to the first release, with the one-request MOVE switch
        assert _publish(release_settings.var_dir, published, "--update", published.sparql_auth) == 0
    assert _manifest_id(published, release.base_iri) == release.id
    assert _graph_triples(published, dropped) == gone


# --- kg serve --store: the competency questions --------------------------------------------


@pytest.mark.parametrize(
    "slug",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[s][1])) if s in KNOWN_DIFFERENCES else s
        for s in sorted(QUESTIONS)
    ],
)
def test_competency_question_identical_through_kg_serve_store(front: str, store: OxigraphStore, slug: str) -> None:
    local = store.query(QUESTIONS[slug].sparql)
    names, rows = _over_http(front, QUESTIONS[slug].sparql)
    assert names == local.variables
    local_rows = [tuple(_key(t) for t in row) for row in local.rows]
    assert sorted(rows) == sorted(local_rows)
    keys = _order_keys(QUESTIONS[slug].sparql, names)  # ties may come in either order: both engines are right
    assert [tuple(r[i] for i in keys) for r in rows] == [tuple(r[i] for i in keys) for r in local_rows]


def _order_keys(sparql: str, names: list[str]) -> list[int]:
    """Columns of the ORDER BY variables (all of ours are projected)."""
    m = re.search(r"ORDER\s+BY\s+(.*?)(?:LIMIT|OFFSET|$)", sparql, re.IGNORECASE | re.DOTALL)
    order = re.findall(r"\?(\w+)", m.group(1)) if m else []
    assert all(v in names for v in order), f"ORDER BY variable not projected: {order}"
    return [names.index(v) for v in order]


def _integer_datatypes_as_integer(key: str) -> str:
    return re.sub(r"\^\^<http://www\.w3\.org/2001/XMLSchema#(nonNegativeInteger|positiveInteger|int|long)>", f"^^<{XSD}integer>", key)


@pytest.mark.parametrize("slug", sorted(KNOWN_DIFFERENCES))
def test_known_differences_are_exactly_their_stated_cause(front: str, store: OxigraphStore, slug: str) -> None:
    kind, _why = KNOWN_DIFFERENCES[slug]
    local = [tuple(_key(t) for t in row) for row in store.query(QUESTIONS[slug].sparql).rows]
    _names, rows = _over_http(front, QUESTIONS[slug].sparql)
    if kind == "datatype":  # once integer-derived datatypes are folded, everything (order too) agrees
        assert [tuple(map(_integer_datatypes_as_integer, r)) for r in rows] == local
    else:
        assert kind == "order" and sorted(rows) == sorted(local) and rows != local


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_expected_answers_through_the_remote_store(remote: RemoteStore, slug: str) -> None:
    column, expected = EXPECTED[slug]
    result = remote.query(QUESTIONS[slug].sparql)
    assert {_value(row[column]) for row in result.dicts() if column in row} == expected


def test_bindings_dataset_and_construct_match_the_embedded_store(remote: RemoteStore, store: OxigraphStore, release: Release) -> None:
    iris = Iris(release.base_iri)
    label = "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    qatar = {"s": ox.NamedNode(str(iris.entity("state/qat")))}
    labels = {str(r[0]) for r in store.query(label, bindings=qatar).rows}
    assert '"Qatar"@en' in labels
    assert {str(r[0]) for r in remote.query(label, bindings=qatar).rows} == labels
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    entities = [str(iris.graph("entities"))]
    assert remote.query(count, default_graph_uris=entities).rows == store.query(count, default_graph_uris=entities).rows
    assert remote.query(count).rows == store.query(count).rows  # default graph = the union, as a set
    assert remote.query(count, default_graph_uris=[str(iris.graph("union"))]).rows == store.query(count).rows
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    about_qatar = set(store.query(construct, bindings=qatar).triples)
    assert len(about_qatar) > 3
    assert set(remote.query(construct, bindings=qatar).triples) == about_qatar


def test_relative_iris_resolve_against_the_base_we_give(remote: RemoteStore, release: Release) -> None:
    ask = "ASK { <id/state/qat> ?p ?o }"
    assert remote.query(ask, base_iri=f"{release.base_iri}sparql").boolean is True
    assert remote.query(f"BASE <http://elsewhere.example/>\n{ask}", base_iri=f"{release.base_iri}sparql").boolean is False


# --- our front keeps its refusals: nothing dangerous reaches Virtuoso ----------------------------


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
        "LOAD <http://127.0.0.1:9/x.nt>",
        'define get:soft "replace" SELECT * FROM <http://127.0.0.1:9/x> { ?s ?p ?o }',
        "PREFIX b: <bif:> SELECT (b:file_to_string('virtuoso.ini') AS ?x) {}",
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_updates_pragmas_and_vendor_functions_are_refused_by_the_front(front: str, published: Virtuoso, query: str) -> None:
    r = httpx.post(f"{front}/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30)
    assert 400 <= r.status_code < 500, r.text
    ask = "ASK { GRAPH ?g { <urn:x:a> ?p ?o } }"
    assert httpx.post(published.sparql, data={"query": ask}, headers={"Accept": JSON}, timeout=30).json()["boolean"] is False


def test_standard_sparql_virtuoso_does_not_implement_is_a_400_with_its_message(front: str, store: OxigraphStore) -> None:
    # BNODE() is SPARQL 1.1 (§17.4.2.9); Virtuoso 7.2.5 answers "SP031 ... Built-in function is not implemented"
    query = "SELECT ?b WHERE { BIND(BNODE() AS ?b) }"
    assert len(store.query(query).rows) == 1
    r = httpx.post(f"{front}/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30)
    assert r.status_code == 400 and "not implemented" in r.text, r.text


# --- the local checks, without a store ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("PREFIX b: <bif:> SELECT (b:file_to_string('x') AS ?x) {}", True),
        ("SELECT (<bif:x>(1) AS ?x) {}", True),
        ("PREFIX : <http://www.openlinksw.com/schemas/bif#> SELECT (:x(1) AS ?x) {}", True),
        ("PREFIX s: <sql:> SELECT (s:proc() AS ?x) {}", True),
        ('SELECT * { ?s ?p "bif:x" } # <bif:y>', False),
        ("PREFIX ex: <http://example.org/> SELECT * { ?s ex:bif ?o }", False),
    ],
)
def test_vendor_function_namespaces_are_found_however_spelt(query: str, found: bool) -> None:
    assert bool(vendor_iris(query)) is found


def test_check_query_returns_the_form_and_refuses_non_queries() -> None:
    assert check_query("SELECT * { ?s ?p ?o }") == "select"
    assert check_query("ASK {}") == "ask"
    assert check_query("DESCRIBE <urn:x:a>") == "graph"
    for bad in ("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", "SELECT * {", 'define input:x "y" SELECT * {}'):
        with pytest.raises(SyntaxError):
            check_query(bad)
