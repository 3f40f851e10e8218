"""Stage 4 of ``kg build``: TriG, Turtle and JSON-LD written from the sorted N-Quads/N-Triples dumps,
and every dump's gzip, block by block (``kg.release.blocks``).

Each format is a pass of its own over a dump on disk, so they are independent:
on a large release they run in separate processes, one per core (JSON-LD, the
slowest, first), while the build counts the union for VoID. A process of its
own, not a thread: the JSON-LD writer and the dump writers are Python and would
share one core under the GIL. Small releases (tests, the shipped seeds) are
written in-process: starting an interpreter costs more than the work. The bytes
are the same either way
(``tests/test_incremental.py::test_formats_written_in_processes_are_the_same_bytes``).

An incremental build passes the previous release's dumps and their block
index: a block whose lines (and neighbours' graphs) did not change has its text
and its deflate segment copied from there; only the others are serialized and
compressed again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.release.blocks import Block, Format, Previous, Written, write_blocked
from kg.release.directory import DUMPS, FileInfo
from kg.release.incremental import read_json

T = TypeVar("T")
PARALLEL_BYTES = 32 << 20
"""Below this size of ``dataset.nq`` the formats are written in-process, one after the other."""
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)
Index = dict[str, list[Written]]
"""Per dump file name, where each block's text and deflate segment are (the next build's reuse)."""


def load_index(path: Path | None) -> dict[str, dict[str, Written]]:
    """A previous build's block index (``save_index``), by dump and block start; empty when there is none."""
    if path is None or not path.is_file():
        return {}
    raw = read_json(path)
    return {name: {w.start: w for w in map(Written.from_json, rows)} for name, rows in raw.items()}


def save_index(path: Path, index: Index) -> None:
    path.write_text(json.dumps({name: [w.to_json() for w in rows] for name, rows in index.items()}), encoding="utf-8")


def _one(directory: str, name: str, source: str, source_media: str, media: str, pfx: dict[str, str] | None,
         blocks: list[Block], previous: Previous | None, plain_done: bool) -> tuple[str, dict[str, FileInfo], list[Written], int]:
    source_fmt, fmt = ox.RdfFormat.from_media_type(source_media), ox.RdfFormat.from_media_type(media)
    assert source_fmt is not None and fmt is not None  # media types of DUMPS, all known to pyoxigraph
    files, index, made = write_blocked(Path(directory), name, Format(fmt, source_fmt, pfx or {}), Path(source), blocks,
                                       previous, plain_done=plain_done)
    return name, files, index, made


def write_formats(directory: Path, nq: Path, union: Path, written: set[str], prefixes: dict[str, str], *,
                  blocks: dict[str, list[Block]], meanwhile: Callable[[], T], done: Callable[[], None] = lambda: None,
                  previous: Path | None = None, previous_index: dict[str, dict[str, Written]] | None = None,
                  parallel_bytes: int = PARALLEL_BYTES) -> tuple[dict[str, FileInfo], Index, int, T]:
    """Every dump of ``DUMPS`` and its gzip (only the gzip of those in ``written``: N-Quads and
    N-Triples, written while staging); also runs ``meanwhile()`` (returned last). ``previous``:
    the previous release's directory, whose dumps ``previous_index`` describes, to reuse blocks from.
    Also returns how many blocks (over all dumps) were written anew rather than copied."""
    jobs = []
    for name, (fmt, media) in DUMPS.items():
        source, source_fmt = (nq, ox.RdfFormat.N_QUADS) if fmt.supports_datasets else (union, ox.RdfFormat.N_TRIPLES)
        old = (previous_index or {}).get(name)
        prev = Previous(previous / name, previous / (name + ".gz"), old) if previous is not None and old else None
        jobs.append((str(directory), name, str(source), source_fmt.media_type, media,
                     prefixes if fmt in _PREFIXED else None, blocks[source.name], prev, name in written))
    jobs.sort(key=lambda j: j[4] != ox.RdfFormat.JSON_LD.media_type)  # the slowest first
    files: dict[str, FileInfo] = {}
    index: Index = {}
    made = 0
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or nq.stat().st_size < parallel_bytes:
        for job in jobs:
            name, f, rows, n = _one(*job)
            files.update(f)
            index[name], made = rows, made + n
            done()
        return files, index, made, meanwhile()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures: list[Future[tuple[str, dict[str, FileInfo], list[Written], int]]] = [pool.submit(_one, *job) for job in jobs]
        for fut in futures:
            fut.add_done_callback(lambda _f: done())
        other = meanwhile()
        for fut in futures:
            name, f, rows, n = fut.result()
            files.update(f)
            index[name], made = rows, made + n
    return files, index, made, other
