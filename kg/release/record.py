"""Recording a build's publication in the history (``kg.release.history``).

Before the swap the build compares the new release with the one ``current``
points at (``kg.release.diff``: the summary, and every thing that changed streamed to
a scratch file so memory stays flat) and, from ``Draft.publish``'s
``before_swap`` hook, writes both into the history in one transaction. The
release being replaced is recorded first if the history has never seen it
(a var/ from before the history existed).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.errors import BuildError, ReleaseNotFound
from kg.release import history, merge
from kg.release.diff import LIST_CAP, Changes, diff, diff_delta
from kg.release.directory import RELEASE_ID, Release, open_release
from kg.release.tagged import Row


@dataclass
class Pending:
    """The comparison made before the swap, waiting for the release's final directory."""

    var_dir: Path
    previous: Release | None
    changes: Changes
    things: Path
    at: str

    def commit(self, release: Release) -> None:
        """``before_swap``: remember the publication (under the build lock)."""
        try:
            history.record(self.var_dir, release, previous=self.previous.id if self.previous else None,
                           changes=self.changes, things=_read(self.things), at=self.at)
        except sqlite3.Error as exc:  # the swap does not happen: the published release stays current
            raise BuildError(f"could not record release {release.id} in {history.history_path(self.var_dir)}: {exc}; "
                             "the current release was not replaced") from exc
        finally:
            self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.things.parent, ignore_errors=True)


def _read(path: Path):  # type: ignore[no-untyped-def]
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cat, kind, iri = line.rstrip("\n").split("\t")
            yield cat, kind, iri


def replaced(var_dir: Path, base_iri: str) -> Release | None:
    """The release ``current`` points at now, if it can be compared with: under
    the same base IRI, with its dumps. A broken one (a damaged directory
    ``current`` was pointed at by hand) must not stop the build that replaces
    it: the new release then starts the chain afresh, as a first release would."""
    try:
        release = open_release(Path(var_dir) / "current")
    except (ReleaseNotFound, OSError, ValueError):
        return None
    whole = all(release.file(name).is_file() for name in ("dataset.nq", "dataset.nt"))
    return release if whole and release.base_iri == base_iri and RELEASE_ID.match(str(release.meta.get("id", ""))) else None


def prepare(var_dir: Path, draft: Release, at: str, delta: Delta | None = None) -> Pending:
    """Diff ``draft`` (the release directory before its rename) against the current release; ``delta``: the
    incremental build's changes from it (``kg.release.diff.diff_delta``), when it was built from it."""
    previous = replaced(var_dir, draft.base_iri)
    try:
        recorded = previous is None or history.known(var_dir, previous.id)
    except sqlite3.Error as exc:
        raise BuildError(f"could not read the history {history.history_path(var_dir)}: {exc}; "
                         "nothing was published, the current release was not replaced") from exc
    if previous is not None and not recorded:
        compare(var_dir, None, previous, history.release_time(previous)).commit(previous)
    return compare(var_dir, previous, draft, at, delta if delta is not None and previous is not None
                   and previous.id == delta.since else None)


@dataclass
class Delta:
    """An incremental build's changes from release ``since``, and both releases' dump blocks."""

    since: str
    quads: merge.Delta
    triples: merge.Delta
    rows: tuple[dict[str, list[Row]], dict[str, list[Row]]]


def compare(var_dir: Path, old: Release | None, new: Release, at: str, delta: Delta | None = None) -> Pending:
    """The diff, its things streamed to a scratch directory under ``releases/``
    (named as a build's draft, so a killed build's leftovers are cleared the same way)."""
    scratch = Path(tempfile.mkdtemp(prefix=".tmp-history-", dir=Path(var_dir) / "releases"))
    things = scratch / "things.tsv"
    try:
        with open(things, "w", encoding="utf-8") as out:
            def thing(cat: str, kind: str, iri: str) -> None:
                out.write(f"{cat}\t{kind}\t{iri}\n")

            if delta is not None and old is not None:
                changes = diff_delta(old, new, delta.quads, delta.triples, delta.rows, cap=LIST_CAP, on_thing=thing)
            else:
                changes = diff(old, new, cap=LIST_CAP, tmp_dir=scratch, on_thing=thing)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Pending(Path(var_dir), old, changes, things, at)
