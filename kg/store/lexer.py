"""A conservative keyword scan of SPARQL text, without executing or fully parsing it.

Why: Oxigraph has no parse-only API in Python and its engine *does* speak
HTTP for ``SERVICE`` — so we must know whether a query federates before it
reaches the engine; and whether update text names an update operation
(``kg.store.executor``).

The scan follows the SPARQL 1.1 grammar's terminals
(https://www.w3.org/TR/sparql11-query/#grammar): codepoint escapes are
undone first (§19.2, they may spell keywords), then strings, IRIs and
comments are skipped; what is left is matched word by word. It errs on the
side of finding a keyword (a local name such as ``ex:a.SERVICE`` counts):
a false positive refuses a query, a false negative could open a socket.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

IRI_CHARS = r"[^<>\"{}|^`\\\x00-\x20]*"
"""What may stand between ``<`` and ``>`` in an IRIREF (a bare ``<`` with spaces is an operator)."""

_SKIP = (
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'  # long strings (unterminated: skip to end)
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    f"|<{IRI_CHARS}>"  # IRIREF
    r"|\#[^\n]*"  # comment
)
_SKIPPED = re.compile(_SKIP, re.DOTALL)


def keyword(word: str) -> str:
    """A pattern for ``word`` as a bare keyword: not part of a variable, a
    prefixed name or a local name (one capturing group)."""
    return rf"(?<![\w?$:\-])({word})(?![\w:\-])"


def outside_skipped(*wanted: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern matching, left to right, either something skipped (a
    string, an IRI or a comment: group 1) or one of ``wanted`` (groups 2 …),
    so that what is wanted is only ever found outside strings, IRIs and
    comments. The one definition of what is skipped, for every scan of
    SPARQL text here (``scan``, ``kg.store.bindings``, ``kg.store.remote``)."""
    return re.compile(f"({_SKIP})|" + "|".join(wanted), re.DOTALL | flags)


def blank_strings_and_comments(text: str) -> str:
    """``text`` with each string and comment replaced by a space, IRIs kept:
    what is left names things (IRIs, prefixed names) and keywords only."""
    return _SKIPPED.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", text)


_TOKEN = outside_skipped(keyword("[A-Za-z]+"), r"([{}()\[\]])")


def unescape(text: str) -> str:
    """Undo ``\\uXXXX`` / ``\\UXXXXXXXX`` the way a SPARQL parser does before tokenising."""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _ESCAPE.sub(repl, text)


class Scan(NamedTuple):
    keywords: frozenset[str]
    """Upper-cased bare words outside strings, IRIs and comments."""
    depth: int
    """The deepest nesting of ``{ ( [``."""
    form: str | None
    """"select", "ask" or "graph" from the first query-form keyword, if any."""


QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


@lru_cache(maxsize=64)
def scan(sparql: str) -> Scan:
    """Everything the checks need, in one pass over the text.

    Cached: the endpoint asks before a cache lookup and the executor again
    before running the same string, so a query is tokenised once."""
    found: set[str] = set()
    depth = deepest = 0
    form: str | None = None
    for m in _TOKEN.finditer(unescape(sparql)):
        word, bracket = m.group(2), m.group(3)
        if word:
            upper = word.upper()
            found.add(upper)
            if form is None and upper in QUERY_FORMS:
                form = QUERY_FORMS[upper]
        elif bracket in ("{", "(", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif bracket:
            depth = max(0, depth - 1)
    return Scan(frozenset(found), deepest, form)


def keywords(sparql: str) -> frozenset[str]:
    """Upper-cased bare words outside strings, IRIs and comments."""
    return scan(sparql).keywords


def uses_service(sparql: str) -> bool:
    return "SERVICE" in scan(sparql).keywords


def nesting_depth(sparql: str) -> int:
    """The deepest nesting of ``{ ( [`` outside strings, IRIs and comments.

    Oxigraph's parser is recursive: a few thousand nested groups overflow a
    worker's stack. The executor refuses deep nesting before the engine.
    """
    return scan(sparql).depth


def query_form(sparql: str) -> str | None:
    """The query form ("select", "ask" or "graph") from its first form keyword, if any.

    Lets the endpoint negotiate a format (and answer 406 or 304) before the
    query runs; the engine's answer stays authoritative.
    """
    return scan(sparql).form
