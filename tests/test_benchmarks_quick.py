"""The benchmark runner's quick mode keeps working (issue 6). No timing assertions:
it checks the real pipeline ran on generated input and every server answered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.generate import generate
from benchmarks.run import main
from kg.curation.loader import load_corpus

pytestmark = pytest.mark.slow  # the benchmarks' quick modes: builds, servers and peers, about a minute each


def test_generator_is_deterministic_and_loads(tmp_path: Path) -> None:
    a, b = generate(5, tmp_path / "a"), generate(5, tmp_path / "b")
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    corpus = load_corpus(a)  # the real loader: schema, references, every quote found verbatim
    assert len(corpus.articles) == 5
    kinds = {f.kind for art in corpus.articles for f in art.doc.facts}
    assert {"holds_post", "event", "discussed", "challenge", "cooperation_area"} <= kinds


@pytest.mark.parametrize("articles", [1, 5, 10])
def test_a_generated_corpus_of_any_size_conforms(tmp_path: Path, articles: int) -> None:
    """Each state's cooperation gets its partners from the state's own article: fewer
    articles than the state pool (10) once left cooperations without partners (qnsh:CooperationPartner)."""
    from kg.config import Settings
    from kg.release.build import build

    release = build(Settings(seeds_dir=generate(articles, tmp_path / "seeds"), var_dir=tmp_path / "var"), progress=lambda _l: None)
    assert len(release.meta["articles"]) == articles


def test_quick_mode_runs_end_to_end(tmp_path: Path) -> None:
    if shutil.which("rdflib-endpoint") is None and not (Path(__import__("sys").executable).with_name("rdflib-endpoint")).exists():
        pytest.skip("rdflib-endpoint (the peer) is not installed")
    out = tmp_path / "out"
    assert main(["--quick", "--work", str(tmp_path / "work"), "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    (size,) = results["sizes"]
    assert size["articles"] == 10
    assert size["build"]["quads"] > 1000
    assert size["load"]["quads"] >= size["build"]["quads"]
    assert {"curate", "map", "validate", "serialize", "publish"} <= set(size["build"])
    for name in ("hello", "kg", "rdflib-endpoint"):
        server = size["servers"][name]
        assert "error" not in server and "wrk_error" not in server, server
        for phase in server["phases"]:
            assert phase["requests"] > 0 and phase["errors"] == 0, (name, phase)
        if shutil.which("wrk"):  # the same lookups from wrk (C), at 1 and 16 connections
            kind = "hello" if name == "hello" else "point"
            assert {f"{kind}-c1-wrk", f"{kind}-c16-wrk"} <= {p["name"] for p in server["phases"]}, server["phases"]
    assert (out / "summary.md").read_text().startswith("## Build")
    assert (out / "cost-vs-size.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


BAG_DEFAULT_GRAPH = {"join"}
"""Kinds whose count may differ on Virtuoso: without FROM its default graph holds
each triple once per graph that has it (a bag), ours is the RDF merge (a set),
so a join over triples stated in several graphs has more rows there (docs/deploy.md)."""


@pytest.fixture(scope="module")
def read_path_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``--work`` for both read-path runs: the 10-article release is generated
    and built once (``read_path._quick_release`` reuses ``work/var-10``)."""
    return tmp_path_factory.mktemp("read-path-work")


def test_read_path_quick_mode_runs_end_to_end(tmp_path: Path, read_path_work: Path) -> None:
    """benchmarks/read_path.py (issue 21) on 10 generated articles: every page and
    SPARQL phase ran against kg serve with nothing refused, every query kind was
    answered, and where Virtuoso ran it gave the same number of results."""
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (Debian: apt-get install wrk)")
    from benchmarks.read_params import MIX
    from benchmarks.read_path import main as read_path

    out = tmp_path / "out"
    assert read_path(["--quick", "--warm", "--work", str(read_path_work), "--out", str(out)]) == 0
    r = json.loads((out / "read-path.json").read_text())
    warmed = r["pages"]["warm"]["kg"]  # --warm: every page drawn asked once, its size kept
    assert warmed["pages"] >= r["distinct"]["PAGES"] and warmed["statuses"] == {"200": warmed["pages"]}, warmed
    assert 1000 < warmed["median_bytes"] <= warmed["max_bytes"] and warmed["max_path"].startswith("/"), warmed
    assert r["distinct"]["PAGES"] >= 20 and r["hubs"][:2] == ["/doc/alliance/nato", "/doc/initiative/ici"]
    assert r["servers"]["kg"]["health"]["queries"]["slots"] >= 1
    for path, by in r["pages"]["single"].items():
        assert by["kg"]["status"] == 200 and by["kg"]["bytes"] > 1000, (path, by)
    names = {p["name"] for p in r["pages"]["phases"] if p["server"] == "kg"}
    assert {"entity-pages-varied", "entity-page-repeated", "robots.txt", "home", "search-json"} <= names
    for p in r["pages"]["phases"] + r["sparql"]["phases"]:
        assert "error" not in p, p
        if p["server"] == "kg":
            assert p["ok"] > 0 and p["non2xx"] == 0 and p["socket_errors"] == 0, p
    assert [p["name"] for p in r["sparql"]["phases"] if p["server"] == "kg"] == list(MIX)
    for kind, by in r["sparql"]["checks"].items():
        assert by["kg"]["status"] == 200 and by["kg"]["results"] > 0, (kind, by)
        if "virtuoso" in by and kind not in BAG_DEFAULT_GRAPH:
            assert by["virtuoso"] == by["kg"], (kind, by)
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        assert any(p["server"] == "nginx" and p["ok"] > 0 for p in r["pages"]["phases"])
    assert (out / "read-path.md").read_text().startswith("Release ")


def test_read_path_after_start_runs_end_to_end(tmp_path: Path, read_path_work: Path) -> None:
    """``read_path.py --after-start``: a server started, left idle, each busy page asked
    twice over HTTP; the checkout reports its warm-up ended (``/health``'s ``warmed``)."""
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (Debian: apt-get install wrk)")
    from benchmarks.read_path import main as read_path

    out = tmp_path / "out"
    assert read_path(["--quick", "--after-start", "--work", str(read_path_work), "--out", str(out)]) == 0
    r = json.loads((out / "read-path.json").read_text())["after_start"]
    s = r["servers"]["kg"]
    assert s["warmed"] is True and s["idle_after_s"] > 0
    assert "/" in r["paths"] and "/dataset" in r["paths"] and "/doc/alliance/nato" in r["paths"]
    for path in ("/", "/dataset", "/doc/alliance/nato"):
        assert s["pages"][path]["status"] == 200 and s["pages"][path]["bytes"] > 1000, (path, s["pages"][path])
    assert "First request of each page right after start" in (out / "read-path.md").read_text()
