"""Our ontology's terms as a fail-loud namespace, and the prefixes we bind.

``QN.Meetin`` (a typo) raises instead of minting a wrong IRI; a test checks
that every term here is defined in ``ontology/qn.ttl`` and vice versa.
``QN`` spells the terms under the default base IRI (as the shipped ontology
does). Code that writes or reads a release under its own base mints them under
that base once: the mapping with :func:`rdf_vocabulary` (rdflib terms, the
mapping's currency), the query and HTTP layers with :func:`vocabulary`
(pyoxigraph terms); both fail loud on a name ``QN`` does not declare, and
readers match exact IRIs (never a suffix).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Generic, TypeVar

import pyoxigraph as ox
from rdflib import Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD, DefinedNamespace

from kg.config import DEFAULT_BASE_IRI

T = TypeVar("T")


class QN(DefinedNamespace):
    _NS = Namespace(DEFAULT_BASE_IRI + "ontology#")
    _fail = True

    # classes
    State: URIRef
    Alliance: URIRef
    PartnershipFramework: URIRef
    PartnershipInitiative: URIRef
    PartnershipProgramme: URIRef
    Ministry: URIRef
    Body: URIRef
    NonStateArmedGroup: URIRef
    Official: URIRef
    PostHolding: URIRef
    Event: URIRef
    Meeting: URIRef
    Session: URIRef
    Conference: URIRef
    Visit: URIRef
    Briefing: URIRef
    Speech: URIRef
    Signing: URIRef
    Ratification: URIRef
    Mediation: URIRef
    MilitaryOperation: URIRef
    Agreement: URIRef
    Permission: URIRef
    Action: URIRef
    Place: URIRef
    MilitaryBase: URIRef
    Headquarters: URIRef
    CooperationArea: URIRef
    Challenge: URIRef
    RoleType: URIRef
    EventType: URIRef
    Article: URIRef
    Fact: URIRef
    AttributedStatement: URIRef
    Cooperation: URIRef
    UnnamedSource: URIRef
    UnnamedGroup: URIRef
    Stance: URIRef
    Mission: URIRef
    MilitaryRepresentation: URIRef
    Office: URIRef
    MilitaryRank: URIRef
    RankHolding: URIRef
    Provision: URIRef
    Count: URIRef
    # stances (individuals of qn:Stance)
    Denial: URIRef
    Hedge: URIRef
    Aspiration: URIRef
    Prescription: URIRef
    Plan: URIRef
    # object properties
    post: URIRef
    holder: URIRef
    evidence: URIRef
    partner: URIRef
    cooperationArea: URIRef
    addressedChallenge: URIRef
    permits: URIRef
    signedAgreement: URIRef
    ratified: URIRef
    framework: URIRef
    discussedCooperation: URIRef
    article: URIRef
    hostOf: URIRef
    grantee: URIRef
    permittedAction: URIRef
    permissionTarget: URIRef
    statement: URIRef
    occasion: URIRef
    stance: URIRef
    onBehalfOf: URIRef
    accreditedTo: URIRef
    rankHolder: URIRef
    rank: URIRef
    countOf: URIRef
    underAgreement: URIRef
    # datatype properties
    isInferred: URIRef
    asOf: URIRef
    notAfter: URIRef
    approximate: URIRef
    sha256: URIRef
    notArticleText: URIRef
    originalFileName: URIRef
    planned: URIRef


class _Terms(Generic[T]):
    """``QN``'s names → terms under one base; a name ``QN`` does not declare (a
    typo) raises ``AttributeError`` naming it, as ``QN`` itself does."""

    __slots__ = ("_terms", "namespace")

    def __init__(self, base_iri: str, make: Callable[[str], T]) -> None:
        self.namespace = base_iri + "ontology#"
        self._terms = {name: make(self.namespace + name) for name in QN.__annotations__}

    def __getattr__(self, name: str) -> T:
        if name.startswith("_"):  # a slot not yet set (copy, pickle): never a term
            raise AttributeError(name)
        try:
            return self._terms[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not a term of our ontology (kg.rdf.vocab.QN)") from None


class Vocabulary(_Terms[ox.NamedNode]):
    """``QN``'s terms under one base IRI, minted once as pyoxigraph terms:
    ``vocabulary(base).post`` is ``<{base}ontology#post>``."""

    __slots__ = ("base",)

    def __init__(self, base_iri: str) -> None:
        super().__init__(base_iri, ox.NamedNode)
        self.base = base_iri

    def iri(self, name: str) -> str:
        """The term's IRI as text; fails loud as attribute access does."""
        return str(self.__getattr__(name).value)

    def local(self, iri: str) -> str | None:
        """The name of our term ``iri`` (``State`` for ``{base}ontology#State``); None if it is not ours."""
        name = iri[len(self.namespace):] if iri.startswith(self.namespace) else None
        return name if name in self._terms else None


class RdfVocabulary(_Terms[URIRef]):
    """``QN``'s terms under one base IRI as rdflib terms, for the mapping:
    ``rdf_vocabulary(base).Meeting`` is ``URIRef("{base}ontology#Meeting")``.
    ``bound(term)`` gives a table's ``QN`` term (written against the default
    base, as ``kg.curation.entity_types`` is) under this base: tables are bound
    once, when the mapper is made, never term by term at build."""

    __slots__ = ("_by_default",)

    def __init__(self, base_iri: str) -> None:
        super().__init__(base_iri, URIRef)
        self._by_default = {QN[name]: term for name, term in self._terms.items()}

    def __getitem__(self, name: str) -> URIRef:
        return self.__getattr__(name)

    def bound(self, term: URIRef) -> URIRef:
        return self._by_default.get(term, term)


@lru_cache(maxsize=8)
def rdf_vocabulary(base_iri: str = DEFAULT_BASE_IRI) -> RdfVocabulary:
    """Our terms under ``base_iri`` as rdflib terms (one object per base)."""
    return RdfVocabulary(base_iri)


@lru_cache(maxsize=8)
def vocabulary(base_iri: str = DEFAULT_BASE_IRI) -> Vocabulary:
    """Our terms under ``base_iri`` (one object per base: a server serves one base)."""
    return Vocabulary(base_iri)


SCHEMA = Namespace("http://schema.org/")  # http, not rdflib's https SDO: see docs/modelling.md
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VANN = Namespace("http://purl.org/vocab/vann/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

STANDARD_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "time": str(TIME),
    "sem": str(SEM),
    "skos": str(SKOS),
    "oa": str(OA),
    "dcterms": str(DCT),
    "dcat": str(DCAT),
    "void": str(VOID),
    "odrl": str(ODRL),
    "foaf": str(FOAF),
    "vann": str(VANN),
    "sh": str(SH),
    "sd": str(SD),
    "spdx": str(SPDX),
}


def prefixes(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """All prefixes for serializations: standard ones plus ours under ``base_iri``."""
    from kg.rdf.iris import ENTITY_KINDS

    ours = {
        "qn": base_iri + "ontology#",
        "qnsh": base_iri + "shapes#",
        "article": base_iri + "id/article/",
        **{kind: f"{base_iri}id/{kind}/" for kind in sorted(ENTITY_KINDS)},
        "wd": "http://www.wikidata.org/entity/",
        "dbr": "http://dbpedia.org/resource/",
        "gn": "http://sws.geonames.org/",
    }
    return {**STANDARD_PREFIXES, **ours}


def expand(value: str, namespaces: dict[str, str]) -> str:
    """A CURIE of one of ``namespaces`` (``qn:State``) → its IRI; anything else
    (a full IRI) unchanged. What people type for a type or a property."""
    prefix, colon, local = value.partition(":")
    if colon and prefix in namespaces and not local.startswith("//"):
        return namespaces[prefix] + local
    return value


def curie(iri: str, namespaces: dict[str, str]) -> str:
    """``iri`` as a CURIE of the longest matching namespace, or unchanged."""
    for prefix, ns in sorted(namespaces.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
