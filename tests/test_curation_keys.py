"""Entity-key fields are typed in the model, and everything that needs to
know which fields hold keys reads those types (issue 18 item 5): the loader's
reference check, the JSON Schema and the list of entity types."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from conftest import ROOT
from kg.curation import load_corpus
from kg.curation.model import Entity
from kg.errors import CurationError

A = "000_35b9f4be7a1e8528.yaml"


def edit(path: Path, old: str, new: str) -> tuple[int, int]:
    """Replace the first ``old``; the (line, column) where it stood, 1-based."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    at = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:at].count("\n") + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def problems(seeds: Path) -> list:
    with pytest.raises(CurationError) as info:
        load_corpus(seeds)
    return info.value.problems


@pytest.mark.parametrize(("old", "field"), [
    ("membership: membership/qat-ici", "facts[1].membership"),
    ("cooperation: cooperation/qat-nato\n    partners", "facts[2].cooperation"),
    ("event: event/ici-cg-3\n", "facts[3].event"),
    ("challenge: challenge/syrian-crisis", "facts[18].challenge"),
])
def test_a_bad_key_in_a_field_named_like_its_kind_is_reported_at_the_field(seeds_copy: Path, old: str, field: str) -> None:
    """A fact's kind is in pydantic's error location too: the field of the same
    name (``kind: event`` … ``event:``) must not be taken for it and lost."""
    name = field.rsplit(".", 1)[1]
    line, col = edit(seeds_copy / A, old, old.replace(old.split(": ")[1].split("\n")[0], "Not A Key"))
    [p] = problems(seeds_copy)
    assert (p.field.split(" ")[0], p.line, p.column) == (field, line, col + len(name + ": ")), p
    assert "not an entity key" in p.message


def test_entity_types_come_from_one_table() -> None:
    from kg import mapping
    from kg.entity_types import ENTITY_TYPES, TYPE_NAMES

    assert typing.get_args(Entity.model_fields["type"].annotation) == TYPE_NAMES == tuple(ENTITY_TYPES)
    assert mapping.ENTITY_TYPES is ENTITY_TYPES
    guide = (ROOT / "docs" / "adding-an-article.md").read_text(encoding="utf-8")
    listed = re.search(r"Entity types: `([^`]+)`", guide)
    assert listed and tuple(listed.group(1).split()) == TYPE_NAMES  # the guide lists them all, in order
