"""The build enforces seeds/SHA256SUMS: an edited, unlisted or missing text
is an error naming the file (and the facts that quote it); nothing is published."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.config import Settings
from kg.errors import CurationError
from kg.release.build import build

A_TXT = "000_35b9f4be7a1e8528.txt"
B_TXT = "001_8ef1d1eb9683969b.txt"


def run_build(seeds: Path, var: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["--seeds", str(seeds), "--var", str(var), "build", "--quiet"])
    return rc, capsys.readouterr().err


def published(var: Path) -> list[str]:
    releases = var / "releases"
    return sorted(p.name for p in releases.iterdir()) if releases.is_dir() else []


def test_an_edited_text_names_file_and_facts_and_publishes_nothing(seeds_copy: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = seeds_copy / A_TXT
    # one letter of a quoted word changes: that fact's quote is no longer found
    path.write_bytes(path.read_bytes().replace("منذ انضمامها".encode(), "منذ إنضمامها".encode(), 1))
    rc, err = run_build(seeds_copy, tmp_path / "var", capsys)
    assert rc == 3
    assert f"{path}: sha256: edited after curation" in err
    assert "000_35b9f4be7a1e8528.yaml quotes it" in err
    assert "qatar-joins-ici" in err  # a fact quoting this text
    lost = err.split("quotes no longer found verbatim: ", 1)[1]
    assert lost.strip() and lost.strip() != "none"
    assert published(tmp_path / "var") == []
    assert not (tmp_path / "var" / "current").exists()


def test_an_edited_text_leaves_the_published_release(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    var = tmp_path / "var"
    first = build(Settings(var_dir=var, seeds_dir=seeds_copy), progress=lambda _l: None)
    with open(seeds_copy / B_TXT, "ab") as fh:
        fh.write("\nسطر أضيف بعد التنسيق\n".encode())
    rc, err = run_build(seeds_copy, var, capsys)
    assert rc == 3 and "edited after curation" in err and B_TXT in err
    assert published(var) == [first.id]
    assert (var / "current").resolve().name == first.id


def test_validate_refuses_too(seeds_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(seeds_copy / A_TXT, "ab") as fh:
        fh.write(b" ")
    assert main(["--seeds", str(seeds_copy), "validate"]) == 3
    assert "edited after curation" in capsys.readouterr().err


def test_a_text_missing_from_the_list_is_named(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (seeds_copy / "002_0000000000000000.txt").write_text("نص لم يدرج في القائمة\n", encoding="utf-8")
    rc, err = run_build(seeds_copy, tmp_path / "var", capsys)
    assert rc == 3
    assert "002_0000000000000000.txt: sha256: not listed in SHA256SUMS" in err and "kg new" in err
    assert published(tmp_path / "var") == []


def test_a_listed_text_that_is_gone_is_named_with_its_line(seeds_copy: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    (seeds_copy / B_TXT).unlink()
    rc, err = run_build(seeds_copy, tmp_path / "var", capsys)
    assert rc == 3
    assert f"{seeds_copy / 'SHA256SUMS'}:2: sha256: lists {B_TXT}, which is not in" in err
    assert "001_8ef1d1eb9683969b.yaml quotes it" in err


def test_every_problem_is_reported_in_one_run(seeds_copy: Path) -> None:
    from checksum_helpers import verify

    for name in (A_TXT, B_TXT):
        with open(seeds_copy / name, "ab") as fh:
            fh.write(b"\n")
    (seeds_copy / "002_0000000000000000.txt").write_text("نص لم يدرج\n", encoding="utf-8")
    with pytest.raises(CurationError) as info:
        verify(seeds_copy)
    problems = info.value.problems
    assert [(Path(p.path).name, p.message.split(":")[0]) for p in problems] == [
        (A_TXT, "edited after curation"), (B_TXT, "edited after curation"), ("002_0000000000000000.txt", "not listed in SHA256SUMS")]
    assert all(p.fix for p in problems)


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("376a3b48  000_35b9f4be7a1e8528.txt\n", 1, "expected '<64 hex digits>  <file name>'"),
        ("{0}  {1}\n{0}  {1}\n", 2, "listed twice"),
    ],
)
def test_a_malformed_list_names_its_line(seeds_copy: Path, content: str, line: int, words: str) -> None:
    from checksum_helpers import verify

    digest = (seeds_copy / "SHA256SUMS").read_text().split()[0]
    (seeds_copy / "SHA256SUMS").write_text(content.format(digest, A_TXT), encoding="ascii")
    with pytest.raises(CurationError) as info:
        verify(seeds_copy)
    assert info.value.line == line and words in info.value.message


def test_no_list_at_all_is_an_error(seeds_copy: Path) -> None:
    from checksum_helpers import verify

    (seeds_copy / "SHA256SUMS").unlink()
    with pytest.raises(CurationError, match="missing"):
        verify(seeds_copy)


def test_binary_mode_lines_are_accepted(seeds_copy: Path) -> None:
    """'sha256sum -b' writes '<digest> *<name>': the same list."""
    from checksum_helpers import verify

    from kg.curation.checksums import read_manifest

    sums = seeds_copy / "SHA256SUMS"
    sums.write_text(sums.read_text().replace("  ", " *"), encoding="ascii")
    verify(seeds_copy)
    assert sorted(read_manifest(seeds_copy)) == [A_TXT, B_TXT, "002_cf2049b82e56d8e2.txt"]  # and article C (synthetic)


def test_the_quoting_file_is_found_whatever_its_name(seeds_copy: Path) -> None:
    """'kg new' gives text and YAML one stem; a file named otherwise is still found."""
    from checksum_helpers import verify

    (seeds_copy / "000_35b9f4be7a1e8528.yaml").rename(seeds_copy / "zajel-article.yaml")
    with open(seeds_copy / A_TXT, "ab") as fh:
        fh.write(b"\n")
    with pytest.raises(CurationError) as info:
        verify(seeds_copy)
    assert "zajel-article.yaml quotes it in" in info.value.message and "qatar-joins-ici" in info.value.message


def test_an_edited_text_is_reported_with_the_runs_other_curation_problems(seeds_copy: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """One run, every mistake: the checksum problem does not hide a YAML mistake
    elsewhere, and the edited text's broken quote is reported at its YAML line too."""
    path = seeds_copy / A_TXT
    path.write_bytes(path.read_bytes().replace("منذ انضمامها".encode(), "منذ إنضمامها".encode(), 1))
    yaml_b = seeds_copy / "001_8ef1d1eb9683969b.yaml"
    yaml_b.write_text(yaml_b.read_text(encoding="utf-8").replace("type: Visit", "type: Vist", 1), encoding="utf-8")
    rc, err = run_build(seeds_copy, tmp_path / "var", capsys)
    assert rc == 3
    lines = [line for line in err.splitlines() if line.startswith("kg: error: ")]
    assert any(f"{path}: sha256: edited after curation" in line for line in lines), err
    assert any("001_8ef1d1eb9683969b.yaml:" in line and "'Vist' is not allowed" in line and "did you mean 'Visit'" in line
               for line in lines), err
    assert any("000_35b9f4be7a1e8528.yaml:" in line and "quote" in line for line in lines), err
    assert lines[0].startswith(f"kg: error: {path}: sha256")  # the cause first: the quotes broke because the text changed
    assert published(tmp_path / "var") == []
