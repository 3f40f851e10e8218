"""Stage 4 of ``kg build``: TriG, Turtle and JSON-LD written from the sorted N-Quads/N-Triples dumps.

Each format is a pass of its own over a dump on disk (``kg.release.spool.reserialize``),
so they are independent: on a large release they run in separate processes,
one per core (JSON-LD, the slowest, first), while the build counts the union
for VoID. A process of its own, not a thread: the JSON-LD writer and the dump
writers are Python and would share one core under the GIL. Small releases
(tests, the shipped seeds) are written in-process: starting an interpreter
costs more than the work. The bytes are the same either way
(``tests/test_incremental.py::test_formats_written_in_processes_are_the_same_bytes``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.release.directory import DUMPS, FileInfo
from kg.release.spool import DumpWriter, reserialize

T = TypeVar("T")
PARALLEL_BYTES = 32 << 20
"""Below this size of ``dataset.nq`` the formats are written in-process, one after the other."""
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)


def _one(directory: str, name: str, source: str, source_media: str, media: str,
         pfx: dict[str, str] | None) -> dict[str, FileInfo]:
    writer = DumpWriter(Path(directory), name)
    source_fmt, fmt = ox.RdfFormat.from_media_type(source_media), ox.RdfFormat.from_media_type(media)
    assert source_fmt is not None and fmt is not None  # media types of DUMPS, all known to pyoxigraph
    reserialize(Path(source), source_fmt, writer, fmt, pfx)
    return writer.close()


def write_formats(directory: Path, nq: Path, union: Path, written: set[str], prefixes: dict[str, str], *,
                  meanwhile: Callable[[], T], done: Callable[[], None] = lambda: None,
                  parallel_bytes: int = PARALLEL_BYTES) -> tuple[dict[str, FileInfo], T]:
    """Every dump of ``DUMPS`` not in ``written``; also runs ``meanwhile()`` (returned second)."""
    jobs = []
    for name, (fmt, media) in DUMPS.items():
        if name in written:
            continue  # N-Quads and N-Triples: written while staging
        source, source_fmt = (nq, ox.RdfFormat.N_QUADS) if fmt.supports_datasets else (union, ox.RdfFormat.N_TRIPLES)
        jobs.append((str(directory), name, str(source), source_fmt.media_type, media, prefixes if fmt in _PREFIXED else None))
    jobs.sort(key=lambda j: j[4] != ox.RdfFormat.JSON_LD.media_type)  # the slowest first
    files: dict[str, FileInfo] = {}
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or nq.stat().st_size < parallel_bytes:
        for job in jobs:
            files.update(_one(*job))
            done()
        return files, meanwhile()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures: list[Future[dict[str, FileInfo]]] = [pool.submit(_one, *job) for job in jobs]
        for f in futures:
            f.add_done_callback(lambda _f: done())
        other = meanwhile()
        for f in futures:
            files.update(f.result())
    return files, other
