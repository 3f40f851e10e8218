"""``kg build`` caps glibc's malloc arenas (kg.release.arenas): a real process,
real threads, and glibc's own count of its arenas (``malloc_stats``)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's (this C library is not)")

THREADS = 6
PROBE = f"""
import ctypes, sys, threading
from kg.release.arenas import cap_arenas
capped = cap_arenas(2) if sys.argv[1] == "cap" else None
ready = threading.Barrier({THREADS})
def allocate():
    ready.wait()  # every thread alive at once: none can inherit an arena a finished one left
    kept = [bytearray(4096) for _ in range(64)]  # over 512 bytes: malloc itself, not Python's small-object pool
    ready.wait()
threads = [threading.Thread(target=allocate) for _ in range({THREADS})]
for t in threads: t.start()
for t in threads: t.join()
sys.stderr.flush()
ctypes.CDLL(None).malloc_stats()  # glibc writes one "Arena N:" block per arena to stderr
print(capped)
"""


def arenas(mode: str, **env: str) -> tuple[int, str]:
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, cwd=ROOT, env=environ,
                          timeout=60, check=True)
    return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena ")), done.stdout.strip()


def test_six_threads_make_arenas_of_their_own_and_the_cap_keeps_two() -> None:
    default, _ = arenas("default")
    assert default > 2, default  # glibc's default: a new thread gets an arena of its own
    capped, said = arenas("cap")
    assert said == "True" and capped <= 2, (capped, said)


def test_an_operators_malloc_arena_max_wins() -> None:
    count, said = arenas("cap", MALLOC_ARENA_MAX="4")
    assert said == "False" and 2 < count <= 4, (count, said)
