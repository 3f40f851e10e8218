"""`kg build` draws per-stage bars on a terminal and writes only its stage lines to a pipe (CI logs)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

STAGE = re.compile(r"^\[\d/5\] ")


def _cmd(seeds: Path, var: Path) -> list[str]:
    return [sys.executable, "-m", "kg", "--seeds", str(seeds), "--var", str(var), "build", "--full"]


def test_piped_build_writes_stage_lines_only(tmp_path: Path, seeds_copy: Path) -> None:
    done = subprocess.run(_cmd(seeds_copy, tmp_path / "var"), cwd=ROOT, capture_output=True, text=True, check=True)
    lines = done.stderr.splitlines()
    assert "\x1b" not in done.stderr and "\r" not in done.stderr  # no escape codes, no redrawn lines
    assert [ln[:5] for ln in lines if STAGE.match(ln)] == ["[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"]
    assert all(STAGE.match(ln) or ln.startswith(("full build", "warning:")) for ln in lines), lines


def test_terminal_build_draws_bars_with_counts_and_rate(tmp_path: Path, seeds_copy: Path) -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(_cmd(seeds_copy, tmp_path / "var"), cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait() == 0
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", errors="replace"))
    assert re.search(r"curate \+ map .*?(\d+)/\1 .*articles/s", text), text[-2000:]  # all of the total counted, and a rate
    assert re.search(r"validate \d+ SHACL queries", text)
    assert "[5/5] publish" in text
