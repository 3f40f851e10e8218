"""Shared fixtures: a release built once per session from the shipped seeds,
its embedded store, and settings pointing at temporary directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.release import Release, open_release
from kg.store.embedded import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


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
    return Settings(var_dir=tmp_path / "var")


@pytest.fixture(scope="session")
def release_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(var_dir=tmp_path_factory.mktemp("release") / "var")


@pytest.fixture(scope="session")
def release(release_settings: Settings) -> Release:
    build(release_settings, progress=_quiet)
    return open_release(release_settings.current_release)


@pytest.fixture(scope="session")
def store(release: Release) -> OxigraphStore:
    from kg.web.server import embedded_store

    return embedded_store(release)
