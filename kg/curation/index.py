"""Cross-file bookkeeping of the corpus stream: problems whose position is
found only when reported, and the dates each event is given.

"Same event, more precise date": article A dates an event ``2016-11``,
article B gives the day. B reuses A's key and writes ``date: 2016-11-21``
with ``refines: 2016-11``. Two different dates for one event are otherwise a
mistake (one event has one date, ``qnsh:EventTimeStamp``), reported here with
both places and the two ways out. ``scan_refinements`` finds, before any
article is mapped, the events some fact refines, so the mapping states only
the most precise date (``kg.rdf.mapping.Mapper``) while the stream stays one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.curation.yamlio import FastLoader, Source, read_yaml
from kg.errors import CurationError, Problem

_ORDER = {4: 0, 7: 1, 10: 2}  # len("YYYY"), len("YYYY-MM"), len("YYYY-MM-DD") → precision rank


@dataclass(frozen=True)
class Deferred:
    """A problem whose line and column are looked up when it is reported."""

    path: Path
    loc: tuple[object, ...]
    field: str
    message: str
    fix: str


class Positions:
    """Positions in files re-read once each (round-trip), for deferred problems."""

    def __init__(self) -> None:
        self._sources: dict[Path, Source | None] = {}

    def of(self, path: Path, loc: Iterable[object]) -> tuple[int | None, int | None]:
        if path not in self._sources:
            try:
                source: Source | None = read_yaml(path)
                source.tree  # type: ignore[union-attr]  # noqa: B018 - parse now, fail here
            except CurationError:
                source = None
            self._sources[path] = source
        source = self._sources[path]
        return source.position(loc) if source is not None else (None, None)

    def resolve(self, items: list[Deferred], severity: str = "error") -> list[Problem]:
        out = []
        for d in items:
            line, col = self.of(d.path, d.loc)
            out.append(Problem(d.path, line, d.field, d.message, col, d.fix, severity))
        return out


@dataclass(frozen=True)
class Dated:
    """An event fact's date, where it is, and the coarser date it refines (if any)."""

    path: Path
    index: int
    fact_id: str
    date: str
    refines: str | None


def _inside(fine: str, coarse: str) -> bool:
    return len(fine) > len(coarse) and fine.startswith(coarse)


def date_problems(dates: dict[str, list[Dated]]) -> list[Deferred]:
    """Events given two dates that no ``refines`` reconciles, and ``refines``
    naming a date no other fact gives."""
    out: list[Deferred] = []
    for event, facts in dates.items():
        given = {d.date for d in facts}
        for d in facts:
            if d.refines is not None and d.refines not in given:
                out.append(Deferred(d.path, ("facts", d.index, "refines"), f"facts[{d.index}].refines (id {d.fact_id!r})",
                                    f"no other fact dates {event!r} as {d.refines}",
                                    f"write the date the other fact gives ({', '.join(sorted(given - {d.date})) or 'none'}), or remove 'refines'"))
        if len(given) < 2:
            continue
        edges = {(d.date, d.refines) for d in facts if d.refines}
        for d in facts:
            for other in facts:
                if other.date == d.date or _linked(d.date, other.date, edges) or _linked(other.date, d.date, edges):
                    continue
                if (other.path, other.index) > (d.path, d.index):
                    continue  # report the pair once, at the later fact
                how = (f"if this is the same event given more precisely, add 'refines: {other.date}'"
                       if _inside(d.date, other.date) else
                       "if it is another event, give it its own key; if one date is wrong, correct it")
                out.append(Deferred(d.path, ("facts", d.index, "date"), f"facts[{d.index}].date (id {d.fact_id!r})",
                                    f"{event!r} is dated {other.date} by fact {other.fact_id!r} ({other.path.name}) and {d.date} here; an event has one date",
                                    how))
                break
    return out


def _linked(fine: str, coarse: str, edges: set[tuple[str, str]]) -> bool:
    """Whether a chain of ``refines`` leads from ``fine`` up to ``coarse``."""
    seen, frontier = set(), {fine}
    while frontier:
        date = frontier.pop()
        if date == coarse:
            return True
        seen.add(date)
        frontier |= {c for f, c in edges if f == date and c not in seen}
    return False


def scan_refinements(paths: Iterable[Path]) -> dict[str, str]:
    """Event key → the most precise date a refining fact gives it. Only files
    holding the word ``refines:`` are parsed (a byte search skips the rest),
    and a file that does not parse is skipped: the stream reports it."""
    out: dict[str, str] = {}
    for path in paths:
        try:
            raw = path.read_bytes()
            if b"refines:" not in raw:
                continue
            data = yaml.load(raw.decode("utf-8"), Loader=FastLoader)  # noqa: S506 - a safe loader
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
            continue
        facts = data.get("facts") if isinstance(data, dict) else None
        for fact in facts if isinstance(facts, list) else []:
            if not (isinstance(fact, dict) and fact.get("kind") == "event" and fact.get("refines")):
                continue
            event, date = fact.get("event"), str(fact.get("date") or "")
            if isinstance(event, str) and _ORDER.get(len(date), -1) > _ORDER.get(len(out.get(event, "")), -1):
                out[event] = date
    return out


__all__ = ["Dated", "Deferred", "Positions", "date_problems", "scan_refinements"]
