"""Admission: a fixed number of query slots, and a bounded, time-limited queue in front of them.

Why: the endpoint used to refuse a query at once (503) when every slot was
taken. Under ordinary load — 8 or 16 clients on 2 cores, each sending its
next query when the last is answered — that turned away 85–99 % of requests
(issue 21) although each would have been answered a few hundred
milliseconds later. Now a query that finds every slot taken waits in a FIFO
queue: at most ``queue`` queries wait, each at most ``wait`` seconds. Only
when the queue is full, or the wait runs out, is it refused with
``Overloaded`` (503 + ``Retry-After``). A runaway query still frees its slot
at the query timeout (its worker is killed), so a queue can never stall for
longer than that.

Threads (the pages' own queries) and coroutines (``/sparql``) wait in one
FIFO and are served in arrival order. The slots are tokens in a
``kg.store.pool.IdleWorkers`` — the structure the query workers are already
handed out with — which wakes a thread through an ``Event`` and a coroutine
through a future on its own loop, so a coroutine waiting for a slot never
blocks the event loop, and a slot freed by a thread goes straight to the
longest waiter, whichever kind.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from kg.errors import Overloaded
from kg.store.pool import IdleWorkers


@dataclass(frozen=True)
class Depth:
    """What ``/health`` reports: slots in use, queries waiting, and the bounds."""

    running: int
    queued: int
    slots: int
    queue: int


class Admission:
    """``slots`` queries at once; ``queue`` more may wait up to ``wait`` seconds each."""

    def __init__(self, slots: int, queue: int, wait: float) -> None:
        self.slots, self.queue, self.wait = max(1, slots), max(0, queue), max(0.0, wait)
        self._tokens: IdleWorkers[int] = IdleWorkers()
        for i in range(self.slots):
            self._tokens.put(i)
        self._lock = threading.Lock()
        self._running = 0
        self._queued = 0

    @property
    def depth(self) -> Depth:
        with self._lock:
            return Depth(self._running, self._queued, self.slots, self.queue)

    @property
    def running(self) -> int:
        return self._running

    def _now(self) -> int | None:
        """A free slot without waiting, else None. Never jumps the queue: a
        released slot is handed to the first waiter, so none is free while
        anyone waits."""
        return self._tokens.get(0)

    def _join(self, bounded: bool) -> None:
        with self._lock:
            if bounded and self._queued >= self.queue:
                queued, running = self._queued, self._running
                raise Overloaded(f"{running} queries are already running and {queued} waiting"
                                 f" (the queue holds {self.queue}); retry shortly")
            self._queued += 1

    def _leave(self, token: int | None, wait: float) -> int:
        with self._lock:
            self._queued -= 1
        if token is None:
            raise Overloaded(f"no query slot came free within {wait:g} s ({self.slots} queries are already running);"
                             " retry shortly")
        return token

    def _admitted(self, token: int) -> int:
        with self._lock:
            self._running += 1
        return token

    def acquire(self, wait: float | None = None, *, bounded: bool = True) -> int:
        """A slot for this thread, waiting in the queue up to ``wait`` (default: the
        configured wait). ``bounded=False`` (the pages' own queries) joins the
        queue even when it is full: a reader gets a slower page, not an error."""
        wait = self.wait if wait is None else wait
        token = self._now()
        if token is None:
            self._join(bounded)
            token = self._leave(self._tokens.get(wait), wait)
        return self._admitted(token)

    async def aacquire(self) -> int:
        """As ``acquire``, awaiting on the running event loop instead of blocking it."""
        token = self._now()
        if token is None:
            self._join(True)
            try:
                got = await self._tokens.aget(self.wait)
            except BaseException:
                with self._lock:
                    self._queued -= 1
                raise
            token = self._leave(got, self.wait)
        return self._admitted(token)

    def release(self, token: int) -> None:
        with self._lock:
            self._running -= 1
        self._tokens.put(token)
