"""Two releases of the test corpus that differ in known ways, in one var/.

Release 1 is ``tests/corpus`` as it is. Release 2, built from a copy:

* Qatar relabelled (``state/qat`` changed);
* the fact ``mba-foreign-minister`` deleted, and the post it named,
  ``post/qat-foreign-minister``, no longer declared (an entity gone, no successor);
* ``person/jens-stoltenberg`` merged into a new key ``person/stoltenberg``
  (every use moved; ``seeds/retired.yaml`` records the merge).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kg.config import Settings
from kg.release.build import build
from kg.release.directory import Release

BASE = "https://qatar-nato.example.org/"
ARTICLE_B = "001_8ef1d1eb9683969b.yaml"
REMOVED_FACT = f"{BASE}id/fact/mofa-2019-03-13-qatar-nato/mba-foreign-minister"
GONE_POST = f"{BASE}id/post/qat-foreign-minister"
MERGED = f"{BASE}id/person/jens-stoltenberg"
SUCCESSOR = f"{BASE}id/person/stoltenberg"
QATAR = f"{BASE}id/state/qat"


def quiet(_line: str) -> None:
    pass


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def second_corpus(seeds: Path) -> None:
    """Change a copy of the corpus as the module docstring says."""
    edit(seeds / "entities.yaml", "    label: {en: Qatar, ar: قطر}", "    label: {en: State of Qatar, ar: قطر}")
    edit(seeds / "entities.yaml", "  - key: post/qat-foreign-minister\n    type: Post\n"
         "    label: {en: Minister of Foreign Affairs of Qatar, ar: وزير الخارجية}\n    within: ministry/qat-mfa\n", "")
    article = seeds / ARTICLE_B
    text = article.read_text(encoding="utf-8")
    start = text.index("  - id: mba-foreign-minister\n")
    end = text.index("  - id: stoltenberg-secretary-general\n")
    article.write_text(text[:start] + text[end:], encoding="utf-8")
    for name in ("entities.yaml", ARTICLE_B, "links.yaml"):
        edit(seeds / name, "person/jens-stoltenberg", "person/stoltenberg")
    (seeds / "retired.yaml").write_text(
        "retired:\n  - {key: person/jens-stoltenberg, replaced_by: person/stoltenberg, note: renamed to the shorter key}\n",
        encoding="utf-8")


@dataclass
class TwoReleases:
    settings: Settings
    first: Release
    second: Release


def build_two(root: Path, corpus: Path) -> TwoReleases:
    seeds = root / "seeds"
    shutil.copytree(corpus, seeds)
    settings = Settings(seeds_dir=seeds, var_dir=root / "var")
    first = build(settings, progress=quiet)
    time.sleep(1.1)  # publication times are to the second (HTTP-date): two releases, two seconds
    second_corpus(seeds)
    second = build(settings, progress=quiet)
    return TwoReleases(settings, first, second)
