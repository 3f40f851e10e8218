"""Versioned releases and their history (issue 17) and ``kg diff`` (issue 14.7).

Two releases of the test corpus that differ (``history_fixtures``) are built
into one var/; ``kg diff`` is checked against an independent set-based
comparison of the dumps and by applying its RDF Patch; then a real server
(uvicorn on loopback) is asked for the release list, the dataset
description, the old release's dump, the changes page, Memento (TimeGate,
Mementos, TimeMaps) and 410 Gone; finally ``kg prune`` removes the first
release and the same server still lists it, marked, and stops serving it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import SEEDS
from history_fixtures import (
    BASE,
    GONE_POST,
    MERGED,
    QATAR,
    REMOVED_FACT,
    SUCCESSOR,
    TwoReleases,
    build_two,
    quiet,
    second_corpus,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live import serve_settings
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, XSD

from kg.cli import main
from kg.config import Settings
from kg.errors import CurationError
from kg.release import history
from kg.release.build import build
from kg.release.check import check
from kg.release.diff import diff, quad_key
from kg.web.memento import http_date

DCAT = Namespace("http://www.w3.org/ns/dcat#")
RDF_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> TwoReleases:
    return build_two(tmp_path_factory.mktemp("history"), SEEDS)


@pytest.fixture(scope="module")
def url(two: TwoReleases):  # type: ignore[no-untyped-def]
    with serve_settings(two.settings) as base_url:
        yield base_url


def quads(path: Path) -> set[ox.Quad]:
    return set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def get(url: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.get(url, timeout=30, follow_redirects=False, **kwargs)


# -- kg diff ------------------------------------------------------------------------------
def test_diff_json_matches_a_set_comparison_of_the_dumps(two: TwoReleases, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--var", str(two.settings.var_dir), "diff", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    old_q, new_q = quads(two.first.file("dataset.nq")), quads(two.second.file("dataset.nq"))
    assert out["quads"] == {"added": len(new_q - old_q), "removed": len(old_q - new_q)}
    old_t = set(two.first.file("dataset.nt").read_bytes().splitlines())
    new_t = set(two.second.file("dataset.nt").read_bytes().splitlines())
    assert out["triples"] == {"added": len(new_t - old_t), "removed": len(old_t - new_t)}
    assert (out["old"]["id"], out["new"]["id"]) == (two.first.id, two.second.id)
    items = out["items"]
    assert items["facts"]["removed"] == [REMOVED_FACT] and items["facts"]["added"] == []
    assert sorted(items["entities"]["removed"]) == sorted([MERGED, GONE_POST])
    assert items["entities"]["added"] == [SUCCESSOR]
    assert QATAR in items["entities"]["changed"]
    # every changed fact is a graph whose quads differ, and no other fact graph differs
    touched = {str(q.graph_name.value) for q in (old_q ^ new_q) if isinstance(q.graph_name, ox.NamedNode)}
    facts = {g for g in touched if g.startswith(BASE + "id/fact/")}
    assert set(items["facts"]["changed"]) <= facts - {REMOVED_FACT}
    for category in ("facts", "claims", "entities", "articles"):
        assert {k: len(v) for k, v in items[category].items()} == out[category]


def test_diff_text_is_the_default_previous_against_current(two: TwoReleases, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--var", str(two.settings.var_dir), "diff"]) == 0
    text = capsys.readouterr().out
    assert f"Changes from release {two.first.id}" in text and f"to release {two.second.id}" in text
    assert f"  - {REMOVED_FACT}" in text and f"  + {SUCCESSOR}" in text and f"  ~ {QATAR}" in text
    assert re.search(r"facts\s+0 added, 1 removed, \d+ changed", text)


def test_the_patch_turns_the_old_release_into_the_new(two: TwoReleases, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--var", str(two.settings.var_dir), "diff", two.first.id[:6], "current", "--format", "patch"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows and all(r[:2] in ("A ", "D ") for r in rows)
    state = quads(two.first.file("dataset.nq"))
    for r in rows:
        (q,) = ox.parse(r[2:].encode(), format=ox.RdfFormat.N_QUADS)
        (state.add if r[0] == "A" else state.remove)(q)
    assert state == quads(two.second.file("dataset.nq"))


def test_a_release_against_itself_and_against_nothing(two: TwoReleases) -> None:
    same = diff(two.second, two.second)
    assert same.empty and same.to_text().rstrip().endswith("the two releases hold the same quads.")
    first = diff(None, two.first)
    assert first.quads == {"added": two.first.meta["quads"], "removed": 0}
    assert first.counts["facts"]["added"] == two.first.meta["facts"]


def test_quad_keys_follow_the_dump_order(two: TwoReleases) -> None:
    lines = two.first.file("dataset.nq").read_bytes().splitlines(keepends=True)
    parsed = list(ox.parse(path=str(two.first.file("dataset.nq")), format=ox.RdfFormat.N_QUADS))
    keys = [quad_key(line) for line in lines]
    assert keys == [f"{q.graph_name}\t{q.subject} {q.predicate} {q.object}".encode() for q in parsed]
    assert keys == sorted(keys)
    # literals with spaces, '<' and datatypes, with and without a graph
    tricky = b'<urn:s> <urn:p> "a <b"^^<urn:dt> .\n'
    assert quad_key(tricky) == b"\t" + tricky[:-3]
    assert quad_key(b'<urn:s> <urn:p> "x <y> z" <urn:g> .\n') == b'<urn:g>\t<urn:s> <urn:p> "x <y> z"'
    assert quad_key(b"<urn:s> <urn:p> <urn:o> .\n") == b"\t<urn:s> <urn:p> <urn:o>"


def test_unknown_and_pruned_names_are_clear_errors(two: TwoReleases, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--var", str(two.settings.var_dir), "diff", "nope", "current"]) == 6
    assert "'nope' names no release" in capsys.readouterr().err


# -- the history as recorded by the build ----------------------------------------------
def test_the_build_records_each_publication(two: TwoReleases) -> None:
    infos = history.releases(two.settings.var_dir)
    assert [i.id for i in infos] == [two.first.id, two.second.id]
    assert infos[1].previous == two.first.id and infos[0].previous is None
    assert infos[0].published == two.first.meta["published"] and infos[0].datetime < infos[1].datetime
    assert infos[1].summary["facts"]["removed"] == 1


def test_a_var_from_before_the_history_is_recorded_at_the_next_build(seeds_copy: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var")
    first = build(settings, progress=quiet)
    history.history_path(settings.var_dir).unlink()
    second_corpus(seeds_copy)
    second = build(settings, progress=quiet)
    infos = history.releases(settings.var_dir)
    assert [(i.id, i.previous) for i in infos] == [(first.id, None), (second.id, first.id)]
    assert [info.id for info in history.mementos(settings.var_dir, MERGED)] == [first.id]


def test_retired_entries_are_checked_against_the_corpus(seeds_copy: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var")
    retired = seeds_copy / "retired.yaml"
    retired.write_text("retired:\n  - {key: person/ghost, replaced_by: person/jens-stoltenberg}\n"
                       "  - {key: state/qat, replaced_by: person/jens-stoltenberg}\n", encoding="utf-8")
    with pytest.raises(CurationError) as err:
        check(settings, progress=quiet)
    assert "retired.yaml:3" in str(err.value) and "retired[1].key" in str(err.value) and "still declared" in str(err.value)
    retired.write_text("retired:\n  - {key: person/ghost, replaced_by: person/nobody}\n", encoding="utf-8")
    with pytest.raises(CurationError, match=r"retired.yaml:2: retired\[0\].replaced_by: person/nobody is not declared"):
        check(settings, progress=quiet)


# -- the server ----------------------------------------------------------------------------
def test_releases_list_both_as_a_page_and_as_dcat(two: TwoReleases, url: str) -> None:
    page = get(url + "/releases", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.text.index(two.second.id) < page.text.index(two.first.id)  # newest first
    g = Graph().parse(data=get(url + "/releases", headers={"Accept": "text/turtle"}).text, format="turtle")
    ds, r1, r2 = URIRef(BASE + "dataset"), URIRef(f"{BASE}releases/{two.first.id}"), URIRef(f"{BASE}releases/{two.second.id}")
    assert set(g.objects(ds, DCAT.hasVersion)) == {r1, r2}
    assert g.value(r2, DCAT.previousVersion) == r1 and g.value(r1, DCAT.previousVersion) is None
    assert g.value(r1, DCTERMS.issued) == Literal(two.first.meta["published"], datatype=XSD.dateTime)
    assert "1 removed" in str(g.value(r2, URIRef("http://www.w3.org/ns/adms#versionNotes")))


def test_the_dataset_description_names_the_release_and_every_version(two: TwoReleases, url: str) -> None:
    r = get(url + "/.well-known/void")
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    ds = URIRef(BASE + "dataset")
    assert {str(v) for v in g.objects(ds, DCAT.version)} == {two.second.id}
    assert g.value(ds, DCTERMS.issued) == Literal(two.first.meta["published"], datatype=XSD.dateTime)
    assert g.value(ds, DCTERMS.modified) == Literal(two.second.meta["published"], datatype=XSD.dateTime)
    assert g.value(ds, DCAT.hasCurrentVersion) == URIRef(f"{BASE}releases/{two.second.id}")
    old_nq = URIRef(f"{BASE}releases/{two.first.id}/dumps/dataset.nq")
    assert (URIRef(f"{BASE}releases/{two.first.id}"), DCAT.distribution, old_nq) in g
    assert g.value(old_nq, DCAT.downloadURL) == old_nq
    sd = Graph().parse(data=get(url + "/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert {str(o) for o in sd.objects(None, DCAT.version)} == {two.second.id}


def test_the_old_dump_is_served_immutable_at_its_own_url(two: TwoReleases, url: str) -> None:
    r = get(f"{url}/releases/{two.first.id}/dumps/dataset.nq")
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == two.first.meta["files"]["dataset.nq"]["sha256"]
    cache = r.headers["cache-control"]
    assert "immutable" in cache and "max-age=31536000" in cache
    assert get(f"{url}/releases/{two.first.id}/dumps/dataset.nq", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert get(url + "/dumps/dataset.nq").content != r.content  # the current one differs
    assert get(f"{url}/releases/{two.first.id}/dumps/validation-report.ttl").status_code == 200
    assert get(f"{url}/releases/{two.first.id}/dumps/..%2Frelease.json").status_code == 404


def test_the_changes_page_and_json_say_what_kg_diff_says(two: TwoReleases, url: str) -> None:
    page = get(f"{url}/releases/{two.second.id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    for iri in (REMOVED_FACT, SUCCESSOR, MERGED, GONE_POST, QATAR):
        assert iri in page.text
    assert f'href="/releases/{two.first.id}"' in page.text  # the previous release
    served = get(f"{url}/releases/{two.second.id}/changes").json()
    computed = diff(two.first, two.second).to_json()
    for key in ("quads", "triples", "facts", "claims", "entities", "articles"):
        assert served[key] == computed[key]
    for cat in ("facts", "claims", "entities", "articles"):
        assert {k: sorted(v) for k, v in served["items"][cat].items()} == {k: sorted(v) for k, v in computed["items"][cat].items()}


def test_memento_timegate_mementos_and_timemap(two: TwoReleases, url: str) -> None:
    current = get(url + "/id/state/qat")
    assert current.status_code == 303 and "accept-datetime" in current.headers["vary"].lower()
    assert 'rel="original timegate"' in current.headers["link"] and "/timemap/id/state/qat" in current.headers["link"]
    first_time = http_date(two.first.meta["published"])
    for when, expected in ((first_time, two.first), ("Thu, 01 Jan 1970 00:00:00 GMT", two.first),
                           ("Fri, 31 Dec 9999 23:59:59 GMT", two.second)):
        r = get(url + "/id/state/qat", headers={"Accept-Datetime": when})
        assert r.status_code == 302 and "accept-datetime" in r.headers["vary"].lower()
        assert r.headers["location"] == f"/releases/{expected.id}/doc/state/qat"
    assert get(url + "/id/state/qat", headers={"Accept-Datetime": "yesterday"}).status_code == 400
    past = get(f"{url}/releases/{two.first.id}/doc/state/qat", headers={"Accept": "text/turtle"})
    assert past.status_code == 200 and past.headers["memento-datetime"] == first_time
    assert 'rel="original timegate"' in past.headers["link"] and "immutable" in past.headers["cache-control"]
    labels = {t.object.value for t in ox.parse(past.content, format=ox.RdfFormat.TURTLE)
              if t.subject == ox.NamedNode(QATAR) and t.predicate.value == RDF_LABEL and t.object.language == "en"}
    assert labels == {"Qatar"}
    now = get(url + "/doc/state/qat", headers={"Accept": "text/turtle"})
    assert "State of Qatar" in now.text and "/timemap/id/state/qat" in now.headers["link"]
    page = get(f"{url}/releases/{two.first.id}/doc/state/qat", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'class="memento"' in page.text
    # links to our things stay in that release, as in a web archive; the banner links the current page
    ours = set(re.findall(r'href="(/(?:releases/[0-9a-f]+/)?doc/[^"#?]+)', page.text))
    assert f"/releases/{two.first.id}/doc/alliance/nato" in ours
    assert not {h for h in ours if not h.startswith(f"/releases/{two.first.id}/doc/")}
    assert 'href="/id/state/qat"' in page.text
    assert get(f"{url}/releases/{two.first.id}/doc/alliance/nato", headers={"Accept": "text/html"}).status_code == 200
    timemap = get(url + "/timemap/id/state/qat")
    assert timemap.headers["content-type"].startswith("application/link-format")
    entries = re.findall(r'<([^>]+)>; rel="([^"]*memento[^"]*)"; datetime="([^"]+)"', timemap.text)
    assert [(u, d) for u, _rel, d in entries] == [
        (f"/releases/{two.first.id}/doc/state/qat", first_time),
        (f"/releases/{two.second.id}/doc/state/qat", http_date(two.second.meta["published"]))]
    assert '</id/state/qat>; rel="original"' in timemap.text
    assert len(re.findall(r'rel="[^"]*memento', get(url + "/timemap/id/person/jens-stoltenberg").text)) == 1
    assert get(url + "/timemap/id/person/nobody").status_code == 404


def test_gone_iris_answer_410_with_the_last_release_and_the_replacement(two: TwoReleases, url: str) -> None:
    r = get(url + "/id/person/jens-stoltenberg", headers={"Accept": "text/turtle"})
    assert r.status_code == 410
    assert f'<{SUCCESSOR}>; rel="http://purl.org/dc/terms/isReplacedBy"' in r.headers["link"]
    assert f"/releases/{two.first.id}/doc/person/jens-stoltenberg" in r.headers["link"]
    g = Graph().parse(data=r.text, format="turtle")
    assert g.value(URIRef(MERGED), DCTERMS.isReplacedBy) == URIRef(SUCCESSOR)
    assert g.value(URIRef(MERGED), RDFS.seeAlso) == URIRef(f"{BASE}releases/{two.first.id}")
    page = get(url + "/doc/post/qat-foreign-minister", headers={"Accept": "text/html"})
    assert page.status_code == 410 and two.first.id in page.text and "isReplacedBy" not in get(url + "/id/post/qat-foreign-minister").headers["link"]
    assert get(url + "/doc/person/jens-stoltenberg.ttl").headers["content-type"].startswith("text/turtle")
    assert get(url + "/id/fact/mofa-2019-03-13-qatar-nato/mba-foreign-minister").status_code == 410
    assert get(url + "/id/person/nobody").status_code == 404
    assert get(url + "/id/person/stoltenberg").status_code == 303


# -- prune keeps the record ----------------------------------------------------------------
def test_prune_keeps_the_record_and_says_what_it_makes_unavailable(two: TwoReleases, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    var = tmp_path / "var"
    shutil.copytree(two.settings.var_dir, var, symlinks=True)
    settings = two.settings.with_(var_dir=var)
    with serve_settings(settings) as url:
        assert get(f"{url}/releases/{two.first.id}/dumps/dataset.nq").status_code == 200
        tags = {path: get(url + path).headers["etag"] for path in ("/releases.ttl", "/.well-known/void", "/dataset.ttl")}
        for path, tag in tags.items():
            assert get(url + path, headers={"If-None-Match": tag}).status_code == 304
        assert main(["--var", str(var), "prune", "--keep", "1"]) == 0
        said = capsys.readouterr().err
        assert f"release {two.first.id}" in said and f"{MERGED} is gone from the data and loses its last past state" in said
        assert not (var / "releases" / two.first.id).exists()
        page = get(url + "/releases", headers={"Accept": "text/html"})
        assert two.first.id in page.text and "pruned" in page.text
        g = Graph().parse(data=get(url + "/releases.ttl").text, format="turtle")
        old = URIRef(f"{BASE}releases/{two.first.id}")
        assert g.value(old, DCTERMS.issued) is not None and g.value(old, DCAT.distribution) is None
        assert "Pruned on" in str(g.value(old, RDFS.comment))
        for path, tag in tags.items():  # the history changed without a new release: no copy is current
            again = get(url + path, headers={"If-None-Match": tag})
            assert again.status_code == 200 and again.headers["etag"] != tag and "Pruned on" in again.text
        assert get(f"{url}/releases/{two.first.id}/dumps/dataset.nq").status_code == 410
        assert get(f"{url}/releases/{two.first.id}/doc/state/qat").status_code == 410
        timemap = get(url + "/timemap/id/state/qat").text
        assert re.search(rf'/releases/{two.first.id}/doc/state/qat>; rel="memento"; datetime="[^"]+"; status="pruned"', timemap)
        early = get(url + "/id/state/qat", headers={"Accept-Datetime": "Thu, 01 Jan 1970 00:00:00 GMT"})
        assert early.headers["location"] == f"/releases/{two.second.id}/doc/state/qat"  # only kept states are chosen
        gone = get(url + "/id/person/jens-stoltenberg")
        assert gone.status_code == 410 and two.first.id in gone.text and 'rel="memento"' not in gone.headers["link"]


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(when=st.one_of(st.text(max_size=40), st.datetimes(timezones=st.just(UTC)).map(lambda d: format_datetime(d, usegmt=True))),
       path=st.sampled_from(["state/qat", "person/jens-stoltenberg", "person/nobody", "", "state/qat#x", "a b"]))
def test_any_accept_datetime_gets_an_answer_not_an_error(url: str, when: str, path: str) -> None:
    try:
        r = get(f"{url}/id/{path}", headers={"Accept-Datetime": when})
    except (httpx.LocalProtocolError, UnicodeEncodeError):
        return  # not a header value a client can send
    assert r.status_code in (302, 303, 400, 404, 410), (when, path, r.status_code)
    if r.status_code == 302:
        assert r.headers["location"].startswith("/releases/") and "accept-datetime" in r.headers["vary"].lower()


def test_a_thing_whose_only_statements_follow_the_same_subject_in_another_graph(tmp_path: Path) -> None:
    """Run-length shortcuts must not drop a graph: fact f1 holds one statement
    about ``state/a``, removed right after the same subject's removal in the
    entities graph (same subject, same flags, another graph)."""
    from release_helpers import write_release

    a, z = f"<{BASE}id/state/a>", f"<{BASE}id/state/z>"
    old = write_release(tmp_path / "a", {
        "dataset.nq": f'{a} <urn:p> "1" <{BASE}graph/entities> .\n{a} <urn:p> "1" <{BASE}id/fact/art/f1> .\n'.encode(),
        "dataset.nt": f'{a} <urn:p> "1" .\n'.encode()}, {"base_iri": BASE})
    new = write_release(tmp_path / "b", {
        "dataset.nq": f'{z} <urn:p> "1" <{BASE}id/fact/art/f9> .\n'.encode(),
        "dataset.nt": f'{z} <urn:p> "1" .\n'.encode()}, {"base_iri": BASE})
    changes = diff(old, new)
    assert changes.items["facts"] == {"added": [f"{BASE}id/fact/art/f9"], "removed": [f"{BASE}id/fact/art/f1"], "changed": []}
    assert changes.items["entities"] == {"added": [f"{BASE}id/state/z"], "removed": [f"{BASE}id/state/a"], "changed": []}
    assert changes.triples == {"added": 1, "removed": 1} and changes.quads == {"added": 1, "removed": 2}


def test_the_changes_json_pages_through_long_lists(two: TwoReleases, url: str) -> None:
    first = get(f"{url}/releases/{two.first.id}/changes", params={"limit": 10})
    body = first.json()
    assert body["old"] is None and body["truncated"] is True and body["facts"]["added"] == two.first.meta["facts"]
    assert len(body["items"]["facts"]["added"]) == 10
    seen, page = [], body
    while True:
        seen += page["items"]["facts"]["added"]
        nxt = re.search(r'<([^>]+)>; rel="next"', first.headers["link"])
        if not page["truncated"] or nxt is None:
            break
        first = get(url + nxt.group(1))
        page = first.json()
    assert len(seen) == len(set(seen)) == two.first.meta["facts"]
    assert get(f"{url}/releases/{two.first.id}/changes", params={"limit": "0"}).status_code == 400
    assert get(f"{url}/releases/{two.first.id}/changes", params={"offset": "-1"}).status_code == 400


def test_counts_of_things_follow_the_changes(two: TwoReleases) -> None:
    """What /releases shows per release is what kg diff counts: IRIs of each kind."""
    first, second = history.releases(two.settings.var_dir)
    alone = diff(None, two.second)
    assert second.meta["held"] == {c: alone.counts[c]["added"] for c in ("facts", "claims", "entities", "articles")}
    assert first.meta["held"]["facts"] == two.first.meta["facts"] == second.meta["held"]["facts"] + 1


def test_a_history_that_cannot_be_written_stops_the_swap(seeds_copy: Path, tmp_path: Path) -> None:
    from kg.errors import BuildError
    from kg.release.directory import open_release

    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var")
    first = build(settings, progress=quiet)
    history.history_path(settings.var_dir).write_bytes(b"not a database, " * 100)
    second_corpus(seeds_copy)
    with pytest.raises(BuildError, match=r"could not (read|record) .* the current release was not replaced"):
        build(settings, progress=quiet)
    assert open_release(settings.current_release).id == first.id


def test_retired_yaml_is_not_an_article_to_any_curation_tool(seeds_copy: Path) -> None:
    from kg.curation.entities import declarations
    from kg.curation.loader import CorpusStream
    from kg.curation.preview import article_names

    (seeds_copy / "retired.yaml").write_text("retired:\n  - {key: person/ghost, replaced_by: state/qat}\n", encoding="utf-8")
    assert "retired.yaml" not in {p.name for p in CorpusStream(seeds_copy).article_paths()}
    assert "retired.yaml" not in article_names(seeds_copy)
    assert all(d.source.path.name != "retired.yaml" for d in declarations(seeds_copy))
