"""Curated objects → quads: the one place that knows the RDF shape of a fact.

Graphs (see docs/modelling.md):

* ``graph/entities``   what each entity is: types, bilingual labels, where it
  sits (post in organisation, place in place), verified ``owl:sameAs`` links;
* ``graph/articles``   each source article: metadata and its full text;
* ``graph/provenance`` each fact as a ``qn:Fact``: its article, whether it is
  inferred, and its Web Annotation evidence (quote + position selectors); an
  inferred fact also lists each triple it asserts as an ``rdf:Statement``;
* one graph per fact, named by the fact's IRI, holding only what it asserts;
* one graph per claim, named by the claim's IRI, describing only the claim (a
  ``qn:AttributedStatement``): speaker, words, summary, subjects and its own
  evidence; what the speaker said is never itself a triple.

Entity types' classes, ``within`` predicates and concept schemes are the
table in ``kg.curation.entity_types``.

No blank nodes: every node has an IRI (``{thing}#{part}``), so dumps are
byte-stable and every node is dereferenceable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.config import DEFAULT_BASE_IRI
from kg.curation.entity_types import ENTITY_TYPES
from kg.curation.loader import Corpus, LoadedArticle
from kg.curation.model import (
    Bilingual,
    ChallengeFact,
    CooperationArea,
    CooperationFact,
    Discussed,
    Entity,
    Event,
    HoldsPost,
    Link,
    Membership,
    Participation,
    PermissionFact,
)
from kg.errors import BuildError
from kg.rdf.iris import Iris
from kg.rdf.mapping_patterns import PatternMapping, date_literal
from kg.rdf.mapping_patterns import time_position as _time_position
from kg.rdf.vocab import DCT, OA, ORG, PROV, SCHEMA, SEM, SKOS, TIME, rdf_vocabulary

Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]


HOST_ROLE = "role/host"


class Mapper(PatternMapping):
    """Emits quads; one method per kind of input. Reads nothing across files
    but ``within`` (an entity key → the key it sits in) and ``refined`` (an
    event key → its most precise date), so an article can be mapped on its own
    while the corpus streams past (``kg.release.build``)."""

    def __init__(self, within: Callable[[str], str | None], iris: Iris | None = None,
                 refined: Callable[[str], str | None] | None = None) -> None:
        self.within = within
        self.refined = refined or (lambda _key: None)
        """Event key → its most precise date, when a fact refines another's
        (``Event.refines``): the coarser dates are then not stated again."""
        self.iris = iris or Iris()
        self.qn = rdf_vocabulary(self.iris.base)
        """Our terms minted under this mapper's base, once (``kg.rdf.vocab``)."""
        self.types = {name: (tuple(self.qn.bound(t) for t in row.classes), row.within, row.scheme)
                      for name, row in ENTITY_TYPES.items()}
        self.g_entities = self.iris.graph("entities")
        self.g_articles = self.iris.graph("articles")
        self.g_prov = self.iris.graph("provenance")

    @classmethod
    def for_corpus(cls, corpus: Corpus, iris: Iris | None = None) -> Mapper:
        return cls(lambda key: corpus.entities[key].entity.within, iris, corpus.refined.get)

    def e(self, key: str) -> URIRef:
        return self.iris.entity(key)

    def quads(self, corpus: Corpus) -> Iterator[Quad]:
        for located in corpus.entities.values():
            yield from self.entity(located.entity)
        for link in corpus.links:
            yield self.link(link)
        for art in corpus.articles:
            yield from self.article(art)

    def link(self, link: Link) -> Quad:
        return (self.e(link.entity), OWL.sameAs, URIRef(link.target), self.g_entities)

    def article_with_entities(self, art: LoadedArticle) -> Iterator[Quad]:
        """An article and the entities it declares: what one streamed article adds."""
        for ent in art.doc.entities:
            yield from self.entity(ent)
        yield from self.article(art)

    # -- entities -------------------------------------------------------
    def entity(self, ent: Entity) -> Iterator[Quad]:
        g, s = self.g_entities, self.e(ent.key)
        types, within_pred, scheme = self.types[ent.type]
        for t in types:
            yield (s, RDF.type, t, g)
        yield from self._labels(s, ent.label, g)
        for lang in ("en", "ar"):
            for alt in getattr(ent.alt, lang):
                yield (s, SKOS.altLabel, Literal(alt, lang=lang), g)
        if ent.description:
            for lang in ("en", "ar"):
                yield (s, SCHEMA.description, Literal(getattr(ent.description, lang), lang=lang), g)
        if ent.honorific:
            for lang in ("en", "ar"):
                yield (s, SCHEMA.honorificPrefix, Literal(getattr(ent.honorific, lang), lang=lang), g)
        if ent.within and within_pred is not None:
            yield (s, within_pred, self.e(ent.within), g)
        if scheme:
            yield (s, SKOS.inScheme, self.e(scheme), g)
            if not ent.within:
                yield (s, SKOS.topConceptOf, self.e(scheme), g)
                yield (self.e(scheme), SKOS.hasTopConcept, s, g)
        if ent.notation:
            yield (s, SKOS.notation, Literal(ent.notation), g)
        for key in ent.close_match:
            yield (s, SKOS.closeMatch, self.e(key), g)
        for key in ent.related:
            yield (s, SKOS.related, self.e(key), g)
        for key in ent.accredited_to:
            yield (s, self.qn.accreditedTo, self.e(key), g)
        if ent.note:
            yield (s, SKOS.editorialNote, Literal(ent.note, lang="en"), g)

    @staticmethod
    def _labels(s: URIRef, label: Bilingual, g: URIRef) -> Iterator[Quad]:
        for lang in ("en", "ar"):
            lit = Literal(getattr(label, lang), lang=lang)
            yield (s, RDFS.label, lit, g)
            yield (s, SKOS.prefLabel, lit, g)

    # -- articles ---------------------------------------------------------
    def article(self, art: LoadedArticle) -> Iterator[Quad]:
        meta, g, a = art.doc.article, self.g_articles, self.iris.article(art.id)
        for t in (self.qn.Article, SCHEMA.NewsArticle, PROV.Entity):
            yield (a, RDF.type, t, g)
        yield from self._labels(a, meta.title, g)
        yield (a, SCHEMA.headline, Literal(meta.title.ar, lang="ar"), g)
        yield (a, DCT.title, Literal(meta.title.ar, lang="ar"), g)
        yield (a, DCT.identifier, Literal(meta.id), g)
        yield (a, SCHEMA.inLanguage, Literal(meta.language), g)
        yield (a, DCT.language, Literal(meta.language, datatype=XSD.language), g)
        published = date_literal(meta.published)
        yield (a, SCHEMA.datePublished, published, g)
        yield (a, DCT.issued, published, g)
        yield (a, SCHEMA.publisher, self.e(meta.publisher), g)
        yield (a, DCT.publisher, self.e(meta.publisher), g)
        if meta.dateline:
            yield (a, SCHEMA.locationCreated, self.e(meta.dateline), g)
        if meta.url:
            yield (a, SCHEMA.url, URIRef(meta.url), g)
        yield (a, self.qn.originalFileName, Literal(meta.file), g)
        yield (a, self.qn.sha256, Literal(art.sha256), g)
        yield (a, SCHEMA.text, Literal(art.text, lang="ar"), g)
        if meta.note:
            yield (a, SKOS.editorialNote, Literal(meta.note, lang="en"), g)
        for j, item in enumerate(meta.not_article):  # the site's own words, not the article: same text, marked
            span = art.not_article[j]
            sel = URIRef(f"{a}#not-article-{j + 1}")
            yield (a, self.qn.notArticleText, sel, g)
            yield (sel, RDF.type, OA.TextPositionSelector, g)
            yield (sel, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger), g)
            yield (sel, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger), g)
            if item.note:
                yield (sel, RDFS.comment, Literal(item.note, lang="en"), g)
        for fact in art.doc.facts:
            f = self.iris.fact(art.id, fact.id)
            yield from self._provenance(art, f, fact.id, fact.inferred, fact.note, self.qn.Fact, len(fact.quote), self.g_prov)
            triples = list(self._fact_triples(art, f, fact))
            yield from ((s, p, o, f) for s, p, o in triples)
            if fact.inferred:
                yield from self._statements(f, triples)
        for claim in art.doc.claims:
            c = self.iris.claim(art.id, claim.id)
            yield from self._provenance(art, c, claim.id, False, claim.note, self.qn.AttributedStatement, len(claim.quote), c)
            yield from ((s, p, o, c) for s, p, o in self.claim_context(c, claim))
            yield (c, SCHEMA.text, Literal(art.spans[(claim.id, 0)].exact, lang="ar"), c)
            for lang in ("en", "ar"):
                yield (c, RDFS.label, Literal(getattr(claim.summary, lang), lang=lang), c)
            for key in claim.about:
                yield (c, SCHEMA.about, self.e(key), c)

    def _provenance(self, art: LoadedArticle, f: URIRef, ident: str, inferred: bool, note: str | None,
                    cls: URIRef, n_quotes: int, g: URIRef) -> Iterator[Quad]:
        a = self.iris.article(art.id)
        yield (f, RDF.type, cls, g)
        yield (f, RDF.type, PROV.Entity, g)
        yield (f, self.qn.article, a, g)
        yield (f, PROV.wasDerivedFrom, a, g)
        yield (f, DCT.identifier, Literal(ident), g)
        if cls == self.qn.Fact:
            yield (f, self.qn.isInferred, Literal(inferred), g)
        if note:
            yield (f, SKOS.editorialNote, Literal(note, lang="en"), g)
        for n in range(n_quotes):
            span = art.spans[(ident, n)]
            ann, tgt = Iris.part(f, f"evidence-{n + 1}"), Iris.part(f, f"target-{n + 1}")
            qsel, psel = Iris.part(f, f"quote-{n + 1}"), Iris.part(f, f"position-{n + 1}")
            yield (f, self.qn.evidence, ann, g)
            yield (ann, RDF.type, OA.Annotation, g)
            yield (ann, OA.motivatedBy, OA.describing, g)
            yield (ann, OA.hasBody, f, g)
            yield (ann, OA.hasTarget, tgt, g)
            yield (tgt, RDF.type, OA.SpecificResource, g)
            yield (tgt, OA.hasSource, a, g)
            yield (tgt, OA.hasSelector, qsel, g)
            yield (tgt, OA.hasSelector, psel, g)
            yield (qsel, RDF.type, OA.TextQuoteSelector, g)
            yield (qsel, OA.exact, Literal(span.exact, lang="ar"), g)
            yield (qsel, OA.prefix, Literal(span.prefix, lang="ar"), g)
            yield (qsel, OA.suffix, Literal(span.suffix, lang="ar"), g)
            yield (psel, RDF.type, OA.TextPositionSelector, g)
            yield (psel, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger), g)
            yield (psel, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger), g)

    def _statements(self, f: URIRef, triples: list[tuple[URIRef, URIRef, Any]]) -> Iterator[Quad]:
        """An inferred fact's triples as ``rdf:Statement`` nodes in graph/provenance.

        The triples themselves are in the fact's graph, hence in the default
        graph, where nothing else marks them as inferred; these let a consumer
        of the default graph alone tell them apart (docs/modelling.md). Each
        node is named by a digest of its triple, not by its position: the build
        may map an article twice (once before a later article declares a key
        it uses), and the second mapping must only add to the first."""
        g = self.g_prov
        for s, p, o in dict.fromkeys(triples):
            digest = hashlib.sha256(f"{s.n3()} {p.n3()} {o.n3()}".encode()).hexdigest()[:16]
            st = Iris.part(f, f"statement-{digest}")
            yield (f, self.qn.statement, st, g)
            yield (st, RDF.type, RDF.Statement, g)
            yield (st, RDF.subject, s, g)
            yield (st, RDF.predicate, p, g)
            yield (st, RDF.object, o, g)

    # -- facts: one method per kind ---------------------------------------
    def _fact_triples(self, art: LoadedArticle, f: URIRef, fact: Any) -> Iterator[tuple[URIRef, URIRef, Any]]:
        handler: Callable[..., Iterator[tuple[URIRef, URIRef, Any]]] = getattr(self, "_" + fact.kind)
        yield from handler(art, f, fact)

    def _holds_post(self, art: LoadedArticle, f: URIRef, fact: HoldsPost) -> Iterator[tuple]:
        # not an org:Membership: the holder is not a member of the post's
        # organisation (NATO's Secretary General is not one of NATO's members)
        person, post = self.e(fact.person), self.e(fact.post)
        holding, during, instant = Iris.part(f, "holding"), Iris.part(f, "during"), Iris.part(f, "as-of")
        as_of = art.doc.article.published
        yield (holding, RDF.type, self.qn.PostHolding)
        yield (holding, self.qn.holder, person)
        yield (holding, self.qn.post, post)
        yield (holding, self.qn.asOf, date_literal(as_of))
        yield (holding, TIME.hasTime, during)
        yield (during, RDF.type, TIME.Interval)
        yield (during, TIME.inside, instant)
        yield (instant, RDF.type, TIME.Instant)
        yield (instant, _time_position(as_of), date_literal(as_of))

    def _membership(self, art: LoadedArticle, f: URIRef, fact: Membership) -> Iterator[tuple]:
        m, member, org = self.e(fact.membership), self.e(fact.member), self.e(fact.organization)
        yield (m, RDF.type, ORG.Membership)
        yield (m, ORG.member, member)
        yield (m, ORG.organization, org)
        yield (m, ORG.role, self.e(fact.role))
        yield (m, self.qn.asOf, date_literal(art.doc.article.published))  # known to hold as of the article
        if fact.since:
            during, start = Iris.part(m, "during"), Iris.part(m, "start")
            yield (m, ORG.memberDuring, during)
            yield (during, RDF.type, TIME.Interval)
            yield (during, TIME.hasBeginning, start)
            yield (start, RDF.type, TIME.Instant)
            yield (start, _time_position(fact.since), date_literal(fact.since))

    def _actor(self, event: URIRef, agent: str, role: str, on_behalf_of: str | None = None) -> Iterator[tuple]:
        node = Iris.part(event, f"actor-{agent.replace('/', '-')}-{role.replace('/', '-')}")
        yield (event, SEM.hasActor, node)
        yield (node, RDF.type, SEM.Role)
        yield (node, RDF.value, self.e(agent))
        yield (node, SEM.roleType, self.e(role))
        if on_behalf_of:  # who signed (spoke, attended) for whom: on the role, in this event only
            yield (node, self.qn.onBehalfOf, self.e(on_behalf_of))
        if role == HOST_ROLE:
            yield (self.e(agent), self.qn.hostOf, event)

    def _event(self, art: LoadedArticle, f: URIRef, fact: Event) -> Iterator[tuple]:
        ev = self.e(fact.event)
        precise = self.refined(fact.event)
        # same event, more precise date elsewhere: one date on the event, the
        # precise one (it implies this one); this fact keeps its quote and the rest
        if fact.date and (precise is None or fact.date.text == precise):
            lit = date_literal(fact.date)
            yield (ev, SEM.hasTimeStamp, lit)
            yield (ev, SCHEMA.startDate, lit)
        if fact.began:  # an ongoing event: when it began (with as_of, when it was still going on)
            lit = date_literal(fact.began)
            yield (ev, SEM.hasBeginTimeStamp, lit)
            yield (ev, SCHEMA.startDate, lit)
        if fact.approximate:
            yield (ev, self.qn.approximate, Literal(True))
        if fact.not_after:
            yield (ev, self.qn.notAfter, date_literal(fact.not_after))
        if fact.as_of:
            yield (ev, self.qn.asOf, date_literal(fact.as_of))
        if fact.place:
            yield (ev, SEM.hasPlace, self.e(fact.place))
            yield (ev, SCHEMA.location, self.e(fact.place))
        if fact.part_of:
            yield (ev, SEM.subEventOf, self.e(fact.part_of))
            yield (ev, SCHEMA.superEvent, self.e(fact.part_of))
        if fact.framework:
            yield (ev, self.qn.framework, self.e(fact.framework))
        for actor in fact.actors:
            if actor.agent:
                yield from self._actor(ev, actor.agent, actor.role, actor.on_behalf_of)
            else:
                yield from self.group_actor(ev, actor)
        yield from self.event_status(ev, fact, art.doc.article.published)
        for t in fact.event_types:
            yield (ev, SEM.eventType, self.e(t))
        if fact.agreement:
            yield (ev, self.qn.signedAgreement, self.e(fact.agreement))
        if fact.ratified:
            yield (ev, self.qn.ratified, self.e(fact.ratified))

    def _participation(self, art: LoadedArticle, f: URIRef, fact: Participation) -> Iterator[tuple]:
        yield from self._actor(self.e(fact.event), fact.agent, fact.role, fact.on_behalf_of)

    def _cooperation(self, art: LoadedArticle, f: URIRef, fact: CooperationFact) -> Iterator[tuple]:
        for p in fact.partners:
            yield (self.e(fact.cooperation), self.qn.partner, self.e(p))

    def _cooperation_area(self, art: LoadedArticle, f: URIRef, fact: CooperationArea) -> Iterator[tuple]:
        yield (self.e(fact.cooperation), self.qn.cooperationArea, self.e(fact.area))

    def _discussed(self, art: LoadedArticle, f: URIRef, fact: Discussed) -> Iterator[tuple]:
        yield (self.e(fact.event), self.qn.discussedCooperation, self.e(fact.cooperation))

    def _challenge(self, art: LoadedArticle, f: URIRef, fact: ChallengeFact) -> Iterator[tuple]:
        yield (self.e(fact.event), self.qn.addressedChallenge, self.e(fact.challenge))

    def _permission(self, art: LoadedArticle, f: URIRef, fact: PermissionFact) -> Iterator[tuple]:
        perm = self.e(fact.permission)
        yield (self.e(fact.agreement), self.qn.permits, perm)
        yield (perm, self.qn.grantee, self.e(fact.grantee))
        for a in fact.actions:
            yield (perm, self.qn.permittedAction, self.e(a))
        for t in fact.targets:
            yield (perm, self.qn.permissionTarget, self.e(t))


WRONG_FORMS = ("https://schema.org/",)
"""IRI prefixes we never emit: schema.org is ``http://schema.org/`` here (rdflib's
``SDO`` is https; one https triple silently splits the data, docs/modelling.md)."""


def check_term_forms(quads: list[Quad], base: str = DEFAULT_BASE_IRI) -> None:
    """Refuse a mapping that spells a vocabulary the wrong way, or mints one of
    our terms under the default base in a build under another (our bug, not a
    curator's: a term taken from ``QN`` or ``Iris()`` instead of the mapper's own)."""
    wrong = WRONG_FORMS if base.startswith(DEFAULT_BASE_IRI) or DEFAULT_BASE_IRI.startswith(base) else (*WRONG_FORMS, DEFAULT_BASE_IRI)
    for quad in quads:
        for term in quad:
            iri = str(term.datatype) if isinstance(term, Literal) and term.datatype else str(term)
            if isinstance(term, (URIRef, Literal)) and iri.startswith(wrong):
                fix = "use http://schema.org/ (kg.rdf.vocab.SCHEMA)" if iri.startswith(WRONG_FORMS) else f"mint it under {base} (Mapper.qn, Mapper.iris)"
                raise BuildError(f"the mapping emitted {iri} in {' '.join(t.n3() for t in quad)}: {fix}")


def map_corpus(corpus: Corpus, iris: Iris | None = None) -> list[Quad]:
    """All quads, de-duplicated, in a stable order."""
    seen: dict[Quad, None] = {}
    for q in Mapper.for_corpus(corpus, iris).quads(corpus):
        seen.setdefault(q, None)
    quads = list(seen)
    check_term_forms(quads, (iris or Iris()).base)
    return quads
