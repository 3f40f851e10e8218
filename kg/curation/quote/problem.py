"""A quote that is not in its article, as a ``Problem`` pointing at the YAML
character where it first differs (line and column), beside the article's
line:column that ``QuoteNotFound`` already names.

Kept apart from the checks so they only say *which* quote failed.
"""

from __future__ import annotations

from kg.curation.quote.verbatim import QuoteNotFound
from kg.curation.yamlio import Source
from kg.curation.yamlpos import char_position
from kg.errors import Problem


def quote_problem(source: Source, loc: list[object], field: str, exc: QuoteNotFound, fix: str) -> Problem:
    """``loc`` is the quote's path in the YAML (``["facts", 3, "quote", 0]``)."""
    pos = None
    if exc.near is not None:
        pos = char_position(source.text, loc, min(exc.near.quote_index, max(len(exc.quote) - 1, 0)))
    if pos is None:
        line, col = source.position(loc)
        return Problem(source.path, line, field, str(exc), col, fix)
    line, column = pos
    return Problem(source.path, line, field, exc.render(f"{line}:{column}"), column, fix)


__all__ = ["quote_problem"]
