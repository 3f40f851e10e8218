"""The seeds are byte-identical copies of the shared articles."""

from __future__ import annotations

import hashlib

import pytest

from conftest import SEEDS, SHARED


def manifest() -> dict[str, str]:
    out = {}
    for line in (SEEDS / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, name = line.split(maxsplit=1)
        out[name] = digest
    return out


def test_manifest_lists_every_seed_text() -> None:
    assert sorted(manifest()) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(manifest()) == 2


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_matches_manifest(name: str) -> None:
    assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == manifest()[name]


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not beside the checkout")
@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_is_byte_identical_to_shared(name: str) -> None:
    assert (SEEDS / name).read_bytes() == (SHARED / "seeds" / name).read_bytes()


def test_every_seed_has_curated_metadata() -> None:
    from kg.curation import load_corpus

    corpus = load_corpus(SEEDS)
    assert sorted(a.doc.article.file for a in corpus.articles) == sorted(manifest())
    for art in corpus.articles:
        assert art.sha256 == manifest()[art.doc.article.file]
