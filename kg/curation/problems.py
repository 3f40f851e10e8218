"""Curation mistakes as ``Problem`` lines that say what to do.

pydantic reports every field error of a file at once; each becomes one
problem at the position of the field (``kg.curation.yamlio.position_of``),
with a fix chosen by the kind of error: the field a typo meant, the date
forms, the known key kinds. Unknown entity keys get the nearest declared
key, found with the same folding and fuzzy score as the search
(``kg.folding``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from rapidfuzz import process

import kg.curation.model as m
from kg.curation.yamlio import Source, drop_union_tags, field_path
from kg.errors import Problem
from kg.folding import fold

ENTITIES_FILE = "entities.yaml"


def _field_names() -> list[str]:
    names: set[str] = set()
    for obj in vars(m).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            names.update(obj.model_fields)
    return sorted(names)


FIELD_NAMES = _field_names()

DATE_FIX = "write YYYY, YYYY-MM or YYYY-MM-DD, as precise as the text is (and no more)"
KEY_FIX = "write kind/slug, e.g. person/jens-stoltenberg ('kg entities kinds' lists the kinds, 'kg entities search' finds existing keys)"

_FIX_BY_TYPE = {
    "missing": "add it",
    "string_type": "write text here (quote it if it looks like a number, date or yes/no)",
    "string_too_short": "write more: it is shorter than allowed",
    "string_too_long": "shorten it",
    "string_pattern_mismatch": "write it in the form asked for",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "greater_than_equal": "write a number at least as large as asked for",
    "list_type": "write a list (one '- item' per line, or [a, b])",
    "too_short": "add items: the list is shorter than allowed",
    "dict_type": "write a mapping (one 'field: value' per line)",
    "model_type": "write a mapping (one 'field: value' per line)",
    "model_attributes_type": "write a mapping (one 'field: value' per line)",
    "literal_error": "use one of the values listed",
    "union_tag_invalid": "use one of the kinds listed",
    "union_tag_not_found": "add 'kind:' (one of holds_post, membership, event, participation, cooperation, cooperation_area, discussed, challenge, permission)",
}


def _fix_for(err: ErrorDetails, loc: list[object]) -> str:
    kind, msg = err["type"], str(err.get("msg", ""))
    if kind == "literal_error" and isinstance(err.get("input"), str):
        allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        close = difflib.get_close_matches(err["input"], allowed, n=1, cutoff=0.6)
        if close:
            return f"did you mean '{close[0]}'? otherwise use one of the values listed"
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        close = difflib.get_close_matches(name, FIELD_NAMES, n=1, cutoff=0.75)
        return f"did you mean '{close[0]}'? otherwise remove it" if close else "remove it or check its spelling (see docs/schema/)"
    if "refines" in msg:
        return "give 'date' the date this article states and 'refines' the coarser date another fact gives (docs/adding-an-article.md)"
    if "approximate" in msg:
        return "give 'date' (as precise as the text supports) or remove 'approximate'"
    if "YYYY" in msg or "out of range" in msg or "day is out of range" in msg:
        return DATE_FIX
    if "entity key" in msg:
        return KEY_FIX
    if "slug" in msg:
        return "use lowercase letters, digits, '-', '.', '_' only"
    return _FIX_BY_TYPE.get(kind, "see docs/adding-an-article.md for the form of this field")


def from_validation(source: Source, exc: ValidationError, prefix: tuple[object, ...] = ()) -> list[Problem]:
    """Every error pydantic found in ``source``, one problem each, with its
    position. ``prefix`` is where the validated part sits in the file."""
    raw = source.tree
    out: list[Problem] = []
    for err in exc.errors():
        loc = [*prefix, *(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))]
        loc = drop_union_tags(loc, raw)
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "literal_error":
            msg = f"{err['input']!r} is not allowed; {msg}"
        if err["type"] == "union_tag_invalid":
            msg = f"unknown kind; {msg}"
            loc = [*loc, "kind"]
        at_key = err["type"] in ("extra_forbidden", "missing")
        line, col = source.position(loc[:-1] if err["type"] == "missing" else loc, at_key=at_key)
        field = field_path(loc, raw) or "document"
        out.append(Problem(source.path, line, field, msg, col, _fix_for(err, loc)))
    return out


def nearest_key(key: str, known: Iterable[str]) -> str | None:
    """The declared key a misspelt ``key`` most likely meant (same kind
    first), or None when nothing is close."""
    keys = list(known)
    kind = key.split("/", 1)[0]
    same_kind = [k for k in keys if k.startswith(kind + "/")] or keys
    if not same_kind:
        return None
    hit = process.extractOne(fold(key), [fold(k) for k in same_kind], score_cutoff=75)
    return same_kind[hit[2]] if hit else None


def unknown_key_fix(key: str, known: Iterable[str], where: dict[str, str] | None = None) -> str:
    near = nearest_key(key, known)
    declare = f"declare it in {ENTITIES_FILE} (or the article's entities: if only this article uses it)"
    if near:
        at = f" ({where[near]})" if where and near in where else ""
        return f"did you mean '{near}'{at}? otherwise {declare}"
    return declare


def sort_problems(problems: list[Problem], order: dict[Path | str, int] | None = None) -> list[Problem]:
    """File order (as read), then line and column: the order a curator fixes them in."""
    order = order or {}

    def rank(p: Problem) -> tuple[Any, ...]:
        return (order.get(p.path, len(order)), str(p.path), p.line or 0, p.column or 0)

    seen: set[str] = set()
    out = []
    for p in sorted(problems, key=rank):
        if str(p) not in seen:  # one mistake found two ways is reported once
            seen.add(str(p))
            out.append(p)
    return out


__all__ = ["DATE_FIX", "FIELD_NAMES", "KEY_FIX", "from_validation", "nearest_key", "sort_problems", "unknown_key_fix"]
