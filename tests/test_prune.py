"""Deleting old releases (``kg prune``, ``kg build --keep``): never the current one,
never a build's draft, the most recently published kept, and only under the build lock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT
from release_helpers import write_release

from kg.cli import main
from kg.release.directory import _build_lock, open_release, prune


def _publish(var: Path, n: int, *, at: float | None = None) -> Path:
    """A small release whose dumps differ with ``n``; ``at`` sets its publication time."""
    release = write_release(var, {"dataset.nq": f"<urn:s> <urn:p> \"{n}\" .\n".encode()}, {"n": n})
    if at is not None:
        os.utime(release.path, (at, at))
    return release.path


def _releases(var: Path) -> set[Path]:
    return {p for p in (var / "releases").iterdir() if not p.name.startswith(".")}


def test_keeps_current_and_the_most_recent_others(tmp_path: Path) -> None:
    var = tmp_path / "var"
    paths = [_publish(var, n, at=1_000_000 + n) for n in range(4)]
    assert (var / "current").resolve() == paths[3]
    removed = prune(var, 2)
    assert sorted(removed) == sorted(paths[:2])
    assert _releases(var) == {paths[2], paths[3]}
    assert open_release(var / "current").meta["n"] == 3


def test_current_is_kept_even_when_it_was_published_first(tmp_path: Path) -> None:
    var = tmp_path / "var"
    paths = [_publish(var, n, at=2_000_000 - n) for n in range(3)]  # current (n=2) is the oldest
    assert prune(var, 1) == [paths[0], paths[1]]  # newest first
    assert _releases(var) == {paths[2]}
    assert open_release(var / "current").meta["n"] == 2


def test_publishing_the_same_dumps_again_makes_that_release_the_newest(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = _publish(var, 0, at=1_000_000)
    second = _publish(var, 1, at=1_000_001)
    third = _publish(var, 2, at=1_000_002)
    assert _publish(var, 0) == first  # a rollback by rebuilding: same id, current again
    assert (var / "current").resolve() == first
    assert _publish(var, 2) == third  # and forward again: first is now the previous release
    assert prune(var, 2) == [second]
    assert _releases(var) == {first, third}


def test_dry_run_deletes_nothing(tmp_path: Path) -> None:
    var = tmp_path / "var"
    paths = [_publish(var, n, at=1_000_000 + n) for n in range(3)]
    assert prune(var, 1, dry_run=True) == [paths[1], paths[0]]
    assert _releases(var) == set(paths)


def test_a_draft_and_stray_entries_are_never_touched(tmp_path: Path) -> None:
    var = tmp_path / "var"
    paths = [_publish(var, n, at=1_000_000 + n) for n in range(2)]
    draft = var / "releases" / ".tmp-live"
    draft.mkdir()
    stray = var / "releases" / "notes"
    stray.mkdir()  # no release.json: not a release
    assert prune(var, 1) == [paths[0]]
    assert draft.is_dir() and stray.is_dir()


def test_keep_below_one_is_refused(tmp_path: Path) -> None:
    var = tmp_path / "var"
    _publish(var, 0)
    with pytest.raises(ValueError, match="current release is never deleted"):
        prune(var, 0)
    assert len(_releases(var)) == 1


def test_no_releases_is_nothing_to_do(tmp_path: Path) -> None:
    assert prune(tmp_path / "var", 2) == []


def test_prune_waits_for_a_running_build(tmp_path: Path) -> None:
    var = tmp_path / "var"
    paths = [_publish(var, n, at=1_000_000 + n) for n in range(2)]
    done: list[list[Path]] = []
    with _build_lock(var):
        worker = threading.Thread(target=lambda: done.append(prune(var, 1)))
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and _releases(var) == set(paths)  # blocked on the lock
    worker.join(30)
    assert done == [[paths[0]]]


def test_cli_prune_reports_each_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    var = tmp_path / "var"
    paths = [_publish(var, n, at=1_000_000 + n) for n in range(3)]
    assert main(["--var", str(var), "prune", "--keep", "1", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert f"prune: would delete {paths[0]}" in err and "would delete 2 release(s)" in err
    assert _releases(var) == set(paths)
    assert main(["--var", str(var), "prune"]) == 0  # default: current and previous
    assert "deleted 1 release(s)" in capsys.readouterr().err
    assert _releases(var) == {paths[1], paths[2]}


def test_cli_refuses_keep_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--var", str(tmp_path), "prune", "--keep", "0"])
    assert exc.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_build_keep_deletes_older_releases_after_publishing(tmp_path: Path, seeds_copy: Path) -> None:
    var = tmp_path / "var"
    cmd = [sys.executable, "-m", "kg", "--seeds", str(seeds_copy), "--var", str(var), "build", "--quiet"]
    subprocess.run(cmd, check=True, cwd=ROOT)
    first = (var / "current").resolve()
    entities = seeds_copy / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("label: {en: Doha,", "label: {en: Doha (city),"), encoding="utf-8")
    subprocess.run([*cmd, "--keep", "1"], check=True, cwd=ROOT)
    second = (var / "current").resolve()
    assert second != first
    assert _releases(var) == {second}
    assert open_release(var / "current").id == second.name
