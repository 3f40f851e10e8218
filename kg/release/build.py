"""The pipeline: curate → map → validate → serialize → write the release.

Streaming, so memory stays flat in the number of articles (docs/build.md):
articles are read one at a time (``kg.curation.loader.CorpusStream``), each mapped
and spooled to disk as N-Quads text (``kg.release.spool``); GNU ``sort`` orders and
de-duplicates the spool; the sorted files are streamed into the dumps
(hashed while written, cut into blocks) and bulk-loaded into the release's
on-disk Oxigraph store. Validation, the VoID description and release.json
counts read that store, the sorted files or counters kept while streaming,
never a list of every quad.

Deterministic (same input → byte-identical dumps) and atomic (see
``kg.release.directory``): everything is written into the release's temporary
directory, and anything that fails — curation, validation — raises before the
release is swapped in, so the published one stays. Each stage prints one
progress line (and draws a bar on a terminal: ``kg.release.progress``).

Incremental (docs/build.md, "Incremental builds"): with the current release's
build cache (``kg.release.incremental``) only the articles that changed are mapped
again, merged into the previous sorted files (``kg.release.merge``), applied to a
checkpoint of the previous store (``kg.release.storedelta``) and validated where the
change can reach (``kg.validation.focus``); the release is byte-identical to a full
build's. ``build(..., full=True)`` (``kg build --full``) does everything again.
"""

from __future__ import annotations

import shutil
import time

from kg.config import Settings
from kg.errors import ReleaseNotFound, ValidationFailed
from kg.rdf.turtledir import read_text
from kg.rdf.vocab import prefixes
from kg.release import incremental, voidblocks
from kg.release import record as publication
from kg.release.check import report_text, validate_release
from kg.release.directory import DUMPS, REPORT_FILE, Release, draft_release, open_release
from kg.release.history import now
from kg.release.progress import counter
from kg.release.serialize import load_index, save_index, write_formats
from kg.release.sitemap import write_sitemaps
from kg.release.staging import WORK_DIR, Progress, Staged, stage, stderr_lines, to_oxigraph
from kg.release.void import VOID_FILE, void_turtle

__all__ = ["WORK_DIR", "Staged", "build", "stage", "to_oxigraph"]


def _previous(settings: Settings, fingerprint: dict[str, str], progress: Progress,
              full: bool) -> tuple[incremental.Cache | None, Release | None]:
    """The current release's build cache and the release, if this build may start from them; else says why not."""
    if full:
        progress("full build (--full)")
        return None, None
    try:
        current = open_release(settings.current_release)
    except ReleaseNotFound:
        return None, None
    cache, why = incremental.load(settings.var_dir, current.id)
    if cache is not None:
        why = cache.why_not(fingerprint) or ("" if current.store_dir else f"release {current.id} has no store")
    if why:
        progress(f"full build: {why}")
        return None, None
    return cache, current


def build(settings: Settings, progress: Progress = stderr_lines, *, full: bool = False) -> Release:
    """Curate → map → validate → serialize → publish. Incremental from the current release's
    build cache when there is one and nothing but the seeds changed (``kg.release.incremental``);
    ``full``: map, load and validate everything. Both publish the same bytes."""
    base = settings.base_iri
    fingerprint = incremental.fingerprint(base, read_text(settings.ontology_dir, base),
                                          read_text(settings.shapes_dir, base), gz=True)
    with draft_release(settings.var_dir) as draft:
        incremental.discard(settings.var_dir)
        cache, previous = _previous(settings, fingerprint, progress, full)
        staged = stage(settings, draft.path, progress, cache=cache, previous_store=previous.store_dir if previous else None,
                       previous_dir=previous.path if previous else None)
        draft.sync_now(skip=WORK_DIR)  # the dumps and the store reach the disk while validation runs
        try:
            report = validate_release(staged, settings, progress)
        finally:
            staged.close()  # the SQLite file of literals as written, on every path (as check() does)
        if not report.conforms:
            raise ValidationFailed("the graph does not conform to the shapes; nothing was published",
                                   report_text(settings.seeds_dir, report, staged.base))
        t = time.perf_counter()
        with counter(progress, "serialize", "formats") as tick:
            files, index, made, stats = write_formats(
                draft.path, staged.nq, staged.union, set(staged.files), prefixes(staged.base), blocks=staged.blocks,
                meanwhile=lambda: voidblocks.count(
                    staged.union, staged.blocks["dataset.nt"], staged.base, staged.work,
                    cache.path if cache is not None else None,
                    previous.path / "dataset.nt" if cache is not None and previous is not None else None), done=tick,
                previous=previous.path if cache is not None and previous is not None else None,
                previous_index=load_index(cache.blocks) if cache is not None else None)
        save_index(staged.work / incremental.BLOCKS, index)
        staged.files.update(files)
        draft.add(staged.files)
        draft.write_bytes(REPORT_FILE, report.to_turtle(staged.base).encode("utf-8"))
        staged.meta["entities"] = stats.things  # described things, counted as kg diff and /releases count them
        total = sum(len(rows) for rows in index.values())
        progress(f"[4/5] serialize {len(DUMPS)} formats + gzip, {made} of {total} blocks written anew "
                 f"({time.perf_counter() - t:.2f}s)")
        t = time.perf_counter()
        staged.meta["published"] = now()  # the version's dcterms:issued; not part of the id
        own = {**staged.meta, "id": draft.release_id()}
        draft.write_bytes(VOID_FILE, void_turtle(stats, base=staged.base, files=dict(draft.files), meta=own))
        write_sitemaps(staged.union, draft.path, staged.base, blocks=staged.blocks["dataset.nt"], work=staged.work,
                       cache=cache.path if cache is not None else None,
                       previous=previous.path if cache is not None and previous is not None else None)  # not in release.json
        manifest = {"fingerprint": fingerprint, "clean": not report.violations}  # the articles: ARTICLES in work
        stashed = incremental.stash(settings.var_dir, staged.work, manifest)
        shutil.rmtree(staged.work)
        delta = (publication.Delta(cache.release_id, staged.quads_delta, staged.triples_delta, staged.rows)
                 if cache is not None and staged.quads_delta is not None and staged.triples_delta is not None
                 and staged.rows is not None else None)
        pending = publication.prepare(settings.var_dir, Release(draft.path, own), staged.meta["published"], delta)
        try:
            release = draft.publish(staged.meta, before_swap=pending.commit)
        except BaseException:
            shutil.rmtree(stashed, ignore_errors=True)
            raise
        finally:
            pending.discard()
        incremental.commit(settings.var_dir, stashed, release.id)
    s = pending.changes.summary()
    progress(f"[5/5] publish  release {release.id} → {settings.current_release}; from "
             f"{pending.previous.id if pending.previous else 'nothing'}: quads +{s['quads']['added']} -{s['quads']['removed']}, "
             + ", ".join(f"{c} +{s[c]['added']} -{s[c]['removed']} ~{s[c]['changed']}" for c in ("facts", "claims", "entities"))
             + f" ({time.perf_counter() - t:.2f}s)")
    return release
