"""The shipped seeds, checked generically: whatever number of articles a
curator has added, each text is listed in SHA256SUMS and unchanged, each has
its curated file, and the whole corpus builds into a release that conforms.
No answer is pinned here (tests/corpus is the fixed corpus for that)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import NO_SHARED, SEEDS, SHARED, SHIPPED_SEEDS

from kg.config import Settings
from kg.curation.loader import load_corpus
from kg.release.build import build

pytestmark = pytest.mark.seeds  # 'kg check' runs these

TEXTS = sorted(p.name for p in SHIPPED_SEEDS.glob("*.txt"))


def manifest(seeds: Path = SHIPPED_SEEDS) -> dict[str, str]:
    out = {}
    for line in (seeds / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def test_manifest_lists_every_seed_text() -> None:
    assert sorted(manifest()) == TEXTS
    assert TEXTS, "no seed texts shipped"


@pytest.mark.parametrize("name", TEXTS)
def test_seed_matches_manifest(name: str) -> None:
    assert hashlib.sha256((SHIPPED_SEEDS / name).read_bytes()).hexdigest() == manifest()[name]


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason=NO_SHARED)
@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED / "seeds").glob("*.txt")))
def test_shared_article_is_shipped_byte_identical(name: str) -> None:
    assert (SHIPPED_SEEDS / name).read_bytes() == (SHARED / "seeds" / name).read_bytes()


TEST_ONLY = {"002_cf2049b82e56d8e2.txt"}
"""Article C: a synthetic article written for the tests (issue 22's patterns), never shipped."""


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt") if p.name not in TEST_ONLY))
def test_test_corpus_texts_are_the_shipped_texts(name: str) -> None:
    """The fixed corpus freezes the curation, never the words of an article."""
    assert (SEEDS / name).read_bytes() == (SHIPPED_SEEDS / name).read_bytes()


def test_the_synthetic_article_is_in_the_test_corpus_only() -> None:
    for name in TEST_ONLY:
        assert (SEEDS / name).is_file() and not (SHIPPED_SEEDS / name).exists()


def test_every_seed_has_curated_metadata() -> None:
    corpus = load_corpus(SHIPPED_SEEDS)
    assert sorted(a.doc.article.file for a in corpus.articles) == TEXTS
    for art in corpus.articles:
        assert art.sha256 == manifest()[art.doc.article.file]
        assert art.doc.facts, f"{art.path.name}: an article with no facts"


def test_shipped_seeds_build_into_a_conforming_release(tmp_path: Path) -> None:
    """What ``kg build`` would publish today: curation, mapping and the SHACL gate pass."""
    release = build(Settings(var_dir=tmp_path / "var", seeds_dir=SHIPPED_SEEDS), progress=lambda _line: None)
    corpus = load_corpus(SHIPPED_SEEDS)
    assert len(release.meta["articles"]) == len(corpus.articles)
    assert release.meta["facts"] == sum(len(a.doc.facts) for a in corpus.articles)
