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


def test_generator_is_deterministic_and_loads(tmp_path: Path) -> None:
    a, b = generate(5, tmp_path / "a"), generate(5, tmp_path / "b")
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    corpus = load_corpus(a)  # the real loader: schema, references, every quote found verbatim
    assert len(corpus.articles) == 5
    kinds = {f.kind for art in corpus.articles for f in art.doc.facts}
    assert {"holds_post", "event", "discussed", "challenge", "cooperation_area"} <= kinds


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
        assert "error" not in server, server
        for phase in server["phases"]:
            assert phase["requests"] > 0 and phase["errors"] == 0, (name, phase)
    assert (out / "summary.md").read_text().startswith("## Build")
    assert (out / "cost-vs-size.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
