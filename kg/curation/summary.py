"""What curating one article leaves in the stream's indexes, kept so an unchanged article is not curated again.

An incremental ``kg build`` (docs/build.md) still runs every check across files
(duplicate keys and ids, unknown references, memberships, event dates), and those
need every article's part of the indexes. An article whose YAML and seed text
hash as they did at the last build, and which had no problem then, gives the
same parts again: its ``Summary`` (the keys it declares, the keys it refers to
and where, its event dates and memberships, its counts) is replayed into the
stream instead of parsing the YAML (most of curation's time). Anything that
needs the file's lines — a duplicate key it declares — reads it again.
Problems still name file, line and field: the positions are resolved from the
files themselves (``kg.curation.index.Positions``), as for an article just read.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.curation.checks import Parts, referring, refs


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dotted(loc: list[object]) -> str:
    """A location as a curator reads it: ``facts[2].actors[0].agent``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


@dataclass(frozen=True)
class Summary:
    """One clean article's contribution to the curation indexes, with the hashes it is valid for."""

    yaml: str
    text: str
    file: str
    id: str
    published: str
    entities: list[tuple[int, str, str | None]]  # index, key, within
    refs: list[tuple[tuple[object, ...], str, str]]  # location, field as shown, key
    dates: list[tuple[str, int, str, str, str | None]]  # event, fact index, fact id, date, refines
    memberships: list[tuple[int, str, str, tuple[object, ...]]]  # fact index, fact id, membership, its parts
    facts: int
    claims: int

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, d: dict) -> Summary:
        return cls(d["yaml"], d["text"], d["file"], d["id"], d["published"],
                   [(int(i), k, w) for i, k, w in d["entities"]],
                   [(tuple(loc), f, k) for loc, f, k in d["refs"]],
                   [(e, int(i), f, dt, r) for e, i, f, dt, r in d["dates"]],
                   [(int(i), f, m, tuple(p)) for i, f, m, p in d["memberships"]],
                   int(d["facts"]), int(d["claims"]))

    @classmethod
    def of(cls, yaml: str, text: str, parts: Parts) -> Summary:
        meta = parts.meta
        assert meta is not None  # a clean article
        found, dates, members = index_parts(parts)
        return cls(yaml, text, meta.file, meta.id, meta.published.text, [(i, e.key, e.within) for i, e in parts.entities],
                   found, dates, members, len(parts.facts), len(parts.claims))


def pack(d: dict) -> bytes:
    """A summary's JSON, compressed: how summaries are held in memory and kept in the cache's manifest."""
    return zlib.compress(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def unpack(z: bytes) -> dict:
    return json.loads(zlib.decompress(z))


class Summaries:
    """Every article's ``Summary`` by YAML file name, each held packed (``pack``).

    Why: a summary lists every reference its article makes, with its location and
    field (about 120 per synthetic article); as Python tuples that is about 9 KB an
    article, 0.9 GB of a build at 100 000 articles, kept from curation to the
    manifest. Packed it is about a tenth of that, and a summary is unpacked only
    when an article is replayed."""

    def __init__(self, packed: Iterable[tuple[str, str, bytes]] = ()) -> None:
        """``packed``: (YAML file name, SHA-256 of the YAML, packed summary) of each article."""
        self._packed: dict[str, tuple[str, bytes]] = {name: (yaml, z) for name, yaml, z in packed}

    def __setitem__(self, name: str, summary: Summary) -> None:
        self._packed[name] = (summary.yaml, pack(summary.to_json()))

    def add(self, name: str, yaml: str, text: str, parts: Parts) -> None:
        """The summary of an article just curated (``Summary.of``)."""
        self[name] = Summary.of(yaml, text, parts)

    def take(self, other: Summaries, name: str) -> None:
        """``other``'s summary of ``name``, as it is packed there."""
        self._packed[name] = other._packed[name]

    def packed(self, name: str) -> bytes | None:
        found = self._packed.get(name)
        return found[1] if found is not None else None

    def yaml(self, name: str) -> str | None:
        """The SHA-256 of the article's YAML the summary is valid for (without unpacking it)."""
        found = self._packed.get(name)
        return found[0] if found is not None else None

    def get(self, name: str) -> Summary | None:
        found = self._packed.get(name)
        return Summary.from_json(unpack(found[1])) if found is not None else None

    def __len__(self) -> int:
        return len(self._packed)


Refs = list[tuple[tuple[object, ...], str, str]]
Dates = list[tuple[str, int, str, str, str | None]]
Memberships = list[tuple[int, str, str, tuple[object, ...]]]


def index_parts(parts: Parts) -> tuple[Refs, Dates, Memberships]:
    """What an article's valid parts add to the stream's indexes: references, event dates, memberships."""
    found: Refs = []
    for loc, label, suffix, item in referring(parts):
        for sub, key in refs(item):
            found.append((tuple(loc + sub), dotted([label, *sub]) + suffix, key))
    dates: Dates = [(f.event, i, f.id, f.date.text, f.refines.text if f.refines else None)
                    for i, f in parts.facts if f.kind == "event" and f.date is not None]
    members: Memberships = [(i, f.id, f.membership, (f.member, f.organization, f.role))
                            for i, f in parts.facts if f.kind == "membership"]
    return found, dates, members


@dataclass(frozen=True)
class CachedArticle:
    """An article the stream did not read again (its ``Summary`` replayed): what the build needs of it."""

    path: Path
    id: str
    file: str
    sha256: str
    published: str

    def row(self) -> dict:
        return {"id": self.id, "file": self.file, "sha256": self.sha256, "published": self.published}
