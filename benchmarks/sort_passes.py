"""Why the build's sort costs more per line as the corpus grows: GNU sort's merge passes (issue 24, item 4).

    python -m benchmarks.sort_passes VAR/build-cache/<id>/quads.tagged --repeats 2

``kg build`` sorts its spool with ``sort -S 256M``: a spool of S bytes becomes about
S / 256 MB sorted runs, and GNU sort merges at most ``--batch-size`` (default 16)
runs at once, through temporary files when there are more: at 1 000 articles
(≈ 0.1 GB of quad lines) one run, at 10 000 ≈ 4, at 100 000 ≈ 40, so a
second merge pass over most of the data. This reproduces those ratios of runs
to buffer on one real spool file, shuffled, by shrinking the buffer instead of
growing the file, and times each setting side by side, per million lines.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path


def _sort(source: Path, target: Path, buffer: str, batch: int | None, tmp: Path) -> float:
    cmd = ["sort", "-u", "-S", buffer, "-T", str(tmp), "-o", str(target)]
    if batch:
        cmd.insert(1, f"--batch-size={batch}")
    t = time.perf_counter()
    subprocess.run([*cmd, str(source)], env={**os.environ, "LC_ALL": "C"}, check=True)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spool", type=Path, help="a sorted tagged spool file (quads.tagged of a build cache)")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-sort-") as d:
        tmp = Path(d)
        lines = args.spool.read_bytes().splitlines(keepends=True)
        random.Random(1).shuffle(lines)
        shuffled = tmp / "shuffled"
        shuffled.write_bytes(b"".join(lines))
        size = shuffled.stat().st_size
        n = len(lines) / 1e6
        del lines
        # buffers giving ~1, ~4 and ~40 runs of this file: what 256 MB gives at 1 000, 10 000, 100 000 articles
        settings = [(f"{size * 2 // (1 << 20) + 1}M", None), (f"{size // 4 // 1024}K", None),
                    (f"{size // 40 // 1024}K", None), (f"{size // 40 // 1024}K", 64)]
        best: dict[str, float] = {}
        for _ in range(args.repeats):
            for buffer, batch in settings:
                label = f"-S {buffer}" + (f" --batch-size={batch}" if batch else "")
                s = _sort(shuffled, tmp / "out", buffer, batch, tmp)
                best[label] = min(best.get(label, s), s)
                print(f"{label:28} {s:6.2f} s  ({s / n:.2f} s per M lines, load {os.getloadavg()[0]:.1f})", flush=True)
        base = next(iter(best.values()))
        for label, s in best.items():
            print(f"best {label:28} {s / n:.2f} s per M lines = {s / base:.2f}x the one-run sort")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
