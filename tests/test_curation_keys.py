"""Entity-key fields are typed in the model, and everything that needs to
know which fields hold keys reads those types (issue 18 item 5): the loader's
reference check, the JSON Schema and the list of entity types."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from kg.curation.checks import refs
from kg.curation.loader import load_corpus
from kg.curation.model import Actor, Entity, EntityKey, Link, NewKey, Strict
from kg.curation.schema import generate, shared_keys
from kg.errors import CurationError

A = "000_35b9f4be7a1e8528.yaml"
KEY_REF = "#/$defs/EntityKey"


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


class Probe(Strict):
    """A model whose key fields have names no list anywhere knows."""

    one: EntityKey
    maybe: EntityKey | None = None
    many: list[EntityKey] = []  # noqa: RUF012 - a pydantic field: each instance gets a copy
    nested: list[Actor] = []  # noqa: RUF012 - a pydantic field: each instance gets a copy
    minted: NewKey
    text: str = "person/not-a-reference"


def test_the_reference_walk_follows_the_types_not_the_names() -> None:
    probe = Probe(one="state/qat", maybe="place/doha", many=["state/usa", "alliance/nato"],
                  nested=[Actor(agent="person/x", role="role/host")], minted="membership/m")
    assert list(refs(probe)) == [
        (["one"], "state/qat"), (["maybe"], "place/doha"), (["many", 0], "state/usa"), (["many", 1], "alliance/nato"),
        (["nested", 0, "agent"], "person/x"), (["nested", 0, "role"], "role/host"),
    ]  # a minted key and a plain string are not references
    assert list(refs(Link(entity="state/qat", target="http://www.wikidata.org/entity/Q846", source="a verified source"))) == [
        (["entity"], "state/qat")]
    entity = Entity.model_validate({"key": "place/doha", "type": "City", "label": {"en": "Doha", "ar": "الدوحة"},
                                    "within": "state/qat", "close_match": ["place/x"]})
    assert list(refs(entity)) == [(["within"], "state/qat"), (["close_match", 0], "place/x")]


def test_a_bad_key_in_a_list_is_reported_at_the_item(seeds_copy: Path) -> None:
    """Each malformed key of a list is its own problem, at the item's line and column."""
    line, col = edit(seeds_copy / A, "partners: [state/qat, alliance/nato]", "partners: [state/qat, NATO, Qatar]")
    found = problems(seeds_copy)
    assert [(p.field.split(" ")[0], p.line, p.column) for p in found] == [
        ("facts[2].partners[1]", line, col + len("partners: [state/qat, ")),
        ("facts[2].partners[2]", line, col + len("partners: [state/qat, NATO, ")),
    ], found
    assert all("not an entity key" in p.message and "kind/slug" in p.fix for p in found)


def test_an_undeclared_key_in_links_yaml_is_reported_at_its_value(seeds_copy: Path) -> None:
    line, col = edit(seeds_copy / "links.yaml", "{entity: state/usa, target: \"http://www.wikidata.org/entity/Q30\"",
                     "{entity: state/usx, target: \"http://www.wikidata.org/entity/Q30\"")
    [p] = problems(seeds_copy)
    assert (Path(p.path).name, p.field, p.line, p.column) == ("links.yaml", "links[2].entity", line, col + len("{entity: "))
    assert p.message == "unknown entity 'state/usx'" and "did you mean 'state/usa'" in p.fix


def test_a_membership_key_is_minted_by_its_fact_not_declared(seeds_copy: Path) -> None:
    """``membership:`` names the membership the fact states (docs/adding-an-article.md:
    "a key you mint"): a new one needs no declaration."""
    edit(seeds_copy / A, "membership: membership/qat-ici", "membership: membership/qat-ici-2005")
    assert load_corpus(seeds_copy).warnings == []


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


def _props(schema: dict, model: str) -> dict:
    return schema["$defs"][model]["properties"] if model in schema["$defs"] else schema["properties"]


def test_the_schema_offers_keys_where_the_model_refers_to_an_entity() -> None:
    keys = shared_keys(SEEDS)
    article, entities, links = (generate(kind, keys) for kind in ("article", "entities", "links"))
    assert _props(article, "HoldsPost")["person"]["$ref"] == KEY_REF
    assert {"$ref": KEY_REF} in _props(article, "Actor")["agent"]["anyOf"]  # an agent, or an unnamed group
    assert _props(article, "Claim")["via"]["anyOf"][0]["$ref"] == KEY_REF
    assert _props(article, "Event")["event_types"]["items"]["$ref"] == KEY_REF
    assert {"$ref": KEY_REF} in _props(article, "Event")["place"]["anyOf"]
    assert _props(article, "ArticleMeta")["publisher"]["$ref"] == KEY_REF
    assert {"$ref": KEY_REF} in _props(entities, "Entity")["within"]["anyOf"]
    assert _props(links, "Link")["entity"]["$ref"] == KEY_REF
    # a key that is minted, not referred to: its form only, no shared key offered
    for schema, model, name in ((entities, "Entity", "key"), (article, "Membership", "membership")):
        prop = _props(schema, model)[name]
        assert "$ref" not in prop and prop["type"] == "string" and prop["pattern"].startswith("^("), (model, prop)


def test_entity_types_come_from_one_table() -> None:
    from kg.curation.entity_types import ENTITY_TYPES, TYPE_NAMES
    from kg.rdf import mapping

    assert typing.get_args(Entity.model_fields["type"].annotation) == TYPE_NAMES == tuple(ENTITY_TYPES)
    assert mapping.ENTITY_TYPES is ENTITY_TYPES
    guide = (ROOT / "docs" / "adding-an-article.md").read_text(encoding="utf-8")
    listed = re.search(r"Entity types: `([^`]+)`", guide)
    assert listed and tuple(listed.group(1).split()) == TYPE_NAMES  # the guide lists them all, in order


def test_a_key_whose_kind_is_not_its_types_is_refused(seeds_copy: Path) -> None:
    """``person/…`` is an Official wherever only the key is shown (IRIs, search, errors): a
    key whose kind another type owns is refused at the entity, naming the kind to use."""
    line, _ = edit(seeds_copy / "entities.yaml", "  - key: place/doha\n    type: City", "  - key: place/doha\n    type: State")
    found = [p for p in problems(seeds_copy) if "has kind" in p.message]
    assert [(Path(p.path).name, p.line) for p in found] == [("entities.yaml", line)], found
    assert "key 'place/doha' has kind 'place', but a State's key is state/…" in found[0].message


def test_a_membership_fact_mints_a_membership_key(seeds_copy: Path) -> None:
    line, col = edit(seeds_copy / A, "membership: membership/qat-ici", "membership: state/qat")
    [p] = problems(seeds_copy)
    assert (p.line, p.column) == (line, col + len("membership: ")) and p.field.startswith("facts[") and ".membership" in p.field
    assert "membership/<slug>, not 'state/qat'" in p.message


def test_every_key_kind_belongs_to_a_type_or_is_minted() -> None:
    """``kg.rdf.iris.ENTITY_KINDS`` (what a key may start with) and the types' kinds are one set."""
    from kg.curation.entity_types import MINTED_KINDS, TYPE_KINDS
    from kg.rdf.iris import ENTITY_KINDS

    assert set(TYPE_KINDS.values()) | MINTED_KINDS == ENTITY_KINDS
