"""Which queries may skip the worker round trip: those bounded by their form.

Why: every query normally runs in a killable worker process, because only a
process can be stopped at the timeout. That round trip (pickle, pipe, wake
the worker, pipe back) is most of a point lookup's cost on this endpoint
(BENCHMARKS.md). A query whose *form* bounds its work needs no killing: it is
answered in-process (``kg.store.executor``).

Bounded here means: the engine finds each result row with one index step and
stops at the row cap, so the work is at most ``max_rows`` index steps. That
holds for exactly one triple pattern, evaluated lazily — pyoxigraph yields
solutions as it walks an index and ``materialise`` stops at the cap — when
nothing can make the engine walk entries *without* yielding them:

- no FILTER, OPTIONAL, UNION, MINUS, GRAPH, BIND, VALUES, subquery, property
  path, blank-node brackets or collections (none of them tokenise here);
- no DISTINCT/REDUCED, ORDER BY, GROUP BY or aggregates (they read everything
  before the first row), no OFFSET (it skips rows it has read), no FROM;
- no variable twice in the pattern (``?x ?p ?x`` walks every triple to find a few).

The grammar accepted is a small subset of SPARQL 1.1's, tokenised
conservatively: anything this module does not recognise — an escape, an
unknown keyword, a second pattern, ``;`` or ``,`` — means "not bounded", and
the query takes the usual path. A wrong "not bounded" only costs time; so
every doubt falls on that side. The text is never rewritten: the engine
parses and answers the very same string either way.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PN_CHARS_BASE = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00B7\u0300-\u036F\u203F-\u2040-"
_PREFIX = f"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:"
_LOCAL = f"(?:[{_PN_CHARS_BASE}_0-9:](?:[{_PN_CHARS}:.]*[{_PN_CHARS}:])?)?"

_TOKEN = re.compile(
    r"(?P<space>\s+|\#[^\n]*)"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<string>\"(?:[^\"\\\n\r])*\"|'(?:[^'\\\n\r])*')"  # no escapes, no long strings: conservative
    r"|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFD]+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<hats>\^\^)"
    f"|(?P<pname>{_PREFIX}{_LOCAL})"
    r"|(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))"
    r"|(?P<word>[A-Za-z]+)"
    r"|(?P<punct>[{}.*])",
    re.DOTALL,
)


def _tokens(sparql: str) -> list[tuple[str, str]] | None:
    """(kind, text) pairs without spaces and comments; None at anything unrecognised."""
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(sparql):
        m = _TOKEN.match(sparql, pos)
        if m is None or m.end() == pos:
            return None
        kind = m.lastgroup
        assert kind is not None
        if kind != "space":
            out.append((kind, m.group()))
        pos = m.end()
    return out


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def word(self, *words: str) -> bool:
        """Consume a keyword (case-insensitive) if it is next."""
        kind, text = self.peek()
        if kind == "word" and text.upper() in words:
            self.i += 1
            return True
        return False


def _term(r: _Reader, position: str) -> str | None:
    """One term of the pattern: its variable name, "" for a constant, None if not accepted."""
    kind, text = r.take()
    if kind == "var":
        return text[1:]
    if kind in ("iri", "pname"):
        return ""
    if position == "p" and kind == "word" and text == "a":
        return ""
    if position != "o":
        return None
    if kind == "number" or (kind == "word" and text in ("true", "false")):
        return ""
    if kind == "string":
        if r.peek()[0] == "lang":
            r.take()
        elif r.peek()[0] == "hats":
            r.take()
            if r.take()[0] not in ("iri", "pname"):
                return None
        return ""
    return None


@lru_cache(maxsize=256)
def is_bounded(sparql: str) -> bool:
    """Whether ``sparql`` is a SELECT or ASK of one triple pattern as described above."""
    if "\\" in sparql:  # \u escapes may spell anything (SPARQL §19.2): not worth reading
        return False
    tokens = _tokens(sparql)
    if tokens is None:
        return False
    r = _Reader(tokens)
    while True:  # prologue
        if r.word("PREFIX"):
            if r.take()[0] != "pname" or r.take()[0] != "iri":
                return False
        elif r.word("BASE"):
            if r.take()[0] != "iri":
                return False
        else:
            break
    if r.word("SELECT"):
        if r.peek() == ("punct", "*"):
            r.take()
        else:
            if r.peek()[0] != "var":
                return False
            while r.peek()[0] == "var":
                r.take()
    elif not r.word("ASK"):
        return False
    r.word("WHERE")
    if r.take() != ("punct", "{"):
        return False
    names = [_term(r, "s"), _term(r, "p"), _term(r, "o")]
    if None in names:
        return False
    variables = [n for n in names if n]
    if len(set(variables)) != len(variables):
        return False
    if r.peek() == ("punct", "."):
        r.take()
    if r.take() != ("punct", "}"):
        return False
    if r.word("LIMIT"):
        kind, text = r.take()
        if kind != "number" or not text.isdigit():
            return False
    return r.peek()[0] == "end"
