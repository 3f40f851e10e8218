"""The release history: every release ever published, kept after ``kg prune``.

``{var}/history.sqlite`` (SQLite, WAL: the server reads while a build
writes) holds, per release, its publication time, the release that was
current before it, its counts and files (from release.json), the summary of
what changed from that previous release (``kg.release.diff``) and, once pruned, when.
A row per thing that changed (added, removed, changed) lets the server answer
without opening old dumps: which releases held an IRI (the Memento TimeMap),
which release last had one that is gone (410), what a release changed.

The build writes it under the build lock, in one transaction, after the new
release directory exists and before ``current`` points at it, so a server
that switches to a release always finds it here. Releases published before
the history existed are recorded the first time a build sees them as current.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kg.release.diff import CATEGORIES, KINDS, Changes
from kg.release.directory import Release

HISTORY_FILE = "history.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS releases (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, published TEXT NOT NULL, previous TEXT,
    base_iri TEXT NOT NULL, meta TEXT NOT NULL, summary TEXT NOT NULL, pruned TEXT);
CREATE TABLE IF NOT EXISTS publications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    release TEXT NOT NULL, iri TEXT NOT NULL, category TEXT NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (release, iri)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS changes_by_iri ON changes (iri);
CREATE INDEX IF NOT EXISTS changes_by_kind ON changes (release, category, kind, iri);
"""
META_KEYS = ("quads", "triples", "graphs", "facts", "claims", "entities", "links", "files", "generator", "retired")


def now() -> str:
    """A publication time: UTC, to the second, ISO 8601 (xsd:dateTime)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class ReleaseInfo:
    """One published release as the history remembers it."""

    id: str
    published: str
    previous: str | None
    base_iri: str
    meta: dict = field(hash=False)
    summary: dict = field(hash=False)
    pruned: str | None = None

    @property
    def available(self) -> bool:
        return self.pruned is None

    @property
    def datetime(self) -> datetime:
        return parse_time(self.published)

    def count(self, key: str) -> int | None:
        return self.meta.get(key)


def history_path(var_dir: Path) -> Path:
    return Path(var_dir) / HISTORY_FILE


@contextmanager
def _connect(var_dir: Path, *, write: bool) -> Iterator[sqlite3.Connection | None]:
    path = history_path(var_dir)
    if not write and not path.is_file():
        yield None
        return
    if write:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
    else:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    with closing(conn):
        yield conn


def _info(row: tuple) -> ReleaseInfo:
    rid, published, previous, base, meta, summary, pruned = row
    return ReleaseInfo(rid, published, previous, base, json.loads(meta), json.loads(summary), pruned)


_COLUMNS = "id, published, previous, base_iri, meta, summary, pruned"


def releases(var_dir: Path) -> list[ReleaseInfo]:
    """Every release ever published, oldest first (by first publication)."""
    with _connect(var_dir, write=False) as conn:
        if conn is None:
            return []
        return [_info(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM releases ORDER BY seq")]


def get(var_dir: Path, release_id: str) -> ReleaseInfo | None:
    with _connect(var_dir, write=False) as conn:
        if conn is None:
            return None
        row = conn.execute(f"SELECT {_COLUMNS} FROM releases WHERE id = ?", (release_id,)).fetchone()
        return _info(row) if row else None


def publications(var_dir: Path) -> list[tuple[str, str]]:
    """(release id, time) for every publication, oldest first: a release
    published again (a rollback by rebuilding) appears once per publication."""
    with _connect(var_dir, write=False) as conn:
        if conn is None:
            return []
        return list(conn.execute("SELECT id, at FROM publications ORDER BY seq"))


def changed_items(var_dir: Path, release_id: str, *, limit: int | None = None, offset: int = 0) -> dict[str, dict[str, list[str]]]:
    """The things the release changed from its previous one, by category and
    kind, sorted; ``limit``/``offset`` page through each list (a first release
    of a large corpus adds millions)."""
    out: dict[str, dict[str, list[str]]] = {c: {k: [] for k in KINDS} for c in CATEGORIES}
    with _connect(var_dir, write=False) as conn:
        if conn is None:
            return out
        for cat in CATEGORIES:
            for kind in KINDS:
                rows = conn.execute("SELECT iri FROM changes WHERE release = ? AND category = ? AND kind = ? ORDER BY iri "
                                    "LIMIT ? OFFSET ?", (release_id, cat, kind, -1 if limit is None else limit, offset))
                out[cat][kind] = [iri for (iri,) in rows]
    return out


def _held(infos: list[ReleaseInfo], kinds: dict[str, str]) -> dict[str, bool]:
    """Release id → whether it held a thing, from that thing's change rows.

    Each release's rows are relative to its previous release, so a release
    holds the thing if it added or changed it, not if it removed it, and
    otherwise as its previous release did (none: not held)."""
    held: dict[str, bool] = {}
    for info in infos:
        kind = kinds.get(info.id)
        held[info.id] = kind in ("added", "changed") if kind else held.get(info.previous or "", False)
    return held


def presence(var_dir: Path, iri: str) -> list[tuple[ReleaseInfo, bool]]:
    """Each release, oldest first, with whether it held ``iri`` (a fragment counts as its thing)."""
    thing = iri.split("#", 1)[0]
    with _connect(var_dir, write=False) as conn:
        if conn is None:
            return []
        infos = [_info(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM releases ORDER BY seq")]
        kinds = dict(conn.execute("SELECT release, kind FROM changes WHERE iri = ?", (thing,)).fetchall())
    held = _held(infos, kinds)
    return [(info, held[info.id]) for info in infos]


def mementos(var_dir: Path, iri: str) -> list[ReleaseInfo]:
    """The releases that held ``iri``: its past states, oldest first (pruned ones included)."""
    return [info for info, held in presence(var_dir, iri) if held]


def record(var_dir: Path, release: Release, *, previous: str | None, changes: Changes,
           things: Iterable[tuple[str, str, str]], at: str) -> None:
    """Remember one publication of ``release`` (call under the build lock).

    A release already known (the same dumps published again) keeps its first
    publication time and its changes; only the publication is added."""
    meta = {k: release.meta[k] for k in META_KEYS if k in release.meta}
    meta["articles"] = len(release.meta.get("articles", []))
    with _connect(var_dir, write=True) as conn:
        assert conn is not None
        with conn:  # one transaction
            conn.execute("INSERT INTO publications (id, at) VALUES (?, ?)", (release.id, at))
            if conn.execute("SELECT 1 FROM releases WHERE id = ?", (release.id,)).fetchone():
                conn.execute("UPDATE releases SET pruned = NULL WHERE id = ?", (release.id,))
                return
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM releases").fetchone()[0]
            before = conn.execute("SELECT meta FROM releases WHERE id = ?", (previous,)).fetchone() if previous else None
            held = json.loads(before[0]).get("held") if before else dict.fromkeys(CATEGORIES, 0)
            s = changes.summary()
            if held is not None:  # how many of each kind of thing the release holds, counted as kg diff counts them
                meta["held"] = {c: held.get(c, 0) + s[c]["added"] - s[c]["removed"] for c in CATEGORIES}
            conn.execute(
                "INSERT INTO releases (id, seq, published, previous, base_iri, meta, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (release.id, seq, at, previous, release.base_iri, json.dumps(meta, sort_keys=True), json.dumps(s, sort_keys=True)))
            conn.executemany("INSERT INTO changes (release, iri, category, kind) VALUES (?, ?, ?, ?)",
                             ((release.id, iri, cat, kind) for cat, kind, iri in things))


def known(var_dir: Path, release_id: str) -> bool:
    return get(var_dir, release_id) is not None


def mark_pruned(var_dir: Path, release_ids: Iterable[str], at: str) -> None:
    ids = list(release_ids)
    if not ids or not history_path(var_dir).is_file():
        return
    with _connect(var_dir, write=True) as conn:
        assert conn is not None
        with conn:
            conn.executemany("UPDATE releases SET pruned = ? WHERE id = ?", ((at, rid) for rid in ids))


def lost_states(var_dir: Path, doomed: Iterable[str]) -> dict[str, list[str]]:
    """For each release about to be pruned, the IRIs whose *last* available
    past state it holds: things no longer in the current release, held by it
    and by no release that stays. Their 410 answers will have no memento to
    show. One pass over the change rows of things ever removed."""
    doomed_ids = set(doomed)
    out: dict[str, list[str]] = {rid: [] for rid in doomed_ids}
    infos = releases(var_dir)
    pubs = publications(var_dir)
    if not infos or not pubs:
        return out
    current = pubs[-1][0]
    staying = {i.id for i in infos if i.available and i.id not in doomed_ids}

    def settle(iri: str, kinds: dict[str, str]) -> None:
        held = {rid for rid, h in _held(infos, kinds).items() if h}
        if current not in held and not held & staying:
            for rid in sorted(held & doomed_ids):
                out[rid].append(iri)

    with _connect(var_dir, write=False) as conn:
        assert conn is not None
        rows = conn.execute("SELECT iri, release, kind FROM changes WHERE iri IN "
                            "(SELECT iri FROM changes WHERE kind = 'removed') ORDER BY iri")
        last: str | None = None
        kinds: dict[str, str] = {}
        for iri, rid, kind in rows:
            if iri != last:
                if last is not None:
                    settle(last, kinds)
                last, kinds = iri, {}
            kinds[rid] = kind
        if last is not None:
            settle(last, kinds)
    return out


def release_time(release: Release) -> str:
    """When a release was published: release.json says so since the history
    exists; before, the directory's modification time is the best we know."""
    published = release.meta.get("published")
    if published:
        return str(published)
    stamp = os.stat(release.path).st_mtime
    return datetime.fromtimestamp(int(stamp), UTC).isoformat().replace("+00:00", "Z")


def resolve(var_dir: Path, ref: str) -> Release:
    """A release named on the command line: ``current``, ``previous``, a
    release id (or a unique prefix of one), or a release directory."""
    from kg.errors import ReleaseNotFound
    from kg.release.directory import RELEASE_ID, open_release, release_by_id

    var_dir = Path(var_dir)
    if ref == "current":
        return open_release(var_dir / "current")
    if ref == "previous":
        return previous_release(var_dir)
    if Path(ref).is_dir() and (Path(ref) / "release.json").is_file():
        return open_release(Path(ref))
    if RELEASE_ID.match(ref):
        try:
            return release_by_id(var_dir, ref)
        except ReleaseNotFound:
            info = get(var_dir, ref)
            if info is not None and info.pruned:
                raise ReleaseNotFound(f"release {ref} was pruned on {info.pruned}; its dumps are gone, so it cannot be compared") from None
            raise
    found = sorted(p.name for p in (var_dir / "releases").glob(f"{ref}*") if RELEASE_ID.match(p.name)) if ref and ref.isalnum() else []
    if len(found) == 1:
        return release_by_id(var_dir, found[0])
    raise ReleaseNotFound(f"{ref!r} names no release: {'ambiguous, matches ' + ', '.join(found) if found else 'no such id or directory'}"
                          " (use 'current', 'previous', a release id or a release directory)")


def previous_release(var_dir: Path) -> Release:
    """The release that was current before the current one: the last
    publication of another release in the history; without a history, the most
    recently published other release directory (as ``kg prune`` ranks them)."""
    from kg.errors import ReleaseNotFound
    from kg.release.directory import open_release, release_by_id

    current = open_release(Path(var_dir) / "current")
    for rid, _at in reversed(publications(var_dir)):
        if rid != current.id:
            return release_by_id(var_dir, rid)
    others = [p for p in (Path(var_dir) / "releases").iterdir()
              if p.is_dir() and not p.name.startswith(".") and p.name != current.id and (p / "release.json").is_file()]
    if not others:
        raise ReleaseNotFound("there is no previous release to compare with (only the current one was published)")
    return open_release(max(others, key=lambda p: (p.stat().st_mtime, p.name)))


def stamp(var_dir: Path) -> tuple[int, int, str]:
    """What changes whenever the history does — publications, prunes — and
    when it last changed: (publications, pruned releases, newest of both
    times). Part of the validators of every document made from the history."""
    with _connect(var_dir, write=False) as conn:
        if conn is None:
            return (0, 0, "")
        pubs, last_pub = conn.execute("SELECT COUNT(*), COALESCE(MAX(at), '') FROM publications").fetchone()
        pruned, last_prune = conn.execute("SELECT COUNT(pruned), COALESCE(MAX(pruned), '') FROM releases").fetchone()
    return (pubs, pruned, max(last_pub, last_prune))
