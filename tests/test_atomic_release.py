"""A build killed at any point leaves the previous release intact and servable."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, SEEDS

from kg.release.directory import open_release


def _snapshot(var: Path) -> tuple[str, dict[str, bytes]]:
    current = var / "current"
    return os.readlink(current), {str(p.relative_to(current)): p.read_bytes() for p in sorted(current.rglob("*")) if p.is_file()}


def _build_cmd(seeds: Path, var: Path) -> list[str]:
    return [sys.executable, "-m", "kg", "--seeds", str(seeds), "--var", str(var), "build", "--quiet"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(seeds, var) with the first release built: the same for every kill below,
    so it is built once and copied (``var/current`` is a relative link, and the
    build cache names inputs, not paths: a copy builds as the original would)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(SEEDS, root / "seeds")
    subprocess.run(_build_cmd(root / "seeds", root / "var"), check=True, cwd=ROOT)
    return root / "seeds", root / "var"


@pytest.mark.slow  # six builds, each killed at a different moment
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9, 1.2, 1.6])
def test_kill_mid_build_keeps_previous_release(tmp_path: Path, built: tuple[Path, Path], delay: float) -> None:
    seeds_copy, var = tmp_path / "seeds", tmp_path / "var"
    shutil.copytree(built[0], seeds_copy)
    shutil.copytree(built[1], var, symlinks=True)
    cmd = _build_cmd(seeds_copy, var)
    before = _snapshot(var)
    # change the input so the next build makes a different release
    entities = seeds_copy / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("label: {en: Doha,", "label: {en: Doha (city),"), encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=ROOT)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    link, files = _snapshot(var)
    if link == before[0]:
        assert files == before[1]  # untouched
    else:  # the kill came after the swap: the new release must be complete
        release = open_release(var / "current")
        assert set(files) >= set(release.meta["files"])
    # whatever is current is servable: it parses and loads
    release = open_release(var / "current")
    store = ox.Store()
    store.bulk_load(path=str(release.file("dataset.nq")), format=ox.RdfFormat.N_QUADS)
    assert len(store) == release.meta["quads"]
    # and the next build cleans up after the killed one
    subprocess.run(cmd, check=True, cwd=ROOT)
    assert not list((var / "releases").glob(".tmp-*"))
