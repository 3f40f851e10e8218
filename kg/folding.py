"""Folding text for finding things by what a person types, not by its bytes.

One module so that the curator's tools (``kg quote``, ``kg entities search``)
and the readers' search and reconciliation agree on what "the same words"
means. Folding is for *finding* only: quotes, labels and offsets are always
the original text.

What is folded, and why:

- Arabic spelling variants writers and keyboards mix freely: hamza carriers
  and alef forms (أ إ آ ٱ → ا, ؤ → و, ئ → ي), taa marbuta (ة → ه), alef
  maqsura (ى → ي), harakat and other combining marks, tatweel (ـ), Arabic
  presentation forms (via NFKD), Arabic-Indic digits (٢٠٠٥ → 2005).
- Latin: case (``str.casefold``) and accents (é → e).
- Every quote-mark style (" ' “ ” „ « » ‹ › ‘ ’ …) is dropped; invisible
  format characters (ZWNJ, bidi marks) are dropped; each run of whitespace is
  one space, none at either end.

``fold_map`` also returns, for each folded character, the index of the
original character it came from, so a match in folded text maps back to the
exact original span to quote.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

QUOTE_MARKS = frozenset("\"'`´“”„‟«»‹›‘’‚‛″＂＇〝〞")

_LETTERS = {
    "ٱ": "ا",  # alef wasla (NFKD keeps it)
    "ة": "ه",  # taa marbuta
    "ى": "ي",  # alef maqsura
    "ی": "ي",  # Farsi yeh, often typed for yaa
    "ک": "ك",  # keheh
    "ـ": "",  # tatweel
}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """The folded form of one character: zero, one or more characters; a
    whitespace character folds to a single space (runs are merged later)."""
    if ch.isspace():
        return " "
    if ch in QUOTE_MARKS:
        return ""
    if ch in _LETTERS:
        return _LETTERS[ch]
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        cat = unicodedata.category(c)
        if cat in ("Mn", "Me", "Cf"):
            continue  # harakat, hamza above/below, accents, ZWNJ, bidi marks
        if c in _LETTERS:
            out.append(_LETTERS[c])
            continue
        if cat == "Nd":
            out.append(str(unicodedata.decimal(c)))
            continue
        if c.isspace():
            out.append(" ")
            continue
        out.append(c.casefold())
    return "".join(out)


def fold_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded, and for each folded character the index in ``text``
    of the character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if c == " " and (not chars or chars[-1] == " "):
                continue  # one space per run, none leading
            chars.append(c)
            origin.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


class _Table(dict):
    """A ``str.translate`` table filled on first sight of each character: the
    translation itself then runs in C (an index folds every name it holds)."""

    def __init__(self, fold_char) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.fold_char = fold_char

    def __missing__(self, code: int) -> str:
        value = self[code] = self.fold_char(chr(code))
        return value


_FOLD = _Table(_fold_char)
_FOLD_WORDS = _Table(lambda ch: "".join(" " if unicodedata.category(c).startswith("P") else c for c in _fold_char(ch)))


def fold(text: str) -> str:
    """``text`` folded (see the module docstring): ``fold_map(text)[0]``
    without the offsets."""
    return " ".join(text.translate(_FOLD).split())


def fold_words(text: str) -> str:
    """``text`` folded, and every punctuation mark a word break: how names are
    compared by search (``kg.query.search_index``), where ``Secretary-General``,
    ``Qatar–NATO`` and ``(IPCP)`` are words a person types without their
    hyphens and brackets. Quotes are matched with ``fold``, which keeps them."""
    return " ".join(text.translate(_FOLD_WORDS).split())


def distance(a: str, b: str) -> int:
    """Edit distance (Levenshtein) between two texts after folding."""
    return Levenshtein.distance(fold(a), fold(b))


def score(query: str, label: str) -> float:
    """How well ``label`` answers ``query``, from 0 to 1, both folded first.

    Ranked so that a person's expectations hold: the exact label first, then
    labels it begins, then labels holding it as a word or part, then spelling
    variants by edit distance, word by word (``شتولتنبرغ`` → ``ينس
    ستولتنبرغ``, ``Stoltenburg`` → ``Jens Stoltenberg``). Below about 0.6 a
    match is noise."""
    return score_folded(fold(query), fold(label))


def score_folded(q: str, lab: str) -> float:
    """``score`` for texts already folded: an index folds each label once, at
    build time, and then scores thousands of them per query without folding
    them again."""
    if not q or not lab:
        return 0.0
    if q == lab:
        return 1.0
    if lab.startswith(q):
        return 0.95
    words = lab.split(" ")
    if any(w.startswith(q) for w in words):
        return 0.92
    if q in lab:
        return 0.9
    whole = fuzz.ratio(q, lab) / 100
    q_words = [_bare(w) for w in q.split(" ")]
    l_words = [_bare(w) for w in words]
    # each query word against its best label word, then averaged: typing one
    # name of a person, or a misspelt one, still finds the person; the Arabic
    # article is no difference («الحلف» is the word «حلف» of «مقر حلف الناتو»)
    per_word = sum(max(fuzz.ratio(qw, w) for w in l_words) for qw in q_words) / (100 * len(q_words))
    return round(0.85 * max(whole, per_word), 4)


_ARTICLE = ("وال", "بال", "فال", "كال", "لل", "ال")
"""The definite article, alone or after a one-letter proclitic (و ب ف ك; لـ + ال is written «لل»)."""


def _bare(word: str) -> str:
    """A folded word without its definite article, when enough of a word is left."""
    for prefix in _ARTICLE:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix):]
    return word


__all__ = ["QUOTE_MARKS", "distance", "fold", "fold_map", "fold_words", "score", "score_folded"]
