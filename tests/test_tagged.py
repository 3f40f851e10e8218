"""kg.release.tagged: the build cache's tagged lines kept in the dumps' blocks; an incremental merge of a few
blocks gives the blocks, dump bytes and delta a full pass over every line gives. Also the CRC-32 combination
(kg.release.blocks.crc32_combine) the gzips' trailers are made with."""

from __future__ import annotations

import hashlib
import io
import os
import random
import zlib
from pathlib import Path

import pytest

from kg.release import blocks, tagged
from kg.release.blocks import crc32_combine, crc32_shift
from kg.release.directory import FileInfo
from kg.release.incremental import tag
from kg.release.merge import Delta, quad_line, triple_line

A, B, C = tag("a.yaml"), tag("b.yaml"), tag("c.yaml")


@pytest.mark.parametrize("sizes", [(0, 0), (0, 5), (5, 0), (1, 1), (3, 1000), (70_000, 123_457), (1 << 20, 17)])
def test_crc32_combine_is_the_crc_of_the_concatenation(sizes: tuple[int, int]) -> None:
    a, b = os.urandom(sizes[0]), os.urandom(sizes[1])
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), crc32_shift(len(b))) == zlib.crc32(a + b)


def test_crc32_combine_over_many_parts() -> None:
    rnd = random.Random(7)
    parts = [rnd.randbytes(rnd.randrange(0, 3000)) for _ in range(50)]
    crc = 0
    for p in parts:
        crc = crc32_combine(crc, zlib.crc32(p), crc32_shift(len(p)))
    assert crc == zlib.crc32(b"".join(parts))


def _sorted(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(sorted(set(lines))))
    return path


def _full(tmp: Path, lines: list[bytes], quads: bool) -> tuple[list[tagged.Row], bytes]:
    out = io.BytesIO()
    rows = tagged.cut(_sorted(tmp / "full.sorted", lines), quads, quad_line if quads else triple_line, out.write)
    return rows, out.getvalue()


def _quad(g: int, s: int, o: int, t: str) -> bytes:
    return f"<g{g}>\t<s{s}> <p> <o{o}>\t{t}\n".encode()


def _corpus(rnd: random.Random, tags: list[str], n: int) -> list[bytes]:
    return [_quad(rnd.randrange(40), rnd.randrange(30), rnd.randrange(5), rnd.choice(tags)) for _ in range(n)]


def _same_blocks(a: list[tagged.Row], b: list[tagged.Row]) -> None:
    """The same blocks (start, graphs, offsets in the dump, digest, counts, inputs); where the tagged lines are may differ."""
    def key(r: tagged.Row) -> tuple:
        return r.start, r.first_graph, r.last_graph, r.offset, r.length, r.digest, r.lines, r.graphs, r.tags
    assert [key(r) for r in a] == [key(r) for r in b]


@pytest.mark.parametrize("seed", range(12))
def test_incremental_merge_equals_a_full_pass(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Random corpora of tagged quads over 40 graphs; one input changed (its lines replaced), one removed, one added:
    merging only the blocks they touch gives the blocks and dump of a full pass over the new lines, the tagged lines
    kept are those lines, and the delta is exactly what appeared and went."""
    monkeypatch.setattr("kg.release.blocks.SPREAD", 3)
    rnd = random.Random(seed)
    tags = [tag(f"{i}.yaml") for i in range(8)]
    before = _corpus(rnd, tags, 300)
    old_dir, work = tmp_path / "old", tmp_path / "work"
    old_dir.mkdir()
    work.mkdir()
    old_rows, old_dump = _full(tmp_path, before, True)
    (tmp_path / "full.sorted").rename(tagged.segment_path(old_dir, "quads.tagged", 0))
    (tmp_path / "old.nq").write_bytes(old_dump)
    edited, removed, added = tags[1], tags[2], tag("new.yaml")
    again = [_quad(rnd.randrange(40), rnd.randrange(30), rnd.randrange(5), t) for t in [edited] * 25 + [added] * 25]
    after = [ln for ln in before if ln[-13:-1].decode() not in (edited, removed)] + again
    changed = frozenset(t.encode() for t in (edited, removed, added))
    delta = Delta()
    merged = tagged.merge(old_rows, old_dir, work, "quads.tagged", _sorted(tmp_path / "new.sorted", again), changed, True,
                          quad_line, tmp_path / "text", delta)
    want_rows, want_dump = _full(tmp_path, after, True)
    _same_blocks(merged.rows, want_rows)
    info = blocks.splice(tmp_path / "new.nq", merged.pieces, tmp_path / "old.nq", tmp_path / "text")
    assert (tmp_path / "new.nq").read_bytes() == want_dump
    assert info == FileInfo(len(want_dump), hashlib.sha256(want_dump).hexdigest())
    assert 0 < merged.rewritten < len(want_rows)  # some blocks copied, not everything merged again
    reader = tagged._Segments(work, "quads.tagged")
    assert b"".join(reader.read(r) for r in merged.rows) == (tmp_path / "full.sorted").read_bytes()
    reader.close()
    old_keys = {quad_line(ln[:-14]) for ln in before}
    new_keys = {quad_line(ln[:-14]) for ln in after}
    assert sorted(delta.added) == sorted(new_keys - old_keys)
    assert sorted(delta.removed) == sorted(old_keys - new_keys)
    assert tagged.totals(merged.rows) == tagged.totals(want_rows)
    assert tagged.totals(want_rows) == (len(new_keys), len({ln.split(b"\t")[0] for ln in after}))


def test_merge_keeps_what_another_input_still_states(tmp_path: Path) -> None:
    """Article a is edited (its lines replaced), c removed: a triple b also states survives a's
    removal; the delta lists only what really appeared or went."""
    old = [f"<s> <p> <shared> .\t{A}\n", f"<s> <p> <shared> .\t{B}\n",  # also stated by b: stays
           f"<s> <p> <only-a> .\t{A}\n",                                 # a no longer says it: removed
           f"<s> <p> <only-b> .\t{B}\n",                                 # untouched input
           f"<s> <p> <only-c> .\t{C}\n",                                 # c removed: removed
           f"<s> <p> <again> .\t{A}\n"]                                  # a says it again: unchanged
    new = [f"<s> <p> <shared> .\t{A}\n", f"<s> <p> <again> .\t{A}\n", f"<s> <p> <new> .\t{A}\n"]
    old_dir, work = tmp_path / "old", tmp_path / "work"
    old_dir.mkdir()
    work.mkdir()
    rows, dump = _full(tmp_path, [ln.encode() for ln in old], False)
    (tmp_path / "full.sorted").rename(tagged.segment_path(old_dir, "triples.tagged", 0))
    (tmp_path / "old.nt").write_bytes(dump)
    delta = Delta()
    merged = tagged.merge(rows, old_dir, work, "triples.tagged", _sorted(tmp_path / "new", [ln.encode() for ln in new]),
                          frozenset({A.encode(), C.encode()}), False, triple_line, tmp_path / "text", delta)
    blocks.splice(tmp_path / "new.nt", merged.pieces, tmp_path / "old.nt", tmp_path / "text")
    assert (tmp_path / "new.nt").read_text().splitlines() == [
        "<s> <p> <again> .", "<s> <p> <new> .", "<s> <p> <only-b> .", "<s> <p> <shared> ."]
    assert delta.added == [b"<s> <p> <new> .\n"]
    assert delta.removed == [b"<s> <p> <only-a> .\n", b"<s> <p> <only-c> .\n"]
    assert merged.rows[0].tags == frozenset({A, B})
    # the previous cache's segment is linked, not changed: a failed build leaves it as it was
    assert tagged.segment_path(old_dir, "triples.tagged", 0).read_bytes() == b"".join(sorted(ln.encode() for ln in old))


def test_rows_round_trip(tmp_path: Path) -> None:
    rows, _ = _full(tmp_path, [_quad(1, 2, 3, A), _quad(1, 2, 4, B), _quad(2, 1, 1, C)], True)
    tagged.save_rows(tmp_path / "t.json", {"dataset.nq": rows})
    assert tagged.load_rows(tmp_path / "t.json") == {"dataset.nq": rows}


def test_compaction_keeps_the_lines_in_block_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.release.tagged.COMPACT_SLACK", 0)
    lines = [_quad(g, 1, 1, A) for g in range(20)]
    rows, _ = _full(tmp_path, lines, True)
    work = tmp_path / "work"
    work.mkdir()
    seg = tagged.segment_path(work, "quads.tagged", 0)
    (tmp_path / "full.sorted").rename(seg)
    with open(seg, "ab") as fh:
        fh.write(b"x" * (seg.stat().st_size * 2))  # unused bytes, as merged-away blocks leave
    out = tagged.compact(rows, work, "quads.tagged")
    assert [p.name for p in tagged.segments(work, "quads.tagged")] == ["quads.tagged.1"]
    reader = tagged._Segments(work, "quads.tagged")
    assert b"".join(reader.read(r) for r in out) == b"".join(sorted(lines))
    reader.close()
