"""Time and peak memory of one real ``kg build``, in a process of its own.

    python benchmarks/build_memory.py SEEDS VAR [--no-shacl]

Prints one JSON object: wall seconds, the build's progress lines, peak RSS
of this process (``ru_maxrss``) and of its largest child (GNU sort).
``--no-shacl`` replaces only the pyshacl call with a conforming empty report
(whole-dataset pyshacl is not affordable above a few thousand triples, see
BENCHMARKS.md), so everything else the build does is measured. Runnable by
path against another checkout (``PYTHONPATH=/tmp/old-build``) to compare the
build before and after a change: it patches whichever validation entry point
that ``kg.release.build`` has.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


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


def main(argv: list[str]) -> int:
    seeds, var, *flags = argv
    if "--no-shacl" in flags:
        _no_shacl()
    from kg.config import Settings
    from kg.errors import ValidationFailed
    from kg.release.build import build

    lines: list[str] = []
    t = time.perf_counter()
    try:  # a synthetic corpus that breaks a shape still measures every stage up to the refusal
        release = build(Settings(seeds_dir=Path(seeds), var_dir=Path(var)), progress=lines.append)
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
        "progress": lines,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
