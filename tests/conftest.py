"""Shared fixtures: a release built once per session from the fixed test
corpus, its embedded store, and settings pointing at temporary directories.

Tests that pin answers (counts, labels, competency answers) run on
``tests/corpus/``: a frozen copy of the first two curated articles, so that
curating a new article into ``seeds/`` never changes what they expect. The
shipped ``seeds/`` are checked generically in ``tests/test_seeds.py``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.config import Settings
from kg.release.build import build
from kg.release.directory import Release, open_release
from kg.store.embedded import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "corpus"
"""The fixed test corpus every pinned answer is computed from."""
SHIPPED_SEEDS = Path(os.environ.get("KG_SHIPPED_SEEDS") or ROOT / "seeds")
"""What ``kg build`` publishes: any number of articles, checked generically
(``kg check`` points it at the seeds directory it checks)."""
SHARED = ROOT.parent / "shared"
NO_SHARED = "../shared is not beside the checkout (a newcomer's clone has none); CI puts it there"


def _quiet(_line: str) -> None:
    pass


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of seeds/ a test may break."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", seeds_dir=SEEDS)


@pytest.fixture(scope="session")
def release_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(var_dir=tmp_path_factory.mktemp("release") / "var", seeds_dir=SEEDS)


@pytest.fixture(scope="session")
def release(release_settings: Settings) -> Release:
    build(release_settings, progress=_quiet)
    return open_release(release_settings.current_release)


@pytest.fixture(scope="session")
def store(release: Release) -> OxigraphStore:
    from kg.store.embedded import embedded_store

    return embedded_store(release)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow tests run first, each file's tests kept together and in order.

    With ``--dist loadfile`` a file runs on one worker; a minute-long file handed out last
    leaves the other core idle while it finishes (longest jobs first is the usual cure)."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: the order within a file stays


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: half as many workers again as cores (3 on 2 cores).

    Much of the suite waits rather than computes — on loopback servers, spawned
    builds it kills, browsers, Virtuoso and nginx starting, queue and timeout
    tests — so with one worker per core the cores were busy 77 % of the run
    (user + sys 11.6 min in 7.5 min on 2 cores). A third worker fills those waits."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + max(1, cores // 2)
