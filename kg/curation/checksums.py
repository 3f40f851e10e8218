"""``seeds/SHA256SUMS``: the seed texts as curated, enforced by the build.

Every quote is anchored by character offsets into its text, so a text edited
after curation silently moves or breaks the evidence of its facts. The list
is the ``sha256sum`` format (GNU coreutils: ``<64 hex>  <name>``, ``*`` before
the name in binary mode), so ``sha256sum -c SHA256SUMS`` checks it too. The
build refuses, naming the file and the facts that quote it, when a text is
edited, is not listed, or is listed but gone; ``kg new`` is what adds a line.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.errors import CurationError, Problem

CHECKSUMS_FILE = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *]([^/\\]+)$")


@dataclass(frozen=True)
class Entry:
    name: str
    digest: str
    line: int


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(seeds_dir: Path) -> dict[str, Entry]:
    """The list, by file name; a malformed or duplicate line is an error naming its line."""
    path = Path(seeds_dir) / CHECKSUMS_FILE
    if not path.is_file():
        raise CurationError(path, None, "file", "missing: the list of seed texts and their SHA-256 is required "
                                                "('kg new' creates and extends it)")
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError as exc:
        raise CurationError(path, path.read_bytes()[:exc.start].count(b"\n") + 1, "encoding",
                            "not ASCII: only '<sha256>  <file name>' lines belong here") from None
    entries: dict[str, Entry] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        m = _LINE.match(raw)
        if not m:
            raise CurationError(path, n, "line", f"expected '<64 hex digits>  <file name>' (sha256sum format), got {raw[:80]!r}")
        name = m.group(2)
        if name in entries:
            raise CurationError(path, n, "line", f"{name} is listed twice (first at line {entries[name].line})")
        entries[name] = Entry(name, m.group(1).lower(), n)
    return entries


def add_entry(seeds_dir: Path, name: str, digest: str) -> None:
    """Append ``name`` to the list, atomically (a temporary file renamed over
    it), so a crash leaves the old list or the new one, never half a line."""
    path = Path(seeds_dir) / CHECKSUMS_FILE
    old = path.read_bytes() if path.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    data = old + f"{digest}  {name}\n".encode("ascii")
    fd, tmp = tempfile.mkstemp(dir=seeds_dir, prefix=".SHA256SUMS.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def checksum_problems(seeds_dir: Path, digests: dict[str, str] | None = None) -> list[Problem]:
    """Every problem of the texts against ``SHA256SUMS``: a ``.txt`` not listed,
    listed with another digest, or listed and missing (or the list itself
    malformed). A list, so the build reports them with the curation problems
    of the same run instead of stopping at them. ``digests`` receives each
    text's SHA-256 as read (the build need not hash the texts twice)."""
    seeds_dir = Path(seeds_dir)
    try:
        entries = read_manifest(seeds_dir)
    except CurationError as exc:
        return list(exc.problems)
    problems: list[Problem] = []
    texts = sorted(p.name for p in seeds_dir.glob("*.txt"))
    for name in texts:
        path = seeds_dir / name
        entry = entries.get(name)
        if entry is None:
            problems.append(Problem(path, None, "sha256", "not listed in SHA256SUMS" + _affected(seeds_dir, name), None,
                                    "add articles with 'kg new', which checks the text and lists it"))
            continue
        actual = sha256_file(path)
        if digests is not None:
            digests[name] = actual
        if actual != entry.digest:
            problems.append(Problem(path, None, "sha256", f"edited after curation: SHA256SUMS line {entry.line} has "
                                    f"{entry.digest[:16]}…, the file now hashes to {actual[:16]}…" + _affected(seeds_dir, name),
                                    None, f"restore the original bytes (e.g. 'git checkout -- {name}'); never edit a seed text"))
    for name in sorted(set(entries) - set(texts)):
        problems.append(Problem(seeds_dir / CHECKSUMS_FILE, entries[name].line, "sha256",
                                f"lists {name}, which is not in {seeds_dir}" + _affected(seeds_dir, name), None,
                                "restore the text, or delete its line here and its .yaml"))
    return problems


def _affected(seeds_dir: Path, name: str) -> str:
    """'; quoted by X.yaml: facts a, b; quotes no longer found verbatim: a' — what
    depends on the text, read leniently: a broken YAML file must not hide this error."""
    text_path = seeds_dir / name
    try:
        text: str | None = text_path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    parts = []
    for path, data in _quoting(seeds_dir, name):
        ids, lost = [], []
        for section in ("facts", "claims"):
            for item in data.get(section) or []:
                if not isinstance(item, dict):
                    continue
                ident = str(item.get("id"))
                ids.append(ident)
                if text is not None and any(q not in text for q in _quote_texts(item.get("quote"))):
                    lost.append(ident)
        if not ids:
            parts.append(f"{path.name} quotes it (no facts yet)")
            continue
        desc = f"{path.name} quotes it in {len(ids)} fact(s)/claim(s), whose offsets count its characters: {', '.join(ids)}"
        if text is not None:
            desc += f"; quotes no longer found verbatim: {', '.join(lost) if lost else 'none'}"
        parts.append(desc)
    return ("; " + "; ".join(parts)) if parts else ""


def _quoting(seeds_dir: Path, name: str) -> list[tuple[Path, dict]]:
    """The article files whose ``article.file`` is ``name``: the one of the
    same stem (as 'kg new' names them) if it is, else every one, so that an
    error in a corpus of 100 000 articles does not re-read them all."""
    def read(path: Path) -> dict | None:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None
        ok = isinstance(data, dict) and isinstance(data.get("article"), dict) and data["article"].get("file") == name
        return data if ok else None

    same = seeds_dir / (Path(name).stem + ".yaml")
    if same.is_file() and (data := read(same)) is not None:
        return [(same, data)]
    return [(p, d) for p in sorted(seeds_dir.glob("*.yaml")) if (d := read(p)) is not None]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _quote_texts(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for q in items:
        if isinstance(q, str):
            out.append(q)
        elif isinstance(q, dict) and isinstance(q.get("text"), str):
            out.append(q["text"])
    return out


__all__ = ["CHECKSUMS_FILE", "Entry", "add_entry", "checksum_problems", "read_manifest", "sha256_file"]
