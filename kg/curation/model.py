"""The schema of curated files, as pydantic models.

A curator writes YAML; these models say what is allowed. They know nothing of
RDF: ``kg.rdf.mapping`` is the one place that turns them into triples. Unknown
fields are errors (a typo must not silently drop a fact). A field holding an
entity key is typed ``EntityKey`` or ``NewKey`` (``kg.curation.keys``), never
a plain string: the reference check and the JSON Schema find key fields by
that type, so the type is the whole declaration.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kg.curation.entity_types import TYPE_KINDS, TYPE_NAMES
from kg.curation.keys import EntityKey, NewKey
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



def _date_field(cls: type, v: object) -> PartialDate | None:
    if v is None or isinstance(v, PartialDate):
        return v
    return PartialDate.parse(v)


class Bilingual(Strict):
    en: str = Field(min_length=1, max_length=500)
    ar: str = Field(min_length=1, max_length=500)


class AltLabels(Strict):
    en: list[Annotated[str, Field(min_length=1, max_length=500)]] = []
    ar: list[Annotated[str, Field(min_length=1, max_length=500)]] = []


EntityType = Literal[TYPE_NAMES]  # type: ignore[valid-type]
"""The ``type:`` of an entity: the names of ``kg.curation.entity_types``, the one table of types."""


class Entity(Strict):
    """Something with a stable IRI: its type, names and where it sits."""

    key: NewKey
    type: EntityType
    label: Bilingual
    alt: AltLabels = AltLabels()
    description: Bilingual | None = None
    within: EntityKey | None = None
    notation: str | None = Field(default=None, max_length=20)
    honorific: Bilingual | None = None
    close_match: list[EntityKey] = []
    """``skos:closeMatch``: a SKOS mapping property, for a concept of *another* scheme."""
    related: list[EntityKey] = []
    """``skos:related``: an associated concept of the same scheme (closeMatch is for other schemes)."""
    note: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _key_kind_matches_type(self) -> Entity:
        # the key is in the IRI for ever: person/… must be an Official wherever the key alone is shown
        kind, want = self.key.split("/", 1)[0], TYPE_KINDS[self.type]
        if kind != want:
            raise ValueError(f"key {self.key!r} has kind {kind!r}, but a {self.type}'s key is {want}/…: "
                             f"use {want}/{self.key.split('/', 1)[1]} or the type its kind is for")
        return self


class Quote(Strict):
    """Verbatim words of the article; ``occurrence`` picks one when they repeat."""

    text: str = Field(min_length=2, max_length=2000)
    occurrence: int | None = Field(default=None, ge=1)


def _quotes(cls: type, v: object) -> object:
    if isinstance(v, str):
        return [{"text": v}]
    if isinstance(v, dict):
        return [v]
    if isinstance(v, list):
        return [{"text": q} if isinstance(q, str) else q for q in v]
    return v


def _slug_id(what: str):  # type: ignore[no-untyped-def]
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

    _q = field_validator("quote", mode="before")(_quotes)

    _i = _slug_id("fact")


class HoldsPost(FactBase):
    kind: Literal["holds_post"]
    person: EntityKey
    post: EntityKey


class Membership(FactBase):
    kind: Literal["membership"]
    membership: NewKey
    member: EntityKey
    organization: EntityKey
    role: EntityKey
    since: PartialDate | None = None
    _d = field_validator("since", mode="before")(_date_field)

    @field_validator("membership")
    @classmethod
    def _minted_kind(cls, v: str) -> str:
        # the key becomes an org:Membership node's IRI: state/qat here would make Qatar a membership
        if not v.startswith("membership/"):
            raise ValueError(f"a membership fact mints its own key, membership/<slug>, not {v!r}")
        return v


class Actor(Strict):
    agent: EntityKey
    role: EntityKey


class Event(FactBase):
    kind: Literal["event"]
    event: EntityKey
    date: PartialDate | None = None
    began: PartialDate | None = None
    """When an ongoing event began (``sem:hasBeginTimeStamp``); with ``as_of``, the
    date it is known to be still going on. An event has ``date`` or ``began``, not both."""
    approximate: bool = False
    not_after: PartialDate | None = None
    as_of: PartialDate | None = None
    place: EntityKey | None = None
    part_of: EntityKey | None = None
    framework: EntityKey | None = None
    actors: list[Actor] = []
    event_types: list[EntityKey] = []
    agreement: EntityKey | None = None
    ratified: EntityKey | None = None
    refines: PartialDate | None = None
    """The date another fact gives this same event, less precisely: this
    fact's ``date`` lies inside it (docs/modelling.md, "Same event, more
    precise date"). The event keeps its key; the precise date is the one stated."""
    _d = field_validator("date", "began", "not_after", "as_of", "refines", mode="before")(_date_field)

    @model_validator(mode="after")
    def _refines_is_coarser(self) -> Event:
        if self.refines is None:
            return self
        if self.date is None:
            raise ValueError("'refines' needs the more precise 'date' of this fact")
        order = ("year", "month", "day")
        finer = order.index(self.date.precision) > order.index(self.refines.precision)
        if not finer or not self.date.text.startswith(self.refines.text):
            raise ValueError(f"date {self.date.text} is not a more precise date inside {self.refines.text} (refines)")
        return self

    @model_validator(mode="after")
    def _approximate_qualifies_a_date(self) -> Event:
        # qn:approximate says "this date is approximate": with no date it would say nothing
        if self.approximate and self.date is None and self.began is None:
            raise ValueError("approximate: true qualifies the event's date: give date: (or began: for an ongoing event) too (the year or month the text supports)")
        return self

    @model_validator(mode="after")
    def _one_kind_of_date(self) -> Event:
        # an ongoing event has a beginning, not a date; a date and a beginning would be two dates
        if self.began is not None and self.date is not None:
            raise ValueError("give date: (when it happened) or began: (when an ongoing event began), not both")
        return self


class Participation(FactBase):
    kind: Literal["participation"]
    event: EntityKey
    agent: EntityKey
    role: EntityKey


class CooperationFact(FactBase):
    kind: Literal["cooperation"]
    cooperation: EntityKey
    partners: list[EntityKey] = Field(min_length=2)


class CooperationArea(FactBase):
    kind: Literal["cooperation_area"]
    cooperation: EntityKey
    area: EntityKey


class Discussed(FactBase):
    kind: Literal["discussed"]
    event: EntityKey
    cooperation: EntityKey


class ChallengeFact(FactBase):
    kind: Literal["challenge"]
    event: EntityKey
    challenge: EntityKey


class PermissionFact(FactBase):
    kind: Literal["permission"]
    agreement: EntityKey
    permission: EntityKey
    grantee: EntityKey
    actions: list[EntityKey] = Field(min_length=1)
    targets: list[EntityKey] = Field(min_length=1)

Fact = Annotated[
    HoldsPost | Membership | Event | Participation | CooperationFact | CooperationArea | Discussed | ChallengeFact | PermissionFact,
    Field(discriminator="kind"),
]


class Claim(Strict):
    """A speaker's claim: recorded as attributed to them, never as a fact."""

    id: str = Field(min_length=1, max_length=100)
    speaker: EntityKey
    quote: list[Quote] = Field(min_length=1)
    summary: Bilingual
    about: list[EntityKey] = []
    note: str | None = Field(default=None, max_length=4000)

    _q = field_validator("quote", mode="before")(_quotes)

    _i = _slug_id("claim")


class ArticleMeta(Strict):
    id: str = Field(min_length=1, max_length=100)
    file: str = Field(pattern=r"^[A-Za-z0-9._-]+\.txt$")
    title: Bilingual
    publisher: EntityKey
    published: PartialDate
    dateline: EntityKey | None = None
    language: Literal["ar"] = "ar"
    url: str | None = Field(default=None, pattern=r"^https?://")
    note: str | None = Field(default=None, max_length=4000)

    _d = field_validator("published", mode="before")(_date_field)

    _i = _slug_id("article")


class ArticleFile(Strict):
    article: ArticleMeta
    entities: list[Entity] = []
    facts: list[Fact] = []
    claims: list[Claim] = []
    # fact/claim ids are checked unique by the loader, which knows their lines


class EntitiesFile(Strict):
    entities: list[Entity]


class Link(Strict):
    entity: EntityKey
    target: str = Field(
        pattern=r"^(http://www\.wikidata\.org/entity/Q[1-9][0-9]*|http://dbpedia\.org/resource/[^\s<>\"]+|http://sws\.geonames\.org/[1-9][0-9]*/)$"
    )
    source: str = Field(min_length=10, max_length=2000)



class LinksFile(Strict):
    links: list[Link]
