"""The curated file ``kg new`` writes for a new text, and the check that it
has been curated before anything is published from it.

The skeleton carries what the tool knows (file name, guessed headline,
publisher, date, URL if given) and marks everything else with
``TODO(kg new)``. Until every marker is gone and the file holds at least one
fact or claim, ``kg validate`` and ``kg build`` refuse it with one message
naming the first marker's line: an uncurated article must never reach a
release, and a placeholder must never be read as a pydantic type error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import Problem
from kg.folding import fold

PLACEHOLDER = "TODO(kg new)"
SCHEMA_LINE = "# yaml-language-server: $schema="
_BOILERPLATE_LINES = 12
"""Headline candidates: the first non-blank lines, where sites put it (and repeat it)."""


_DASH = re.compile(r"\s[-–—]\s?|\s?[-–—]\s")
"""A dash with a space on at least one side: what separates a byline's parts («الدوحة - اليمن اليوم»)."""
_HEADLINE_WORDS = 20
"""Longer unrepeated lines are the body's first paragraph, not a headline (the curated ones have 11 and 13 words)."""
_YEAR = re.compile(r"(?<!\d)(1[89]|20)\d\d(?!\d)")


def looks_like_byline(line: str) -> bool:
    """A dateline or byline, not a headline: short parts separated by dashes
    (place - outlet [- date]: «الدوحة - اليمن اليوم», «بروكسل - المكتب الإعلامي -
    13 مارس 2019»), or a bare date («الأربعاء 13 مارس 2019»). A headline's
    clause after a dash runs longer than four words."""
    words = line.split()
    parts = [p for p in _DASH.split(line) if p.strip()]
    if len(parts) >= 2 and len(words) <= 12 and all(len(p.split()) <= 4 for p in parts):
        return True
    return len(words) <= 5 and bool(_YEAR.search(line)) and not any(c in line for c in ":؟?!")


@dataclass(frozen=True)
class Headline:
    text: str
    line: int
    reason: str


def guess_headline(text: str) -> Headline | None:
    """The line most likely to be the headline. News pages put site chrome
    ('تسجيل الدخول', menus) before it and usually repeat it (page title, then
    the article's heading, sometimes with a suffix such as '"الناتو"'), so:
    the first line of at least three words that another early line repeats
    (folded, one a prefix of the other); else the first line of at least four
    words that does not read as the body's first sentence (a full stop at its
    end, more than 20 words). A byline or dateline is never taken («الدوحة - اليمن اليوم» has
    four words, and a text without a headline starts with one): see
    ``looks_like_byline``. A guess: the skeleton tells the curator to check it."""
    lines = [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), start=1)
             if ln.strip() and not looks_like_byline(ln.strip())][:_BOILERPLATE_LINES]
    words = [(n, ln) for n, ln in lines if len(ln.split()) >= 3 and len(ln) <= 300]
    for a, (n, ln) in enumerate(words):
        fa = fold(ln)
        for m, other in words[a + 1:]:
            fb = fold(other)
            if fa == fb or fa.startswith(fb) or fb.startswith(fa):
                return Headline(ln, n, f"line {n}, repeated at line {m}")
    for n, ln in lines:
        # a headline is not a sentence of the body: no full stop, not a paragraph's length
        if 4 <= len(ln.split()) <= _HEADLINE_WORDS and len(ln) <= 300 and not ln.endswith((".", "。", "…")):
            return Headline(ln, n, f"line {n}, the first line of four words or more (no line is repeated)")
    return None


def schema_line(seeds_dir: Path) -> str:
    """The editor's schema comment: the one the other curated files in
    ``seeds_dir`` use, else a path from there to the shipped schema."""
    for path in sorted(Path(seeds_dir).glob("*.yaml")):
        if path.name in ("entities.yaml", "links.yaml"):
            continue
        with open(path, encoding="utf-8", errors="replace") as fh:
            first = fh.readline().rstrip("\n")
        if first.startswith(SCHEMA_LINE) and first.endswith("article.schema.json"):
            return first
    shipped = Path(__file__).resolve().parents[2] / "docs" / "schema" / "article.schema.json"
    return SCHEMA_LINE + Path(os.path.relpath(shipped, Path(seeds_dir).resolve())).as_posix()


def _q(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one), so any headline is safe."""
    return json.dumps(value, ensure_ascii=False)


def render(*, schema: str, file: str, digest: str, headline: Headline | None, publisher: str | None,
           published: str | None, url: str | None) -> str:
    todo = f"{PLACEHOLDER}: "
    if headline:
        title_note = (f"# CHECK title.ar: guessed from the text ({headline.reason}); if it is not the headline,\n"
                      f"# copy the right line from {file} exactly.\n")
        title_ar = _q(headline.text)
    else:
        title_note = f"# title.ar: no line looked like a headline; copy it from {file} exactly.\n"
        title_ar = _q(todo + "the headline, copied from the text")
    slug_hint = f"{publisher.split('/', 1)[1]}-{published}-" if publisher and published else "outlet-yyyy-mm-dd-"
    return (
        f"{schema}\n"
        f"# Written by 'kg new' for {file} (SHA-256 {digest[:16]}…).\n"
        f"{title_note}"
        f"# Replace every value that starts with '{PLACEHOLDER}' (or delete an optional line):\n"
        "# 'kg validate' and 'kg build' refuse this file until none is left and it has a fact.\n"
        f"# Copy each quote with: kg quote {file} \"words as you would type them\"\n"
        "# Step by step: docs/adding-an-article.md\n"
        "article:\n"
        f"  id: {_q(todo + slug_hint + 'short-slug (stable for ever: it is in the IRIs)')}\n"
        f"  file: {file}\n"
        "  title:\n"
        f"    ar: {title_ar}\n"
        f"    en: {_q(todo + 'your English translation of the headline')}\n"
        f"  publisher: {publisher if publisher else _q(todo + 'publisher/<key>, declared in entities.yaml')}\n"
        f"  published: {published if published else _q(todo + 'YYYY, YYYY-MM or YYYY-MM-DD, the precision the text gives')}\n"
        "  language: ar   # the text's language (BCP 47); Arabic is the one the model takes today\n"
        + (f"  url: {_q(url)}\n" if url else "  # url: only a URL you have seen the text at\n")
        + "  # dateline: place/<key> where the byline places the text (e.g. «بروكسل - …»), if it names one\n"
        + f"  note: {_q(todo + 'where publisher and date come from; what you left out and why')}\n"
        "\n"
        "entities: []   # things only this article mentions (events, agreements …)\n"
        "\n"
        "facts: []\n"
        "\n"
        "claims: []\n"
    )


def _strings(node: Any, loc: tuple[object, ...] = ()) -> Iterator[tuple[tuple[object, ...], str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, (*loc, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, (*loc, i))
    elif isinstance(node, str):
        yield loc, node


def skeleton_problems(source: Any) -> list[Problem]:
    """One problem per ``kg new`` placeholder left in an article file, and one
    if it has no fact and no claim. ``source`` is a ``kg.curation.yamlio.Source``."""
    data = source.data
    out = []
    for loc, value in _strings(data):
        if value.startswith(PLACEHOLDER):
            line, col = source.position(list(loc))
            out.append(Problem(source.path, line, ".".join(str(p) for p in loc),
                               f"not curated yet: still the 'kg new' placeholder {value!r}", col,
                               "replace it (an optional field such as note may be deleted instead)"))
    if not data.get("facts") and not data.get("claims"):
        line, col = source.position(["facts"])
        out.append(Problem(source.path, line, "facts", "no fact and no claim curated yet", col,
                           "add at least one (copy its quote with 'kg quote'), or move this file and its text "
                           "out of the seeds (and their SHA256SUMS line) to build without it"))
    return out


__all__ = ["PLACEHOLDER", "Headline", "guess_headline", "looks_like_byline", "render", "schema_line", "skeleton_problems"]
