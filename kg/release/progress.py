"""Progress of a long ``kg build``: one line per stage always, a live bar per stage on a terminal.

The stage lines (``[k/5] …``) are what logs and ``benchmarks/stages.py`` read;
they go to stderr whatever it is. On a terminal, the stages that loop over
many things (the articles, the SHACL queries) also draw a bar with counts,
rate and time left (rich: docs/dependencies.md), which is removed when the
stage ends. When stderr is not a terminal (CI logs, pipes, files) no bar is
drawn, so a log holds only the stage lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class Lines:
    """Stage lines to stderr; no bars (what a pipe, a log or ``--quiet`` gets)."""

    def __call__(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def track(self, items: Iterable[T], description: str, total: int | None = None, unit: str = "") -> Iterable[T]:
        return items

    @contextmanager
    def counter(self, description: str, unit: str = "") -> Iterator[Callable[[], None]]:
        """A function to call once per thing done (no total known ahead): here, nothing."""
        yield lambda: None


class Terminal(Lines):
    """Stage lines plus a transient bar per looping stage (stderr is a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console

        self._console = Console(stderr=True)

    def __call__(self, line: str) -> None:
        self._console.print(line, markup=False, highlight=False, soft_wrap=True)

    def track(self, items: Iterable[T], description: str, total: int | None = None, unit: str = "") -> Iterable[T]:
        return self._bar(items, description, total, unit)

    @contextmanager
    def counter(self, description: str, unit: str = "") -> Iterator[Callable[[], None]]:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,.0f} {task.fields[unit]}"),
                   TextColumn("{task.fields[rate]}"), TimeElapsedColumn())
        with Progress(*columns, console=self._console, transient=True) as bar:
            task = bar.add_task(description, total=None, unit=unit, rate="")

            def tick() -> None:
                bar.advance(task)
                speed = bar.tasks[0].speed
                if speed:
                    bar.update(task, rate=f"({speed:,.1f}/s)")

            yield tick

    def _bar(self, items: Iterable[T], description: str, total: int | None, unit: str) -> Iterator[T]:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
        with Progress(*columns, console=self._console, transient=True) as bar:
            task = bar.add_task(description, total=total, rate="")
            for item in items:
                yield item
                bar.advance(task)
                speed = bar.tasks[0].speed
                if speed:
                    bar.update(task, rate=f"{speed:,.0f} {unit}/s")


def for_stderr() -> Lines:
    """Bars on a terminal, stage lines only elsewhere."""
    return Terminal() if sys.stderr.isatty() else Lines()


@contextmanager
def counter(progress: Callable[[str], None], description: str, unit: str = "") -> Iterator[Callable[[], None]]:
    """``Lines.counter`` of ``progress`` if it has one, else a function that does nothing."""
    make = getattr(progress, "counter", None)
    if make is None:
        yield lambda: None
        return
    with make(description, unit) as tick:
        yield tick


def track(progress: Callable[[str], None], items: Iterable[T], description: str, total: int | None = None,
          unit: str = "") -> Iterable[T]:
    """``items`` with a bar if ``progress`` draws bars (a ``Terminal``), else as they are."""
    tracker = getattr(progress, "track", None)
    return tracker(items, description, total, unit) if tracker is not None else items
