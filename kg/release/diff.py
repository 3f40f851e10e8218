"""What changed between two releases (``kg diff``, ``/releases/<id>``), from their dumps.

Both releases' ``dataset.nq`` are sorted by (graph, subject, predicate,
object) and de-duplicated, and both ``dataset.nt`` (the union of the data
graphs) by line: the build writes them so (``kg.release.spool``). A sorted merge of
the two files therefore yields every quad (triple) added or removed in one
pass, in memory that does not grow with the releases.

Things — facts, claims, entities, articles: the IRIs under ``{base}id/``,
fragments (``{thing}#part``) folded into their thing — are classified from
the quads: a thing is *in* a release when some quad has it (or one of its
fragments) as subject or as graph; it is *changed* when such a quad was added
or removed. A quad touches at most two things (its subject's and its graph's),
so each quad yields at most two small records; they are sorted on disk
(GNU ``sort``, as the build does) and reduced per thing in a second pass.
A statement newly made *about* an entity (in a new fact's graph) changes the
entity: what the dataset says about it is different.
"""

from __future__ import annotations

import bisect
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kg.errors import BuildError
from kg.release.directory import Release
from kg.release.merge import Delta
from kg.release.spool import sort_file
from kg.release.tagged import Row

CATEGORIES = ("facts", "claims", "entities", "articles")
KINDS = ("added", "removed", "changed")
LIST_CAP = 10_000
"""Items of each list kept by ``diff(..., cap=...)`` when a summary is stored (``kg.release.history``);
``kg diff`` itself lists every one."""
_FLUSH = 50_000  # things buffered before their records go to disk

QuadSink = Callable[[int, bytes], object]
"""Called with (+1 | -1, N-Quads line) for each quad added or removed (``kg diff --format patch``); what it returns is ignored."""
ThingSink = Callable[[str, str, str], object]
"""Called with (category, kind, IRI) for every thing added, removed or changed, uncapped (``kg.release.history``); what it returns is ignored."""


def category(iri: str, base: str) -> str | None:
    """Which list an IRI under ``{base}id/`` belongs to (docs/iri-scheme.md); None for anything else."""
    if not iri.startswith(base + "id/"):
        return None
    kind = iri[len(base) + 3:].split("/", 1)[0]
    return {"fact": "facts", "claim": "claims", "article": "articles"}.get(kind, "entities")


@dataclass
class Changes:
    """The difference between two releases (``old`` may be None: the first release)."""

    old: dict | None
    new: dict
    quads: dict[str, int] = field(default_factory=lambda: {"added": 0, "removed": 0})
    triples: dict[str, int] = field(default_factory=lambda: {"added": 0, "removed": 0})
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {c: dict.fromkeys(KINDS, 0) for c in CATEGORIES})
    items: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {c: {k: [] for k in KINDS} for c in CATEGORIES})
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not any(self.quads.values())

    def summary(self) -> dict:
        """Counts only: what ``/releases`` shows for each release."""
        return {"quads": dict(self.quads), "triples": dict(self.triples), **{c: dict(self.counts[c]) for c in CATEGORIES}}

    def to_json(self) -> dict:
        return {"old": self.old, "new": self.new, **self.summary(), "items": self.items, "truncated": self.truncated}

    def to_text(self) -> str:
        """The readable summary: counts per kind, then every IRI listed."""
        old = f"release {self.old['id']} ({self.old.get('published') or 'publication time unknown'})" if self.old else "nothing (the first release)"
        lines = [f"Changes from {old}", f"          to release {self.new['id']} ({self.new.get('published') or 'publication time unknown'})", ""]
        lines.append(f"  {'triples':<9} +{self.triples['added']} -{self.triples['removed']}")
        lines.append(f"  {'quads':<9} +{self.quads['added']} -{self.quads['removed']}")
        for c in CATEGORIES:
            n = self.counts[c]
            lines.append(f"  {c:<9} {n['added']} added, {n['removed']} removed, {n['changed']} changed")
        if self.empty:
            lines += ["", "No differences: the two releases hold the same quads."]
        marks = {"added": "+", "removed": "-", "changed": "~"}
        for c in CATEGORIES:
            for k in KINDS:
                if self.items[c][k]:
                    lines += ["", f"{c.capitalize()} {k}:"]
                    lines += [f"  {marks[k]} {iri}" for iri in self.items[c][k]]
                    more = self.counts[c][k] - len(self.items[c][k])
                    if more > 0:
                        lines.append(f"  … and {more} more (run 'kg diff' for all of them)")
        return "\n".join(lines) + "\n"


def release_summary(release: Release) -> dict:
    """What a diff says about each side: id, publication time, counts from release.json."""
    meta = release.meta
    return {"id": release.id, "published": meta.get("published"),
            **{k: meta[k] for k in ("quads", "triples", "facts", "claims", "entities") if k in meta},
            "articles": len(meta.get("articles", []))}


def diff(old: Release | None, new: Release, *, cap: int | None = None, on_quad: QuadSink | None = None,
         on_thing: ThingSink | None = None, tmp_dir: Path | None = None) -> Changes:
    """Compare two releases' dumps (``old`` None: everything in ``new`` is added).

    ``cap`` bounds each list kept in memory (counts stay exact); ``on_quad``
    receives each added or removed quad line, in order; ``on_thing`` every
    thing that differs, whatever the cap."""
    if old is not None and old.base_iri != new.base_iri:
        raise BuildError(f"releases {old.id} and {new.id} have different base IRIs "
                         f"({old.base_iri} and {new.base_iri}); they cannot be compared")
    for release in (old, new):
        if release is not None and not release.file("dataset.nq").is_file():
            raise BuildError(f"release {release.id} has no dataset.nq at {release.path}")
    changes = Changes(release_summary(old) if old else None, release_summary(new))
    base = new.base_iri
    with tempfile.TemporaryDirectory(prefix="kg-diff-", dir=tmp_dir) as tmp:
        records = Path(tmp) / "things.unsorted"
        with open(records, "wb") as out:
            _quads(old, new, base, changes, out, on_quad)
        ordered = Path(tmp) / "things.sorted"
        sort_file(records, ordered, unique=True, tmp_dir=Path(tmp))
        records.unlink()
        _reduce(ordered, base, changes, cap, on_thing)
    changes.triples = _count(_lines(old, "dataset.nt"), _lines(new, "dataset.nt"), lambda line: line)
    return changes


def _lines(release: Release | None, name: str) -> Iterator[bytes]:
    if release is None:
        return
    with open(release.file(name), "rb") as fh:
        yield from fh


def quad_key(line: bytes) -> bytes:
    """``<s> <p> <o> <g> .`` → ``<g>\\t<s> <p> <o>``: the order the build sorted the dump in.

    Subjects and predicates hold no space; the graph is a last ``<…>`` token
    with no ``"`` (an IRI cannot hold one) after the object. An object that is
    an IRI or blank node holds no space either, so there the token count decides."""
    body = line.rstrip(b"\n")
    body = body[:-2] if body.endswith(b" .") else body
    s, p, rest = body.split(b" ", 2)
    head, sep, last = rest.rpartition(b" ")
    if sep and last.startswith(b"<") and last.endswith(b">") and b'"' not in last and (rest[:1] == b'"' or b" " not in head):
        return last + b"\t" + s + b" " + p + b" " + head
    return b"\t" + body  # the default graph sorts first


def merge(old: Iterable[bytes], new: Iterable[bytes], key: Callable[[bytes], bytes]) -> Iterator[tuple[int, bytes]]:
    """A sorted merge of two streams sorted by ``key`` and de-duplicated: (-1
    removed | +1 added | 0 in both, line). Equal lines are the same statement,
    so the key is computed only where the lines differ (most are equal)."""
    a, b = iter(old), iter(new)
    la, lb = next(a, None), next(b, None)
    ka = kb = None
    while la is not None and lb is not None:
        if la == lb:
            yield 0, la
            la, lb, ka, kb = next(a, None), next(b, None), None, None
            continue
        ka = key(la) if ka is None else ka
        kb = key(lb) if kb is None else kb
        if ka < kb:
            yield -1, la
            la, ka = next(a, None), None
        elif kb < ka:
            yield 1, lb
            lb, kb = next(b, None), None
        else:  # the same statement written differently: cannot happen in a dump the build wrote
            yield 0, la
            la, lb, ka, kb = next(a, None), next(b, None), None, None
    while la is not None:
        yield -1, la
        la = next(a, None)
    while lb is not None:
        yield 1, lb
        lb = next(b, None)


def _count(old: Iterable[bytes], new: Iterable[bytes], key: Callable[[bytes], bytes]) -> dict[str, int]:
    out = {"added": 0, "removed": 0}
    for sign, _line in merge(old, new, key):
        if sign:
            out["added" if sign > 0 else "removed"] += 1
    return out


def _quads(old: Release | None, new: Release, base: str, changes: Changes, out: IO[bytes], on_quad: QuadSink | None) -> None:
    """Merge the N-Quads dumps; count quads; write ``thing\\tflag`` records (o: in old, n: in new, c: changed)."""
    ours = b"<" + base.encode() + b"id/"
    pending: dict[bytes, set[bytes]] = {}

    def thing(term: bytes) -> bytes | None:
        if not term.startswith(ours):
            return None
        return term[1:-1].split(b"#", 1)[0]

    def flush() -> None:
        out.write(b"".join(t + b"\t" + f + b"\n" for t, flags in pending.items() for f in flags))
        pending.clear()

    # the merged stream is in key order, so the default graph's quads (key "\t…")
    # all come first: once a named graph is seen, a line ending in the last
    # graph's " <g> .\n" is in that graph, and the key need not be parsed again
    named, graph, tail = False, b"", b""
    last: tuple[bytes, bytes, tuple[bytes, ...]] = (b"", b"", ())
    for sign, line in merge(_lines(old, "dataset.nq"), _lines(new, "dataset.nq"), quad_key):
        flags = (b"o", b"n") if sign == 0 else (b"n", b"c") if sign > 0 else (b"o", b"c")
        if sign:
            changes.quads["added" if sign > 0 else "removed"] += 1
            if on_quad is not None:
                on_quad(sign, line)
        if not (named and line.endswith(tail)):
            graph = quad_key(line).partition(b"\t")[0]
            named, tail = bool(graph), b" " + graph + b" .\n"
        subject = line[:line.index(b" ")]
        if (graph, subject, flags) == last:
            continue  # the same graph, subject and flags as the line before: nothing new to record
        last = (graph, subject, flags)
        for t in (thing(graph), thing(subject)):
            if t is not None:
                pending.setdefault(t, set()).update(flags)
        if len(pending) > _FLUSH:
            flush()
    flush()


def _reduce(ordered: Path, base: str, changes: Changes, cap: int | None, on_thing: ThingSink | None) -> None:
    """Sorted ``thing\\tflag`` records → each thing added, removed or changed."""

    current, flags = b"", set[bytes]()
    with open(ordered, "rb") as fh:
        for line in fh:
            iri, _, flag = line.rstrip(b"\n").partition(b"\t")
            if iri != current:
                _settle(changes, base, current, flags, cap, on_thing)
                current, flags = iri, set()
            flags.add(flag)
    _settle(changes, base, current, flags, cap, on_thing)


def _settle(changes: Changes, base: str, iri: bytes, flags: set[bytes], cap: int | None, on_thing: ThingSink | None) -> None:
    """One thing's flags (o: in old, n: in new, c: a quad of it changed) → added, removed, changed or nothing."""
    if not iri:
        return
    kind = ("changed" if b"c" in flags else None) if b"o" in flags and b"n" in flags else "added" if b"n" in flags else "removed"
    if kind is None:
        return
    text = iri.decode("utf-8")
    cat = category(text, base)
    if cat is None:
        return
    changes.counts[cat][kind] += 1
    if on_thing is not None:
        on_thing(cat, kind, text)
    bucket = changes.items[cat][kind]
    if cap is None or len(bucket) < cap:
        bucket.append(text)
    else:
        changes.truncated = True


class _Dump:
    """A release's sorted dump read through its block index (``kg.release.tagged.Row``): is there a line whose sort key
    starts with a prefix? One block read (and cached) per lookup, instead of a pass over the dump."""

    def __init__(self, path: Path, rows: list[Row], key: Callable[[bytes], bytes]) -> None:
        self.path, self.rows, self.key = path, rows, key
        self.starts = [r.start for r in rows]
        self.cache: dict[int, list[bytes]] = {}

    def _keys(self, k: int) -> list[bytes]:
        if k not in self.cache:
            r = self.rows[k]
            with open(self.path, "rb") as fh:
                fh.seek(r.offset)
                self.cache[k] = [self.key(line) for line in fh.read(r.length).splitlines(keepends=True)]
        return self.cache[k]

    def has(self, prefix: bytes) -> bool:
        k = max(0, bisect.bisect_right(self.starts, prefix) - 1)
        while k < len(self.rows):
            keys = self._keys(k)
            i = bisect.bisect_left(keys, prefix)
            if i < len(keys):
                return keys[i].startswith(prefix)
            k += 1  # every key of this block sorts before the prefix: the next block's first one decides
        return False


def diff_delta(old: Release, new: Release, quads: Delta, triples: Delta, rows: tuple[dict[str, list[Row]], dict[str, list[Row]]],
               *, cap: int | None = None, on_thing: ThingSink | None = None) -> Changes:
    """What ``diff(old, new)`` says, from an incremental build's delta (the quads and triples it added and removed)
    instead of a merge of both releases' dumps.

    A thing touched by an added quad is in ``new``; by a removed one, in ``old``. Touched on one side only,
    whether it is on the other is looked up in that release's dumps through their block index (``rows``: the
    old and the new release's, by dump name): any quad with the thing, or one of its parts, as subject
    (``dataset.nt``, sorted by subject) or as graph (``dataset.nq``, sorted by graph)."""
    changes = Changes(release_summary(old), release_summary(new))
    changes.quads = {"added": len(quads.added), "removed": len(quads.removed)}
    changes.triples = {"added": len(triples.added), "removed": len(triples.removed)}
    ours = b"<" + new.base_iri.encode() + b"id/"
    flags: dict[bytes, set[bytes]] = {}
    for sign, lines in ((b"n", quads.added), (b"o", quads.removed)):
        for line in lines:
            graph = quad_key(line).partition(b"\t")[0]
            for term in (graph, line[:line.index(b" ")]):
                if term.startswith(ours):
                    flags.setdefault(term[1:-1].split(b"#", 1)[0], set()).add(sign)
    dumps = [{"nt": _Dump(r.file("dataset.nt"), side["dataset.nt"], lambda line: line),
              "nq": _Dump(r.file("dataset.nq"), side["dataset.nq"], quad_key)} for r, side in zip((old, new), rows, strict=True)]
    for thing in sorted(flags):
        seen = flags[thing]
        if len(seen) == 1:  # on the other side too? (then changed, not added or removed)
            other = dumps[0] if b"n" in seen else dumps[1]
            iri = b"<" + thing
            if (other["nt"].has(iri + b"> ") or other["nt"].has(iri + b"#") or other["nq"].has(iri + b">\t")
                    or other["nq"].has(iri + b"#")):
                seen.add(b"o" if b"n" in seen else b"n")
        _settle(changes, new.base_iri, thing, seen | {b"c"}, cap, on_thing)
    return changes


def write_patch_line(sign: int, line: bytes) -> bytes:
    """One RDF Patch row (``A``/``D`` then the quad) for an N-Quads line."""
    return (b"A " if sign > 0 else b"D ") + line if line.endswith(b"\n") else (b"A " if sign > 0 else b"D ") + line + b"\n"


def dumps(changes: Changes) -> str:
    return json.dumps(changes.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
