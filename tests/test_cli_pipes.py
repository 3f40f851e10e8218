"""``kg … | head``: when the reader of kg's output goes away, kg stops quietly
(exit 141, as a tool killed by SIGPIPE), not with a BrokenPipeError traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, SEEDS


def test_a_closed_pipe_ends_kg_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before kg writes a byte: every write fails with EPIPE
    try:
        done = subprocess.run([sys.executable, "-m", "kg", "--seeds", str(SEEDS), "entities", "kinds"],
                              stdout=write_end, stderr=subprocess.PIPE, cwd=ROOT, timeout=120, check=False)
    finally:
        os.close(write_end)
    assert b"Traceback" not in done.stderr and b"BrokenPipeError" not in done.stderr, done.stderr.decode()
    assert done.returncode == 141
