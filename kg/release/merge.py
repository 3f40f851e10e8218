"""Sorted, tagged spool lines → the N-Quads and N-Triples dumps, merged with a previous build's.

Each spooled line ends with a tab and the tag of the input it came from (an
article, ``entities.yaml``, ``links.yaml``; ``kg.release.incremental.tag``), so the same
quad spooled by two articles is two lines, and one article's lines can be
dropped without touching the other's. The dumps are the lines without their
tags, de-duplicated: exactly what ``sort -u`` of the untagged lines gave, since
a tab sorts before every byte that N-Quads text can hold.

An incremental build streams the previous build's sorted tagged file once,
drops the lines of the inputs that changed, merges in the (sorted) lines just
mapped for them, and writes the merged tagged file (the next build's input)
and the dump in the same pass. Whether a line was kept, dropped or is new
tells, per quad, whether it was in the previous release and is in this one:
the ``Delta`` the store and the validator are updated with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.release.blocks import Blocker
from kg.release.spool import CHUNK, DumpWriter

TAG_LENGTH = 12
"""Hex digits of a tag; fixed, so a line's tag is its last ``TAG_LENGTH`` bytes before the newline."""
_TAIL = TAG_LENGTH + 2  # tab + tag + newline
KEPT, DROPPED, NEW = 0, 1, 2


@dataclass
class Delta:
    """Dump lines (N-Quads or N-Triples, each ending in `` .\\n``) this build added and removed."""

    added: list[bytes] = field(default_factory=list)
    removed: list[bytes] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.added) + len(self.removed)


def quad_line(key: bytes) -> bytes:
    """``<g>\\t<s> <p> <o>`` → ``<s> <p> <o> <g> .``"""
    g, spo = key.split(b"\t", 1)
    return spo + b" " + g + b" .\n"


def triple_line(key: bytes) -> bytes:
    return key + b"\n"


@dataclass
class Written:
    graphs: int = 0
    lines: int = 0
    delta: Delta | None = None


def write_dump(new: Path, dump: DumpWriter, line: Callable[[bytes], bytes], *, graphs: bool = False,
               old: Path | None = None, changed: frozenset[bytes] = frozenset(), out: Path | None = None,
               blocks: Blocker | None = None) -> Written:
    """Write the dump from ``new`` (sorted tagged lines) alone, or merged with ``old``.

    With ``old``: its lines whose tag is in ``changed`` are dropped, ``new``'s are merged
    in, the merged tagged lines written to ``out``, and the returned ``Delta`` says which
    dump lines appeared or went. ``graphs``: count distinct graph names (quad keys). ``blocks``
    is shown every line written, to cut the dump into blocks (``kg.release.blocks``)."""
    done = Written(delta=Delta() if old is not None else None)
    buf: list[bytes] = []
    size = 0
    last_graph = b""
    out_fh = open(out, "wb") if out is not None else None  # noqa: SIM115 - closed below
    try:
        keys = _merged(old, new, changed, out_fh.write if out_fh else None)
        for key, was, now in _grouped(keys):
            if done.delta is not None:
                if now and not was:
                    done.delta.added.append(line(key))
                elif was and not now:
                    done.delta.removed.append(line(key))
            if not now:
                continue
            if graphs:
                g = key[:key.index(b"\t")]
                if g != last_graph:
                    done.graphs, last_graph = done.graphs + 1, g
            item = line(key)
            if blocks is not None:
                blocks.add(key, item)
            buf.append(item)
            size += len(item)
            done.lines += 1
            if size >= CHUNK:
                dump.write(b"".join(buf))
                buf, size = [], 0
        if buf:
            dump.write(b"".join(buf))
    finally:
        if out_fh is not None:
            out_fh.close()
    return done


def _merged(old: Path | None, new: Path, changed: frozenset[bytes],
            keep: Callable[[bytes], object] | None) -> Iterator[tuple[bytes, int]]:
    """(key, KEPT/DROPPED/NEW) in sorted order; kept and new lines also go to ``keep``."""
    with open(new, "rb") as new_fh:
        if old is None:
            for line in new_fh:
                yield line[:-_TAIL], NEW
            return
        pending = new_fh.readline()
        with open(old, "rb") as old_fh:
            for line in old_fh:
                while pending and pending < line:
                    if keep is not None:
                        keep(pending)
                    yield pending[:-_TAIL], NEW
                    pending = new_fh.readline()
                if line[-_TAIL + 1:-1] in changed:
                    yield line[:-_TAIL], DROPPED
                else:
                    if keep is not None:
                        keep(line)
                    yield line[:-_TAIL], KEPT
        while pending:
            if keep is not None:
                keep(pending)
            yield pending[:-_TAIL], NEW
            pending = new_fh.readline()


def _grouped(keys: Iterator[tuple[bytes, int]]) -> Iterator[tuple[bytes, bool, bool]]:
    """(key, in the previous build, in this one), once per distinct key."""
    last: bytes | None = None
    was = now = False
    for key, origin in keys:
        if key != last:
            if last is not None:
                yield last, was, now
            last, was, now = key, False, False
        if origin != NEW:
            was = True
        if origin != DROPPED:
            now = True
    if last is not None:
        yield last, was, now
