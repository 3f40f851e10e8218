"""A built release on disk: writing it atomically, and finding the current one.

Layout of ``{var}/``::

    releases/<id>/        one complete release (id = hash of its dataset dumps)
        dataset.{nq,trig,ttl,nt,jsonld}[.gz]   the data, every format (kg.rdf.formats.DUMP_FORMATS)
        ontology.ttl  shapes.ttl               vocabulary and shapes
        validation-report.ttl                  the SHACL report of this release
        void.ttl                               its VoID/DCAT description
        store/                                 an Oxigraph store of it, opened read-only
        sitemaps/N.xml.gz                      its pages, for search engines (kg.release.sitemap)
        release.json                           what the server needs to know
        SHA256SUMS                             checksums of every file above but store/ and sitemaps/
    current -> releases/<id>                   swapped atomically (rename of a symlink)

A release directory is complete before ``current`` points at it, so a reader
never sees half a release and a failed build leaves the previous one serving.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ReleaseNotFound
from kg.rdf.formats import DUMP_FORMATS


def _ox_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"pyoxigraph has no RDF format for {media_type}")
    return fmt


DUMPS: dict[str, tuple[ox.RdfFormat, str]] = {
    f"dataset.{f.suffix}": (_ox_format(f.media_type), f.media_type) for f in DUMP_FORMATS
}
"""File name → (Oxigraph format, media type) of every dump (``kg.rdf.formats.DUMP_FORMATS``)."""
RELEASE_JSON = "release.json"
STORE_DIR = "store"
"""An Oxigraph (RocksDB) store of the release, built once at release time and
opened read-only by every query worker: one copy on disk and in the page
cache instead of one in-memory copy per worker."""
REPORT_FILE = "validation-report.ttl"
CHECKSUMS = "SHA256SUMS"
RELEASE_ID = re.compile(r"^[0-9a-f]{16}$")
"""What ``Draft.release_id`` makes: anything else names no release (and no path)."""


@dataclass(frozen=True)
class FileInfo:
    """A written file: what release.json, SHA256SUMS and the DCAT description need."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """A published release: its directory and its ``release.json``."""

    path: Path
    meta: dict

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def base_iri(self) -> str:
        return self.meta["base_iri"]

    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def store_dir(self) -> Path | None:
        """The on-disk store, if this release has one (releases built before it do not)."""
        path = self.path / STORE_DIR
        return path if path.is_dir() else None


class Draft:
    """A release being written in its own temporary directory under
    ``releases/``: files are written straight into ``path`` (streamed, with
    their sizes and checksums recorded in ``files``); ``publish`` seals it
    (release.json, SHA256SUMS, fsync), renames it to its id and points
    ``current`` at it. Until then nothing outside ``path`` changes."""

    def __init__(self, var_dir: Path, releases: Path, path: Path) -> None:
        self.var_dir, self.releases, self.path = var_dir, releases, path
        self.files: dict[str, FileInfo] = {}
        self._syncing: threading.Thread | None = None

    def sync_now(self, skip: str) -> None:
        """Start flushing what is written so far (but the directory ``skip``) to disk, in a thread, while the
        build goes on (validation reads the store meanwhile): ``publish`` then finds most of it clean. It still
        syncs every file itself."""
        files = [p for p in self.path.rglob("*") if p.is_file() and p.relative_to(self.path).parts[0] != skip]
        self._syncing = threading.Thread(target=_fsync, args=(files,), name="kg-fsync", daemon=True)
        self._syncing.start()

    def add(self, infos: dict[str, FileInfo]) -> None:
        self.files.update(infos)

    def write_bytes(self, name: str, data: bytes) -> None:
        (self.path / name).write_bytes(data)
        self.files[name] = FileInfo(len(data), hashlib.sha256(data).hexdigest())

    def release_id(self) -> str:
        """The id the release will have: a hash of its dataset dumps (known
        once they are written, so the description can name its own version)."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            if name.startswith("dataset."):
                digest.update(name.encode() + b"\0" + bytes.fromhex(self.files[name].sha256))
        return digest.hexdigest()[:16]

    def publish(self, meta: dict, before_swap: Callable[[Release], None] | None = None) -> Release:
        """Seal, rename, then point ``current`` at it. ``before_swap(release)``
        runs once the directory has its final name and before the swap (the
        history records the release there, so a server never serves one it lacks)."""
        release_id = self.release_id()
        meta = {**meta, "id": release_id, "files": {
            name: {"bytes": info.bytes, "sha256": info.sha256} for name, info in sorted(self.files.items())
        }}
        tmp = self.path
        (tmp / RELEASE_JSON).write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        sums = "".join(f"{self.files[n].sha256}  {n}\n" for n in sorted(self.files))
        (tmp / CHECKSUMS).write_text(sums, encoding="ascii")
        if self._syncing is not None:
            self._syncing.join()
        _fsync([p for p in tmp.rglob("*") if p.is_file()])
        final = self.releases / release_id
        if final.exists():  # the same dumps again: published anew, so newest for ``prune``
            shutil.rmtree(tmp)
            os.utime(final)
        else:
            os.replace(tmp, final)
        release = Release(final, meta)
        if before_swap is not None:
            before_swap(release)
        _point_current(self.var_dir, final)
        return release


def _fsync(files: list[Path]) -> None:
    for path in files:
        try:
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
        except FileNotFoundError:  # a scratch file removed meanwhile (the store's, the build's work directory)
            pass


@contextmanager
def draft_release(var_dir: Path) -> Iterator[Draft]:
    """A new ``Draft`` under the build lock; removed if anything raises before ``publish``."""
    releases = var_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    with _build_lock(var_dir):
        _remove_stale_temporaries(releases)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=releases))
        try:
            tmp.chmod(0o755)
            yield Draft(var_dir, releases, tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def prune(var_dir: Path, keep: int, *, dry_run: bool = False) -> list[Path]:
    """Delete all but the ``keep`` most recently published releases; the removed paths.

    Releases are never deleted by a build (a release at 100 000 articles is ≈ 47 GB),
    so an operator or ``kg build --keep`` calls this. ``current`` is always kept
    and counts as one; the others are ranked by when they were published (the
    directory's mtime, renewed when a build publishes the same dumps again). It
    takes the build lock, so it never races a build's swap. ``keep`` ≥ 2 leaves
    the previous release for a server that has not switched yet and for rolling
    back by pointing ``current`` at it."""
    if keep < 1:
        raise ValueError("keep must be at least 1: the current release is never deleted")
    releases = var_dir / "releases"
    if not releases.is_dir():
        return []
    with _build_lock(var_dir):
        current = (var_dir / "current").resolve() if (var_dir / "current").is_symlink() else None
        found = [p for p in releases.iterdir()
                 if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and (p / RELEASE_JSON).is_file()]
        found.sort(key=lambda p: (p.resolve() == current, p.stat().st_mtime, p.name), reverse=True)
        doomed = found[keep:]
        if not dry_run:
            for path in doomed:
                shutil.rmtree(path)
        return doomed


@contextmanager
def _build_lock(var_dir: Path) -> Iterator[None]:
    """One writer at a time; a killed writer's lock dies with its process."""
    with open(var_dir / ".build.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _remove_stale_temporaries(releases: Path) -> None:
    """Leftovers of a build that was killed mid-write (we hold the lock, so
    no live build owns them). They were never pointed at."""
    for path in releases.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)


def _point_current(var_dir: Path, target: Path) -> None:
    link = var_dir / "current"
    tmp_link = var_dir / f".current-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.relpath(target, var_dir), tmp_link)
    os.replace(tmp_link, link)  # atomic on POSIX


def open_release(path: Path) -> Release:
    """The release at ``path`` (a release dir or the ``current`` link)."""
    meta_path = Path(path) / RELEASE_JSON
    if not meta_path.is_file():
        raise ReleaseNotFound(f"no release at {path} (run 'kg build')")
    resolved = Path(path).resolve()
    return Release(resolved, json.loads(meta_path.read_text(encoding="utf-8")))


def release_by_id(var_dir: Path, release_id: str) -> Release:
    """A kept release by its id; ``ReleaseNotFound`` if the id is malformed or its directory is gone."""
    if not RELEASE_ID.match(release_id):
        raise ReleaseNotFound(f"{release_id!r} is not a release id (16 hexadecimal digits)")
    return open_release(Path(var_dir) / "releases" / release_id)
