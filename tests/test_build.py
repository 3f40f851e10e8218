"""kg build: every dump parses with two parsers, builds are byte-deterministic,
and a failed build leaves the published release untouched."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, SEEDS
from rdflib import Dataset, Graph

from kg.config import DEFAULT_BASE_IRI, Settings
from kg.curation.loader import load_corpus
from kg.rdf.mapping import map_corpus
from kg.release.build import build, to_oxigraph
from kg.release.directory import DUMPS, Release, open_release

RDFLIB_FORMAT = {"dataset.nq": "nquads", "dataset.trig": "trig", "dataset.ttl": "turtle", "dataset.nt": "nt", "dataset.jsonld": "json-ld"}


def expected_quads() -> set[str]:
    return {str(q) for q in to_oxigraph(map_corpus(load_corpus(SEEDS)))}


def expected_triples() -> set[str]:
    return {str(q.triple) for q in to_oxigraph(map_corpus(load_corpus(SEEDS)))}


def _rdflib_statements(path: Path, fmt: str, datasets: bool) -> set[str]:
    """Parse with rdflib and re-serialize each statement through pyoxigraph's
    canonical N-Triples/N-Quads term syntax, so the two parsers compare exactly."""
    ds = Dataset()
    ds.parse(path, format=fmt)
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        q = to_oxigraph([(s, p, o, g if g is not None else s)])[0]
        if datasets and g is not None and str(g) != str(Dataset().default_graph.identifier) and "DEFAULT" not in str(g):
            out.add(str(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(g)))))
        else:
            out.add(str(q.triple))
    return out


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_dump_parses_with_pyoxigraph_and_matches_the_mapping(release: Release, name: str) -> None:
    fmt = DUMPS[name][0]
    parsed = list(ox.parse(path=str(release.file(name)), format=fmt))
    if fmt.supports_datasets:
        assert {str(q) for q in parsed} == expected_quads()
    else:
        assert {str(q.triple) for q in parsed} == expected_triples()


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_dump_parses_with_rdflib_and_is_isomorphic(release: Release, name: str) -> None:
    fmt = DUMPS[name][0]
    got = _rdflib_statements(release.file(name), RDFLIB_FORMAT[name], fmt.supports_datasets)
    assert got == (expected_quads() if fmt.supports_datasets else expected_triples())


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_gzip_variant_has_the_same_bytes(release: Release, name: str) -> None:
    assert gzip.decompress(release.file(name + ".gz").read_bytes()) == release.file(name).read_bytes()


def test_checksums_match_the_files(release: Release) -> None:
    lines = release.file("SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(release.meta["files"]) >= 2 * len(DUMPS) + 3
    for line in lines:
        digest, name = line.split()
        assert hashlib.sha256(release.file(name).read_bytes()).hexdigest() == digest


def test_dumps_have_no_blank_nodes_and_no_https_schema_org(release: Release) -> None:
    text = release.file("dataset.nq").read_text(encoding="utf-8")
    assert "_:" not in text
    assert "https://schema.org/" not in text
    assert "<http://schema.org/" in text


def test_turtle_is_readable_with_prefixes(release: Release) -> None:
    text = release.file("dataset.ttl").read_text(encoding="utf-8")
    assert "@prefix qn: <https://qatar-nato.example.org/ontology#> ." in text
    assert "state:qat a " in text


def test_ontology_and_shapes_ship_as_their_own_files(release: Release) -> None:
    for name in ("ontology.ttl", "shapes.ttl", "validation-report.ttl"):
        g = Graph().parse(release.file(name), format="turtle")
        assert len(g) > 0


def _build_in_subprocess(var: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "kg", "--var", str(var), "build", "--quiet"], check=True, env=env, cwd=ROOT)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Separate processes with different hash seeds: set-iteration order must not leak into dumps."""
    _build_in_subprocess(tmp_path / "a", "1")
    _build_in_subprocess(tmp_path / "b", "2")
    a, b = open_release(tmp_path / "a" / "current"), open_release(tmp_path / "b" / "current")
    assert a.id == b.id
    for name in a.meta["files"]:
        assert a.file(name).read_bytes() == b.file(name).read_bytes(), name


def _snapshot(var: Path) -> dict[str, bytes]:
    current = var / "current"
    return {"->": os.readlink(current).encode(), **{str(p.relative_to(current)): p.read_bytes() for p in sorted(current.rglob("*")) if p.is_file()}}


def test_failed_build_leaves_the_published_release_untouched(tmp_path: Path, seeds_copy: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", seeds_dir=seeds_copy)
    build(settings, progress=lambda _l: None)
    before = _snapshot(settings.var_dir)
    path = seeds_copy / "001_8ef1d1eb9683969b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("وأمن الطاقة}", "وأمن الطاقه}"), encoding="utf-8")
    with pytest.raises(Exception) as info:
        build(settings, progress=lambda _l: None)
    assert "area-energy-security" in str(info.value)
    assert _snapshot(settings.var_dir) == before
    assert not [p for p in (settings.var_dir / "releases").iterdir() if p.name.startswith(".tmp")]


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    base = "http://localhost:8080/kg/"
    release = build(Settings(var_dir=tmp_path / "var", seeds_dir=SEEDS, base_iri=base), progress=lambda _l: None)
    for name in ("dataset.nq", "ontology.ttl", "shapes.ttl"):
        text = release.file(name).read_text(encoding="utf-8")
        assert DEFAULT_BASE_IRI not in text, name
        assert base in text
    assert release.base_iri == base
    g = Graph().parse(release.file("ontology.ttl"))
    assert any(str(s) == base + "ontology" for s in g.subjects())


def test_progress_line_per_stage(tmp_path: Path) -> None:
    lines: list[str] = []
    build(Settings(var_dir=tmp_path / "var", seeds_dir=SEEDS), progress=lines.append)
    assert [line.split()[0] for line in lines] == ["[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"]


def test_release_carries_an_on_disk_store_that_opens_read_only(release: Release) -> None:
    """Workers open one on-disk store read-only instead of each loading the dumps."""
    from kg.store.embedded import OxigraphStore, embedded_files

    assert release.store_dir is not None
    files = embedded_files(release)
    a, b = OxigraphStore.load(files), OxigraphStore.load(files)  # two readers at once
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    n = int(a.query(count).rows[0][0].value)
    assert n == int(b.query(count).rows[0][0].value) >= release.meta["quads"]
    union = int(a.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value)
    assert union == release.meta["triples"]


def test_serve_rebuilds_for_another_base_iri(tmp_path: Path) -> None:
    from kg.web.server import current_release

    first = current_release(Settings(var_dir=tmp_path / "var", seeds_dir=SEEDS))
    assert first.base_iri == DEFAULT_BASE_IRI
    again = current_release(Settings(var_dir=tmp_path / "var", seeds_dir=SEEDS))
    assert again.id == first.id
    local = current_release(Settings(var_dir=tmp_path / "var", seeds_dir=SEEDS, base_iri="http://127.0.0.1:8000/"))
    assert local.base_iri == "http://127.0.0.1:8000/" and local.id != first.id


@pytest.mark.parametrize("bad", [
    ("s", "https://schema.org/startDate", "o"),
    ("s", "p", "https://schema.org/Event"),
    ("s", "p", ("2019", "https://schema.org/Date")),
])
def test_mapping_refuses_https_schema_org(bad: tuple) -> None:
    from rdflib import Literal, URIRef

    from kg.errors import BuildError
    from kg.rdf.mapping import check_term_forms

    def term(x: object) -> object:
        if isinstance(x, tuple):
            return Literal(x[0], datatype=URIRef(x[1]))
        return URIRef(x if ":" in x else f"http://example.org/{x}")

    g = URIRef("http://example.org/g")
    check_term_forms([(URIRef("http://example.org/s"), URIRef("http://schema.org/startDate"), Literal("x"), g)])
    with pytest.raises(BuildError, match=r"https://schema\.org/"):
        check_term_forms([(*(term(x) for x in bad), g)])  # type: ignore[misc]


def test_mapping_mints_every_term_under_the_configured_base() -> None:
    """No IRI is moved from one base to another after mapping: the mapper mints
    under its own base (our terms, the entity-type table's classes, the graphs),
    and a term left under the default base is refused, naming the fix."""
    from rdflib import Literal, URIRef

    from kg.errors import BuildError
    from kg.rdf.iris import Iris
    from kg.rdf.mapping import check_term_forms

    base = "http://localhost:8080/kg/"
    quads = map_corpus(load_corpus(SEEDS), Iris(base))
    iris = {str(t) for q in quads for t in q if isinstance(t, URIRef)}
    assert not {i for i in iris if i.startswith(DEFAULT_BASE_IRI)}
    assert base + "ontology#Meeting" in iris and base + "graph/entities" in iris
    check_term_forms(quads, base)
    stray = (URIRef(base + "id/state/qat"), URIRef(DEFAULT_BASE_IRI + "ontology#hostOf"), Literal("x"), URIRef(base + "graph/entities"))
    check_term_forms([stray])  # under the default base it is ours
    with pytest.raises(BuildError, match=r"mint it under http://localhost:8080/kg/"):
        check_term_forms([stray], base)
