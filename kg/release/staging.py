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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg import __version__
from kg.config import Settings
from kg.curation.checksums import checksum_problems
from kg.curation.loader import CorpusStream, LoadedArticle
from kg.curation.retired import load_retired
from kg.curation.summary import CachedArticle, Summaries
from kg.errors import CurationError
from kg.rdf.iris import Iris
from kg.rdf.mapping import Mapper, Quad, check_term_forms
from kg.rdf.turtledir import read_text
from kg.release import blocks, tagged
from kg.release.blocks import Block
from kg.release.directory import STORE_DIR, FileInfo
from kg.release.incremental import (
    ARTICLES,
    LINKS,
    ORIGINALS,
    QUADS,
    SHARED,
    TAGGED,
    TRIPLES,
    Cache,
    Entry,
    Lookups,
    Tracker,
    file_sha,
    tag,
    write_articles,
)
from kg.release.merge import Delta, Written, quad_line, triple_line
from kg.release.progress import track
from kg.release.spool import DumpWriter, QuadSpool
from kg.release.storedelta import copy_and_update
from kg.release.tagged import Row, load_rows, save_rows
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
    quads_delta: Delta | None = None
    """Quads added and removed since the previous release (incremental builds): ``kg diff``'s from them."""
    rows: tuple[dict[str, list[Row]], dict[str, list[Row]]] | None = None
    """The previous release's and this one's dump blocks (``kg.release.tagged``; incremental builds)."""
    changed_graphs: set[str] = field(default_factory=set)
    """Named graphs (N-Triples terms) with a quad added or removed since the previous release (incremental builds)."""
    blocks: dict[str, list[Block]] = field(default_factory=dict)
    """``dataset.nq``'s and ``dataset.nt``'s blocks (``kg.release.blocks``): stage 4 writes every format by them."""

    def close(self) -> None:
        if isinstance(self.originals, DiskOriginals):
            self.originals.close()

    def open_store(self) -> ox.Store:
        return ox.Store(str(self.directory / STORE_DIR))


class _Stager:
    """One ``stage()`` call: the state its steps share (the stream, the mapper, the spool, what was mapped)."""

    def __init__(self, settings: Settings, directory: Path, progress: Progress, cache: Cache | None) -> None:
        self.settings, self.directory, self.progress, self.cache = settings, directory, progress, cache
        self.base = settings.base_iri
        self.work = directory / WORK_DIR
        self.spool = QuadSpool(self.work)
        # clean articles unchanged since the cache's build are not curated again (kg.curation.summary)
        known = Summaries((e.file, e.yaml, e.curated) for e in cache.entries.values() if e.curated) if cache else Summaries()
        self.digests: dict[str, str] = {}  # the texts' SHA-256, from the SHA256SUMS check (see stage())
        self.stream = CorpusStream(settings.seeds_dir, known=known, digests=self.digests)
        self.missing: list[str] = []
        self.tracker = Tracker()
        self.mapper = Mapper(self._within, iris=Iris(self.base), refined=self._refined)
        # integer literals as written, for validate_store; an incremental build updates the previous build's
        self.originals = DiskOriginals(self.work / ORIGINALS) if cache is None else None
        self.mapped: set[str] = set()
        self.entries: dict[str, Entry] = {}
        self.paths: dict[str, Path] = {}
        self.articles: list[dict] = []
        self.again: list[Path] = []
        self.map_s = 0.0
        self.replayed = 0  # articles not curated again: unchanged since the cache's build
        self.n_facts = self.n_claims = 0  # the stream's counts, kept by forget_curation
        self.rewritten: dict[str, int] = {}  # per dump, blocks merged again (incremental builds)

    def _within(self, key: str) -> str | None:
        self.tracker.saw_within(key)
        if key in self.stream.declared:
            return self.stream.within(key)
        self.missing.append(key)  # declared by a later article: map this one again at the end
        return None

    def _refined(self, key: str) -> str | None:
        self.tracker.saw_refined(key)
        return self.stream.refined.get(key)

    def _final_within(self, k: str) -> str | None:
        return self.stream.within(k) if k in self.stream.declared else None

    def add(self, quads: Iterable[Quad], t: str) -> None:
        unique = list(dict.fromkeys(quads))
        check_term_forms(unique, self.base)
        ox_quads = to_oxigraph(unique)
        if self.originals is not None:
            self.originals.add(ox_quads)
        self.spool.add(ox_quads, t)
        self.mapped.add(t)

    def add_article(self, art: object, t: str) -> None:
        self.tracker.current = t
        self.add(self.mapper.article_with_entities(art), t)  # type: ignore[arg-type]
        self.tracker.current = None

    def curate_and_map(self) -> None:
        """Every article curated; those new or changed since the cache (all, without one) mapped."""
        t = time.perf_counter()
        self.add((q for ent in self.stream.shared for q in self.mapper.entity(ent)), tag(SHARED))
        self.map_s += time.perf_counter() - t
        total = len(self.stream.article_paths())
        for art in track(self.progress, self.stream.checked(), "curate + map", total=total, unit="articles"):
            t = time.perf_counter()
            key = tag(art.path.name)
            yaml = self.stream.summaries.yaml(art.path.name)  # its YAML hashed already, when it has a summary
            self.entries[key] = Entry(art.path.name, yaml if yaml is not None else file_sha(art.path), art.sha256, Lookups())
            self.paths[key] = art.path
            old = self.cache.entries.get(key) if self.cache is not None else None
            if old is None or (old.file, old.yaml, old.text) != (art.path.name, self.entries[key].yaml, art.sha256):
                self.add_article(art if isinstance(art, LoadedArticle) else self.stream.reload(art.path), key)
                if self.missing:
                    self.again.append(art.path)
                    self.missing.clear()
            self.replayed += isinstance(art, CachedArticle)
            self.articles.append(art.row() if isinstance(art, CachedArticle) else
                                 {"id": art.id, "file": art.doc.article.file, "sha256": art.sha256,
                                  "published": art.doc.article.published.text})
            self.map_s += time.perf_counter() - t

    def finish_curation(self, sums: list) -> tuple[list, dict]:
        """The checks across files; every curation problem of the run raised together. (links, retired)"""
        try:
            links = self.stream.finish()
        except CurationError as exc:
            raise CurationError.of(sums + list(exc.problems)) from None
        if sums:  # nothing is published: the draft is removed with the exception
            raise CurationError.of(sums)
        for warning in self.stream.warnings:  # not fatal: e.g. an article using another article's local entity
            self.progress(f"warning: {warning}")
        retired = load_retired(self.settings.seeds_dir, self.stream.declared, Iris(self.base))  # merged: 410 + successor
        return links, retired

    def map_late(self, links: list) -> None:
        """Links; articles naming a post declared later; unchanged articles whose lookups now answer differently."""
        t = time.perf_counter()
        self.add((self.mapper.link(link) for link in links), tag(LINKS))
        for path in self.again:
            self.add_article(self.stream.reload(path), tag(path.name))
        for key, entry in self.entries.items():
            if key in self.mapped:
                continue
            before = self.cache.entries[key].lookups  # type: ignore[union-attr]
            now = Lookups({k: self._final_within(k) for k in before.within},
                          {k: self.stream.refined.get(k) for k in before.refined})
            if now != before:  # a post moved to another organisation, an event's date refined elsewhere
                self.add_article(self.stream.reload(self.paths[key]), key)
            else:
                entry.lookups = before
        for key in self.mapped & self.entries.keys():
            self.entries[key].lookups = self.tracker.answers(key, self._final_within, self.stream.refined.get)
        self.map_s += time.perf_counter() - t

    def write_dumps(self, staged: Staged, removed: set[str], previous_dir: Path | None) -> tuple[Written, Written]:
        """Sort the spool; write dataset.nq and dataset.nt, cut into blocks (``kg.release.tagged``). Incremental:
        only the blocks holding a changed input's lines are merged again; the others are the previous release's
        bytes, copied by range (both dumps at once: the copies are reading, hashing and writing)."""
        quads_sorted, union = self.spool.sort()
        cache, work = self.cache, self.work
        kinds = (("dataset.nq", quads_sorted, QUADS, True, quad_line), ("dataset.nt", union, TRIPLES, False, triple_line))
        done: dict[str, Written] = {}
        rows: dict[str, list[Row]] = {}
        if cache is None or previous_dir is None:
            for name, source, tagged_name, quads, line in kinds:
                dump = DumpWriter(self.directory, name, gz=False)  # gzip: stage 4, by blocks (kg.release.blocks)
                rows[name] = tagged.cut(source, quads, line, dump.write)
                staged.files.update(dump.close())
                source.rename(tagged.segment_path(work, tagged_name, 0))  # the sorted file is the next build's as it is
                lines, graphs = tagged.totals(rows[name])
                done[name] = Written(graphs, lines)
        else:
            changed = frozenset(k.encode() for k in self.mapped | removed)
            old = load_rows(cache.tagged)
            jobs = []
            for name, source, tagged_name, quads, line in kinds:
                delta = Delta()
                text = work / (name + ".blocks")
                merged = tagged.merge(old[name], cache.path, work, tagged_name, source, changed, quads, line, text, delta)
                rows[name] = tagged.compact(merged.rows, work, tagged_name)
                source.unlink()
                jobs.append((name, merged.pieces, previous_dir / name, text))
                lines, graphs = tagged.totals(rows[name])
                done[name] = Written(graphs, lines, delta)
                self.rewritten[name] = merged.rewritten
            with ThreadPoolExecutor(max_workers=2) as pool:
                for name, info in zip([j[0] for j in jobs], pool.map(lambda j: blocks.splice(self.directory / j[0], *j[1:]), jobs),
                                      strict=True):
                    staged.files[name] = info
            for job in jobs:
                job[3].unlink()
        if cache is not None and previous_dir is not None:
            staged.rows = (old, rows)
        save_rows(work / TAGGED, rows)
        staged.blocks = {name: [r.block() for r in rs] for name, rs in rows.items()}
        quads_w, triples_w = done["dataset.nq"], done["dataset.nt"]
        for name, source in (("ontology.ttl", self.settings.ontology_dir), ("shapes.ttl", self.settings.shapes_dir)):
            writer = DumpWriter(self.directory, name, gz=False)
            writer.write(read_text(source, self.base).encode("utf-8"))
            staged.files.update(writer.close())
        return quads_w, triples_w

    def load_store(self, staged: Staged, quads: Written, triples: Written, previous_store: Path | None) -> str:
        """The release's store: loaded from the dumps, or the previous one's checkpoint changed by the delta."""
        cache = self.cache
        if cache is None or previous_store is None or quads.delta is None or triples.delta is None:
            persist(self.directory / STORE_DIR, release_files(self.directory, self.base))
            assert self.originals is not None
            staged.originals = self.originals
            return "store loaded"
        copy_and_update(previous_store, self.directory / STORE_DIR, quads.delta, triples.delta)
        shutil.copyfile(cache.originals, self.work / ORIGINALS)
        staged.originals = DiskOriginals(self.work / ORIGINALS, existing=True).update(triples.delta)
        staged.triples_delta, staged.quads_delta = triples.delta, quads.delta
        staged.changed_graphs = {line.rstrip(b" .\n").rsplit(b" ", 1)[1].decode()
                                 for line in (*quads.delta.added, *quads.delta.removed)}
        return (f"store updated (+{len(quads.delta.added)} -{len(quads.delta.removed)} quads, "
                f"+{len(triples.delta.added)} -{len(triples.delta.removed)} triples)")

    def forget_curation(self) -> None:
        """Drop what only curating and mapping read: the stream's indexes across files, the
        summaries, the mapper's lookups, each article's entry (written to ``ARTICLES`` first),
        and the previous build's entries. Sorting, writing and loading need none of it, and it
        grows with the corpus (hundreds of MB at 100 000 articles, held through the store's load
        before). Only the counts stay; using anything dropped fails loudly."""
        self.n_facts, self.n_claims = self.stream.n_facts, self.stream.n_claims
        del self.stream, self.tracker, self.mapper, self.entries, self.paths, self.digests
        if self.cache is not None:
            self.cache.entries = {}  # read by curation only (what changed, what to replay)

    def meta(self, quads: Written, triples: Written, links: list, retired: dict) -> dict:
        return {"base_iri": self.base, "generator": f"kg {__version__}", "quads": quads.lines, "triples": triples.lines,
                "graphs": quads.graphs, "articles": self.articles, "facts": self.n_facts, "claims": self.n_claims,
                "links": len(links), "retired": retired}


def stage(settings: Settings, directory: Path, progress: Progress = stderr_lines, *,
          cache: Cache | None = None, previous_store: Path | None = None, previous_dir: Path | None = None) -> Staged:
    """Curate and map article by article into the spool, sort it, write the
    N-Quads/N-Triples dumps and load the store: stages 1 and 2. With ``cache`` (and the
    previous release's ``previous_store``), only what changed is mapped and loaded again."""
    t0 = time.perf_counter()
    # a text edited after curation moves its quotes: refused below, with the run's other curation problems
    run = _Stager(settings, directory, progress, cache)
    sums = checksum_problems(settings.seeds_dir, run.digests)
    run.curate_and_map()
    links, retired = run.finish_curation(sums)
    run.map_late(links)
    curate_s = time.perf_counter() - t0 - run.map_s
    removed = set(cache.entries) - set(run.entries) if cache is not None else set()
    how = (f"incremental from {cache.release_id}: {len(run.entries) - run.replayed} of {len(run.entries)} articles "
           f"curated again, {len(run.mapped & run.entries.keys())} mapped again, {len(removed)} removed"
           if cache is not None else "streamed")
    progress(f"[1/5] curate   {run.stream.n_articles} articles, {len(run.stream.declared)} entities, "
             f"{run.stream.n_facts} facts, {run.stream.n_claims} claims, {len(links)} links, {how} ({curate_s:.2f}s)")
    t = time.perf_counter()
    for e in run.entries.values():
        e.curated = run.stream.summaries.packed(e.file)
    write_articles(run.work / ARTICLES, sorted(run.entries.items()))  # the cache's, a line at a time
    run.forget_curation()
    staged = Staged(directory, run.work, run.base, directory / "dataset.nq", directory / "dataset.nt", cache=cache)
    quads, triples = run.write_dumps(staged, removed, previous_dir)
    loaded = run.load_store(staged, quads, triples, previous_store)
    staged.meta = run.meta(quads, triples, links, retired)
    merged = (f"{run.rewritten['dataset.nq']} of {len(staged.blocks['dataset.nq'])} N-Quads and "
              f"{run.rewritten['dataset.nt']} of {len(staged.blocks['dataset.nt'])} N-Triples blocks merged again, "
              if run.rewritten else "")
    progress(f"[2/5] map      {quads.lines} quads in {quads.graphs} graphs; sorted, N-Quads/N-Triples written, {merged}{loaded} "
             f"(map {run.map_s:.2f}s, sort+write+store {time.perf_counter() - t:.2f}s)")
    return staged
