"""Fixtures for the linked-data tests: a real uvicorn server (``kg.web.server.build_app``)
over the session release, and one over a release whose seeds hold a hostile label."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from live import serve_settings

from kg.config import Settings
from kg.release.build import build
from kg.release.directory import open_release

HOSTILE = "Qatar <script>alert(1)</script>"
QATAR_LABEL = re.compile(r"label: \{en: Qatar, ar: قطر\}")


running = serve_settings  # one starter for every suite (tests/live.py)


@pytest.fixture(scope="session")
def ld_url(release, release_settings: Settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Base URL of a real server over the release built from the shipped seeds."""
    with running(release_settings) as url:
        yield url


def hostile_settings(root: Path, seeds: Path, label: str = HOSTILE) -> Settings:
    """Settings over a copy of the seeds in which Qatar's English label is a script tag (``label``)."""
    import shutil

    dest = root / "seeds"
    shutil.copytree(seeds, dest)
    entities = dest / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    assert QATAR_LABEL.search(text), "the seeds changed: update the hostile-label fixture"
    entities.write_text(QATAR_LABEL.sub(f'label: {{en: "{label}", ar: قطر}}', text), encoding="utf-8")
    settings = Settings(var_dir=root / "var", seeds_dir=dest)
    build(settings, progress=lambda _line: None)
    open_release(settings.current_release)
    return settings


@pytest.fixture(scope="session")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from conftest import SEEDS

    settings = hostile_settings(tmp_path_factory.mktemp("hostile"), SEEDS)
    with running(settings) as url:
        yield url
