"""The entity types a curator may write, with what each is in RDF: one table.

A curated entity's ``type:`` is one of these names; the mapping gives it the
RDF classes of its row, turns its ``within:`` into the row's predicate and
puts it in the row's concept scheme. Adding a type is one row here (a new
class also needs its term in ``kg.vocab`` and ``ontology/qn.ttl``): the
model's allowed values (``kg.curation.model.EntityType``), hence the JSON
Schema's enum and its error messages, and the mapping (``kg.mapping``) all
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

from kg.vocab import FOAF, ORG, QN, SCHEMA, SEM, SKOS


class Row(NamedTuple):
    """One entity type: its ``rdf:type``s, what ``within`` means for it, its concept scheme."""

    classes: tuple[URIRef, ...]
    within: URIRef | None
    """The predicate ``within: <key>`` maps to (None: ``within`` says nothing for this type)."""
    scheme: str | None
    """The key of the SKOS concept scheme its entities are concepts of."""


ENTITY_TYPES: dict[str, Row] = {
    "State": Row((QN.State, ORG.FormalOrganization, SCHEMA.Country), None, None),
    "Alliance": Row((QN.Alliance, ORG.FormalOrganization), None, None),
    "PartnershipInitiative": Row((QN.PartnershipInitiative, ORG.OrganizationalCollaboration), ORG.subOrganizationOf, None),
    "PartnershipProgramme": Row((QN.PartnershipProgramme, SCHEMA.CreativeWork), None, None),
    "Ministry": Row((QN.Ministry, ORG.FormalOrganization), ORG.subOrganizationOf, None),
    "Body": Row((QN.Body, ORG.Organization), ORG.subOrganizationOf, None),
    "NonStateArmedGroup": Row((QN.NonStateArmedGroup, ORG.Organization), None, None),
    "Official": Row((QN.Official, FOAF.Person, SCHEMA.Person), None, None),
    "Post": Row((ORG.Post,), ORG.postIn, None),
    "Place": Row((QN.Place, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "City": Row((QN.Place, SCHEMA.City), SCHEMA.containedInPlace, None),
    "Region": Row((QN.Place, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "MilitaryBase": Row((QN.MilitaryBase, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "Headquarters": Row((QN.Headquarters, SCHEMA.Place), SCHEMA.containedInPlace, None),
    "Meeting": Row((QN.Meeting, SEM.Event, SCHEMA.Event), None, None),
    "Session": Row((QN.Session, QN.Meeting, SEM.Event, SCHEMA.Event), None, None),
    "Conference": Row((QN.Conference, SEM.Event, SCHEMA.Event), None, None),
    "Visit": Row((QN.Visit, SEM.Event, SCHEMA.Event), None, None),
    "Briefing": Row((QN.Briefing, SEM.Event, SCHEMA.Event), None, None),
    "Speech": Row((QN.Speech, SEM.Event, SCHEMA.Event), None, None),
    "Signing": Row((QN.Signing, SEM.Event, SCHEMA.Event), None, None),
    "Ratification": Row((QN.Ratification, SEM.Event), None, None),
    "Mediation": Row((QN.Mediation, SEM.Event), None, None),
    "MilitaryOperation": Row((QN.MilitaryOperation, SEM.Event, SCHEMA.Event), None, None),
    # an event of no more specific kind (e.g. the blockade of Qatar): no qn: class is claimed
    "Event": Row((SEM.Event, SCHEMA.Event), None, None),
    "Agreement": Row((QN.Agreement, SCHEMA.CreativeWork), None, None),
    "Permission": Row((QN.Permission,), None, None),
    "Action": Row((QN.Action,), None, None),
    "CooperationArea": Row((QN.CooperationArea, SKOS.Concept), SKOS.broader, "scheme/cooperation-areas"),
    "Challenge": Row((QN.Challenge, SKOS.Concept), SKOS.broader, "scheme/challenges"),
    "RoleType": Row((QN.RoleType, SEM.RoleType, SKOS.Concept), None, "scheme/role-types"),
    "EventType": Row((QN.EventType, SEM.EventType, SKOS.Concept), None, "scheme/cameo"),
    "ConceptScheme": Row((SKOS.ConceptScheme,), None, None),
    "Cooperation": Row((QN.Cooperation,), None, None),
    "Publisher": Row((SCHEMA.Organization, FOAF.Organization), None, None),
}

TYPE_NAMES: tuple[str, ...] = tuple(ENTITY_TYPES)
"""The names a curator writes as ``type:``, in the table's order (the order error messages list them in)."""

__all__ = ["ENTITY_TYPES", "Row", "TYPE_NAMES"]
