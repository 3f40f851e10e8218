"""The pipeline: curate → map → validate → serialize → write the release.

Streaming, so memory stays flat in the number of articles (docs/build.md):
articles are read one at a time (``kg.curation.loader.CorpusStream``), each mapped
and spooled to disk as N-Quads text (``kg.release.spool``); GNU ``sort`` orders and
de-duplicates the spool; the sorted files are streamed into the dumps
(gzipped and hashed while written) and bulk-loaded into the release's
on-disk Oxigraph store. Validation, the VoID description and release.json
counts read that store, the sorted files or counters kept while streaming,
never a list of every quad.

Deterministic (same input → byte-identical dumps) and atomic (see
``kg.release.directory``): everything is written into the release's temporary
directory, and anything that fails — curation, validation — raises before the
release is swapped in, so the published one stays. Each stage prints one
progress line.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kg import __version__
from kg.config import DEFAULT_BASE_IRI, Settings
from kg.curation.checksums import checksum_problems
from kg.curation.loader import CorpusStream
from kg.curation.retired import load_retired
from kg.errors import CurationError, ValidationFailed
from kg.rdf.iris import Iris, rebase
from kg.rdf.mapping import Mapper, Quad, check_term_forms
from kg.rdf.turtledir import load_turtle_dir, read_text
from kg.rdf.vocab import prefixes
from kg.release import record as publication
from kg.release.directory import DUMPS, REPORT_FILE, STORE_DIR, FileInfo, Release, draft_release
from kg.release.history import now
from kg.release.sitemap import write_sitemaps
from kg.release.spool import DumpWriter, QuadSpool, copy_lines, reserialize, write_nquads
from kg.release.void import VOID_FILE, count_union, void_turtle
from kg.store.embedded import persist, release_files
from kg.validation.literals import DiskOriginals, Originals
from kg.validation.validate import Report, validate_store

Progress = Callable[[str], None]
WORK_DIR = ".work"
"""Spool and sort files, inside the release's temporary directory; removed before publishing."""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def to_oxigraph(quads: Iterable[Quad], base: str = DEFAULT_BASE_IRI) -> list[ox.Quad]:
    """rdflib quads → pyoxigraph quads, moved from the default base to ``base``."""

    def term(t: object) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        if isinstance(t, URIRef):
            return ox.NamedNode(rebase(str(t), DEFAULT_BASE_IRI, base))
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        raise TypeError(f"unexpected term {t!r}")

    return [ox.Quad(term(s), term(p), term(o), term(g)) for s, p, o, g in quads]  # type: ignore[arg-type]


@dataclass
class Staged:
    """A release's data written into ``directory`` (the N-Quads and N-Triples
    dumps, ontology, shapes, the on-disk store) but not yet validated or published."""

    directory: Path
    work: Path
    base: str
    nq: Path
    union: Path
    files: dict[str, FileInfo] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    originals: Originals = field(default_factory=Originals)

    def close(self) -> None:
        if isinstance(self.originals, DiskOriginals):
            self.originals.close()

    def open_store(self) -> ox.Store:
        return ox.Store(str(self.directory / STORE_DIR))


def stage(settings: Settings, directory: Path, progress: Progress = _stderr, *, gz: bool = True) -> Staged:
    """Curate and map article by article into the spool, sort it, write the
    N-Quads/N-Triples dumps and load the store: stages 1 and 2."""
    base = settings.base_iri
    work = directory / WORK_DIR
    spool = QuadSpool(work)
    t0 = time.perf_counter()
    # a text edited after curation moves its quotes: refused below, with the run's other curation problems
    sums = checksum_problems(settings.seeds_dir)
    stream = CorpusStream(settings.seeds_dir)
    missing: list[str] = []

    def within(key: str) -> str | None:
        if key in stream.declared:
            return stream.within(key)
        missing.append(key)  # declared by a later article: map this one again at the end
        return None

    mapper = Mapper(within, refined=stream.refined.get)
    originals = DiskOriginals(work / "originals.sqlite")  # integer literals as written, for validate_store

    def add(quads: Iterable[Quad]) -> None:
        unique = list(dict.fromkeys(quads))
        check_term_forms(unique)
        ox_quads = to_oxigraph(unique, base)
        originals.add(ox_quads)
        spool.add(ox_quads)

    map_s, articles, again = 0.0, [], []
    t = time.perf_counter()
    add(q for ent in stream.shared for q in mapper.entity(ent))
    map_s += time.perf_counter() - t
    for art in stream.articles():
        t = time.perf_counter()
        add(mapper.article_with_entities(art))
        if missing:
            again.append(art.path)
            missing.clear()
        articles.append({"id": art.id, "file": art.doc.article.file, "sha256": art.sha256, "published": art.doc.article.published.text})
        map_s += time.perf_counter() - t
    try:
        links = stream.finish()
    except CurationError as exc:
        raise CurationError.of(sums + list(exc.problems)) from None
    if sums:  # nothing is published: the draft is removed with the exception
        raise CurationError.of(sums)
    for warning in stream.warnings:  # not fatal: e.g. an article using another article's local entity
        progress(f"warning: {warning}")
    retired = load_retired(settings.seeds_dir, stream.declared, Iris(base))  # merged entities: 410 with a successor
    t = time.perf_counter()
    add(mapper.link(link) for link in links)
    for path in again:
        add(mapper.article_with_entities(stream.reload(path)))
    map_s += time.perf_counter() - t
    curate_s = time.perf_counter() - t0 - map_s
    progress(f"[1/5] curate   {stream.n_articles} articles, {len(stream.declared)} entities, {stream.n_facts} facts, "
             f"{stream.n_claims} claims, {len(links)} links, streamed ({curate_s:.2f}s)")

    t = time.perf_counter()
    quads_sorted, union = spool.sort()
    staged = Staged(directory, work, base, directory / "dataset.nq", directory / "dataset.nt", originals=originals)
    nq = DumpWriter(directory, "dataset.nq", gz=gz)
    graphs = write_nquads(quads_sorted, nq)
    staged.files.update(nq.close())
    quads_sorted.unlink()
    nt = DumpWriter(directory, "dataset.nt", gz=gz)
    copy_lines(union, nt)
    staged.files.update(nt.close())
    union.unlink()
    for name, source in (("ontology.ttl", settings.ontology_dir), ("shapes.ttl", settings.shapes_dir)):
        data = read_text(source, base).encode("utf-8")
        writer = DumpWriter(directory, name, gz=False)
        writer.write(data)
        staged.files.update(writer.close())
    persist(directory / STORE_DIR, release_files(directory, base))
    n_quads = _count_lines(staged.nq)
    staged.meta = {
        "base_iri": base,
        "generator": f"kg {__version__}",
        "quads": n_quads,
        "triples": _count_lines(staged.union),
        "graphs": graphs,
        "articles": articles,
        "facts": stream.n_facts,
        "claims": stream.n_claims,
        "links": len(links),
        "retired": retired,
    }
    progress(f"[2/5] map      {n_quads} quads in {graphs} graphs; sorted, N-Quads/N-Triples written, store loaded "
             f"(map {map_s:.2f}s, sort+write+store {time.perf_counter() - t:.2f}s)")
    return staged


def validate_staged(staged: Staged, shapes: Graph, ontology: Graph | None) -> Report:
    """SHACL over the staged store, evaluated as SPARQL (``kg.validation.validate.validate_store``);
    ``staged.originals`` restores the integer datatypes the store canonicalised.
    (pyshacl, ``kg.validation.validate.validate``, stays the reference the tests compare
    it with; on a whole release it needs the data in memory and hours.)"""
    return validate_store(staged.open_store(), shapes, ontology, originals=staged.originals)


def _validate(staged: Staged, settings: Settings, progress: Progress) -> Report:
    t = time.perf_counter()
    report = validate_staged(staged, load_turtle_dir(settings.shapes_dir, staged.base), load_turtle_dir(settings.ontology_dir, staged.base))
    progress(f"[3/5] validate {'conforms' if report.conforms else f'{len(report.violations)} violation(s)'} ({time.perf_counter() - t:.2f}s)")
    return report


@dataclass(frozen=True)
class Checked:
    """What ``kg validate`` needs: the report, and where to find the curated lines."""

    report: Report
    seeds_dir: Path
    base: str

    def origins(self) -> dict[str, str]:
        return origins(self.seeds_dir, Iris(self.base), wanted=_wanted(self.report))


def check(settings: Settings, progress: Progress = _stderr) -> Checked:
    """Curate, map and validate in a temporary directory, writing nothing under var/."""
    with tempfile.TemporaryDirectory(prefix="kg-check-") as tmp:
        staged = stage(settings, Path(tmp), progress, gz=False)
        try:
            return Checked(_validate(staged, settings, progress), settings.seeds_dir, settings.base_iri)
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


def build(settings: Settings, progress: Progress = _stderr) -> Release:
    with draft_release(settings.var_dir) as draft:
        staged = stage(settings, draft.path, progress)
        try:
            report = _validate(staged, settings, progress)
        finally:
            staged.close()  # the SQLite file of literals as written, on every path (as check() does)
        if not report.conforms:
            raise ValidationFailed("the graph does not conform to the shapes; nothing was published",
                                   report_text(settings.seeds_dir, report, staged.base))
        t = time.perf_counter()
        pfx = prefixes(staged.base)
        for name, (fmt, _media) in DUMPS.items():
            if name in staged.files:
                continue  # N-Quads and N-Triples: written while staging
            source, source_fmt = (staged.nq, ox.RdfFormat.N_QUADS) if fmt.supports_datasets else (staged.union, ox.RdfFormat.N_TRIPLES)
            writer = DumpWriter(draft.path, name)
            reserialize(source, source_fmt, writer, fmt, pfx if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD) else None)
            staged.files.update(writer.close())
        draft.add(staged.files)
        draft.write_bytes(REPORT_FILE, report.to_turtle(staged.base).encode("utf-8"))
        stats = count_union(staged.union, staged.base, staged.work)
        staged.meta["entities"] = stats.things  # described things, counted as kg diff and /releases count them
        progress(f"[4/5] serialize {len(DUMPS)} formats + gzip ({time.perf_counter() - t:.2f}s)")
        t = time.perf_counter()
        staged.meta["published"] = now()  # the version's dcterms:issued; not part of the id
        own = {**staged.meta, "id": draft.release_id()}
        draft.write_bytes(VOID_FILE, void_turtle(stats, base=staged.base, files=dict(draft.files), meta=own))
        write_sitemaps(staged.union, draft.path, staged.base)  # derived pages list: not in release.json's files
        shutil.rmtree(staged.work)
        pending = publication.prepare(settings.var_dir, Release(draft.path, own), staged.meta["published"])
        try:
            release = draft.publish(staged.meta, before_swap=pending.commit)
        finally:
            pending.discard()
    s = pending.changes.summary()
    progress(f"[5/5] publish  release {release.id} → {settings.current_release}; from "
             f"{pending.previous.id if pending.previous else 'nothing'}: quads +{s['quads']['added']} -{s['quads']['removed']}, "
             + ", ".join(f"{c} +{s[c]['added']} -{s[c]['removed']} ~{s[c]['changed']}" for c in ("facts", "claims", "entities"))
             + f" ({time.perf_counter() - t:.2f}s)")
    return release


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
