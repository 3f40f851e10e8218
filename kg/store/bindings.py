"""Binding variables of the app's own queries to values, without formatting
user input into query text: values are pyoxigraph terms, whose ``str`` is
their N-Triples form, already validated by the term constructors."""

from __future__ import annotations

import re

from kg.store.base import Term
from kg.store.lexer import keyword, outside_skipped, query_form


def with_bindings(sparql: str, bindings: dict[str, Term] | None) -> str:
    """Bind variables with a trailing VALUES clause (SPARQL 1.1 §10.2.2).

    Values are pyoxigraph terms, whose ``str`` is their N-Triples form, already
    validated by the term constructors: user input never becomes query text.
    """
    if not bindings:
        return sparql
    names = sorted(bindings)
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"bad variable name {name!r}")
    row = " ".join(str(bindings[n]) for n in names)
    return f"{sparql}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"


_GROUP_START = outside_skipped(keyword("WHERE"), r"(\{)", flags=re.IGNORECASE)


def inline_bindings(sparql: str, bindings: dict[str, Term] | None) -> str:
    """Bindings as a ``VALUES`` block at the start of the outermost WHERE group,
    for both stores.

    The same solutions as a trailing ``VALUES`` clause (joining a constant
    table first or last is the same join), written where Virtuoso 7 accepts
    it: its trailing ``VALUES`` fails for ASK, CONSTRUCT and variables not in
    the SELECT list. Falls back to the trailing form when there is no WHERE
    group (``DESCRIBE <iri>``).
    """
    if not bindings:
        return sparql
    trailing = with_bindings(sparql, bindings)  # validates names, renders the block
    block = trailing[len(sparql) + 1 :]
    seen_where = False
    first_brace: int | None = None
    for m in _GROUP_START.finditer(sparql):
        if m.group(2):
            seen_where = True
        elif m.group(3):
            if seen_where:
                return f"{sparql[: m.end()]} {block}\n{sparql[m.end() :]}"
            if first_brace is None:
                first_brace = m.end()
    if first_brace is not None and query_form(sparql) != "graph":  # SELECT * { } / ASK { } without WHERE
        return f"{sparql[:first_brace]} {block}\n{sparql[first_brace:]}"
    return trailing
