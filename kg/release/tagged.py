"""Tagged lines kept in the dumps' blocks, so an incremental build reads and rewrites only the blocks a change falls into.

Why: the build cache's sorted tagged lines (``kg.release.merge``: each line
of ``dataset.nq``/``dataset.nt`` as a key and the tag of the input it came
from) were one sorted file, which an incremental build read, filtered,
merged and wrote again in full — 8.4 M lines, 22 s at 10 000 articles for one
article added. Here they are kept cut into the same content-defined blocks as
the dumps (``kg.release.blocks``), with an index (``Row``: per block, its
first group, its byte range in the dump and in the tagged file, its line and
graph counts, and the tags of the inputs it holds). An incremental build:

1. finds the blocks holding a changed input's lines (by their tags) or where
   the newly mapped lines fall (by their keys, against the blocks' first groups);
2. merges only those blocks' tagged lines with the new ones, cutting the result
   into blocks as a full build would (a block starts at its first group, or
   where a group's CRC-32 is 0 modulo ``SPREAD``: an unchanged block after a
   changed one still starts where it did; when a changed block's first group
   is gone, the block before it is merged too);
3. writes the dump as the previous release's bytes for every other block,
   copied by byte range, and the new blocks' text between them.

The tagged lines are kept in numbered *segment* files that are never changed
once written: a full build's sorted file is segment 0; an incremental build
hard-links the previous cache's segments into its own and writes the blocks
it merged again into one new segment (so a build that fails leaves the
previous cache's files as they were). When less than half of the segments'
bytes are still in use, they are compacted into one new segment, in block order.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.release import blocks as blocks_module
from kg.release.blocks import Block
from kg.release.incremental import read_json
from kg.release.merge import DROPPED, NEW, TAG_LENGTH, Delta

_TAIL = TAG_LENGTH + 2  # tab + tag + newline
CHUNK = 1 << 20
COMPACT_SLACK = 64 << 20
"""Segments are compacted when their unused bytes exceed their used ones and this."""


@dataclass(frozen=True)
class Row:
    """One block of a dump, and where its tagged lines are."""

    start: bytes  # the first group's key (graph + tab + subject, or subject)
    first_graph: bytes
    last_graph: bytes
    offset: int  # in the dump
    length: int
    digest: str  # SHA-1 of the block's dump lines (``Block.digest``)
    tag_offset: int  # in its segment
    tag_length: int
    lines: int
    graphs: int  # distinct graph names in the block
    tags: frozenset[str]
    segment: int = 0

    def block(self) -> Block:
        return Block(self.start.decode("utf-8", "surrogateescape"), self.first_graph.decode(), self.last_graph.decode(),
                     self.offset, self.length, self.digest)

    def to_json(self) -> list:
        return [self.start.decode("utf-8", "surrogateescape"), self.first_graph.decode(), self.last_graph.decode(),
                self.offset, self.length, self.digest, self.tag_offset, self.tag_length, self.lines, self.graphs,
                sorted(self.tags), self.segment]

    @classmethod
    def from_json(cls, v: list) -> Row:
        return cls(v[0].encode("utf-8", "surrogateescape"), v[1].encode(), v[2].encode(), int(v[3]), int(v[4]), v[5],
                   int(v[6]), int(v[7]), int(v[8]), int(v[9]), frozenset(v[10]), int(v[11]))


def load_rows(path: Path) -> dict[str, list[Row]]:
    """A build cache's rows per dump (``save_rows``)."""
    raw = read_json(path)
    return {name: [Row.from_json(v) for v in rows] for name, rows in raw.items()}


def save_rows(path: Path, rows: dict[str, list[Row]]) -> None:
    path.write_text(json.dumps({name: [r.to_json() for r in rs] for name, rs in rows.items()}), encoding="utf-8")


def totals(rows: list[Row]) -> tuple[int, int]:
    """(dump lines, distinct graph names): a graph runs on across a block's edge when the next block starts in it."""
    graphs = sum(r.graphs for r in rows)
    graphs -= sum(1 for a, b in itertools.pairwise(rows) if a.first_graph and a.last_graph == b.first_graph)
    return sum(r.lines for r in rows), graphs


class _Cutter:
    """The one pass over merged tagged lines: groups them by key (a dump line), writes the kept tagged lines
    and the dump lines, cuts blocks (``kg.release.blocks``: a block starts at the first group, or at a group whose CRC-32 is 0 modulo
    ``SPREAD``) and records each one's ``Row``."""

    def __init__(self, quads: bool, line: Callable[[bytes], bytes], dump: Callable[[bytes], object],
                 heap: BinaryIO | None, heap_at: int, delta: Delta | None) -> None:
        self.quads, self.line, self.dump, self.heap, self.delta = quads, line, dump, heap, delta
        self.heap_at = heap_at
        self.rows: list[Row] = []
        self.dump_at = 0
        self._buf: list[bytes] = []
        self._size = 0
        self._open = False
        self._group = b""
        self._start = self._first = self._last = b""
        self._graph = b""
        self._sha = hashlib.sha1()
        self._offset = self._length = self._tag_offset = self._lines = self._graphs = 0
        self._tags: set[bytes] = set()

    def run(self, lines: Iterator[tuple[bytes, int]]) -> list[Row]:
        last: bytes | None = None
        was = now = False
        tagged: list[bytes] = []
        for raw, origin in lines:
            key = raw[:-_TAIL]
            if key != last:
                if last is not None:
                    self._key(last, was, now, tagged)
                last, was, now, tagged = key, False, False, []
            if origin != NEW:
                was = True
            if origin != DROPPED:
                now = True
                tagged.append(raw)
        if last is not None:
            self._key(last, was, now, tagged)
        self._close()
        self._flush()
        return self.rows

    def _key(self, key: bytes, was: bool, now: bool, tagged: list[bytes]) -> None:
        item = self.line(key)
        if self.delta is not None and was != now:
            (self.delta.added if now else self.delta.removed).append(item)
        if not now:
            return
        if self.quads:
            tab = key.index(b"\t")
            group, graph = key[:key.index(b" ", tab + 1)], key[:tab]
        else:
            group, graph = key[:key.index(b" ")], b""
        if group != self._group:
            self._group = group
            if not self._open or zlib.crc32(group) % blocks_module.SPREAD == 0:
                self._close()
                self._open, self._start, self._first, self._graph = True, group, graph, b""
                self._sha, self._offset, self._tag_offset = hashlib.sha1(), self.dump_at, self.heap_at
        if graph != self._graph or not self._lines:
            self._graph = graph
            self._graphs += 1
        self._last = graph
        for raw in tagged:
            self._tags.add(raw[-_TAIL + 1:-1])
            self.heap_at += len(raw)
            if self.heap is not None:
                self.heap.write(raw)
        self._sha.update(item)
        self._lines += 1
        self._length += len(item)
        self.dump_at += len(item)
        self._buf.append(item)
        self._size += len(item)
        if self._size >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            self.dump(b"".join(self._buf))
            self._buf, self._size = [], 0

    def _close(self) -> None:
        if self._open:
            self.rows.append(Row(self._start, self._first, self._last, self._offset, self._length, self._sha.hexdigest(),
                                 self._tag_offset, self.heap_at - self._tag_offset, self._lines, self._graphs,
                                 frozenset(t.decode() for t in self._tags)))
            self._length = self._lines = self._graphs = 0
            self._tags = set()
            self._open = False


def segment_path(directory: Path, name: str, n: int) -> Path:
    """Segment ``n`` of the tagged file ``name`` (``quads.tagged``, ``triples.tagged``) in ``directory``."""
    return directory / f"{name}.{n}"


def segments(directory: Path, name: str) -> list[Path]:
    return sorted(directory.glob(f"{name}.*"))


def cut(sorted_tagged: Path, quads: bool, line: Callable[[bytes], bytes], dump: Callable[[bytes], object]) -> list[Row]:
    """A full build's pass: every line of ``sorted_tagged`` is new; the file itself becomes segment 0."""
    with open(sorted_tagged, "rb") as fh:
        return _Cutter(quads, line, dump, None, 0, None).run((raw, NEW) for raw in fh)


class _Segments:
    """Open segment files of a cache, read block by block."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory, self.name = directory, name
        self.open: dict[int, BinaryIO] = {}

    def read(self, r: Row) -> bytes:
        fh = self.open.get(r.segment)
        if fh is None:
            fh = self.open[r.segment] = open(segment_path(self.directory, self.name, r.segment), "rb")  # noqa: SIM115
        fh.seek(r.tag_offset)
        return fh.read(r.tag_length)

    def lines(self, rows: list[Row]) -> Iterator[bytes]:
        for r in rows:
            yield from self.read(r).splitlines(keepends=True)

    def close(self) -> None:
        for fh in self.open.values():
            fh.close()


class _New:
    """The newly mapped (sorted, tagged) lines, read in order, up to a bound at a time."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.pending = fh.readline()

    def below(self, bound: bytes | None) -> Iterator[bytes]:
        while self.pending and (bound is None or self.pending < bound):
            yield self.pending
            self.pending = self.fh.readline()


def _merge(old: Iterator[bytes], new: Iterator[bytes], changed: frozenset[bytes]) -> Iterator[tuple[bytes, int]]:
    """(tagged line, KEPT/DROPPED/NEW) in sorted order: ``old``'s lines tagged in ``changed`` dropped."""
    pending = next(new, b"")
    for line in old:
        while pending and pending < line:
            yield pending, NEW
            pending = next(new, b"")
        yield line, (DROPPED if line[-_TAIL + 1:-1] in changed else 0)
    while pending:
        yield pending, NEW
        pending = next(new, b"")


@dataclass
class Merged:
    """One dump's blocks after an incremental merge, and how to assemble the dump."""

    rows: list[Row]
    pieces: list[tuple[bool, int, int]]  # per row: (from the new text?, offset there, length)
    rewritten: int  # blocks merged again


def merge(old_rows: list[Row], cache: Path, work: Path, name: str, new_sorted: Path, changed: frozenset[bytes],
          quads: bool, line: Callable[[bytes], bytes], text: Path, delta: Delta) -> Merged:
    """Merge ``new_sorted`` (tagged lines of the inputs in ``changed``, mapped again) into the blocks of
    ``old_rows`` (tagged lines in the segments ``name.*`` of ``cache``), dropping those inputs' old lines.
    The segments still in use are hard-linked into ``work``, beside a new one holding the blocks merged
    again; ``text`` receives those blocks' dump text."""
    starts = [r.start for r in old_rows]
    wanted = {tag.decode() for tag in changed}
    affected = {k for k, r in enumerate(old_rows) if not r.tags.isdisjoint(wanted)}
    with open(new_sorted, "rb") as fh:
        for raw in fh:
            affected.add(max(0, bisect.bisect_right(starts, raw) - 1))
    if not old_rows:
        affected = {0}
    fresh = max((r.segment for r in old_rows), default=-1) + 1
    while True:
        result = _merge_runs(old_rows, _Segments(cache, name), segment_path(work, name, fresh), fresh, new_sorted,
                             changed, affected, quads, line, text, delta)
        if isinstance(result, Merged):
            break
        affected.add(result)  # a run's first group no longer starts a block: merge the block before it too
        delta.added.clear()
        delta.removed.clear()
    used = {r.segment for r in result.rows}
    for n in used - {fresh}:
        _link_or_copy(segment_path(cache, name, n), segment_path(work, name, n))
    if fresh not in used:
        segment_path(work, name, fresh).unlink()
    return result


def _runs(affected: set[int], n: int) -> list[tuple[int, int]]:
    """Runs of consecutive block numbers, as (first, last)."""
    out: list[tuple[int, int]] = []
    for k in sorted(affected):
        if out and out[-1][1] == k - 1:
            out[-1] = (out[-1][0], k)
        else:
            out.append((k, k))
    return [(i, min(j, max(n - 1, 0))) for i, j in out]


def _merge_runs(old_rows: list[Row], old: _Segments, heap: Path, fresh: int, new_sorted: Path, changed: frozenset[bytes],
                affected: set[int], quads: bool, line: Callable[[bytes], bytes], text: Path, delta: Delta) -> Merged | int:
    """One try of ``merge``: the merged rows, or a block to merge too (then nothing written is kept)."""
    rows: list[Row] = []
    pieces: list[tuple[bool, int, int]] = []
    n = len(old_rows)
    rewritten = 0
    try:
        with open(heap, "wb") as heap_fh, open(new_sorted, "rb") as new_fh, open(text, "wb") as text_fh:
            new = _New(new_fh)
            done = 0
            for i, j in _runs(affected, n):
                for r in old_rows[done:i]:
                    rows.append(r)
                    pieces.append((False, r.offset, r.length))
                bound = old_rows[j + 1].start if j + 1 < n else None
                text_at = text_fh.tell()
                cutter = _Cutter(quads, line, text_fh.write, heap_fh, heap_fh.tell(), delta)
                made = cutter.run(_merge(old.lines(old_rows[i:j + 1]), new.below(bound), changed))
                if made and i > 0 and made[0].start != old_rows[i].start and zlib.crc32(made[0].start) % blocks_module.SPREAD:
                    return i - 1
                for r in made:
                    rows.append(_moved(r, segment=fresh))
                    pieces.append((True, text_at + r.offset, r.length))
                rewritten += len(made)
                done = j + 1
            for r in old_rows[done:]:
                rows.append(r)
                pieces.append((False, r.offset, r.length))
    finally:
        old.close()
    placed, at = [], 0
    for r in rows:
        placed.append(_moved(r, offset=at))
        at += r.length
    return Merged(placed, pieces, rewritten)


def _moved(r: Row, *, offset: int | None = None, segment: int | None = None, tag_offset: int | None = None) -> Row:
    return Row(r.start, r.first_graph, r.last_graph, r.offset if offset is None else offset, r.length, r.digest,
               r.tag_offset if tag_offset is None else tag_offset, r.tag_length, r.lines, r.graphs, r.tags,
               r.segment if segment is None else segment)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        with open(source, "rb") as src, open(target, "wb") as dst:
            while chunk := src.read(CHUNK):
                dst.write(chunk)


def compact(rows: list[Row], work: Path, name: str) -> list[Row]:
    """When less than half of the segments' bytes are in use, copy the rows' tagged lines into one new segment,
    in block order, and drop the others (links: the previous cache keeps its own)."""
    used = sum(r.tag_length for r in rows)
    files = segments(work, name)
    if sum(f.stat().st_size for f in files) - used <= used + COMPACT_SLACK:
        return rows
    fresh = max((r.segment for r in rows), default=-1) + 1
    reader = _Segments(work, name)
    out: list[Row] = []
    try:
        with open(segment_path(work, name, fresh), "wb") as dst:
            for r in rows:
                out.append(_moved(r, segment=fresh, tag_offset=dst.tell()))
                dst.write(reader.read(r))
    finally:
        reader.close()
    for f in files:
        f.unlink()
    return out
