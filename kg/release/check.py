"""``kg validate``'s check and the release's SHACL gate: validate a staged release,
and point each violation at the curated file and line it came from.

``kg.release.build`` calls :func:`validate_release` before it publishes and
:func:`report_text` when it refuses; ``kg validate`` and ``kg check`` call :func:`check`,
which stages into a temporary directory and writes nothing under var/."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.config import DEFAULT_BASE_IRI, Settings
from kg.curation.loader import CorpusStream
from kg.rdf.iris import Iris
from kg.rdf.turtledir import load_turtle_dir
from kg.release.progress import counter
from kg.release.staging import Progress, Staged, stage, stderr_lines
from kg.validation.focus import Near, affected
from kg.validation.validate import Report, validate_store

__all__ = ["Checked", "check", "origins", "report_text", "validate_release", "validate_staged"]


def validate_staged(staged: Staged, shapes: Graph, ontology: Graph | None, *, focus: set[str] | None = None,
                    near: bool = False, done: Callable[[], None] | None = None) -> Report:
    """SHACL over the staged store, evaluated as SPARQL (``kg.validation.validate.validate_store``);
    ``staged.originals`` restores the integer datatypes the store canonicalised.
    (pyshacl, ``kg.validation.validate.validate``, stays the reference the tests compare
    it with; on a whole release it needs the data in memory and hours.)"""
    store = staged.open_store()
    delta = staged.triples_delta
    around = Near(store, delta.added, delta.removed, staged.changed_graphs) if near and delta is not None else None
    return validate_store(store, shapes, ontology, originals=staged.originals, focus=focus, near=around, done=done)


def validate_release(staged: Staged, settings: Settings, progress: Progress) -> Report:
    t = time.perf_counter()
    shapes = load_turtle_dir(settings.shapes_dir, staged.base)
    ontology = load_turtle_dir(settings.ontology_dir, staged.base)
    focus: set[str] | None = None
    scope = ""
    delta = staged.triples_delta
    if staged.cache is not None and delta is not None:
        if not staged.cache.clean:
            scope = f", every node: release {staged.cache.release_id}'s report had results"
        else:
            store = staged.open_store()
            focus = affected(store, shapes, delta.added, delta.removed)
            del store
            scope = (f", {len(focus)} node(s) the change can affect + SHACL-SPARQL checks where it can reach"
                     if focus is not None else ", every node: the change reaches past what incremental validation covers")
    with counter(progress, "validate", "SHACL queries") as done:
        report = validate_staged(staged, shapes, ontology, focus=focus, near=focus is not None, done=done)
    progress(f"[3/5] validate {'conforms' if report.conforms else f'{len(report.violations)} violation(s)'}{scope} "
             f"({time.perf_counter() - t:.2f}s)")
    return report


@dataclass(frozen=True)
class Checked:
    """What ``kg validate`` needs: the report, and where to find the curated lines."""

    report: Report
    seeds_dir: Path
    base: str

    def origins(self) -> dict[str, str]:
        return origins(self.seeds_dir, Iris(self.base), wanted=_wanted(self.report))


def check(settings: Settings, progress: Progress = stderr_lines) -> Checked:
    """Curate, map and validate in a temporary directory, writing nothing under var/."""
    with tempfile.TemporaryDirectory(prefix="kg-check-") as tmp:
        staged = stage(settings, Path(tmp), progress)
        try:
            return Checked(validate_release(staged, settings, progress), settings.seeds_dir, settings.base_iri)
        finally:
            staged.close()


def origins(seeds_dir: Path, iris: Iris | None = None, *, wanted: set[str] | None = None) -> dict[str, str]:
    """IRI → 'file:line (id)' so a validation report points at curated input.

    The articles are read again one at a time and only the IRIs in ``wanted``
    (if given) get a line: lines cost a round-trip YAML parse, and are needed
    only when a violation is reported."""
    iris = iris or Iris()
    out: dict[str, str] = {}

    def want(iri: object) -> bool:
        return wanted is None or str(iri) in wanted

    stream = CorpusStream(Path(seeds_dir))
    entities = [(e.key, stream.shared_source.path, stream.shared_source, ("entities", i)) for i, e in enumerate(stream.shared)]

    def entity_lines(items: Iterable[tuple[str, Path, object, tuple[object, ...]]]) -> None:
        for key, path, source, loc in items:
            if want(iris.entity(key)):
                out[str(iris.entity(key))] = f"{path.name}:{source.line(loc)} (entity {key})"  # type: ignore[attr-defined]

    entity_lines(entities)
    for art in stream.articles():
        entity_lines((e.key, art.path, art.source, ("entities", i)) for i, e in enumerate(art.doc.entities))
        if want(iris.article(art.id)):
            out[str(iris.article(art.id))] = f"{art.path.name} (article {art.id})"
        for section, items in (("facts", art.doc.facts), ("claims", art.doc.claims)):
            mint = iris.fact if section == "facts" else iris.claim
            for i, item in enumerate(items):
                iri = mint(art.id, item.id)
                if want(iri):
                    line = art.raw[section].lc.item(i)[0] + 1
                    out[str(iri)] = f"{art.path.name}:{line} ({section[:-1]} {item.id})"
    return out


def _wanted(report: Report) -> set[str]:
    """The IRIs a report can point at (``kg.validation.validate._origin``): focus, value, and the node each is part of."""
    out: set[str] = set()
    for v in report.violations:
        for iri in (v.focus, v.value or ""):
            out.update((iri, iri.split("#", 1)[0]))
    return out


def report_text(seeds_dir: Path, report: Report, base: str = DEFAULT_BASE_IRI) -> str:
    """The report for people: grouped by focus node, each with its curated file and line."""
    return report.to_text(origins(seeds_dir, Iris(base), wanted=_wanted(report)))
