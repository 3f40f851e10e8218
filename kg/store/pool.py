"""Idle query workers, handed to threads and to the event loop alike; a worker's reply read on the loop.

Why: the endpoint used to run every query through ``run_in_threadpool``:
one hop to a thread, which then blocked on the worker's pipe, then a hop
back to the event loop. For a point lookup that costs more than the query
(a profile of ``kg serve`` under load: ~25 % of the main process in the
thread hand-offs). The endpoint now sends the request and *awaits* the
reply on the event loop (``asyncio`` reader on the pipe), while the app's
own page queries, which run in threads, still block as before. Both draw
workers from one ``IdleWorkers``, first come, first served.

Nothing about the limits changes: the caller still gives up at the
deadline, and the worker is then killed (``kg.store.executor``).
"""

from __future__ import annotations

import asyncio
import os
import struct
import threading
from collections import deque
from typing import Generic, TypeVar

W = TypeVar("W")


class _Waiter(Generic[W]):
    """One caller waiting for a worker: a thread (``event``) or a coroutine (``loop`` + ``future``)."""

    __slots__ = ("event", "future", "gone", "loop", "worker")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.worker: W | None = None
        self.gone = False
        self.loop = loop
        self.event = threading.Event() if loop is None else None
        self.future: asyncio.Future[None] | None = loop.create_future() if loop is not None else None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class IdleWorkers(Generic[W]):
    """A FIFO of idle workers with FIFO waiters (threads or coroutines).

    A worker is handed to a waiter under the lock (``waiter.worker``), so a
    waiter that gives up at the same moment finds it there and puts it back:
    no worker is ever lost between the two."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: deque[W] = deque()
        self._waiters: deque[_Waiter[W]] = deque()

    def put(self, worker: W) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if waiter.gone:
                    continue
                waiter.worker = worker
                if waiter.event is not None:
                    waiter.event.set()
                else:
                    assert waiter.loop is not None and waiter.future is not None
                    waiter.loop.call_soon_threadsafe(_wake, waiter.future)
                return
            self._free.append(worker)

    def _take_or_wait(self, loop: asyncio.AbstractEventLoop | None) -> W | _Waiter[W]:
        with self._lock:
            if self._free:
                return self._free.popleft()
            waiter: _Waiter[W] = _Waiter(loop)
            self._waiters.append(waiter)
            return waiter

    def _give_up(self, waiter: _Waiter[W]) -> W | None:
        """Stop waiting; the worker handed over meanwhile, if any, is the caller's."""
        with self._lock:
            waiter.gone = True
            if waiter.worker is None:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
            return waiter.worker

    def get(self, timeout: float) -> W | None:
        """A worker, waiting up to ``timeout`` seconds in this thread; None if none came."""
        got = self._take_or_wait(None)
        if not isinstance(got, _Waiter):
            return got
        assert got.event is not None
        got.event.wait(timeout)
        return self._give_up(got)

    async def aget(self, timeout: float) -> W | None:
        """As ``get``, awaiting on the running event loop instead of blocking a thread."""
        got = self._take_or_wait(asyncio.get_running_loop())
        if not isinstance(got, _Waiter):
            return got
        assert got.future is not None
        try:
            await asyncio.wait_for(asyncio.shield(got.future), timeout)
        except TimeoutError:
            pass
        except BaseException:  # cancelled: a worker handed over meanwhile goes back
            worker = self._give_up(got)
            if worker is not None:
                self.put(worker)
            raise
        return self._give_up(got)

    def drain(self) -> list[W]:
        with self._lock:
            out = list(self._free)
            self._free.clear()
            return out


# --- a reply read on the event loop -----------------------------------------------------


class WorkerGone(EOFError):
    """The worker's pipe closed (it died) before a whole reply arrived."""


async def read_message(fd: int, timeout: float) -> bytes | None:
    """One ``multiprocessing.connection`` message (``!i`` length, or ``-1`` then ``!Q``) from
    ``fd``, read on the running loop as bytes arrive; None if it is not complete by ``timeout``.

    Each read follows a readiness event, so it never blocks the loop. The fd
    is left blocking afterwards, as the thread path (``Connection.recv``)
    needs: uvloop switches an fd it watches to non-blocking."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes | None] = loop.create_future()
    buf = bytearray()
    need: list[int | None] = [None]

    def readable() -> None:
        if done.done():
            return
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:  # a spurious wake-up: wait for the next one
            return
        except OSError as exc:
            done.set_exception(WorkerGone(f"reading from the worker failed: {exc!r}"))
            return
        if not chunk:
            done.set_exception(WorkerGone("the worker closed its pipe"))
            return
        buf.extend(chunk)
        if need[0] is None and len(buf) >= 4:
            (n,) = struct.unpack("!i", buf[:4])
            if n >= 0:
                need[0], header = n, 4
            elif len(buf) >= 12:
                (n64,) = struct.unpack("!Q", buf[4:12])
                need[0], header = n64, 12
            else:
                return
            del buf[:header]
        if need[0] is not None and len(buf) >= need[0]:
            done.set_result(bytes(buf[: need[0]]))

    def expire() -> None:
        if not done.done():
            done.set_result(None)

    loop.add_reader(fd, readable)
    timer = loop.call_later(max(0.0, timeout), expire)
    try:
        return await done
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop (libuv) made it non-blocking; the thread path reads it blocking
