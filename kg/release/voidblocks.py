"""VoID's counts kept per block of the N-Triples dump, so an incremental build recounts only the blocks that changed.

Every count of ``kg.release.void.UnionStats`` but one adds up over blocks: a
block of ``dataset.nt`` holds whole subjects (``kg.release.blocks``), so
triples, distinct subjects, entities, class and property partitions, linksets
and ``schema:url`` values are sums (or unions) of the blocks'. They are kept
per block in the build cache (``void-counts.json``, by the block's first subject
and digest), and an incremental build counts only the blocks it has not seen.

Distinct objects do not add up: one object appears in many blocks. For them
the cache keeps ``objects.sqlite``: every distinct object and in how many
blocks it appears. An incremental build copies it, takes one off for each
object of every block that went, adds one for each of every block that came,
drops the objects left in no block and counts the rest. A full build fills it
from every block, so both give the count ``sort -u`` of the objects gives
(``tests/test_voidblocks.py``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from kg.release.blocks import Block
from kg.release.incremental import COUNTS, OBJECTS, read_json
from kg.release.void import UnionStats, count_lines


def _to_json(s: UnionStats) -> list:
    return [s.triples, s.subjects, s.entities, s.things, dict(s.classes), dict(s.properties), dict(s.linksets),
            {k: v.value for k, v in s.urls.items()}]


def _from_json(v: list) -> UnionStats:
    return UnionStats(triples=v[0], subjects=v[1], entities=v[2], things=v[3], classes=Counter(v[4]),
                      properties=Counter(v[5]), linksets=Counter(v[6]), urls={k: ox.NamedNode(u) for k, u in v[7].items()})


def _count(text: bytes, base: str) -> tuple[UnionStats, set[bytes]]:
    stats, objects = UnionStats(), set[bytes]()
    count_lines(text.splitlines(keepends=True), stats, base, objects.add)
    return stats, objects


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")  # a scratch copy until the cache is committed: a failed build drops it
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE TABLE IF NOT EXISTS o (v BLOB PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    return db


def count(nt: Path, blocks: list[Block], base: str, work: Path, cache: Path | None = None,
          previous_nt: Path | None = None) -> UnionStats:
    """The union's counts, by the blocks of ``nt`` (``dataset.nt``); with ``cache`` (the previous build's, whose
    dump is ``previous_nt``) only the blocks not in it are read. Writes this build's ``COUNTS`` and ``OBJECTS``
    into ``work``."""
    old: dict[tuple[str, str], list] = {}
    if cache is not None and previous_nt is not None:
        old = {(r[0], r[1]): r for r in read_json(cache / COUNTS)}
        shutil.copyfile(cache / OBJECTS, work / OBJECTS)
    db = _open(work / OBJECTS)
    rows: list[list] = []
    total = UnionStats()
    try:
        keys = {(b.start, b.digest) for b in blocks}
        if previous_nt is not None:
            with open(previous_nt, "rb") as fh:
                for key, r in old.items():
                    if key not in keys:  # a block that went: its objects are one block fewer
                        fh.seek(r[2])
                        _stats, objects = _count(fh.read(r[3]), base)
                        db.executemany("UPDATE o SET n = n - 1 WHERE v = ?", ((o,) for o in objects))
        with open(nt, "rb") as fh:
            for b in blocks:
                was = old.get((b.start, b.digest))
                if was is not None:
                    stats = _from_json(was[4])
                else:
                    fh.seek(b.offset)
                    stats, objects = _count(fh.read(b.length), base)
                    db.executemany("INSERT INTO o (v, n) VALUES (?, 1) ON CONFLICT (v) DO UPDATE SET n = n + 1",
                                   ((o,) for o in objects))
                rows.append([b.start, b.digest, b.offset, b.length, _to_json(stats)])
                _add(total, stats)
        db.execute("DELETE FROM o WHERE n <= 0")
        total.objects = db.execute("SELECT count(*) FROM o").fetchone()[0]
        db.commit()
    finally:
        db.close()
    (work / COUNTS).write_text(json.dumps(rows), encoding="utf-8")
    return total


def _add(total: UnionStats, s: UnionStats) -> None:
    total.triples += s.triples
    total.subjects += s.subjects
    total.entities += s.entities
    total.things += s.things
    total.classes.update(s.classes)
    total.properties.update(s.properties)
    total.linksets.update(s.linksets)
    total.urls.update(s.urls)
