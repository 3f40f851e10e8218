"""Finding a curated quote in its article, verbatim, and where it sits.

Offsets count Unicode code points from the start of the file, boilerplate
included, end exclusive: what W3C Web Annotation's TextPositionSelector
means (https://www.w3.org/TR/annotation-model/#text-position-selector). The
text is never normalised first; the seeds are NFC and BMP-only, so Python
indices, code points and UTF-16 units agree.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT = 32
"""Characters of prefix/suffix kept in the TextQuoteSelector, enough to
re-anchor the quote if the text is ever re-encoded."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class QuoteNotFound(ValueError):
    pass


def occurrences(text: str, quote: str) -> list[int]:
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def locate(text: str, quote: str, occurrence: int | None = None) -> Span:
    """The span of ``quote`` in ``text``; ambiguity is an error, not a guess."""
    starts = occurrences(text, quote)
    if not starts:
        raise QuoteNotFound(f"quote not found verbatim in the article: {_short(quote)!r}{_hint(text, quote)}")
    if occurrence is None:
        if len(starts) > 1:
            raise QuoteNotFound(
                f"quote occurs {len(starts)} times in the article; add 'occurrence: N' to pick one: {_short(quote)!r}"
            )
        occurrence = 1
    if occurrence > len(starts):
        raise QuoteNotFound(f"quote occurs {len(starts)} time(s), not {occurrence}: {_short(quote)!r}")
    start = starts[occurrence - 1]
    end = start + len(quote)
    return Span(start, end, quote, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n] + "…"


_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ـ": None, "«": None, "»": None, '"': None, "/": None})


def _hint(text: str, quote: str) -> str:
    """Say when the quote differs only in hamza, tatweel, quote marks or spaces:
    the usual copy-editing slip, which a curator fixes by copying from the seed."""
    folded_q = " ".join(quote.translate(_FOLD).split())
    folded_t = " ".join(text.translate(_FOLD).split())
    if folded_q and folded_q in folded_t:
        return " (it matches if hamza forms, tatweel, quote marks and spaces are ignored: copy it from the seed exactly)"
    return ""
