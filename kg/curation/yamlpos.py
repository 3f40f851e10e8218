"""Where one character of a YAML string value sits in the file (line:column).

A quote error points at the first character that differs from the article,
in the YAML as well as in the article, so an editor can jump to it. The value
a parser returns has lost its quoting, escapes and line folding, so the
scalar's source is walked beside the value: each value character is matched
to the next source character equal to it. Plain and quoted single-line
scalars (what curators write) map exactly; folded or escaped ones map to the
right character in all but contrived cases, and never past the scalar.

Only run for an error message: PyYAML's composer (nodes with marks), not the
fast loader.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml


def scalar_node(text: str, loc: Iterable[object]) -> yaml.ScalarNode | None:
    """The scalar at ``loc`` (keys and list indexes); a ``{text: …}`` mapping
    at the end of the path stands for its ``text``."""
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    for part in loc:
        node = _child(node, part)
        if node is None:
            return None
    if isinstance(node, yaml.MappingNode):
        node = _child(node, "text")
    return node if isinstance(node, yaml.ScalarNode) else None


def _child(node: yaml.Node | None, part: object) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def char_position(text: str, loc: Iterable[object], index: int) -> tuple[int, int] | None:
    """Line and column (1-based, characters) of character ``index`` of the
    string at ``loc`` in the YAML ``text``; None if there is no such scalar."""
    node = scalar_node(text, loc)
    if node is None:
        return None
    start, end = node.start_mark.index, node.end_mark.index
    src = text[start:end]
    i = 0
    if node.style in ('"', "'"):
        i = 1
    elif node.style in ("|", ">"):
        i = src.find("\n") + 1  # past the block header ('>-', '|2', …)
    value = node.value
    for k, ch in enumerate(value[: index + 1]):
        j = src.find(ch, i)
        if j == -1:
            break  # an escape the walk cannot follow: stay on the last character found
        if k == index:
            i = j
            break
        i = j + 1
    pos = start + min(i, max(len(src) - 1, 0))
    line_start = text.rfind("\n", 0, pos) + 1
    return text.count("\n", 0, pos) + 1, pos - line_start + 1


__all__ = ["char_position", "scalar_node"]
