"""``kg check``: everything about the data a curator can break, in seconds.

The whole test suite takes a quarter of an hour; a curator who added an
article or fixed a label needs to know only whether the data holds: every
curation problem (``kg validate``'s first stage), the SHACL gate on the
mapped graph, and the tests that read the shipped seeds — checksums and a
conforming build of every article (``tests/test_seeds.py``), each external
link against its verified row (``tests/test_links_verified.py``), labels and
summaries that translate each other (``tests/test_curation_content.py``).
Those tests are the ones marked ``seeds`` in the files of ``SEED_TESTS``; run
on the seeds directory being checked (``KG_SHIPPED_SEEDS``). Nothing is
written under ``var/``: no release is made.

The tests live in a checkout, not in an installed package: without them (or
without pytest) the data checks still run, and the output says the tests
were not.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kg.config import Settings

SEED_TESTS = ("test_seeds.py", "test_links_verified.py", "test_curation_content.py")
"""The test files holding tests marked ``seeds`` (a fixed list: collecting the whole suite takes longer than the checks)."""
TESTS_FAILED = 7
"""Exit code when the data checks pass and a test reading the seeds fails (3: curation, 5: SHACL)."""


def tests_dir() -> Path | None:
    """The checkout's ``tests/`` beside the package, if this is a checkout with pytest installed."""
    tests = Path(__file__).resolve().parents[2] / "tests"
    if not all((tests / name).is_file() for name in SEED_TESTS) or importlib.util.find_spec("pytest") is None:
        return None
    return tests


def seed_tests_command(tests: Path) -> list[str]:
    # -n 0: in one process; starting xdist workers for three files costs more than it saves
    return [sys.executable, "-m", "pytest", "-q", "-n", "0", "-m", "seeds", "-p", "no:cacheprovider",
            *(str(tests / name) for name in SEED_TESTS)]


def check(settings: Settings, *, tests: bool = True, progress: Callable[[str], None]) -> int:
    """Data checks, then the seed-reading tests; the exit code of the first that fails."""
    from kg.errors import ValidationFailed
    from kg.release.check import check as validate_data

    checked = validate_data(settings, progress=progress)  # a curation problem raises (exit 3)
    if not checked.report.conforms:
        print(checked.report.to_text(checked.origins()))
        return ValidationFailed.exit_code
    progress("data     no curation problem; the graph conforms to the shapes")
    if not tests:
        return 0
    where = tests_dir()
    if where is None:
        progress("tests    not run: no tests/ with pytest beside this installation (a checkout has them)")
        return 0
    progress(f"tests    the tests that read the seeds ({', '.join(SEED_TESTS)}, marker 'seeds'):")
    env = {**os.environ, "KG_SHIPPED_SEEDS": str(Path(settings.seeds_dir).resolve())}
    done = subprocess.run(seed_tests_command(where), cwd=where.parent, env=env)
    return 0 if done.returncode == 0 else TESTS_FAILED


__all__ = ["SEED_TESTS", "TESTS_FAILED", "check", "seed_tests_command", "tests_dir"]
