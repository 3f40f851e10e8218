"""Entity keys as a type of their own, and the fields that hold them, read off the models.

Every curated field holding an entity key is typed ``EntityKey`` (it refers
to an entity declared somewhere) or ``NewKey`` (it mints one: an entity's
``key``, a membership fact's ``membership``), alone, optional or in a list,
in any model. The type checks the key's form where pydantic validates the
field, so a malformed key is refused in every field, at its own position
(a list item at its item). The marker in the type (``KeyUse``) is what the
rest reads: the loader's reference check walks ``refs`` and the JSON Schema
(``kg.curation.schema``) finds its key fields with ``key_fields``; neither
keeps a list of field names, so a field added to a model with one of these
types is checked and offered completion with no other change, and a field
a list forgot cannot go unchecked.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, Field

from kg.rdf.iris import is_valid_key


@dataclass(frozen=True)
class KeyUse:
    """Marks a field's type as an entity key: ``refers`` if it names an entity
    that must be declared (an unknown one is a curation error), not if the
    field itself declares or mints the key."""

    refers: bool


def check_key(value: str) -> str:
    """The key, if it has the form kind/slug with a known kind (``kg.rdf.iris``)."""
    if not is_valid_key(value):
        raise ValueError(f"not an entity key of the form kind/slug with a known kind: {value!r}")
    return value


_FORM = Field(min_length=3, max_length=200)
EntityKey = Annotated[str, _FORM, AfterValidator(check_key), KeyUse(refers=True)]
"""The key of an entity declared in entities.yaml or an article's ``entities:``."""
NewKey = Annotated[str, _FORM, AfterValidator(check_key), KeyUse(refers=False)]
"""A key this field mints: it needs no declaration elsewhere."""

Shape = KeyUse | None
"""Per field: its ``KeyUse`` (one key or a list of keys), or None for a field holding models that hold keys."""


def _use(annotation: Any, metadata: tuple[object, ...] = ()) -> KeyUse | None:
    """The ``KeyUse`` of a key-typed annotation (also inside ``X | None``)."""
    for m in metadata:
        if isinstance(m, KeyUse):
            return m
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *more = get_args(annotation)
        return _use(inner, tuple(more))
    if origin in (Union, types.UnionType):
        return next((u for a in get_args(annotation) if (u := _use(a)) is not None), None)
    return None


def _items(annotation: Any) -> Any:
    """The item type of a list annotation (also inside ``Annotated``/``| None``), else None."""
    origin = get_origin(annotation)
    if origin is list:
        return get_args(annotation)[0]
    if origin is Annotated:
        return _items(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return next((i for a in get_args(annotation) if (i := _items(a)) is not None), None)
    return None


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation may hold, in lists and unions too."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in get_args(annotation) for m in _models(a)]


@cache
def plan(cls: type[BaseModel]) -> tuple[tuple[str, Shape], ...]:
    """The fields of ``cls`` that hold keys, directly or in the models they hold, in field order."""
    out: list[tuple[str, Shape]] = []
    for name, info in cls.model_fields.items():
        use = _use(info.annotation, tuple(info.metadata))
        if use is None and (item := _items(info.annotation)) is not None:
            use = _use(item)
        if use is not None:
            out.append((name, use))
        elif any(plan(m) for m in _models(info.annotation)):
            out.append((name, None))
    return tuple(out)


def key_fields(cls: type[BaseModel]) -> dict[str, KeyUse]:
    """The fields of ``cls`` itself typed as a key or a list of keys."""
    return {name: use for name, use in plan(cls) if use is not None}


def key_models(cls: type[BaseModel]) -> list[type[BaseModel]]:
    """``cls`` and every model it holds keys through (an article's facts, an event's actors), each once."""
    out = [cls]
    for name, use in plan(cls):
        if use is None:
            for inner in _models(cls.model_fields[name].annotation):
                out += [m for m in key_models(inner) if m not in out]
    return out


def refs(item: BaseModel) -> Iterator[tuple[list[object], str]]:
    """Every key ``item`` refers to (fields typed ``EntityKey``, at any depth), with its location under the item."""
    for name, use in plan(type(item)):
        yield from _walk(getattr(item, name), use, [name])


def _walk(value: object, use: Shape, loc: list[object]) -> Iterator[tuple[list[object], str]]:
    if isinstance(value, BaseModel):
        for sub, key in refs(value):
            yield loc + sub, key
    elif isinstance(value, list):
        for j, v in enumerate(value):
            yield from _walk(v, use, [*loc, j])
    elif isinstance(value, str) and use is not None and use.refers:
        yield loc, value


__all__ = ["EntityKey", "KeyUse", "NewKey", "check_key", "key_fields", "key_models", "plan", "refs"]
