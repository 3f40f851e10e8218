"""Tagged spool lines: their format, the dump line each key gives, and the delta between two builds.

Each spooled line ends with a tab and the tag of the input it came from (an
article, ``entities.yaml``, ``links.yaml``; ``kg.release.incremental.tag``), so the same
quad spooled by two articles is two lines, and one article's lines can be
dropped without touching the other's. The dumps are the lines without their
tags, de-duplicated: exactly what ``sort -u`` of the untagged lines gave, since
a tab sorts before every byte that N-Quads text can hold.

An incremental build merges the lines just mapped into the previous build's,
block by block (``kg.release.tagged``). Whether a line was kept, dropped or is
new tells, per quad, whether it was in the previous release and is in this one:
the ``Delta`` the store and the validator are updated with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TAG_LENGTH = 12
"""Hex digits of a tag; fixed, so a line's tag is its last ``TAG_LENGTH`` bytes before the newline."""
KEPT, DROPPED, NEW = 0, 1, 2


@dataclass
class Delta:
    """Dump lines (N-Quads or N-Triples, each ending in `` .\n``) this build added and removed."""

    added: list[bytes] = field(default_factory=list)
    removed: list[bytes] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.added) + len(self.removed)


def quad_line(key: bytes) -> bytes:
    """``<g>\t<s> <p> <o>`` → ``<s> <p> <o> <g> .``"""
    g, spo = key.split(b"\t", 1)
    return spo + b" " + g + b" .\n"


def triple_line(key: bytes) -> bytes:
    return key + b"\n"


@dataclass
class Written:
    """A dump as staged: its distinct graph names, its lines, and (incremental builds) the delta."""

    graphs: int = 0
    lines: int = 0
    delta: Delta | None = None
