"""The schema of curated files, as pydantic models.

A curator writes YAML; these models say what is allowed. They know nothing of
RDF: ``kg.rdf.mapping`` is the one place that turns them into triples. Unknown
fields are errors (a typo must not silently drop a fact). A field holding an
entity key is typed ``EntityKey`` or ``NewKey`` (``kg.curation.keys``), never
a plain string: the reference check and the JSON Schema find key fields by
that type, so the type is the whole declaration.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from kg.curation.entity_types import TYPE_KINDS, TYPE_NAMES
from kg.curation.keys import EntityKey, NewKey
from kg.curation.model_base import (
    AltLabels,
    Bilingual,
    FactBase,
    PartialDate,
    Quote,
    Strict,
    date_field,
    quotes_field,
    slug_id,
)

EntityType = Literal[TYPE_NAMES]  # type: ignore[valid-type]
"""The ``type:`` of an entity: the names of ``kg.curation.entity_types``, the one table of types."""


ACCREDITABLE = ("Mission", "MilitaryRepresentation", "Post")
"""The entity types that may be ``accredited_to`` a state or an organisation."""


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
    accredited_to: list[EntityKey] = []
    """For a mission, a military representation or a post: the state or organisation it is accredited to."""
    note: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _key_kind_matches_type(self) -> Entity:
        # the key is in the IRI for ever: person/… must be an Official wherever the key alone is shown
        kind, want = self.key.split("/", 1)[0], TYPE_KINDS[self.type]
        if kind != want:
            raise ValueError(f"key {self.key!r} has kind {kind!r}, but a {self.type}'s key is {want}/…: "
                             f"use {want}/{self.key.split('/', 1)[1]} or the type its kind is for")
        return self

    @model_validator(mode="after")
    def _accreditation_of_representations(self) -> Entity:
        if self.accredited_to and self.type not in ACCREDITABLE:
            raise ValueError(f"accredited_to is for a {', '.join(ACCREDITABLE)}; a {self.type} is not accredited")
        return self


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
    _d = field_validator("since", mode="before")(date_field)

    @field_validator("membership")
    @classmethod
    def _minted_kind(cls, v: str) -> str:
        # the key becomes an org:Membership node's IRI: state/qat here would make Qatar a membership
        if not v.startswith("membership/"):
            raise ValueError(f"a membership fact mints its own key, membership/<slug>, not {v!r}")
        return v


class UnnamedGroup(Strict):
    """People an article does not name, acting together (the diplomats of an
    embassy, NATO officials): described where they act, never minted as entities."""

    id: str = Field(min_length=1, max_length=60)
    """Names the group's node inside its event, ``{event}#group-{id}``."""
    label: Bilingual
    affiliation: EntityKey | None = None
    """The organisation they belong to, when the text says (a mission, an alliance)."""

    _i = slug_id("group")


class Actor(Strict):
    """Who took part in an event, and in which role: a declared ``agent`` or an
    unnamed ``group``; ``on_behalf_of`` the party the agent represented (who signed for whom)."""

    agent: EntityKey | None = None
    group: UnnamedGroup | None = None
    role: EntityKey
    on_behalf_of: EntityKey | None = None

    @model_validator(mode="after")
    def _one_actor(self) -> Actor:
        if (self.agent is None) == (self.group is None):
            raise ValueError("an actor is either agent: <key> (a declared entity) or group: {id, label, affiliation?} (unnamed people), not both or neither")
        return self


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
    planned: bool = False
    """As of the article the event has not happened: it is planned ("will be opened")."""
    under: EntityKey | None = None
    """The agreement under which the event takes place (offices opened under an agreement)."""
    about: list[EntityKey] = []
    """What the event concerns, when it is a thing and not an actor (the office to be opened)."""
    refines: PartialDate | None = None
    """The date another fact gives this same event, less precisely: this
    fact's ``date`` lies inside it (docs/modelling.md, "Same event, more
    precise date"). The event keeps its key; the precise date is the one stated."""
    _d = field_validator("date", "began", "not_after", "as_of", "refines", mode="before")(date_field)

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
    on_behalf_of: EntityKey | None = None


class RankFact(FactBase):
    """A person's military rank as of the article (العميد الركن, staff brigadier general)."""

    kind: Literal["rank"]
    person: EntityKey
    rank: EntityKey


class CountFact(FactBase):
    """How many of something a subject had as of a date ("the alliance of 29 countries")."""

    kind: Literal["count"]
    subject: EntityKey
    value: int = Field(ge=0)
    unit: Bilingual
    """What is counted, as a noun phrase in both languages ("member countries", "دولة عضوا")."""
    as_of: PartialDate | None = None
    """When the count held (a day); the article's date when not given."""
    _d = field_validator("as_of", mode="before")(date_field)

    @field_validator("as_of")
    @classmethod
    def _a_day(cls, v: PartialDate | None) -> PartialDate | None:
        if v is not None and v.precision != "day":
            raise ValueError(f"a count holds as of a day (YYYY-MM-DD), not {v.text!r}: leave as_of out to use the article's date")
        return v


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
    HoldsPost | Membership | Event | Participation | CooperationFact | CooperationArea | Discussed | ChallengeFact | PermissionFact
    | RankFact | CountFact,
    Field(discriminator="kind"),
]


Stance = Literal["denial", "hedge", "aspiration", "prescription", "plan"]
"""What a claim does with what it says (docs/modelling.md): rules it out, says it
may be, wishes it, says it should be, says it will be. No stance: it asserts it."""


class UnnamedSource(Strict):
    """A source the article does not name ("a NATO official"): described on the claim, never minted as a person."""

    label: Bilingual
    """How the article describes the source, as a noun phrase: {en: an unnamed NATO official, ar: …}."""
    affiliation: EntityKey | None = None


class Claim(Strict):
    """A speaker's claim: recorded as attributed to them, never as a fact."""

    id: str = Field(min_length=1, max_length=100)
    speaker: EntityKey | None = None
    source: UnnamedSource | None = None
    via: EntityKey | None = None
    """The news agency (or other outlet) the article cites for the claim: the reporting chain."""
    date: PartialDate | None = None
    """When the claim was made, as precisely as the text gives it."""
    occasion: EntityKey | None = None
    """The event at which it was made (a speech, a session, a briefing)."""
    stance: Stance | None = None
    inferred: bool = False
    """True when the speaker, date or occasion is read from the context, not placed by the words; say why in note."""
    quote: list[Quote] = Field(min_length=1)
    summary: Bilingual
    about: list[EntityKey] = []
    note: str | None = Field(default=None, max_length=4000)

    _q = field_validator("quote", mode="before")(quotes_field)
    _d = field_validator("date", mode="before")(date_field)

    _i = slug_id("claim")

    @model_validator(mode="after")
    def _one_speaker(self) -> Claim:
        if (self.speaker is None) == (self.source is None):
            raise ValueError("a claim has speaker: <key> (a declared person or organisation) or source: {label, affiliation?} "
                             "(a source the article does not name), not both or neither")
        if self.inferred and not self.note:
            raise ValueError("inferred: true needs a note saying what the context tells (which words place the claim)")
        return self


class NotArticle(Strict):
    """Words of the seed text that are not the article: the site's navigation,
    an image file name, a comment form. ``text`` is where they begin (verbatim,
    as a quote); ``through``, if given, the last words of the run (the first
    occurrence after ``text``). The text is not changed, so every offset stays
    valid; pages show these words dimmed."""

    text: str = Field(min_length=2, max_length=2000)
    through: str | None = Field(default=None, min_length=1, max_length=2000)
    occurrence: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=1000)


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
    not_article: list[NotArticle] = []

    _d = field_validator("published", mode="before")(date_field)

    _i = slug_id("article")


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
