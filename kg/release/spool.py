"""Quads on disk instead of in memory: spooled per article, sorted externally,
then streamed into the dumps.

Why: holding every quad (and every dump as bytes) made the build's memory
grow with the corpus (10.3 GB at 10 000 articles). Here each article's quads
are appended as N-Quads text to two spool files; GNU ``sort`` (byte order,
``LC_ALL=C``, an external merge sort with a bounded buffer, ``-u`` to
de-duplicate) orders them; the sorted files are read once, line by line, to
write the dumps. Nothing here holds more than one line (or one write buffer)
of the data at a time.

Orders (the same as the in-memory build had, so dumps are byte-identical):

* quads by (graph, subject, predicate, object) — each line is spooled as
  ``<graph>\\t<s> <p> <o>``; IRIs cannot hold a tab or a ``>``, so byte order
  of that line is the order of the tuple;
* triples (the union, as a set) by their N-Triples text.

The N-Quads and N-Triples dumps are written through ``DumpWriter``, their
SHA-256 and size computed while writing (it can gzip too: level 6, ``mtime``
0, no file name). The build's gzips, and Turtle, TriG and JSON-LD, are
written block by block from the sorted dumps (``kg.release.blocks``), so an
incremental build rewrites only what changed. The
dumps are never serialized from an Oxigraph store: the store canonicalises
``"5"^^xsd:nonNegativeInteger`` to ``xsd:integer`` on load.
"""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import BuildError
from kg.rdf import jsonld
from kg.release.directory import FileInfo

SORT_BUFFER = "256M"
"""GNU sort's main-memory buffer; above it, sort spills runs to disk and merges them."""
SORT_BATCH = 64
"""Runs GNU sort merges at once (its default, 16, makes a spool over 16 buffers — ≈ 40 runs at
100 000 articles — take a second merge pass: 2.08× a one-run sort per line instead of 1.55×,
benchmarks/sort_passes.py). 64 open files; one pass up to a 16 GB spool."""
CHUNK = 1 << 20


def sort_file(source: Path, target: Path, *, unique: bool, tmp_dir: Path) -> None:
    """``LC_ALL=C sort [-u]``: byte order, bounded memory, temporary runs in ``tmp_dir``."""
    if shutil.which("sort") is None:
        raise BuildError("the build needs GNU sort (coreutils) on PATH")
    cmd = ["sort", "-S", SORT_BUFFER, f"--batch-size={SORT_BATCH}", "-T", str(tmp_dir), "-o", str(target)]
    if unique:
        cmd.insert(1, "-u")
    env = {**os.environ, "LC_ALL": "C"}
    done = subprocess.run([*cmd, str(source)], env=env, capture_output=True, check=False, preexec_fn=_die_with_parent)
    if done.returncode != 0:
        raise BuildError(f"sort failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()}")


def _die_with_parent() -> None:
    """A build killed mid-sort must not leave sort writing into a directory
    the next build is removing (Linux ``PR_SET_PDEATHSIG``; elsewhere a no-op)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class QuadSpool:
    """Unsorted N-Quads text of every article: one file of graph-keyed quad
    lines, one of triple lines (for the union). Counts what it was given."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._quads = open(directory / "quads.unsorted", "wb")  # noqa: SIM115 - closed in sort()
        self._triples = open(directory / "triples.unsorted", "wb")  # noqa: SIM115
        self.added = 0

    def add(self, quads: Iterable[ox.Quad], tag: str | None = None) -> None:
        """``tag``: which input the quads come from (``kg.release.incremental``), appended after a tab to
        each line, so a later build can drop one article's lines from the sorted files. A tab
        sorts before every byte of N-Quads text, so tagged lines sort in the untagged order."""
        end = f"\t{tag}\n" if tag else "\n"
        q_lines, t_lines = [], []
        for q in quads:
            spo = f"{q.subject} {q.predicate} {q.object}"
            q_lines.append(f"{q.graph_name}\t{spo}{end}")
            t_lines.append(spo + " ." + end)
        self._quads.write("".join(q_lines).encode("utf-8"))
        self._triples.write("".join(t_lines).encode("utf-8"))
        self.added += len(q_lines)

    def sort(self) -> tuple[Path, Path]:
        """(sorted unique graph-keyed quads, sorted unique triples = the N-Triples dump's lines)."""
        self._quads.close()
        self._triples.close()
        quads, triples = self.directory / "quads.sorted", self.directory / "triples.sorted"
        for source, target in ((self.directory / "quads.unsorted", quads), (self.directory / "triples.unsorted", triples)):
            sort_file(source, target, unique=True, tmp_dir=self.directory)
            source.unlink()
        return quads, triples


class DumpWriter:
    """A binary sink writing ``name`` and ``name.gz`` at once, hashing both."""

    def __init__(self, directory: Path, name: str, *, gz: bool = True) -> None:
        self.directory, self.name = directory, name
        self._plain: BinaryIO = open(directory / name, "wb")  # noqa: SIM115 - closed in close()
        self._sha, self._n = hashlib.sha256(), 0
        self._gz_file: _Hashing | None = None
        self._gz: gzip.GzipFile | None = None
        if gz:
            self._gz_file = _Hashing(open(directory / (name + ".gz"), "wb"))  # noqa: SIM115
            # level 6 (gzip's own default): 3× faster than 9 on our dumps for the same size
            self._gz = gzip.GzipFile(fileobj=self._gz_file, mode="wb", mtime=0, filename="", compresslevel=6)

    def write(self, data: bytes) -> int:
        self._plain.write(data)
        self._sha.update(data)
        self._n += len(data)
        if self._gz is not None:
            self._gz.write(data)
        return len(data)

    def flush(self) -> None:  # pyoxigraph may call it; flushing gzip here would change its bytes
        pass

    def close(self) -> dict[str, FileInfo]:
        self._plain.close()
        out = {self.name: FileInfo(self._n, self._sha.hexdigest())}
        if self._gz is not None and self._gz_file is not None:
            self._gz.close()
            self._gz_file.close()
            out[self.name + ".gz"] = FileInfo(self._gz_file.n, self._gz_file.sha.hexdigest())
        return out


class _Hashing:
    """A file object that hashes and counts what is written to it."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.sha, self.n = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.fh.write(data)
        self.sha.update(data)
        self.n += len(data)
        return len(data)

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def write_nquads(sorted_quads: Path, out: DumpWriter) -> int:
    """``<g>\\t<s> <p> <o>`` lines → ``<s> <p> <o> <g> .``; returns the number of graphs."""
    graphs, last = 0, b""
    buf: list[bytes] = []
    size = 0
    with open(sorted_quads, "rb") as fh:
        for line in fh:
            g, spo = line.rstrip(b"\n").split(b"\t", 1)
            if g != last:
                graphs, last = graphs + 1, g
            item = spo + b" " + g + b" .\n"
            buf.append(item)
            size += len(item)
            if size >= CHUNK:
                out.write(b"".join(buf))
                buf, size = [], 0
    if buf:
        out.write(b"".join(buf))
    return graphs


def copy_lines(path: Path, out: DumpWriter) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            out.write(chunk)


def reserialize(source: Path, source_format: ox.RdfFormat, out: DumpWriter, fmt: ox.RdfFormat,
                prefixes: dict[str, str] | None = None) -> None:
    """Parse a sorted N-Quads/N-Triples dump and write it in ``fmt``, streaming.
    JSON-LD is written compacted against ``prefixes`` (``kg.rdf.jsonld``): the
    sorted input gives one node object per subject and graph."""
    statements = ox.parse(path=str(source), format=source_format)
    if fmt == ox.RdfFormat.JSON_LD:
        jsonld.write(statements, out, prefixes or {})
        return
    kwargs = {"prefixes": prefixes} if prefixes else {}
    ox.serialize(statements, out, format=fmt, **kwargs)  # type: ignore[arg-type]
