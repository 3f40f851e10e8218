"""Dumps in blocks, so an incremental build rewrites only the blocks that changed (docs/build.md).

The sorted N-Quads (and N-Triples) lines are cut into *blocks* where the
content says so, not by position: a block starts at a group of lines with one
(graph, subject) — one subject for triples — whose CRC-32 is 0 modulo
``SPREAD``. Adding an article therefore changes only the few blocks its lines
fall into (and splits or joins one where its own groups start a block); every
other block has the same start and the same lines as before.

Every dump is then the concatenation, block by block, of each block's text
in that format: N-Quads and N-Triples are the lines themselves; TriG, Turtle
and JSON-LD are pyoxigraph's (or ``kg.rdf.jsonld``'s) serialization of the
block on its own, with the document's head cut off and, where a named graph
runs on across a block's edge, the graph's closing and reopening cut (and a
separator added) — which gives the bytes the writer gives the whole document
in one pass (``tests/test_blocks.py`` checks it against that).

The ``.gz`` of each dump is **one** gzip member (every gzip reader reads it),
whose deflate stream is the blocks' deflate segments in order: each block is
compressed on its own and ended with a full flush (byte-aligned, no reference
to earlier data), so a block's compressed bytes depend on its text alone, and
an unchanged block's are copied from the previous release's file. A full build
writes the same segments, so incremental and full builds give the same bytes.
The gzip trailer's CRC-32 and length are computed over the whole text as it
is written.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.rdf import jsonld
from kg.release.directory import FileInfo

SPREAD = 1024
"""A group starts a block when its CRC-32 is 0 modulo this: blocks of ≈ 1 000 subjects (≈ 4 000 quads, ≈ 400 KB of
TriG). Each block restarts the deflate window: at ≈ 256 subjects the gzips of TriG, Turtle and JSON-LD came out
12.8 % larger than one deflate stream (1 000 articles), at ≈ 400 KB of text ≈ 3 %; an incremental build
serializes the few blocks a change falls into, so larger blocks cost it little."""
LEVEL = 6
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""What ``gzip.GzipFile(mtime=0, filename="", compresslevel=6)`` writes: no name, no time, OS unknown."""
_FINAL = b"\x03\x00"  # an empty final deflate block


@dataclass(frozen=True)
class Block:
    """One block of a sorted dump: where its lines are in the N-Quads/N-Triples file and what they are."""

    start: str  # the first group's key (graph + tab + subject, or subject), as text
    first_graph: str
    last_graph: str
    offset: int
    length: int
    digest: str  # of the block's lines

    def to_json(self) -> list:
        return [self.start, self.first_graph, self.last_graph, self.offset, self.length, self.digest]

    @classmethod
    def from_json(cls, v: list) -> Block:
        return cls(v[0], v[1], v[2], int(v[3]), int(v[4]), v[5])


# -- CRC-32 of a concatenation from its parts' CRCs (zlib's crc32_combine, which Python's zlib does not expose) --
_POLY = 0xEDB88320  # CRC-32's polynomial, reflected


def _multmodp(a: int, b: int) -> int:
    """a(x)·b(x) modulo the CRC polynomial, over GF(2), in the reflected bit order CRC-32 uses."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                return p
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


_X2N = [1 << 30]  # x^(2^k) modulo the polynomial, k = 0 … 31
for _ in range(31):
    _X2N.append(_multmodp(_X2N[-1], _X2N[-1]))


def crc32_shift(length: int) -> int:
    """x^(8·length) modulo the polynomial: what a CRC is multiplied by when ``length`` bytes follow it."""
    p, k = 1 << 31, 3
    while length:
        if length & 1:
            p = _multmodp(_X2N[k & 31], p)
        length >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, shift2: int) -> int:
    """``zlib.crc32(a + b)`` from ``crc1 = zlib.crc32(a)``, ``crc2 = zlib.crc32(b)`` and ``shift2 = crc32_shift(len(b))``
    (zlib's ``crc32_combine``; the shift is kept per block, so combining costs one product)."""
    return _multmodp(shift2, crc1) ^ crc2


def segment(data: bytes) -> bytes:
    """``data`` deflated on its own, ending byte-aligned (full flush): concatenable with any other segment."""
    if not data:
        return b""
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)


# -- each format's text of one block ---------------------------------------------------------------
@dataclass(frozen=True)
class Edges:
    """How a block sits among its neighbours: decides the cuts of its text."""

    first: bool  # the document's first block
    opens: bool  # its first graph is a named graph that the block before it already opened
    closes: bool  # its last graph is a named graph that the block after it goes on with

    def key(self) -> str:
        return f"{int(self.first)}{int(self.opens)}{int(self.closes)}"


def edges(blocks: list[Block]) -> list[Edges]:
    out = []
    for i, b in enumerate(blocks):
        opens = i > 0 and b.first_graph != "" and blocks[i - 1].last_graph == b.first_graph
        closes = i + 1 < len(blocks) and b.last_graph != "" and blocks[i + 1].first_graph == b.last_graph
        out.append(Edges(i == 0, opens, closes))
    return out


class Format:
    """One dump format: its head and tail, and the text of one block given its edges."""

    def __init__(self, fmt: ox.RdfFormat, source: ox.RdfFormat, prefixes: dict[str, str]) -> None:
        self.fmt, self.source, self.prefixes = fmt, source, prefixes
        self.head, self.tail = b"", b""
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            probe = ox.NamedNode("urn:kg:probe")
            text = ox.serialize([ox.Triple(probe, probe, probe)], format=fmt, prefixes=prefixes)
            assert text is not None
            self.head = text[:text.index(b"<urn:kg:probe>")]
        elif fmt == ox.RdfFormat.JSON_LD:
            sink = _Sink()
            jsonld.CompactWriter(sink, prefixes).close()
            whole = b"".join(sink.parts)
            self.head, self.tail = whole[:-len(_JSON_TAIL)], _JSON_TAIL
            assert whole.endswith(_JSON_TAIL)

    @property
    def lines(self) -> bool:
        return self.fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)

    def text(self, data: bytes, e: Edges) -> bytes:
        """The block's text in the document: its lines ``data`` (N-Quads or N-Triples) written on their own, then cut."""
        if self.lines:
            return data
        statements = ox.parse(input=data, format=self.source)
        if self.fmt == ox.RdfFormat.JSON_LD:
            sink = _Sink()
            jsonld.write(statements, sink, self.prefixes)
            out = b"".join(sink.parts)[len(self.head):-len(self.tail)]
            if e.opens:  # drop '\n    {"@id":g,"@graph":[' — the nodes go on in the open graph
                out = b"," + out[out.index(b"\n", 1):]
            elif not e.first:
                out = b"," + out
            if e.closes:
                out = out[:-len(_JSON_CLOSE)]
            return out
        whole = ox.serialize(statements, format=self.fmt, prefixes=self.prefixes)
        assert whole is not None
        out = whole[len(self.head):]
        if e.opens:  # drop the '<g> {' line: the graph is open already
            out = out[out.index(b"\n") + 1:]
        if e.closes:
            out = out[:-len(_TRIG_CLOSE)]
        return out


_JSON_TAIL = b"\n  ]\n}\n"
_JSON_CLOSE = b"\n    ]}"
_TRIG_CLOSE = b"}\n"


class _Sink:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(data)
        return len(data)


# -- writing a dump from blocks, reusing the previous release's --------------------------------------
@dataclass(frozen=True)
class Written:
    """Where one block's text went in a dump and in its gzip (the next build's index)."""

    start: str
    digest: str
    edges: str
    offset: int
    length: int
    gz_offset: int
    gz_length: int
    crc: int  # CRC-32 of the block's text
    shift: int  # crc32_shift(length)

    def to_json(self) -> list:
        return [self.start, self.digest, self.edges, self.offset, self.length, self.gz_offset, self.gz_length, self.crc,
                self.shift]

    @classmethod
    def from_json(cls, v: list) -> Written:
        return cls(v[0], v[1], v[2], int(v[3]), int(v[4]), int(v[5]), int(v[6]), int(v[7]), int(v[8]))


@dataclass
class Previous:
    """A dump of the previous release (plain and gzip) and its block index."""

    plain: Path
    gz: Path
    index: dict[str, Written]  # by start


class _Out:
    """The plain file and the gzip, with their hashes, sizes and the gzip trailer's CRC."""

    def __init__(self, plain: Path | None, gz: Path | None) -> None:
        self.plain: BinaryIO | None = open(plain, "wb") if plain else None  # noqa: SIM115 - closed in close()
        self.gz: BinaryIO | None = open(gz, "wb") if gz else None  # noqa: SIM115
        self.sha, self.gz_sha = hashlib.sha256(), hashlib.sha256()
        self.n = self.gz_n = self.crc = 0
        self._gz(GZIP_HEADER)

    def _gz(self, data: bytes) -> None:
        if self.gz is not None:
            self.gz.write(data)
            self.gz_sha.update(data)
            self.gz_n += len(data)

    def text(self, data: bytes) -> None:
        if self.plain is not None:
            self.plain.write(data)
            self.sha.update(data)
        self.crc = zlib.crc32(data, self.crc)
        self.n += len(data)

    def put(self, data: bytes, deflated: bytes | None = None) -> tuple[int, int]:
        """Write a block's text and its deflate segment (computed unless given); returns the segment's place."""
        self.text(data)
        where = self.gz_n
        if self.gz is not None:
            self._gz(segment(data) if deflated is None else deflated)
        return where, self.gz_n - where

    def copied(self, old: Written, data: bytes | None, deflated: bytes) -> tuple[int, int]:
        """A block reused from the previous release: its text (``None`` when there is no plain file to write)
        and deflate segment; the gzip's CRC-32 combined from the block's, without reading its text."""
        if data is not None and self.plain is not None:
            self.plain.write(data)
            self.sha.update(data)
        self.crc = crc32_combine(self.crc, old.crc, old.shift)
        self.n += old.length
        where = self.gz_n
        if self.gz is not None:
            self._gz(deflated)
        return where, self.gz_n - where

    def close(self, name: str) -> dict[str, FileInfo]:
        out = {}
        if self.plain is not None:
            self.plain.flush()
            os.fsync(self.plain.fileno())  # here, beside the other formats' work, rather than all at publication
            self.plain.close()
            out[name] = FileInfo(self.n, self.sha.hexdigest())
        if self.gz is not None:
            self._gz(_FINAL + struct.pack("<II", self.crc, self.n & 0xFFFFFFFF))
            self.gz.flush()
            os.fsync(self.gz.fileno())
            self.gz.close()
            out[name + ".gz"] = FileInfo(self.gz_n, self.gz_sha.hexdigest())
        return out


def write_blocked(directory: Path, name: str, fmt: Format, source: Path, blocks: list[Block],
                  previous: Previous | None, *, plain_done: bool = False) -> tuple[dict[str, FileInfo], list[Written], int]:
    """``name`` and ``name.gz`` from the sorted lines in ``source`` cut into ``blocks``; a block whose lines and
    edges are those of a block of ``previous`` has its text and deflate segment copied from there.
    ``plain_done``: ``name`` is ``source`` itself (N-Quads, N-Triples): only the gzip is written.
    Returns the files written, the block index, and how many blocks were written anew (not copied)."""
    out = _Out(None if plain_done else directory / name, directory / (name + ".gz"))
    index: list[Written] = []
    made = 0
    old_plain = open(previous.plain, "rb") if previous and not plain_done else None  # noqa: SIM115 - closed below
    old_gz = open(previous.gz, "rb") if previous else None  # noqa: SIM115
    try:
        with open(source, "rb") as src:
            if blocks or fmt.fmt == ox.RdfFormat.JSON_LD:  # Turtle/TriG: an empty document has no prefixes
                out.put(fmt.head)
            for block, e in zip(blocks, edges(blocks), strict=True):
                old = previous.index.get(block.start) if previous else None
                offset = out.n
                if (old is not None and old.digest == block.digest and old.edges == e.key() and old_gz
                        and (plain_done or old_plain)):
                    data = None
                    if old_plain is not None:
                        old_plain.seek(old.offset)
                        data = old_plain.read(old.length)
                    old_gz.seek(old.gz_offset)
                    gz_at, gz_len = out.copied(old, data, old_gz.read(old.gz_length))
                    crc, shift = old.crc, old.shift
                else:
                    src.seek(block.offset)
                    data = fmt.text(src.read(block.length), e)
                    gz_at, gz_len = out.put(data)
                    crc, shift = zlib.crc32(data), crc32_shift(len(data))
                    made += 1
                index.append(Written(block.start, block.digest, e.key(), offset, out.n - offset, gz_at, gz_len, crc, shift))
            out.put(fmt.tail)
    finally:
        for fh in (old_plain, old_gz):
            if fh is not None:
                fh.close()
    return out.close(name), index, made


def splice(target: Path, pieces: list[tuple[bool, int, int]], old: Path, new: Path) -> FileInfo:
    """Write ``target`` from byte ranges of ``old`` (the previous release's dump) and ``new`` (rewritten
    blocks' text), contiguous ranges read at once; its size and SHA-256 as written."""
    runs: list[list] = []
    for from_new, offset, length in pieces:
        if runs and runs[-1][0] == from_new and runs[-1][1] + runs[-1][2] == offset:
            runs[-1][2] += length
        else:
            runs.append([from_new, offset, length])
    sha, n = hashlib.sha256(), 0
    buf = bytearray(4 << 20)
    view = memoryview(buf)
    with open(old, "rb") as old_fh, open(new, "rb") as new_fh, open(target, "wb") as out:
        for from_new, offset, length in runs:
            src = new_fh if from_new else old_fh
            src.seek(offset)
            left = length
            while left:
                got = src.readinto(view[:min(left, len(buf))])
                if not got:
                    raise OSError(f"{src.name}: ended {left} bytes early")
                chunk = view[:got]
                sha.update(chunk)
                out.write(chunk)
                left -= got
            n += length
    return FileInfo(n, sha.hexdigest())
