"""The validation gate: a curated file that parses but breaks a shape never
replaces the published release, and ``kg validate`` says where and why.

Real parts throughout: the shipped seeds (copied), the real build, the real
CLI entry point ``kg.cli.main``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.cli import main
from kg.config import Settings
from kg.errors import CurationError, ValidationFailed
from kg.rdf.vocab import SH
from kg.release.build import build
from kg.release.directory import REPORT_FILE

ARTICLE_B = "001_8ef1d1eb9683969b.yaml"
BRIEFING = "    event: event/2019-03-13-briefing\n    date: 2019-03-13\n    place: place/nato-hq\n"


def _quiet(_line: str) -> None:
    pass


def snapshot(var: Path) -> dict[str, bytes | str]:
    """Every file under var (symlinks by target), as bytes."""
    out: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(var):
        for name in sorted(dirs + files):
            path = Path(root) / name
            rel = str(path.relative_to(var))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                out[rel] = path.read_bytes()
    return out


def break_file(seeds: Path, old: str, new: str) -> None:
    path = seeds / ARTICLE_B
    text = path.read_text(encoding="utf-8")
    assert old in text, "the seed changed; update this test"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(seeds: Path, needle: str) -> int:
    lines = (seeds / ARTICLE_B).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.fixture
def built(seeds_copy: Path, tmp_path: Path) -> tuple[Settings, dict[str, bytes | str]]:
    settings = Settings(var_dir=tmp_path / "var", seeds_dir=seeds_copy)
    build(settings, progress=_quiet)
    return settings, snapshot(settings.var_dir)


def test_a_meeting_without_a_place_is_not_published(built: tuple[Settings, dict[str, bytes | str]]) -> None:
    settings, before = built
    break_file(settings.seeds_dir, BRIEFING, BRIEFING.replace("    place: place/nato-hq\n", ""))
    with pytest.raises(ValidationFailed) as err:
        build(settings, progress=_quiet)
    assert "nothing was published" in str(err.value)
    report = err.value.report_text
    assert "https://qatar-nato.example.org/id/event/2019-03-13-briefing" in report
    assert "qnsh:MeetingPlace" in report and "sem:hasPlace" in report
    assert "must have a place" in report
    assert f"{ARTICLE_B}:{line_of(settings.seeds_dir, 'key: event/2019-03-13-briefing')}" in report
    assert snapshot(settings.var_dir) == before


def test_a_date_after_publication_is_not_published(built: tuple[Settings, dict[str, bytes | str]]) -> None:
    settings, before = built
    break_file(settings.seeds_dir, BRIEFING, BRIEFING.replace("date: 2019-03-13", "date: 2019-04-01"))
    with pytest.raises(ValidationFailed) as err:
        build(settings, progress=_quiet)
    report = err.value.report_text
    assert "qnsh:FactDateNotAfterArticleCheck" in report
    assert "2019-04-01" in report and "(2019-03-13)" in report
    fact_line = line_of(settings.seeds_dir, "- id: briefing-to-the-council")
    assert f"[{ARTICLE_B}:{fact_line} (fact briefing-to-the-council)]" in report
    assert snapshot(settings.var_dir) == before


def test_an_unknown_place_is_not_published(built: tuple[Settings, dict[str, bytes | str]]) -> None:
    """A key of the right form that no entity defines: refused before anything is written."""
    settings, before = built
    break_file(settings.seeds_dir, BRIEFING, BRIEFING.replace("place/nato-hq", "place/nowhere"))
    with pytest.raises((CurationError, ValidationFailed)) as err:  # whichever layer refuses it first
        build(settings, progress=_quiet)
    assert "place/nowhere" in str(err.value) or "place/nowhere" in getattr(err.value, "report_text", "")
    assert snapshot(settings.var_dir) == before


def test_the_shipped_report_says_the_release_conforms(built: tuple[Settings, dict[str, bytes | str]]) -> None:
    settings, _ = built
    g = Graph().parse(settings.current_release / REPORT_FILE, format="turtle")
    reports = list(g.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert g.value(reports[0], SH.conforms) == Literal(True)
    assert not list(g.subjects(RDF.type, SH.ValidationResult))
    shapes = Graph().parse(settings.current_release / "shapes.ttl", format="turtle")
    assert (None, SH.targetClass, None) in shapes and len(shapes) > 500


def _cli(seeds: Path, var: Path, *args: str) -> list[str]:
    return ["--seeds", str(seeds), "--var", str(var), "validate", *args]


def test_cli_json_exit_codes(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    var = tmp_path / "var"
    assert main(_cli(seeds_copy, var, "--format", "json")) == 0
    ok = json.loads(capsys.readouterr().out)
    assert ok["conforms"] is True and ok["violations"] == []

    break_file(seeds_copy, BRIEFING, BRIEFING.replace("    place: place/nato-hq\n", ""))
    assert main(_cli(seeds_copy, var, "--format", "json")) == ValidationFailed.exit_code == 5
    bad = json.loads(capsys.readouterr().out)
    assert bad["conforms"] is False and bad["counts"]["results"] == len(bad["violations"]) >= 1
    hit = next(v for v in bad["violations"] if v["source_shape"].endswith("#MeetingPlace"))
    assert hit["focus"] == "https://qatar-nato.example.org/id/event/2019-03-13-briefing"
    assert hit["path"] == "http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace"
    assert hit["constraint"] == str(SH.MinCountConstraintComponent)
    assert hit["origin"].startswith(ARTICLE_B + ":")
    assert not var.exists(), "validate writes nothing"


def test_cli_turtle_is_a_validation_report(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_file(seeds_copy, BRIEFING, BRIEFING.replace("    place: place/nato-hq\n", ""))
    assert main(_cli(seeds_copy, tmp_path / "var", "--format", "turtle")) == 5
    g = Graph().parse(data=capsys.readouterr().out, format="turtle")
    report = next(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms) == Literal(False)
    assert len(list(g.objects(report, SH.result))) >= 1


def test_cli_text_groups_by_focus_node(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_cli(seeds_copy, tmp_path / "var")) == 0
    assert "conforms" in capsys.readouterr().out
    break_file(seeds_copy, BRIEFING, BRIEFING.replace("date: 2019-03-13", "date: 2019-04-01").replace("    place: place/nato-hq\n", ""))
    assert main(_cli(seeds_copy, tmp_path / "var")) == 5
    out = capsys.readouterr().out
    assert out.startswith("3 violation(s) on 2 node(s):")
    event = out.index("https://qatar-nato.example.org/id/event/2019-03-13-briefing  [")
    fact = out.index("https://qatar-nato.example.org/id/fact/mofa-2019-03-13-qatar-nato/briefing-to-the-council  [")
    assert "must have a place" in out[event:fact] and "after its article was published" in out[fact:]
