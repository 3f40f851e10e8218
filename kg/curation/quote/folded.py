"""Finding a quote the way a curator types it, and saying why one does not match.

``kg quote`` and the build's quote errors share this: both fold the words
and the article with ``kg.folding`` (hamza and alef forms, taa marbuta/ha,
alef maqsura/ya, harakat, tatweel, every quote-mark style, whitespace runs),
search the folded text, and map the hit back to the original characters
with ``fold_map``, so what is printed is always the article's exact text,
never the folded form. The build itself still requires the verbatim words
(``kg.curation.quote.verbatim.locate``): folding only finds them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from kg.folding import QUOTE_MARKS, fold_map

_SHIFT = 8
"""Folded characters either side of rapidfuzz's window tried as the quote's start."""


@dataclass(frozen=True)
class Match:
    """A folded hit, as the article writes it."""

    start: int
    end: int
    exact: str
    occurrence: int
    """Which verbatim occurrence of ``exact`` this is (what ``occurrence:`` in the YAML means)."""
    occurrences: int
    line: int
    column: int


@dataclass(frozen=True)
class Near:
    """The article passage nearest a quote, and the first character where they differ."""

    start: int
    end: int
    quote_index: int
    """Index in the quote of the first differing character (len(quote) if the quote ends first)."""
    text_index: int
    """Index in the article of the character it was compared with (len(text) at the end)."""
    similarity: float
    """rapidfuzz partial ratio of the folded forms, 0–100."""


def occurrences(text: str, quote: str) -> list[int]:
    """Start of every verbatim occurrence, overlapping ones included."""
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _trailing(ch: str) -> bool:
    """Characters folded away that belong to the word before them."""
    return ch == "ـ" or unicodedata.category(ch) in ("Mn", "Me")


def _word(ch: str) -> bool:
    """A character of a word (letters, digits, tatweel, marks): a passage never starts or stops between two."""
    return ch.isalnum() or _trailing(ch)


@lru_cache(maxsize=8)
def _folded_text(text: str) -> tuple[str, list[int]]:
    """An article folded once, however many of its quotes fail (the loader reports them all)."""
    return fold_map(text)


def find_folded(text: str, words: str) -> list[Match]:
    """Every place ``words`` occurs in ``text`` once both are folded, in order."""
    folded, origin = _folded_text(text)
    needle, _ = fold_map(words)
    if not needle:
        return []
    lead = words.lstrip()[:1] in QUOTE_MARKS
    trail = words.rstrip()[-1:] in QUOTE_MARKS
    spans: list[tuple[int, int]] = []
    i = folded.find(needle)
    while i != -1:
        start, end = origin[i], origin[i + len(needle) - 1] + 1
        while end < len(text) and _trailing(text[end]):
            end += 1
        if lead:  # typed with its opening quote mark: keep the article's
            while start > 0 and text[start - 1] in QUOTE_MARKS:
                start -= 1
        if trail:
            while end < len(text) and text[end] in QUOTE_MARKS:
                end += 1
        if (start, end) not in spans:
            spans.append((start, end))
        i = folded.find(needle, i + 1)
    out = []
    for start, end in spans:
        exact = text[start:end]
        verbatim = occurrences(text, exact)
        out.append(Match(start, end, exact, verbatim.index(start) + 1, len(verbatim), *line_col(text, start)))
    return out


def nearest(text: str, quote: str) -> Near | None:
    """The passage of ``text`` most like ``quote`` (folded), aligned on the
    quote's first character, and the first verbatim difference from there."""
    fq, qorigin = fold_map(quote)
    ft, torigin = _folded_text(text)
    if not fq or not ft:
        return None
    al = fuzz.partial_ratio_alignment(fq, ft)
    guess = min(max(0, (al.dest_start if al else 0) - (al.src_start if al else 0)), len(ft) - 1)
    best = max(range(max(0, guess - _SHIFT), min(len(ft), guess + _SHIFT + 1)),
               key=lambda s: (_common(fq, ft, s), -abs(s - guess)))
    qi, ti = qorigin[0], torigin[best]
    while qi > 0 and ti > 0 and quote[qi - 1] == text[ti - 1]:  # leading quote marks, tatweel the fold dropped
        qi, ti = qi - 1, ti - 1
    start = max(ti - qi, 0)
    if qi > 0:  # the quote begins with something the article does not have here: the first such character
        base = ti - qi
        j = next(j for j in range(qi) if base + j < 0 or quote[j] != text[base + j])
        q_diff, t_diff = j, max(base + j, 0)
    else:
        k = 0
        while k < len(quote) and ti + k < len(text) and quote[k] == text[ti + k]:
            k += 1
        q_diff, t_diff = k, ti + k
    last = min(best + len(fq), len(ft)) - 1
    end = max(torigin[last] + 1, min(t_diff + 1, len(text)))
    while end < len(text) and _trailing(text[end]):
        end += 1
    # whole tokens: «المادة الـ10», never «المادة الـ» (the quote's length cut the word)
    while 0 < end < len(text) and _word(text[end - 1]) and _word(text[end]):
        end += 1
    while 0 < start < len(text) and _word(text[start - 1]) and _word(text[start]):
        start -= 1
    return Near(start, end, q_diff, t_diff, al.score if al else 0.0)


def _common(a: str, b: str, at: int) -> int:
    n = 0
    while n < len(a) and at + n < len(b) and a[n] == b[at + n]:
        n += 1
    return n


def describe(ch: str | None) -> str:
    """'أ' U+0623 ARABIC LETTER ALEF WITH HAMZA ABOVE: invisible differences made visible."""
    if ch is None:
        return "(end)"
    name = unicodedata.name(ch, "unnamed")
    shown = ch if ch.isprintable() and not ch.isspace() and unicodedata.category(ch) not in ("Mn", "Cf") else ""
    return f"{shown!r} U+{ord(ch):04X} {name}" if shown else f"U+{ord(ch):04X} {name}"


def excerpt(text: str, start: int, end: int, focus: int, width: int = 80) -> str:
    """``text[start:end]``, shortened to ``width`` characters either side of
    ``focus`` if long: the cut is never where the difference is."""
    lo, hi = max(start, focus - width), min(end, focus + width + 1)
    return ("…" if lo > start else "") + text[lo:hi] + ("…" if hi < end else "")


__all__ = ["Match", "Near", "describe", "excerpt", "find_folded", "line_col", "nearest", "occurrences"]
