"""Stages 1 and 2 of ``kg build``: curate and map into the spool, sort, write the
N-Quads/N-Triples dumps, load the store (docs/build.md).

With a previous build's cache (``kg.release.incremental``) only the articles that
changed are mapped again; their sorted lines are merged with the cached ones
(``kg.release.merge``), and the store is the previous one changed by the delta
(``kg.release.storedelta``). Either way every file is curated, so every curation
problem of the run is still reported together.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg import __version__
from kg.config import Settings
from kg.curation.checksums import checksum_problems
from kg.curation.loader import CorpusStream
from kg.curation.retired import load_retired
from kg.errors import CurationError
from kg.rdf.iris import Iris
from kg.rdf.mapping import Mapper, Quad, check_term_forms
from kg.rdf.turtledir import read_text
from kg.release.directory import STORE_DIR, FileInfo
from kg.release.incremental import (
    LINKS,
    ORIGINALS,
    QUADS,
    SHARED,
    TRIPLES,
    Cache,
    Entry,
    Lookups,
    Tracker,
    file_sha,
    tag,
)
from kg.release.merge import Delta, quad_line, triple_line, write_dump
from kg.release.progress import track
from kg.release.spool import DumpWriter, QuadSpool
from kg.release.storedelta import copy_and_update
from kg.store.embedded import persist, release_files
from kg.validation.literals import DiskOriginals, Originals

Progress = Callable[[str], None]
WORK_DIR = ".work"
"""Spool and sort files, inside the release's temporary directory; removed before publishing."""


def stderr_lines(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def to_oxigraph(quads: Iterable[Quad]) -> list[ox.Quad]:
    """rdflib quads (the mapping's, minted under the build's base) → pyoxigraph quads."""

    def term(t: object) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
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
    cache: Cache | None = None
    """The previous build's, when this one is incremental."""
    triples_delta: Delta | None = None
    """Triples of the union added and removed since the previous release (incremental builds)."""
    manifest: dict = field(default_factory=dict)
    """What the next build may reuse (``kg.release.incremental``); files in ``work``."""

    def close(self) -> None:
        if isinstance(self.originals, DiskOriginals):
            self.originals.close()

    def open_store(self) -> ox.Store:
        return ox.Store(str(self.directory / STORE_DIR))


def stage(settings: Settings, directory: Path, progress: Progress = stderr_lines, *, gz: bool = True,
          cache: Cache | None = None, previous_store: Path | None = None) -> Staged:
    """Curate and map article by article into the spool, sort it, write the
    N-Quads/N-Triples dumps and load the store: stages 1 and 2. With ``cache`` (and the
    previous release's ``previous_store``), only what changed is mapped and loaded again."""
    base = settings.base_iri
    work = directory / WORK_DIR
    spool = QuadSpool(work)
    t0 = time.perf_counter()
    # a text edited after curation moves its quotes: refused below, with the run's other curation problems
    sums = checksum_problems(settings.seeds_dir)
    stream = CorpusStream(settings.seeds_dir)
    missing: list[str] = []
    tracker = Tracker()

    def within(key: str) -> str | None:
        tracker.saw_within(key)
        if key in stream.declared:
            return stream.within(key)
        missing.append(key)  # declared by a later article: map this one again at the end
        return None

    def refined(key: str) -> str | None:
        tracker.saw_refined(key)
        return stream.refined.get(key)

    mapper = Mapper(within, iris=Iris(base), refined=refined)
    # integer literals as written, for validate_store; an incremental build updates the previous build's
    originals = DiskOriginals(work / ORIGINALS) if cache is None else None
    mapped: set[str] = set()

    def add(quads: Iterable[Quad], t: str) -> None:
        unique = list(dict.fromkeys(quads))
        check_term_forms(unique, base)
        ox_quads = to_oxigraph(unique)
        if originals is not None:
            originals.add(ox_quads)
        spool.add(ox_quads, t)
        mapped.add(t)

    def add_article(art: object, t: str) -> None:
        tracker.current = t
        add(mapper.article_with_entities(art), t)  # type: ignore[arg-type]
        tracker.current = None

    map_s, articles, again = 0.0, [], []
    entries: dict[str, Entry] = {}
    paths: dict[str, Path] = {}
    t = time.perf_counter()
    add((q for ent in stream.shared for q in mapper.entity(ent)), tag(SHARED))
    map_s += time.perf_counter() - t
    articles_seen = track(progress, stream.articles(), "curate + map", total=len(stream.article_paths()), unit="articles")
    for art in articles_seen:
        t = time.perf_counter()
        key = tag(art.path.name)
        entries[key] = Entry(art.path.name, file_sha(art.path), art.sha256, Lookups())
        paths[key] = art.path
        old = cache.entries.get(key) if cache is not None else None
        if old is None or (old.file, old.yaml, old.text) != (art.path.name, entries[key].yaml, art.sha256):
            add_article(art, key)
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
    add((mapper.link(link) for link in links), tag(LINKS))
    for path in again:
        add_article(stream.reload(path), tag(path.name))

    def final_within(k: str) -> str | None:
        return stream.within(k) if k in stream.declared else None

    for key, entry in entries.items():
        if key in mapped:
            continue
        before = cache.entries[key].lookups  # type: ignore[union-attr]
        now = Lookups({k: final_within(k) for k in before.within}, {k: stream.refined.get(k) for k in before.refined})
        if now != before:  # a post moved to another organisation, an event's date refined elsewhere
            add_article(stream.reload(paths[key]), key)
        else:
            entry.lookups = before
    for key in mapped & entries.keys():
        entries[key].lookups = tracker.answers(key, final_within, stream.refined.get)
    map_s += time.perf_counter() - t
    curate_s = time.perf_counter() - t0 - map_s
    removed = set(cache.entries) - set(entries) if cache is not None else set()
    how = (f"incremental from {cache.release_id}: {len(mapped & entries.keys())} of {len(entries)} articles mapped again, "
           f"{len(removed)} removed" if cache is not None else "streamed")
    progress(f"[1/5] curate   {stream.n_articles} articles, {len(stream.declared)} entities, {stream.n_facts} facts, "
             f"{stream.n_claims} claims, {len(links)} links, {how} ({curate_s:.2f}s)")

    t = time.perf_counter()
    quads_sorted, union = spool.sort()
    staged = Staged(directory, work, base, directory / "dataset.nq", directory / "dataset.nt", cache=cache)
    changed = frozenset(k.encode() for k in mapped | removed)
    old_q, old_t = (cache.quads, cache.triples) if cache is not None else (None, None)
    nq = DumpWriter(directory, "dataset.nq", gz=gz)
    quads = write_dump(quads_sorted, nq, quad_line, graphs=True, old=old_q, changed=changed,
                       out=work / QUADS if cache is not None else None)
    staged.files.update(nq.close())
    nt = DumpWriter(directory, "dataset.nt", gz=gz)
    triples = write_dump(union, nt, triple_line, old=old_t, changed=changed, out=work / TRIPLES if cache is not None else None)
    staged.files.update(nt.close())
    if cache is None:  # the sorted files are the next build's cache as they are
        quads_sorted.rename(work / QUADS)
        union.rename(work / TRIPLES)
    else:
        quads_sorted.unlink()
        union.unlink()
    for name, source in (("ontology.ttl", settings.ontology_dir), ("shapes.ttl", settings.shapes_dir)):
        data = read_text(source, base).encode("utf-8")
        writer = DumpWriter(directory, name, gz=False)
        writer.write(data)
        staged.files.update(writer.close())
    if cache is None or previous_store is None or quads.delta is None or triples.delta is None:
        persist(directory / STORE_DIR, release_files(directory, base))
        assert originals is not None
        staged.originals = originals
        loaded = "store loaded"
    else:
        copy_and_update(previous_store, directory / STORE_DIR, quads.delta, triples.delta)
        shutil.copyfile(cache.originals, work / ORIGINALS)
        staged.originals = DiskOriginals(work / ORIGINALS, existing=True).update(triples.delta)
        staged.triples_delta = triples.delta
        loaded = (f"store updated (+{len(quads.delta.added)} -{len(quads.delta.removed)} quads, "
                  f"+{len(triples.delta.added)} -{len(triples.delta.removed)} triples)")
    staged.meta = {
        "base_iri": base,
        "generator": f"kg {__version__}",
        "quads": quads.lines,
        "triples": triples.lines,
        "graphs": quads.graphs,
        "articles": articles,
        "facts": stream.n_facts,
        "claims": stream.n_claims,
        "links": len(links),
        "retired": retired,
    }
    staged.manifest = {"articles": {k: e.to_json() for k, e in sorted(entries.items())}}
    progress(f"[2/5] map      {quads.lines} quads in {quads.graphs} graphs; sorted, N-Quads/N-Triples written, {loaded} "
             f"(map {map_s:.2f}s, sort+write+store {time.perf_counter() - t:.2f}s)")
    return staged
