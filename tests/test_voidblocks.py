"""kg.release.voidblocks: VoID's counts kept per block of dataset.nt give what one pass over the whole dump gives
(kg.release.void.count_union), for a full build and for an incremental one that recounts only the blocks it has not seen."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from kg.release import tagged, voidblocks
from kg.release.merge import triple_line
from kg.release.void import count_union

BASE = "https://example.org/"
PREDICATES = ["<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/2002/07/owl#sameAs>",
              "<https://schema.org/url>", "<http://www.w3.org/2000/01/rdf-schema#label>"]
OBJECTS = ["<https://example.org/ontology#Person>", "<http://www.wikidata.org/entity/Q1>", "<https://news.example/a>",
           '"label"@en', '"تسمية"@ar', "<https://example.org/id/state/qa>", '"5"^^<http://www.w3.org/2001/XMLSchema#integer>']
SUBJECTS = [f"<{BASE}id/{kind}/{i}{frag}>" for kind in ("fact", "person", "article", "claim") for i in range(12)
            for frag in ("", "#evidence-1")]


def _lines(rnd: random.Random, n: int) -> list[bytes]:
    return sorted({f"{rnd.choice(SUBJECTS)} {rnd.choice(PREDICATES)} {rnd.choice(OBJECTS)}{rnd.randrange(4)} .\n".encode()
                   for _ in range(n)})


def _release(tmp: Path, name: str, lines: list[bytes]) -> tuple[Path, list]:
    """The dump and its blocks, cut as the build cuts them."""
    sorted_tagged = tmp / f"{name}.tagged"
    sorted_tagged.write_bytes(b"".join(ln[:-1] + b"\t000000000000\n" for ln in lines))
    out = io.BytesIO()
    rows = tagged.cut(sorted_tagged, False, triple_line, out.write)
    nt = tmp / f"{name}.nt"
    nt.write_bytes(out.getvalue())
    return nt, [r.block() for r in rows]


def _same(a: object, b: object) -> None:
    assert vars(a) == vars(b)


@pytest.mark.parametrize("seed", range(6))
def test_block_counts_equal_one_pass_full_and_incremental(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.release.blocks.SPREAD", 3)
    rnd = random.Random(seed)
    before = _lines(rnd, 400)
    old_nt, old_blocks = _release(tmp_path, "old", before)
    cache, work = tmp_path / "cache", tmp_path / "work"
    cache.mkdir()
    work.mkdir()
    full = voidblocks.count(old_nt, old_blocks, BASE, cache)
    _same(full, count_union(old_nt, BASE, tmp_path))
    # a subject removed, lines added elsewhere: only the blocks not seen before are counted again
    gone = rnd.choice(SUBJECTS).encode()
    after = sorted({ln for ln in before if not ln.startswith(gone + b" ")} | set(_lines(rnd, 40)))
    new_nt, new_blocks = _release(tmp_path, "new", after)
    reads: list[int] = []
    real = voidblocks._count
    monkeypatch.setattr(voidblocks, "_count", lambda text, base: reads.append(len(text)) or real(text, base))
    inc = voidblocks.count(new_nt, new_blocks, BASE, work, cache, old_nt)
    _same(inc, count_union(new_nt, BASE, tmp_path))
    assert 0 < len(reads) < len(old_blocks) + len(new_blocks)
