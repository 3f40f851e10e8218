"""Time and peak memory of one real ``kg build``, in a process of its own.

    python benchmarks/build_memory.py SEEDS VAR [--no-shacl] [--default-arenas]

Prints one JSON object: wall seconds, the build's progress lines, peak RSS
of this process (``ru_maxrss``) and of its largest child (GNU sort), and the
peak per stage: a thread reads the resident set of this process and of its
children from ``/proc`` every 0.2 s and files each sample under the stage
it was taken in (a stage's line is written when the stage ends) (``stage_peak_mb``), so a regression in one
stage's memory shows which stage it is. The build process's resident set is also
split as the kernel counts it: anonymous (the heap) and file pages mapped in.
The malloc arenas are capped as ``kg build`` caps them (``kg.release.arenas``);
``--default-arenas`` leaves glibc's default, to compare. ``--no-shacl`` replaces only the pyshacl call with a conforming empty report
(whole-dataset pyshacl is not affordable above a few thousand triples, see
BENCHMARKS.md), so everything else the build does is measured. Runnable by
path against another checkout (``PYTHONPATH=/tmp/old-build``) to compare the
build before and after a change: it patches whichever validation entry point
that ``kg.release.build`` has.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _anon_file_kb(pid: int) -> tuple[int, int]:
    """(RssAnon, RssFile): the heap, and file pages mapped in (the store's files, the
    libraries), which the kernel can drop and read again."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
        return int(fields["RssAnon"].split()[0]), int(fields["RssFile"].split()[0])
    except (OSError, KeyError, ValueError, IndexError):
        return 0, 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


class StageSampler:
    """Peak resident set (this process; this process plus its children) per build stage."""

    NEXT: ClassVar[dict[str, str]] = {"[1/5]": "2 map + sort + write + store", "[2/5]": "3 validate", "[3/5]": "4 serialize",
            "[4/5]": "5 publish", "[5/5]": "after publish"}
    """A stage's line is written when it ends: the samples after it belong to the next one."""

    def __init__(self) -> None:
        self.stage = "1 curate"
        self.peaks: dict[str, dict[str, float]] = {}
        self.commands: dict[str, str] = {}
        """The largest child's command line, per stage."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def line(self, text: str) -> None:
        self.stage = self.NEXT.get(text[:5], self.stage)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.2):
            own = _rss_kb(me)
            anon, mapped = _anon_file_kb(me)
            children = {c: _rss_kb(c) for c in _children(me)}
            total = own + sum(children.values())
            peak = self.peaks.setdefault(self.stage, {"self_mb": 0.0, "self_anon_mb": 0.0, "self_file_mb": 0.0,
                                                     "with_children_mb": 0.0, "largest_child_mb": 0.0})
            peak["self_mb"] = max(peak["self_mb"], round(own / 1024, 1))
            peak["self_anon_mb"] = max(peak["self_anon_mb"], round(anon / 1024, 1))
            peak["self_file_mb"] = max(peak["self_file_mb"], round(mapped / 1024, 1))
            peak["with_children_mb"] = max(peak["with_children_mb"], round(total / 1024, 1))
            if children and max(children.values()) / 1024 > peak["largest_child_mb"]:
                pid = max(children, key=lambda c: children[c])
                peak["largest_child_mb"] = round(children[pid] / 1024, 1)
                self.commands[self.stage] = _command(pid)

    def __enter__(self) -> StageSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _no_shacl() -> None:
    from rdflib import Graph

    import kg.release.build as kb
    from kg.validation.validate import Report

    def conforming(*_args: object, **_kwargs: object) -> Report:
        return Report(True, Graph(), [])

    try:  # the gate in a module of its own (kg.release.check)
        import kg.release.check as kc
    except ImportError:
        kc = None
    if kc is not None:
        kc.validate_staged = conforming  # type: ignore[assignment]
    elif hasattr(kb, "validate_staged"):  # the streaming build, gate inside build.py
        kb.validate_staged = conforming  # type: ignore[assignment]
    else:  # the in-memory build: skip building the rdflib Dataset too
        kb.validate = conforming  # type: ignore[assignment]
        kb.as_dataset = lambda quads: None  # type: ignore[assignment]


def _cap_arenas() -> bool | None:
    """As ``kg build`` does, before any thread starts (``kg.release.arenas``); None in a checkout without it."""
    try:
        from kg.release.arenas import cap_arenas
    except ImportError:
        return None
    from kg.validation.engine import THREADS

    return cap_arenas(THREADS)


def main(argv: list[str]) -> int:
    seeds, var, *flags = argv
    capped = None if "--default-arenas" in flags else _cap_arenas()
    if "--no-shacl" in flags:
        _no_shacl()
    from kg.config import Settings
    from kg.errors import ValidationFailed
    from kg.release.build import build

    lines: list[str] = []
    sampler = StageSampler()

    def progress(line: str) -> None:
        lines.append(line)
        sampler.line(line)
        print(line, file=sys.stderr, flush=True)

    t = time.perf_counter()
    with sampler:
        try:  # a synthetic corpus that breaks a shape still measures every stage up to the refusal
            release = build(Settings(seeds_dir=Path(seeds), var_dir=Path(var)), progress=progress)
            outcome = {"published": release.id, "quads": release.meta["quads"]}
        except ValidationFailed as exc:
            outcome = {"published": None, "refused": exc.report_text.splitlines()[:3]}
    wall = time.perf_counter() - t
    print(json.dumps({
        "s": round(wall, 2),
        **outcome,
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "children_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "shacl": "--no-shacl" not in flags,
        "arenas_capped": capped,
        "stage_peak_mb": sampler.peaks,
        "largest_child": sampler.commands,
        "progress": lines,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
