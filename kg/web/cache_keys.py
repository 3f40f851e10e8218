"""What of a request keys a kept answer (RFC 9111 §4.1): its header fields,
reduced to what the handlers read of them.

Why apart from ``kg.web.render_once``: the keying rule is the part a reader
checks against the handlers (an English page never sent for Arabic, HTML
never for Turtle), and the warm-up's pinned answers are keyed the same way.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import lru_cache
from typing import Any

from starlette.requests import cookie_parser

from kg.rdf.formats import parse_accept
from kg.web.render import LANGUAGES, header_language


def vary_value(name: str, headers: dict[str, str]) -> object:
    """What the handlers read of request header ``name`` (as ``kg.web.render_once``'s docstring says)."""
    return _reduced(name, headers.get(name))


@lru_cache(maxsize=4096)
def _reduced(name: str, value: str | None) -> object:
    """Memoised: a kept answer's lookup reduces the same few ``Accept`` values on every
    request (parsing one was a fifth of a hit's time); the bound keeps a client that
    sends a new value each time from growing it."""
    if name == "accept":
        return tuple((r.type, r.subtype, r.q) for r in parse_accept(value))
    if name == "accept-language":
        return header_language(value)
    if name == "cookie":
        lang = cookie_parser(value or "").get("lang")
        return lang if lang in LANGUAGES else None
    return value


def request_headers(scope: MutableMapping[str, Any]) -> dict[str, str]:
    """Lower-cased names; repeated fields joined as RFC 9110 §5.3 allows."""
    out: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        name, value = k.decode("latin-1").lower(), v.decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out
