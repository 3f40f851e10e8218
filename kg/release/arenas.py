"""glibc's malloc arenas capped in the ``kg build`` process.

glibc gives each new thread that allocates an arena of its own, up to eight
per core, and keeps what is freed in each arena for that arena's reuse. A
build's validation runs ``kg.validation.engine.THREADS`` query threads whose
working sets are native (pyoxigraph's), so each thread's arena grows to its
largest query and keeps it: at 10 000 articles a quarter of validation's heap
was memory freed but held in arenas (BENCHMARKS.md, "Build memory split into
heap and mapped files"). With one arena per query thread the threads share
what they free: validation's peak 562 → 421 MB at 10 000 articles and about
a sixth lower at 3 000, with no time cost beyond the machine's run-to-run spread
(docs/build.md, "malloc arenas"). Only the build's process is capped: ``kg serve``
keeps glibc's default (not measured there).
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8
"""``mallopt``'s parameter for the arena limit (glibc's ``malloc.h``)."""


def cap_arenas(arenas: int) -> bool:
    """Allow at most ``arenas`` malloc arenas in this process from now on, as
    ``MALLOC_ARENA_MAX`` would from its start (arenas already made stay). Call
    it before the build starts threads. False, changing nothing, where the C
    library is not glibc, or where ``MALLOC_ARENA_MAX`` is set: the operator's
    choice wins."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to load, or not glibc (macOS has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt(M_ARENA_MAX, max(1, arenas)) == 1
