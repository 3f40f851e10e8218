"""``kg export-site`` in shard processes: the same site as one process, and a failed shard fails the export.

Real shard processes (``spawn``), each building the app ``kg serve`` would,
on the test corpus's release; the files and maps compared byte for byte with
a one-process export (whose equality with ``kg serve`` behind nginx is
tests/test_export_site.py's). A shard that cannot do its share (here: its
app opened another release than the parent asked for) makes the export
raise, and no nginx configuration is written, so a half-written site cannot
be served as if complete.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kg.config import Settings
from kg.release.directory import Release
from kg.web.context import current
from kg.web.export_shards import ExportFailed
from kg.web.export_site import export_site
from kg.web.nginx_conf import Summary
from kg.web.server import build_app

pytestmark = pytest.mark.slow  # four exports of the test corpus (samples of its resources) and two spawned apps

EVERY = 20
"""Every twentieth resource of the sitemaps, and every fixed page: each page kind and
every derivation rule is met many times over (the derivation test asserts the kinds),
at a twentieth of the cost of the whole corpus (tests/test_export_site.py exports all of it)."""
EVERY_SHARDED = 4
"""The shard comparison's sample: resources only. Shards render resources; the fixed
pages (most of the files: the housekeeping graphs' pages in every format) are the
parent's whatever the number of shards, so that test leaves them out and samples
the resources five times as densely."""


PAGE_SIZE = 200
"""Items a page (the default is 50): the housekeeping graphs still take several pages each, in
every format, and their pages are a quarter as many; they were most of the files."""


def _export(settings: Settings, release: Release, out: Path, shards: int, derive: bool = True,
            every: int = EVERY, fixed: bool = True) -> Summary:
    settings = settings.with_(page_size=PAGE_SIZE)  # the app's and the shards' alike
    app = build_app(settings.with_(query_workers=1))
    try:
        return export_site(app, release, out, listen="127.0.0.1:1", upstream="http://127.0.0.1:2", settings=settings,
                           shards=shards, derive=derive, every=every, fixed=fixed)
    finally:
        current(app).close()


def _tree(out: Path) -> dict[str, bytes]:
    """Every exported file and map, sorted map lines (shards write in their own order)."""
    found = {}
    for f in sorted(out.rglob("*")):
        if f.is_file() and "_kg_blobs" not in f.parts:
            data = f.read_bytes()
            found[str(f.relative_to(out))] = b"\n".join(sorted(data.splitlines())) if f.suffix == ".map" else data
    return found


@pytest.fixture(scope="module")
def one_process(release_settings: Settings, release: Release, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    """The export both comparisons below start from (one process, variants derived), made once."""
    out = tmp_path_factory.mktemp("export-one") / "one"
    return out, _export(release_settings, release, out, shards=1)


def test_two_shards_export_what_one_process_exports(release_settings: Settings, release: Release, tmp_path: Path) -> None:
    one_dir = tmp_path / "one"
    sampled = {shards: _export(release_settings, release, tmp_path / ("one", "two")[shards - 1], shards=shards,
                               every=EVERY_SHARDED, fixed=False) for shards in (1, 2)}
    # the same files, redirects, types and bytes; how many answers were derived rather than asked depends on
    # which answers each shard met first
    assert dataclasses.replace(sampled[1], derived=0) == dataclasses.replace(sampled[2], derived=0)
    one, two = _tree(one_dir), _tree(tmp_path / "two")
    assert len([k for k in one if k.startswith("_kg_export/doc/")]) > 100 and set(one) == set(two)
    conf = {k for k in one if k.endswith(".conf")}
    assert [k for k in one if one[k] != two[k] and k not in conf] == []
    for k in conf:  # the configurations name their own directory
        assert one[k].replace(str(one_dir).encode(), str(tmp_path / "two").encode()) == two[k], k


def test_derived_variants_are_the_ones_the_app_gives(release_settings: Settings, release: Release, tmp_path: Path,
                                                    one_process: tuple[Path, Summary]) -> None:
    """Every variant the export makes from another answer (``Accept: text/html``
    from no Accept, ``?lang=`` documents, ``.ttl`` …) is byte for byte — file,
    type and every header map line — what asking the app for it gives."""
    asked = _export(release_settings, release, tmp_path / "asked", shards=1, derive=False)
    derived_dir, derived = one_process
    one, two = _tree(tmp_path / "asked"), _tree(derived_dir)
    assert sorted(set(one) ^ set(two)) == []
    assert asked.derived == 0 and derived.derived > asked.files // 3  # the rules were used, widely
    assert (derived.files, derived.redirects, derived.skipped) == (asked.files, asked.redirects, asked.skipped)
    assert [k for k in one if one[k] != two[k] and not k.endswith(".conf")] == []
    kinds = {k.rsplit(".", 2)[-2] for k in one if k.startswith("_kg_export/doc/")}
    assert {"html-en", "html-ar", "ttl", "any"} <= kinds  # derived kinds were exported at all


def test_a_failed_shard_fails_the_export(release_settings: Settings, release: Release, tmp_path: Path) -> None:
    other = dataclasses.replace(release, meta={**release.meta, "id": "not-the-served-one"})
    with pytest.raises(ExportFailed, match="not-the-served-one"):
        _export(release_settings, other, tmp_path / "site", shards=2)
    assert not (tmp_path / "site" / "nginx" / "nginx.conf").exists()
