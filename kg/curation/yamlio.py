"""Reading one curated YAML file, and finding where a field sits in it.

Two readers: libyaml (fast, plain data) for the build, and ruamel's
round-trip reader (line and column of every key and value) only when a
message needs a position. Profiling showed ruamel's pure-Python parser was
~95 % of curation time; mistakes are rare, so positions are found lazily.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from kg.errors import CurationError

SYNTAX_FIX = "fix the YAML at this spot (indentation, a ':' inside unquoted text, an unclosed bracket or quote)"

Position = tuple[int | None, int | None]
"""(line, column), both 1-based; None where unknown."""


class Source:
    """One curated YAML file: its text, the plain data, and (on first use) the
    round-trip tree that knows where each part was written."""

    def __init__(self, path: Path, text: str, data: dict) -> None:
        self.path, self.text, self.data = path, text, data
        self._tree: Any = None

    @property
    def tree(self) -> Any:
        if self._tree is None:
            self._tree = _read_tree(self.path, self.text)
        return self._tree

    def line(self, loc: Iterable[object]) -> int | None:
        return line_of(self.tree, loc)

    def position(self, loc: Iterable[object], *, at_key: bool = False) -> Position:
        return position_of(self.tree, loc, at_key=at_key)


class _Constructor(RoundTripConstructor):
    """Dates stay strings: ``kg.curation.model.PartialDate`` parses them with
    the precision written, and an impossible day becomes a field error there."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.allow_duplicate_keys = False
    return y


class FastLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml, dates kept as strings (as in the round-trip reader), duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


FastLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str)
FastLoader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node, deep=True))


QUOTED_START_FIX = ("a value that begins with a quote mark must be quoted whole: wrap the whole value in single "
                    "quotes ('…', writing ' inside as '') or start it with another character")
_STARTS_QUOTED = re.compile(r"""^\s*(?:-\s+)?(?:[\w.-]+:\s+)?(["'])(.*?)\1\s*\S""")
"""A line whose value opens with a quote mark and goes on after it closes: YAML
reads the quoted part as the whole value, then stumbles on the rest."""


def _syntax_fix(problem: str, text: str = "", line: int | None = None) -> str:
    if "duplicate" in problem:
        return "keep one of the two keys"
    lines = text.splitlines()
    for n in (line, line - 1 if line else None):  # the mark may sit on the line after
        if n is not None and 0 <= n < len(lines) and _STARTS_QUOTED.match(lines[n]):
            return QUOTED_START_FIX
    return SYNTAX_FIX


def read_yaml(path: Path) -> Source:
    """The file parsed; a file that cannot be read or parsed raises a
    ``CurationError`` with the position of the problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CurationError(path, None, "file", exc.strerror or str(exc), fix="check the file exists and is readable") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CurationError(path, line, "encoding", f"not valid UTF-8 at byte {exc.start} ({exc.reason})",
                            fix="save the file as UTF-8") from None
    try:
        data = yaml.load(text, Loader=FastLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        _read_tree(path, text)  # the round-trip reader's message, where it has one
        mark = exc.problem_mark or exc.context_mark
        problem = f"{exc.problem or exc.context}".strip()
        raise CurationError(path, mark.line + 1 if mark else None, "yaml", problem,
                            column=mark.column + 1 if mark else None,
                            fix=_syntax_fix(problem, text, mark.line if mark else None)) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise CurationError(path, None, "yaml", str(exc).splitlines()[0] if str(exc) else type(exc).__name__, fix=SYNTAX_FIX) from None
    if not isinstance(data, dict):
        raise CurationError(path, 1, "document", "expected a mapping at the top of the file", column=1,
                            fix="start the file with its top-level keys (e.g. 'article:', 'entities:')")
    return Source(path, text, data)


def _read_tree(path: Path, text: str) -> Any:
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = f"{exc.problem or exc.context}".strip()
        raise CurationError(path, mark.line + 1 if mark else None, "yaml", problem,
                            column=mark.column + 1 if mark else None,
                            fix=_syntax_fix(problem, text, mark.line if mark else None)) from None
    except YAMLError as exc:
        raise CurationError(path, None, "yaml", str(exc).splitlines()[0], fix=SYNTAX_FIX) from None
    if not isinstance(data, CommentedMap):
        raise CurationError(path, 1, "document", "expected a mapping at the top of the file", column=1,
                            fix="start the file with its top-level keys (e.g. 'article:', 'entities:')")
    return data


def line_of(node: Any, loc: Iterable[object]) -> int | None:
    """The line (1-based) of the deepest part of ``loc`` present in the YAML tree."""
    return position_of(node, loc, at_key=True)[0]


def position_of(node: Any, loc: Iterable[object], *, at_key: bool = False) -> Position:
    """Line and column (1-based) of the deepest part of ``loc`` present in the
    tree: of its value when that is a scalar (the thing to correct), else of
    its key or list item; ``at_key`` always gives the key's."""
    pos: tuple[int, int] | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            child = node[part]
            scalar = not isinstance(child, (CommentedMap, CommentedSeq))
            pos = node.lc.value(part) if scalar and not at_key else node.lc.key(part)
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = node.lc.item(part)
            node = node[part]
        # other parts are union tags or model-level errors: stay where we are
    if pos is None:
        return None, None
    return pos[0] + 1, pos[1] + 1


def field_path(loc: Iterable[object], raw: Any) -> str:
    """``facts[3].date (id 'cg3')``: the field as a curator finds it."""
    out, node, ident = "", raw, None
    for part in loc:
        if isinstance(node, CommentedSeq) and isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if part < len(node) else None
            if isinstance(node, CommentedMap) and "id" in node:
                ident = node.get("id")
            elif isinstance(node, CommentedMap) and "key" in node:
                ident = node.get("key")
        elif isinstance(node, CommentedMap) and part in node:
            out += ("." if out else "") + str(part)
            node = node[part]
        elif isinstance(part, str) and not isinstance(node, CommentedMap):
            continue
        elif isinstance(part, str):
            out += ("." if out else "") + str(part)
            node = None
    return out + (f" (id {ident!r})" if ident else "")


def drop_union_tags(loc: list[object], raw: Any) -> list[object]:
    """pydantic puts the discriminator value (a fact's ``kind``) into the error
    location; it is not a field, so drop it. It may equal a field name (a
    ``membership`` fact's ``membership``, an ``event`` fact's ``event``): only
    the part right after the mapping's own location is the tag."""
    out: list[object] = []
    node = raw
    tagged = None  # the mapping whose tag was dropped: its next part is a field
    for part in loc:
        if (isinstance(node, CommentedMap) and node is not tagged and "kind" in node
                and part == node.get("kind") and out[-1:] != ["kind"]):
            tagged = node
            continue  # skip the tag, stay on the same mapping
        out.append(part)
        if (isinstance(node, CommentedMap) and part in node) or (isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
        else:
            node = None
    return out


__all__ = ["Position", "Source", "drop_union_tags", "field_path", "line_of", "position_of", "read_yaml"]
