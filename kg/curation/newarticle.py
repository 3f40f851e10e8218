"""``kg new``: a text checked, copied into the seeds and listed, with its skeleton.

Naming rule for new seeds: ``NNN_<h>.txt`` where ``NNN`` is one more than the
highest number already in the seeds directory (three digits, more after 999)
and ``<h>`` is the first 16 hex digits of the SHA-256 of the file's bytes,
the same digest ``SHA256SUMS`` lists; the curated file is ``NNN_<h>.yaml``.
(The two first seeds keep the names they came with, whose hex part is not
derived from their bytes.)

All checks run before anything is written; the writes are a temporary file
renamed into place for the text, an exclusive create for the skeleton, and
the checksum list last, so a refusal or a crash leaves the seeds as they were.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one curator at a time
    fcntl = None  # type: ignore[assignment]

import yaml

from kg.curation.checksums import CHECKSUMS_FILE, add_entry, read_manifest, sha256_file
from kg.curation.model import PartialDate
from kg.curation.skeleton import Headline, guess_headline, render, schema_line
from kg.curation.textcheck import Finding, check_text
from kg.errors import CurationError
from kg.rdf.iris import is_valid_key

_NUMBERED = re.compile(r"^(\d+)_")
_URL = re.compile(r"^https?://[^\s<>\"]+$")


@dataclass(frozen=True)
class Added:
    text: Path
    yaml: Path
    digest: str
    headline: Headline | None
    warnings: tuple[Finding, ...]
    notes: tuple[str, ...]
    """Warnings not about the text (e.g. a publisher key not declared yet)."""


def next_number(seeds_dir: Path) -> int:
    numbers = [int(m.group(1)) for p in Path(seeds_dir).iterdir() if (m := _NUMBERED.match(p.name))]
    return max(numbers, default=-1) + 1


def seed_stem(number: int, digest: str) -> str:
    return f"{number:03d}_{digest[:16]}"


def _refuse(source: Path, field: str, message: str, finding: Finding | None = None) -> CurationError:
    if finding is not None:
        return CurationError(source, finding.line, field, message, column=finding.column)
    return CurationError(source, None, field, message)


def _check_options(source: Path, seeds_dir: Path, publisher: str | None, published: str | None,
                   url: str | None) -> list[str]:
    notes: list[str] = []
    if publisher is not None:
        if not is_valid_key(publisher) or not publisher.startswith("publisher/"):
            raise _refuse(source, "--publisher", f"expected a key publisher/<slug>, got {publisher!r}")
        if publisher not in _declared_keys(seeds_dir):
            notes.append(f"{publisher} is not declared in entities.yaml yet: declare it (type Publisher) before building")
    if published is not None:
        try:
            PartialDate.parse(published)
        except ValueError as exc:
            msg = str(exc) if published in str(exc) else f"{exc}: {published!r}"
            raise _refuse(source, "--published", msg) from None
    if url is not None and not _URL.match(url):
        raise _refuse(source, "--url", f"expected an http(s) URL without spaces, got {url!r}")
    return notes


def _declared_keys(seeds_dir: Path) -> set[str]:
    try:
        data = yaml.safe_load((seeds_dir / "entities.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()
    items = data.get("entities") if isinstance(data, dict) else None
    return {e["key"] for e in items or [] if isinstance(e, dict) and isinstance(e.get("key"), str)}


def add_article(seeds_dir: Path, source: Path, *, publisher: str | None = None, published: str | None = None,
                url: str | None = None) -> Added:
    """Check ``source``, then add it; raise ``CurationError`` (adding nothing) on any refusal."""
    seeds_dir, source = Path(seeds_dir), Path(source)
    if not seeds_dir.is_dir():
        raise CurationError(seeds_dir, None, "--seeds", "not a directory")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise _refuse(source, "file", exc.strerror or str(exc)) from None
    if source.resolve().parent == seeds_dir.resolve():
        raise _refuse(source, "file", "is already inside the seeds directory, where it is not listed: "
                                      "move it out and run 'kg new' on it there")
    checked = check_text(data)
    if checked.errors:
        first, rest = checked.errors[0], checked.errors[1:]
        more = f" (+{len(rest)} more: " + "; ".join(f"{f.where()} {f.message}" for f in rest) + ")" if rest else ""
        raise _refuse(source, "text", f"refused, nothing added: {first.message}{more}", first)
    notes = _check_options(source, seeds_dir, publisher, published, url)
    with _locked(seeds_dir):  # two curators adding at once: distinct numbers, no lost SHA256SUMS line
        if (seeds_dir / CHECKSUMS_FILE).exists():
            manifest = read_manifest(seeds_dir)
        elif any(seeds_dir.glob("*.txt")):
            raise CurationError(seeds_dir / CHECKSUMS_FILE, None, "file", "missing while the seeds hold texts: restore it first")
        else:
            manifest = {}
        digest = hashlib.sha256(data).hexdigest()
        same = [e.name for e in manifest.values() if e.digest == digest]
        if same:
            raise _refuse(source, "file", f"refused, nothing added: the same bytes are already in the seeds as {same[0]}")
        stem = seed_stem(next_number(seeds_dir), digest)
        text_path, yaml_path = seeds_dir / f"{stem}.txt", seeds_dir / f"{stem}.yaml"
        assert checked.text is not None
        headline = guess_headline(checked.text)
        skeleton = render(schema=schema_line(seeds_dir), file=text_path.name, digest=digest, headline=headline,
                          publisher=publisher, published=published, url=url)
        created: list[Path] = []
        try:
            _copy_exact(source, text_path, digest)
            created.append(text_path)
            with open(yaml_path, "x", encoding="utf-8", newline="\n") as fh:
                created.append(yaml_path)
                fh.write(skeleton)
            add_entry(seeds_dir, text_path.name, digest)
        except BaseException:
            for path in created:
                path.unlink(missing_ok=True)
            raise
    return Added(text_path, yaml_path, digest, headline, tuple(checked.warnings), tuple(notes))


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive advisory lock on the seeds directory itself (no lock file
    left in it), from choosing the number to listing the text."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _copy_exact(source: Path, dest: Path, digest: str) -> None:
    """Copy the bytes, check the copy's digest, rename into place (never over an existing file)."""
    if dest.exists():
        raise CurationError(dest, None, "file", "exists already")
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as inp:
            shutil.copyfileobj(inp, out)
            out.flush()
            os.fsync(out.fileno())
        if sha256_file(Path(tmp)) != digest:
            raise CurationError(source, None, "file", "changed while it was being copied; nothing added")
        try:
            os.link(tmp, dest)  # fails if dest appeared meanwhile, unlike a rename
        except FileExistsError:
            raise CurationError(dest, None, "file", "exists already") from None
        except OSError:  # a file system without hard links
            os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)


__all__ = ["Added", "add_article", "next_number", "seed_stem"]
