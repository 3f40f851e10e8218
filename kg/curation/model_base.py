"""The building blocks of the curated files' models: strict models, partial
dates, bilingual text, quotes and the base of every fact.

Kept apart from ``kg.curation.model`` (which assembles them into files) so
each module stays small; ``kg.curation.model`` re-exports every name here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kg.rdf.iris import SLUG_RE

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class PartialDate(Strict):
    """A date with the precision the text gives: a year, a month or a day."""

    text: str

    @property
    def precision(self) -> Literal["year", "month", "day"]:
        m = _DATE_RE.match(self.text)
        assert m
        return "day" if m.group(3) else "month" if m.group(2) else "year"

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        m = _DATE_RE.match(value)
        if not m:
            raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        year, month, day = m.group(1), m.group(2), m.group(3)
        if not 1900 <= int(year) <= 2100:
            raise ValueError(f"year out of range 1900–2100: {value!r}")
        if month and not 1 <= int(month) <= 12:
            raise ValueError(f"month out of range: {value!r}")
        if day:
            date.fromisoformat(value)  # raises ValueError on 2019-02-30
        return cls(text=value)



def date_field(cls: type, v: object) -> PartialDate | None:
    if v is None or isinstance(v, PartialDate):
        return v
    return PartialDate.parse(v)


class Bilingual(Strict):
    en: str = Field(min_length=1, max_length=500)
    ar: str = Field(min_length=1, max_length=500)


class AltLabels(Strict):
    en: list[Annotated[str, Field(min_length=1, max_length=500)]] = []
    ar: list[Annotated[str, Field(min_length=1, max_length=500)]] = []


class Quote(Strict):
    """Verbatim words of the article; ``occurrence`` picks one when they repeat."""

    text: str = Field(min_length=2, max_length=2000)
    occurrence: int | None = Field(default=None, ge=1)


def quotes_field(cls: type, v: object) -> object:
    if isinstance(v, str):
        return [{"text": v}]
    if isinstance(v, dict):
        return [v]
    if isinstance(v, list):
        return [{"text": q} if isinstance(q, str) else q for q in v]
    return v


def slug_id(what: str):  # type: ignore[no-untyped-def]
    """The ``id`` validator of facts, claims and articles: the id is part of their IRIs for ever."""

    def check(cls: type, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError(f"{what} id must be a lowercase slug (a-z, 0-9, '-', '.', '_'): {v!r}")
        return v

    return field_validator("id")(check)


class FactBase(Strict):
    id: str = Field(min_length=1, max_length=100)
    quote: list[Quote] = Field(min_length=1)
    inferred: bool = False
    note: str | None = Field(default=None, max_length=4000)

    _q = field_validator("quote", mode="before")(quotes_field)

    _i = slug_id("fact")
