"""JSON Schema of the curated files, for editors (``kg schema``).

Generated from the pydantic models, then every field typed ``EntityKey``
(it refers to an entity; ``kg.curation.keys``) gets ``anyOf``: the shared keys of ``entities.yaml`` as an ``enum``
(what editors offer to complete) or any well-formed key of a known kind (an
article may mint its own local keys). Only shared keys are enumerated: an
article-local key used by another article is a warning
(``kg.curation.loader``), so offering them would invite it. A field typed
``NewKey`` mints its key (an entity's ``key``, a membership's
``membership``): it gets the key's form only, as no existing key belongs there.

The published files under ``docs/schema/`` are regenerated with
``kg schema --write docs/schema``; a test checks they equal what the
shipped seeds give.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kg.curation.keys import key_fields, key_models
from kg.curation.model import ArticleFile, EntitiesFile, LinksFile
from kg.curation.problems import ENTITIES_FILE, from_validation
from kg.curation.yamlio import read_yaml
from kg.errors import CurationError
from kg.rdf.iris import ENTITY_KINDS

MODELS: dict[str, type[BaseModel]] = {"article": ArticleFile, "entities": EntitiesFile, "links": LinksFile}
KEY_PATTERN = "^(" + "|".join(sorted(ENTITY_KINDS)) + ")/[a-z0-9][a-z0-9._-]*$"


def shared_keys(seeds_dir: Path) -> list[str]:
    """The keys declared in ``entities.yaml``, sorted; its problems raised as a ``CurationError``."""
    source = read_yaml(Path(seeds_dir) / ENTITIES_FILE)
    try:
        return sorted(e.key for e in EntitiesFile.model_validate(source.data).entities)
    except ValidationError as exc:
        raise CurationError.of(from_validation(source, exc)) from None


KEY_REF = {"$ref": "#/$defs/EntityKey"}


def _key_defs(keys: list[str]) -> dict[str, Any]:
    """``EntityKey``: a shared key (enumerated once, in ``SharedKey``) or a new well-formed one."""
    new = {"type": "string", "pattern": KEY_PATTERN, "description": "a new key: kind/slug, with a known kind"}
    if not keys:
        return {"EntityKey": new}
    return {"SharedKey": {"enum": keys, "description": f"a key declared in {ENTITIES_FILE}"},
            "EntityKey": {"anyOf": [{"$ref": "#/$defs/SharedKey"}, new]}}


def _offered(node: dict[str, Any]) -> dict[str, Any]:
    """A key referring to an entity: ``EntityKey`` (the shared keys offered, or a new one)."""
    return {**{k: v for k, v in node.items() if k in ("title", "description", "default")}, **KEY_REF}


def _minted(node: dict[str, Any]) -> dict[str, Any]:
    """A key the field mints: the form only (no existing key belongs there)."""
    return {**node, "pattern": KEY_PATTERN}


def _is_plain_string(node: dict[str, Any]) -> bool:
    return node.get("type") == "string" and "enum" not in node and "const" not in node


def _rewrite(prop: dict[str, Any], key: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """A key field (string, list of strings, or either or null), its strings made ``key(string)``."""
    if _is_plain_string(prop):
        return key(prop)
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict) and _is_plain_string(prop["items"]):
        return {**prop, "items": key(prop["items"])}
    if "anyOf" in prop:
        return {**prop, "anyOf": [key(b) if _is_plain_string(b) else b for b in prop["anyOf"]]}
    return prop


DATE_SCHEMA = {
    "description": "YYYY, YYYY-MM or YYYY-MM-DD: the precision the text gives",
    "anyOf": [{"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}, {"type": "integer", "minimum": 1900, "maximum": 2100}],
}
_ONE_QUOTE = [{"type": "string", "minLength": 2}, {"$ref": "#/$defs/Quote"}]
QUOTE_SCHEMA = {
    "description": "the article's exact words: a string, {text, occurrence}, or a list of either",
    "anyOf": [*_ONE_QUOTE, {"type": "array", "minItems": 1, "items": {"anyOf": _ONE_QUOTE}}],
}


def _as_written(schema: dict[str, Any]) -> None:
    """What a curator writes, not the parsed model: a date is a string (or a
    year number), a quote may be one string (``kg.curation.model._quotes``)."""
    defs = schema.get("$defs", {})
    if "PartialDate" in defs:
        defs["PartialDate"] = DATE_SCHEMA
    for definition in defs.values():
        props = definition.get("properties", {})
        if "quote" in props:
            props["quote"] = {"title": props["quote"].get("title", "Quote"), **QUOTE_SCHEMA}


def generate(kind: str, keys: list[str]) -> dict[str, Any]:
    """The JSON Schema of one kind of curated file, ``keys`` offered in key fields."""
    schema = MODELS[kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("$defs", {})
    _as_written(schema)
    # pydantic titles each model's definition with the class name
    fields = {m.__name__: key_fields(m) for m in key_models(MODELS[kind])}
    for definition in [schema, *schema.get("$defs", {}).values()]:
        props = definition.get("properties", {})
        for name, use in fields.get(definition.get("title", ""), {}).items():
            props[name] = _rewrite(props[name], _offered if use.refers else _minted)
    schema["$defs"].update(_key_defs(keys))
    return schema


def render(kind: str, keys: list[str]) -> str:
    return json.dumps(generate(kind, keys), ensure_ascii=False, indent=2) + "\n"


def write(directory: Path, keys: list[str]) -> list[Path]:
    """Every schema file into ``directory`` (``<kind>.schema.json``); the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in MODELS:
        path = directory / f"{kind}.schema.json"
        path.write_text(render(kind, keys), encoding="utf-8")
        out.append(path)
    return out


__all__ = ["KEY_PATTERN", "MODELS", "generate", "render", "shared_keys", "write"]
