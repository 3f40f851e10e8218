"""What an incremental ``kg build`` may reuse from the build before it (docs/build.md, "Incremental builds").

After publishing, a build keeps in ``{var}/build-cache/<release id>/`` what it
would otherwise throw away: the sorted spool lines, each tagged with the input
it came from (``quads.tagged``, ``triples.tagged``, see ``kg.release.merge``), the
integer literals as written (``originals.sqlite``), ``manifest.json``: a
fingerprint of everything besides the seeds that shapes the output (the
``kg`` code, base IRI, ontology, shapes), and ``articles.jsonl``: per article
(one line each, written and read a line at a time) its tag, the SHA-256 of its
YAML and its text, what the mapping looked up in other files while mapping it
(``within`` of a post, a refined event date) and its curation summary, packed.

The next build curates every file as before (every problem is still reported
together) but maps again only the articles whose YAML or text changed, or
whose lookups now answer differently, plus the shared files; everything else
comes from the cache. The cache belongs to one release: it is used only when
``current`` is that release, is written to a temporary directory and renamed
after the swap, and a build that fails or is killed leaves the previous cache
(or none: the next build is then a full one) — never a half-written one.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kg
from kg.release.merge import TAG_LENGTH

CACHE_DIR = "build-cache"
MANIFEST = "manifest.json"
ARTICLES = "articles.jsonl"
"""One line per article (``Entry``), in tag order: never the whole of it in memory as JSON."""
QUADS, TRIPLES, ORIGINALS = "quads.tagged", "triples.tagged", "originals.sqlite"
BLOCKS = "blocks.json"
"""Where each block of each dump of the release is (``kg.release.serialize.save_index``)."""
COUNTS, OBJECTS = "void-counts.json", "objects.sqlite"
"""VoID's counts per block of ``dataset.nt``, and its distinct objects (``kg.release.voidblocks``)."""
PAGES = "pages.json"
"""The pages of each block of ``dataset.nt`` and each sitemap file's digest (``kg.release.sitemap``)."""
TAGGED = "tagged.json"
"""Per block of ``dataset.nq`` and ``dataset.nt``, where its tagged lines are and which inputs they came from
(``kg.release.tagged.Row``): ``quads.tagged`` and ``triples.tagged`` are kept in those blocks."""
SHARED, LINKS = "entities.yaml", "links.yaml"
FORMAT = 4


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading a large file of the cache makes millions of containers and no cycle: the
    collections they would set off find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_json(path: Path) -> Any:
    """A JSON file of the cache (the blocks' index, the VoID counts, the pages: tens of MB at 10 000 articles)."""
    with _gc_paused():
        return json.loads(path.read_bytes())


def tag(name: str) -> str:
    """The fixed-length tag of an input file's lines (its name hashed: names vary in length)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:TAG_LENGTH]


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(base: str, ontology: str, shapes: str, gz: bool) -> dict[str, str]:
    """What else than the seeds decides the bytes of a release: a change in any falls back to a full build."""
    code = hashlib.sha256()
    root = Path(kg.__file__).parent
    for path in sorted(root.rglob("*.py")):
        code.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return {"code": code.hexdigest(), "kg": kg.__version__, "base_iri": base, "gzip": str(gz),
            "ontology": hashlib.sha256(ontology.encode()).hexdigest(),
            "shapes": hashlib.sha256(shapes.encode()).hexdigest(), "format": str(FORMAT)}


_REASONS = {"code": "the kg code", "kg": "the kg version", "base_iri": "the base IRI", "gzip": "the gzip setting",
            "ontology": "the ontology", "shapes": "the shapes", "format": "the build cache's format"}


@dataclass
class Lookups:
    """What mapping one input read from other files: ``within`` of keys, refined event dates."""

    within: dict[str, str | None] = field(default_factory=dict)
    refined: dict[str, str | None] = field(default_factory=dict)


class Tracker:
    """Records, per tag, the keys the mapper looked up; final answers are taken once every file is read."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.keys: dict[str, tuple[set[str], set[str]]] = {}

    def _slot(self) -> tuple[set[str], set[str]]:
        assert self.current is not None
        return self.keys.setdefault(self.current, (set(), set()))

    def saw_within(self, key: str) -> None:
        if self.current is not None:
            self._slot()[0].add(key)

    def saw_refined(self, key: str) -> None:
        if self.current is not None:
            self._slot()[1].add(key)

    def answers(self, t: str, within: Callable[[str], str | None], refined: Callable[[str], str | None]) -> Lookups:
        w, r = self.keys.get(t, (set(), set()))
        return Lookups({k: within(k) for k in sorted(w)}, {k: refined(k) for k in sorted(r)})


@dataclass
class Entry:
    """One article in the manifest."""

    file: str
    yaml: str
    text: str
    lookups: Lookups
    curated: bytes | None = None
    """Its ``kg.curation.summary.Summary`` (a clean article), packed (``kg.curation.summary.pack``):
    replayed next time if it is unchanged."""

    def to_json(self, t: str) -> dict:
        return {"tag": t, "file": self.file, "yaml": self.yaml, "text": self.text,
                "within": self.lookups.within, "refined": self.lookups.refined,
                "curated": base64.b64encode(self.curated).decode("ascii") if self.curated is not None else None}

    @classmethod
    def from_json(cls, d: dict) -> tuple[str, Entry]:
        curated = d.get("curated")
        return d["tag"], cls(d["file"], d["yaml"], d["text"], Lookups(d["within"], d["refined"]),
                             base64.b64decode(curated) if curated is not None else None)


def write_articles(path: Path, entries: Iterable[tuple[str, Entry]]) -> None:
    """``articles.jsonl``: a line per article, as they come (callers pass them in tag order)."""
    with open(path, "w", encoding="utf-8") as out:
        for t, e in entries:
            out.write(json.dumps(e.to_json(t), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")


def read_articles(path: Path) -> dict[str, Entry]:
    """``articles.jsonl``, read a line at a time."""
    with _gc_paused(), open(path, encoding="utf-8") as lines:
        return dict(Entry.from_json(json.loads(line)) for line in lines)


@dataclass
class Cache:
    """A previous build's reusable state (read-only here)."""

    path: Path
    release_id: str
    fingerprint: dict[str, str]
    entries: dict[str, Entry]
    clean: bool  # its validation report had no results at all

    @property
    def originals(self) -> Path:
        return self.path / ORIGINALS

    @property
    def blocks(self) -> Path:
        return self.path / BLOCKS

    @property
    def tagged(self) -> Path:
        return self.path / TAGGED

    def why_not(self, fp: dict[str, str]) -> str | None:
        """Why this cache cannot serve a build with fingerprint ``fp`` (None: it can)."""
        changed = [_REASONS.get(k, k) for k in sorted(set(fp) | set(self.fingerprint)) if fp.get(k) != self.fingerprint.get(k)]
        if changed:
            return f"{', '.join(changed)} changed since release {self.release_id}"
        return None


def load(var_dir: Path, current_id: str | None) -> tuple[Cache | None, str]:
    """The cache of the current release, or None and why not."""
    if current_id is None:
        return None, "no release yet"
    path = var_dir / CACHE_DIR / current_id
    try:
        meta = read_json(path / MANIFEST)
        for name in (ORIGINALS, BLOCKS, TAGGED, COUNTS, OBJECTS, PAGES, ARTICLES):
            if not (path / name).is_file():
                raise FileNotFoundError(name)
        entries = read_articles(path / ARTICLES)
    except (OSError, ValueError, KeyError):
        return None, f"no build cache for release {current_id}"
    return Cache(path, current_id, meta["fingerprint"], entries, bool(meta["clean"])), ""


def stash(var_dir: Path, work: Path, manifest: dict) -> Path:
    """Move the build's reusable files out of its work directory before it is removed; ``commit`` names them."""
    root = var_dir / CACHE_DIR
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name in (ORIGINALS, BLOCKS, TAGGED, COUNTS, OBJECTS, PAGES, ARTICLES):
        os.replace(work / name, tmp / name)
    for name in (QUADS, TRIPLES):  # their segments (kg.release.tagged)
        for path in work.glob(f"{name}.*"):
            os.replace(path, tmp / path.name)
    (tmp / MANIFEST).write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    return tmp


def commit(var_dir: Path, stashed: Path, release_id: str) -> None:
    """Name the stashed cache after the release just published and drop every other one.
    Called under the build lock, after the swap: a cache never names a release that is not current."""
    root = var_dir / CACHE_DIR
    final = root / release_id
    if final.exists():
        shutil.rmtree(final)
    os.replace(stashed, final)
    for other in root.iterdir():
        if other != final:
            shutil.rmtree(other, ignore_errors=True)


def discard(var_dir: Path) -> None:
    """Leftovers of a build that failed or was killed before ``commit`` (we hold the build lock)."""
    root = var_dir / CACHE_DIR
    if root.is_dir():
        for tmp in root.glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
