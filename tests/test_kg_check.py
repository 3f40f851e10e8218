"""``kg check``: curation, SHACL and the tests that read the seeds, on the
seeds directory it is given, in seconds; each failure its own exit code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED_SEEDS

from kg.curation.checkcmd import SEED_TESTS, TESTS_FAILED

pytestmark = pytest.mark.slow  # each runs kg check: a build and the seed tests in a subprocess


def kg_check(seeds: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The real command, as a curator runs it (a subprocess: it starts pytest itself)."""
    return subprocess.run([sys.executable, "-m", "kg", "--seeds", str(seeds), "--var", str(seeds.parent / "var"),
                           "check", *extra], capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SHIPPED_SEEDS, seeds)
    return seeds


def test_the_shipped_seeds_pass_every_check(shipped_copy: Path) -> None:
    done = kg_check(shipped_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the graph conforms to the shapes" in done.stderr
    assert re.search(r"\d+ passed", done.stdout), done.stdout
    assert not (shipped_copy.parent / "var").exists()  # no release is made


def test_a_label_that_does_not_translate_fails_the_seed_tests_only(shipped_copy: Path) -> None:
    """Curation and SHACL accept a year in the English label only; the seed
    tests do not (labels say the same numbers in both languages)."""
    path = shipped_copy / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    assert "label: {en: Doha, ar: الدوحة}" in text
    path.write_text(text.replace("label: {en: Doha, ar: الدوحة}", "label: {en: Doha 2019, ar: الدوحة}"), encoding="utf-8")
    done = kg_check(shipped_copy)
    assert done.returncode == TESTS_FAILED, done.stdout + done.stderr
    assert "the graph conforms to the shapes" in done.stderr
    assert "test_labels_and_summaries_give_the_same_numbers_in_both_languages" in done.stdout
    assert kg_check(shipped_copy, "--no-tests").returncode == 0


def test_a_curation_problem_stops_before_the_tests(shipped_copy: Path) -> None:
    path = shipped_copy / "001_8ef1d1eb9683969b.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    began: 2017\n", "    began: 2017-13\n", 1), encoding="utf-8")
    done = kg_check(shipped_copy)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "001_8ef1d1eb9683969b.yaml:" in done.stderr and "began" in done.stderr
    assert "passed" not in done.stdout


def test_every_listed_file_holds_tests_marked_seeds() -> None:
    """The fixed list and the marker stay in step: each file it names has seed tests."""
    for name in SEED_TESTS:
        text = (ROOT / "tests" / name).read_text(encoding="utf-8")
        assert "pytest.mark.seeds" in text, name
