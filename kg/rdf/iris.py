"""The IRIs the data mints, from stable keys and ids: things (``/id/…``), their
named graphs, and the dataset's own documents. The mapping, the build, VoID and
the history ask here; the HTTP layer answers for the same paths and keeps the
URLs of descriptions and pages (``/doc/…``) in ``kg.web.urls``.

Scheme (see docs/iri-scheme.md)::

    {base}id/{kind}/{slug}            an entity (state, person, event, area …)
    {base}id/article/{article}        a source article
    {base}id/fact/{article}/{fact}    a curated fact, and the named graph holding it
    {base}id/claim/{article}/{claim}  an attributed statement (claims graph)
    {thing}#{part}                    a node that only exists inside a thing
                                      (an evidence annotation, an actor role, an interval)
    {base}graph/{name}                housekeeping graphs (entities, articles, provenance)
    {base}ontology#{Term}             ontology terms;  {base}shapes#{Shape}  shapes
    {base}dataset                     the VoID/DCAT description
    {base}dumps/{file}                a downloadable dump of the current release
    {base}releases                    the catalogue of releases
    {base}releases/{id}               one release (a DCAT version), and
    {base}releases/{id}/dumps/{file}  its immutable dumps

Keys are lowercase ASCII slugs so IRIs never need percent-encoding. Every
IRI is minted under the configured base from the start: the mapping's
``Mapper`` holds an ``Iris(base)`` (and ``kg.rdf.vocab.rdf_vocabulary(base)``
for the ontology's terms), as do the history and the pages.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from kg.config import DEFAULT_BASE_IRI

KEY_RE = re.compile(r"^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9._-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

ENTITY_KINDS = frozenset(
    {
        "state", "alliance", "initiative", "programme", "ministry", "body", "group",
        "person", "post", "place", "event", "operation", "agreement", "permission",
        "area", "challenge", "role", "cameo", "scheme", "cooperation", "membership",
        "publisher", "action", "mission", "office", "rank", "provision",
    }
)


def is_valid_key(key: str) -> bool:
    return bool(KEY_RE.match(key)) and key.split("/", 1)[0] in ENTITY_KINDS


class Iris:
    """Mints IRIs under one base. Pure: same key → same IRI, always."""

    def __init__(self, base: str = DEFAULT_BASE_IRI) -> None:
        if not base.endswith("/"):
            raise ValueError("base IRI must end with '/'")
        self.base = base

    def entity(self, key: str) -> URIRef:
        if not is_valid_key(key):
            raise ValueError(f"not a valid entity key: {key!r}")
        return URIRef(f"{self.base}id/{key}")

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}id/article/{_slug(article_id)}")

    def fact(self, article_id: str, fact_id: str) -> URIRef:
        return URIRef(f"{self.base}id/fact/{_slug(article_id)}/{_slug(fact_id)}")

    def claim(self, article_id: str, claim_id: str) -> URIRef:
        return URIRef(f"{self.base}id/claim/{_slug(article_id)}/{_slug(claim_id)}")

    @staticmethod
    def part(thing: URIRef, part: str) -> URIRef:
        return URIRef(f"{thing}#{_slug(part)}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{_slug(name)}")

    @property
    def ontology(self) -> URIRef:
        return URIRef(f"{self.base}ontology")

    @property
    def shapes(self) -> URIRef:
        return URIRef(f"{self.base}shapes")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")

    def dump(self, filename: str) -> URIRef:
        return URIRef(f"{self.base}dumps/{filename}")

    @property
    def sparql(self) -> URIRef:
        return URIRef(f"{self.base}sparql")

    @property
    def releases(self) -> URIRef:
        return URIRef(f"{self.base}releases")

    def release(self, release_id: str) -> URIRef:
        return URIRef(f"{self.base}releases/{_slug(release_id)}")

    def release_dump(self, release_id: str, filename: str) -> URIRef:
        return URIRef(f"{self.release(release_id)}/dumps/{_slug(filename)}")


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(f"not a valid IRI slug: {value!r}")
    return value
