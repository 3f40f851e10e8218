"""Finding a curated quote in its article, verbatim, and where it sits.

Offsets count Unicode code points from the start of the file, boilerplate
included, end exclusive: what W3C Web Annotation's TextPositionSelector
means (https://www.w3.org/TR/annotation-model/#text-position-selector). The
text is never normalised first; the seeds are NFC and BMP-only, so Python
indices, code points and UTF-16 units agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.curation.quote.folded import Match, Near, describe, excerpt, find_folded, line_col, nearest, occurrences

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
    """The quote is not in the text as written (or is ambiguous). For a quote
    not found, carries the nearest passage and the first differing character,
    so a message can point at both the article and the YAML."""

    def __init__(self, message: str, *, quote: str = "", text: str = "", near: Near | None = None,
                 folded: Sequence[Match] = ()) -> None:
        super().__init__(message)
        self.quote, self.text, self.near, self.folded = quote, text, near, tuple(folded)
        self.base = message

    def render(self, yaml_where: str | None = None) -> str:
        """The message, with the YAML line:column of the first difference when the caller knows it."""
        near, text, quote = self.near, self.text, self.quote
        if near is None:
            return self.base
        t_ch = text[near.text_index] if near.text_index < len(text) else None
        q_ch = quote[near.quote_index] if near.quote_index < len(quote) else None
        a_line, a_col = line_col(text, min(near.text_index, len(text)))
        at_yaml = f" (YAML {yaml_where})" if yaml_where else ""
        parts = [
            self.base,
            (f"first difference at quote character {near.quote_index + 1}{at_yaml}: the quote has {describe(q_ch)}, "
             f"the article at {a_line}:{a_col} has {describe(t_ch)}"),
            f"quote: «{excerpt(quote, 0, len(quote), near.quote_index)}»",
            (f"nearest passage (article {'%d:%d' % line_col(text, near.start)}, {near.similarity:.0f}% similar): "
             f"«{excerpt(text, near.start, near.end, near.text_index)}»"),
        ]
        if self.folded:
            m = self.folded[0]
            more = f" (and {len(self.folded) - 1} more)" if len(self.folded) > 1 else ""
            parts.append(f"it matches at {m.line}:{m.column}{more} when hamza/alef forms, taa marbuta, alef maqsura, "
                         f"harakat, tatweel, quote marks and spaces are ignored: paste the article's words "
                         f"(kg quote prints them): «{m.exact}»")
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.render()


def locate(text: str, quote: str, occurrence: int | None = None) -> Span:
    """The span of ``quote`` in ``text``; ambiguity is an error, not a guess."""
    starts = occurrences(text, quote)
    if not starts:
        near = nearest(text, quote)
        raise QuoteNotFound("quote not found verbatim in the article" + ("" if near else f": {_short(quote)!r}"),
                            quote=quote, text=text, near=near, folded=find_folded(text, quote))
    if occurrence is None:
        if len(starts) > 1:
            where = ", ".join("%d:%d" % line_col(text, s) for s in starts)
            raise QuoteNotFound(
                f"quote occurs {len(starts)} times in the article (at {where}); add 'occurrence: N' to pick one: {_short(quote)!r}"
            )
        occurrence = 1
    if occurrence > len(starts):
        raise QuoteNotFound(f"quote occurs {len(starts)} time(s), not {occurrence}: {_short(quote)!r}")
    start = starts[occurrence - 1]
    end = start + len(quote)
    return Span(start, end, quote, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n] + "…"
