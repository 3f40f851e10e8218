"""The mapping of the patterns real news needs beyond plain facts (issue 22):
when and where a claim was made, unnamed sources and the reporting chain,
stance, acting on behalf of a party, unnamed groups of actors, ranks, counts
and planned events. ``kg.rdf.mapping.Mapper`` mixes these in; they emit triples
the way its own methods do, and docs/modelling.md says why each term.

Nothing here mints an entity: an unnamed source or group is a node inside the
claim or event that mentions it (``{claim}#source``, ``{event}#group-{id}``),
so no fake person ever gets an IRI of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.curation.model import Actor, Bilingual, Claim, CountFact, Event, PartialDate, RankFact
from kg.rdf.iris import Iris
from kg.rdf.vocab import FOAF, PROV, SCHEMA, SEM, TIME, RdfVocabulary

Triple = tuple[URIRef, URIRef, Any]

CITED_SOURCE_ROLE = "role/cited-source"
"""The role (``prov:hadRole``) of the agency or outlet an article cites for a claim."""

STANCES: dict[str, str] = {
    "denial": "Denial", "hedge": "Hedge", "aspiration": "Aspiration",
    "prescription": "Prescription", "plan": "Plan",
}
"""A claim's ``stance:`` → the name of the ontology's individual of ``qn:Stance``."""


def date_literal(d: PartialDate) -> Literal:
    dt = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[d.precision]
    return Literal(d.text, datatype=dt)


def time_position(d: PartialDate) -> URIRef:
    return {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}[d.precision]


def labels(s: URIRef, label: Bilingual) -> Iterator[Triple]:
    for lang in ("en", "ar"):
        yield (s, RDFS.label, Literal(getattr(label, lang), lang=lang))


class PatternMapping:
    """Mixed into ``kg.rdf.mapping.Mapper`` (which gives ``e``, the key → IRI function)."""

    e: Callable[[str], URIRef]
    qn: RdfVocabulary

    # -- claims: who, through whom, when, where, with what stance ----------
    def claim_context(self, c: URIRef, claim: Claim) -> Iterator[Triple]:
        if claim.speaker:
            yield (c, PROV.wasAttributedTo, self.e(claim.speaker))
        elif claim.source:
            src = Iris.part(c, "source")
            yield (c, PROV.wasAttributedTo, src)
            for t in (self.qn.UnnamedSource, PROV.Agent, FOAF.Agent):
                yield (src, RDF.type, t)
            yield from labels(src, claim.source.label)
            if claim.source.affiliation:
                yield (src, SCHEMA.affiliation, self.e(claim.source.affiliation))
        if claim.via:
            att = Iris.part(c, "cited-source")
            yield (c, PROV.qualifiedAttribution, att)
            yield (att, RDF.type, PROV.Attribution)
            yield (att, PROV.agent, self.e(claim.via))
            yield (att, PROV.hadRole, self.e(CITED_SOURCE_ROLE))
        if claim.date:
            yield (c, SCHEMA.dateCreated, date_literal(claim.date))
        if claim.occasion:
            yield (c, self.qn.occasion, self.e(claim.occasion))
        if claim.stance:
            yield (c, self.qn.stance, self.qn[STANCES[claim.stance]])
        yield (c, self.qn.isInferred, Literal(claim.inferred))

    # -- events: unnamed groups, parties represented, planned events --------
    def group_actor(self, event: URIRef, actor: Actor) -> Iterator[Triple]:
        group = actor.group
        assert group is not None
        node = Iris.part(event, f"actor-group-{group.id}-{actor.role.replace('/', '-')}")
        grp = Iris.part(event, f"group-{group.id}")
        yield (event, SEM.hasActor, node)
        yield (node, RDF.type, SEM.Role)
        yield (node, RDF.value, grp)
        yield (node, SEM.roleType, self.e(actor.role))
        if actor.on_behalf_of:
            yield (node, self.qn.onBehalfOf, self.e(actor.on_behalf_of))
        for t in (self.qn.UnnamedGroup, FOAF.Group, FOAF.Agent):
            yield (grp, RDF.type, t)
        yield from labels(grp, group.label)
        if group.affiliation:
            yield (grp, SCHEMA.affiliation, self.e(group.affiliation))

    def event_status(self, event: URIRef, fact: Event, published: PartialDate) -> Iterator[Triple]:
        if fact.planned:
            yield (event, self.qn.planned, Literal(True))
            yield (event, SCHEMA.eventStatus, SCHEMA.EventScheduled)
            if fact.as_of is None:  # planned as of the article (an explicit as_of is stated by the caller)
                yield (event, self.qn.asOf, date_literal(published))
        if fact.under:
            yield (event, self.qn.underAgreement, self.e(fact.under))
        for key in fact.about:
            yield (event, SCHEMA.about, self.e(key))

    # -- facts: ranks and counts, dated like post holdings ------------------
    def _rank(self, art: Any, f: URIRef, fact: RankFact) -> Iterator[Triple]:
        node = Iris.part(f, "rank")
        yield (node, RDF.type, self.qn.RankHolding)
        yield (node, self.qn.rankHolder, self.e(fact.person))
        yield (node, self.qn.rank, self.e(fact.rank))
        yield (node, self.qn.asOf, date_literal(art.doc.article.published))

    def _count(self, art: Any, f: URIRef, fact: CountFact) -> Iterator[Triple]:
        node = Iris.part(f, "count")
        yield (node, RDF.type, self.qn.Count)
        yield (node, RDF.type, SCHEMA.QuantitativeValue)
        yield (node, self.qn.countOf, self.e(fact.subject))
        yield (node, SCHEMA.value, Literal(fact.value, datatype=XSD.integer))
        for lang in ("en", "ar"):
            yield (node, SCHEMA.unitText, Literal(getattr(fact.unit, lang), lang=lang))
        yield (node, self.qn.asOf, date_literal(fact.as_of or art.doc.article.published))


__all__ = ["CITED_SOURCE_ROLE", "STANCES", "PatternMapping", "date_literal", "labels", "time_position"]
