"""Shared fixtures: a release built once per session from the fixed test
corpus, its embedded store, and settings pointing at temporary directories.

Tests that pin answers (counts, labels, competency answers) run on
``tests/corpus/``: a frozen copy of the first two curated articles, so that
curating a new article into ``seeds/`` never changes what they expect. The
shipped ``seeds/`` are checked generically in ``tests/test_seeds.py``."""

from __future__ import annotations

import gc
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
    """The test corpus's settings. ``warm=False``: an app built on them opens idle (``kg serve
    --no-warm``); each page is made on its first request, the same bytes (tests/test_warm.py). The
    warm-up made 27 pages and the search index per app, about a second of CPU, and most tests
    build an app and ask a few pages. tests/test_warm.py and the tests of what the warm-up makes
    turn it on."""
    return Settings(var_dir=tmp_path_factory.mktemp("release") / "var", seeds_dir=SEEDS, warm=False)


@pytest.fixture(scope="session")
def release(release_settings: Settings) -> Release:
    build(release_settings, progress=_quiet)
    return open_release(release_settings.current_release)


@pytest.fixture(scope="session")
def store(release: Release) -> OxigraphStore:
    from kg.store.embedded import embedded_store

    return embedded_store(release)


FILE_SECONDS = {
    "test_export_shards.py": 45, "test_shacl_engine.py": 40, "test_benchmarks_quick.py": 60,
    "test_readers_browser.py": 28, "test_readers_history_browser.py": 54, "test_incremental.py": 49,
    "test_reload.py": 46, "test_kg_check.py": 38, "test_closure.py": 35, "test_paging.py": 35, "test_export_site.py": 32,
    "test_pages_browser.py": 29, "test_atomic_release.py": 27, "test_history.py": 25, "test_render_once.py": 25,
    "test_dataset_page.py": 24, "test_virtuoso.py": 24, "test_build.py": 21, "test_sparql_queue.py": 21,
    "test_reconcile.py": 19, "test_shapes.py": 19, "test_virtuoso_protocol.py": 18, "test_validate_gate.py": 18,
    "test_serve_granian.py": 18, "test_ld_conditional.py": 18, "test_sparql_async.py": 17, "test_abuse.py": 16,
    "test_curation_fuzz.py": 16, "test_fuzz_http.py": 15, "test_load.py": 15, "test_ld_live.py": 15,
    "test_clients_stubborn.py": 13, "test_sparql_limits.py": 13, "test_sitemap.py": 12, "test_shacl_slices.py": 11,
    "test_warm.py": 11, "test_sparql_protocol.py": 11, "test_history_browser.py": 10, "test_search.py": 9,
    "test_pages_beside_sparql.py": 9, "test_preview.py": 9, "test_web_safety.py": 7, "test_error_responses.py": 7,
    "test_progress.py": 7, "test_search_browser.py": 7, "test_curation_entities.py": 6, "test_competency.py": 6,
    "test_sparql_clients.py": 6, "test_prune.py": 6,
}
"""Seconds each file took under ``-n auto`` (the sum of its tests' times in a JUnit
report of a whole run, 2026-12-07; test_closure's and test_export_shards' after their cuts, test_shacl_engine's and
test_readers_browser's on 2026-12-08). Only the
order the files are handed out in depends on this table: a file missing from it
runs after those listed, and a wrong number costs time, never a result."""
SLOW_UNLISTED = 10
"""Where a file holding ``slow`` tests but missing from the table is placed."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files handed out longest first, each file's tests kept together and in order.

    With ``--dist loadfile`` a file runs on one worker, and a long file handed out
    last leaves the other cores idle while it finishes (longest jobs first is the
    usual cure). xdist reorders files by their number of tests unless told not to
    (``--no-loadscope-reorder`` in pyproject.toml); a minute-long file of three
    tests then came last."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow") is not None}

    def seconds(item: pytest.Item) -> int:
        return FILE_SECONDS.get(item.path.name) or (SLOW_UNLISTED if item.path in slow_files else 0)

    items.sort(key=lambda item: -seconds(item))  # stable: the order within a file stays


GC_THRESHOLD = (100_000, 50, 1_000)
"""The collector's thresholds in the test processes (CPython's defaults: 700, 10, 10)."""


def pytest_configure(config: pytest.Config) -> None:
    """Fewer garbage collections in the test processes (each xdist worker configures too).

    The suite builds and drops many small rdflib graphs; with the default
    thresholds the collector ran so often, over every object the imports made,
    that it cost about a sixth of a test file's CPU (tests/test_shacl_engine.py,
    test_closure.py and test_incremental.py: 76 s → 64 s of user CPU on one core).
    The imports' objects are frozen out of the collector's sight, and the
    thresholds raised; garbage is still collected, less often. Apps a test serves
    in a thread share the tuning; ``kg serve`` and ``kg build`` started as
    processes run with the defaults they ship with."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    if not hasattr(config, "workerinput"):  # once, in the process that starts the workers
        compile_package()


def compile_package() -> None:
    """Byte-compile ``kg/`` (only what changed since the last run) before any process imports it.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (as on the machines CI runs on), no
    process writes a ``.pyc``, so every process the suite starts — the xdist
    workers, ``kg serve`` and ``kg build`` subprocesses, query workers, export
    shards — compiled kg's modules from source again (0.2 s of CPU for the app's
    imports, each time). ``compileall`` writes them whatever that variable says,
    and importing reads them."""
    import compileall

    compileall.compile_dir(ROOT / "kg", quiet=1)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: half as many workers again as cores (3 on 2 cores).

    Much of the suite waits rather than computes — on loopback servers, spawned
    builds it kills, browsers, Virtuoso and nginx starting, queue and timeout
    tests — so with one worker per core the cores were busy 77 % of the run
    (user + sys 11.6 min in 7.5 min on 2 cores). A third worker fills those waits."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + max(1, cores // 2)
