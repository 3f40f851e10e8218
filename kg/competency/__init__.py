"""Competency questions: the SPARQL a user would ask, shipped with the package.

Each ``NN-slug.rq`` starts with ``# title:`` (English) and ``# title-ar:``
comment lines. The tests check each one's answer; the query page offers them
as examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DIR = Path(__file__).parent


@dataclass(frozen=True)
class Question:
    slug: str
    title: str
    title_ar: str
    sparql: str


def questions(directory: Path = DIR) -> list[Question]:
    out = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("# ") and ":" in line:
                key, _, value = line[2:].partition(":")
                meta.setdefault(key.strip(), value.strip())
        out.append(Question(path.stem, meta.get("title", path.stem), meta.get("title-ar", ""), text))
    return out
