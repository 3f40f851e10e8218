"""The entity types a curator may write, with what each is in RDF: one table.

A curated entity's ``type:`` is one of these names; the mapping gives it the
RDF classes of its row, turns its ``within:`` into the row's predicate and
puts it in the row's concept scheme. Adding a type is one row here (a new
class also needs its term in ``kg.rdf.vocab`` and ``ontology/qn.ttl``): the
model's allowed values (``kg.curation.model.EntityType``), hence the JSON
Schema's enum and its error messages, and the mapping (``kg.rdf.mapping``) all
read this table, so no list of names can fall out of step with another.

Why a table of its own, not in the model or the mapping: a type's name and
its classes change together, so they sit in one row (a type the model allows
and the mapping cannot type, or the reverse, cannot be written); the model
reads only ``TYPE_NAMES``, so it keeps saying nothing of RDF and the mapping
stays the one place that turns curated objects into triples.
"""

from __future__ import annotations

from typing import NamedTuple

from rdflib import URIRef

from kg.rdf.vocab import FOAF, ORG, QN, SCHEMA, SEM, SKOS


class Row(NamedTuple):
    """One entity type: the kind of its keys, its ``rdf:type``s, what ``within`` means for it, its concept scheme."""

    kind: str
    """The ``kind/`` its keys start with (``kg.rdf.iris.ENTITY_KINDS``): ``person/…`` is an Official,
    never a State, so a key says what its entity is even where only the key is shown."""
    classes: tuple[URIRef, ...]
    within: URIRef | None
    """The predicate ``within: <key>`` maps to (None: ``within`` says nothing for this type)."""
    scheme: str | None
    """The key of the SKOS concept scheme its entities are concepts of."""


ENTITY_TYPES: dict[str, Row] = {
    "State": Row("state", (QN.State, ORG.FormalOrganization, SCHEMA.Country), None, None),
    "Alliance": Row("alliance", (QN.Alliance, ORG.FormalOrganization), None, None),
    "PartnershipInitiative": Row("initiative", (QN.PartnershipInitiative, ORG.OrganizationalCollaboration), ORG.subOrganizationOf, None),
    "PartnershipProgramme": Row("programme", (QN.PartnershipProgramme, SCHEMA.CreativeWork), None, None),
    "Ministry": Row("ministry", (QN.Ministry, ORG.FormalOrganization), ORG.subOrganizationOf, None),
    "Body": Row("body", (QN.Body, ORG.Organization), ORG.subOrganizationOf, None),
    "NonStateArmedGroup": Row("group", (QN.NonStateArmedGroup, ORG.Organization), None, None),
    "Official": Row("person", (QN.Official, FOAF.Person, SCHEMA.Person), None, None),
    "Post": Row("post", (ORG.Post,), ORG.postIn, None),
    "Place": Row("place", (QN.Place, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "City": Row("place", (QN.Place, SCHEMA.City), SCHEMA.containedInPlace, None),
    "Region": Row("place", (QN.Place, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "MilitaryBase": Row("place", (QN.MilitaryBase, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "Headquarters": Row("place", (QN.Headquarters, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "Meeting": Row("event", (QN.Meeting, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    # a session is part of a meeting, not a meeting: counting qn:Meeting does not count it
    "Session": Row("event", (QN.Session, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Conference": Row("event", (QN.Conference, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Visit": Row("event", (QN.Visit, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Briefing": Row("event", (QN.Briefing, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Speech": Row("event", (QN.Speech, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Signing": Row("event", (QN.Signing, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Ratification": Row("event", (QN.Ratification, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Mediation": Row("event", (QN.Mediation, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "MilitaryOperation": Row("operation", (QN.MilitaryOperation, QN.Event, SEM.Event, SCHEMA.Event), None, None),
    # an event of no more specific kind (e.g. the blockade of Qatar): qn:Event, the events' superclass
    "Event": Row("event", (QN.Event, SEM.Event, SCHEMA.Event), None, None),
    "Agreement": Row("agreement", (QN.Agreement, SCHEMA.CreativeWork), None, None),
    "Permission": Row("permission", (QN.Permission,), None, None),
    "Action": Row("action", (QN.Action,), None, None),
    "CooperationArea": Row("area", (QN.CooperationArea, SKOS.Concept), SKOS.broader, "scheme/cooperation-areas"),
    "Challenge": Row("challenge", (QN.Challenge, SKOS.Concept), SKOS.broader, "scheme/challenges"),
    "RoleType": Row("role", (QN.RoleType, SEM.RoleType, SKOS.Concept), None, "scheme/role-types"),
    "EventType": Row("cameo", (QN.EventType, SEM.EventType, SKOS.Concept), None, "scheme/cameo"),
    "ConceptScheme": Row("scheme", (SKOS.ConceptScheme,), None, None),
    "Cooperation": Row("cooperation", (QN.Cooperation,), None, None),
    "Publisher": Row("publisher", (SCHEMA.Organization, FOAF.Organization), None, None),
    # a state's representation abroad (its mission to NATO, an embassy): an ORG unit of the state
    "Mission": Row("mission", (QN.Mission, ORG.OrganizationalUnit), ORG.unitOf, None),
    "MilitaryRepresentation": Row("mission", (QN.MilitaryRepresentation, QN.Mission, ORG.OrganizationalUnit), ORG.unitOf, None),
    "Office": Row("office", (QN.Office, ORG.OrganizationalUnit), ORG.unitOf, None),
    "MilitaryRank": Row("rank", (QN.MilitaryRank, SKOS.Concept), None, "scheme/military-ranks"),
    # a numbered part of a treaty (Article 10 of the North Atlantic Treaty): within its treaty
    "Provision": Row("provision", (QN.Provision, SCHEMA.CreativeWork), SCHEMA.isPartOf, None),
}

TYPE_NAMES: tuple[str, ...] = tuple(ENTITY_TYPES)
"""The names a curator writes as ``type:``, in the table's order (the order error messages list them in)."""

TYPE_KINDS: dict[str, str] = {name: row.kind for name, row in ENTITY_TYPES.items()}
"""Type name → the kind its keys must have (what the model checks; plain strings, no RDF)."""

MINTED_KINDS = frozenset({"membership"})
"""Key kinds no declared entity has: a fact mints them (a membership fact's ``membership``)."""

__all__ = ["ENTITY_TYPES", "MINTED_KINDS", "TYPE_KINDS", "TYPE_NAMES", "Row"]
