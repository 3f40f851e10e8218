"""Structured data in every page: one ``<script type="application/ld+json">``
(schema.org), for search engines, dataset search and tools that read pages.

* a resource page says what its own document says, in schema.org terms:
  its schema.org types (and ``Person``, ``Organization``, ``Place``,
  ``Event`` for our classes that are kinds of them; ``Claim`` for an
  attributed statement, ``Statement`` for a curated fact), ``name`` and
  ``alternateName`` (its ``rdfs:label`` and ``skos:altLabel``), ``sameAs``
  (``owl:sameAs``), and every statement its document makes with a schema.org
  property (``startDate``, ``location``, ``publisher``, ``about`` …), the
  things they name with their names;
* the home page and ``{base}dataset`` carry a ``Dataset`` with its
  distributions (``DataDownload``), read from the VoID/DCAT description.

The context is inline (``@vocab`` http://schema.org/, the namespace our data
uses), so a JSON-LD processor needs nothing from the network. The JSON is
written with ``<``, ``>`` and ``&`` as ``\\u`` escapes, so a label holding
``</script>`` cannot end the element; the Content-Security-Policy does not
apply to a data block (it is never executed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.query.describe import Description
from kg.rdf.vocab import DCAT, DCT, FOAF, ORG, OWL, RDFS, SEM, SKOS, Vocabulary, vocabulary

SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KINDS = {  # classes of ours and of reused vocabularies that are kinds of a schema.org type
    str(FOAF.Person): "Person", str(ORG.Organization): "Organization", str(ORG.FormalOrganization): "Organization",
    str(ORG.OrganizationalUnit): "Organization", str(ORG.OrganizationalCollaboration): "Organization",
    str(FOAF.Organization): "Organization", str(SEM.Event): "Event", str(SEM.Place): "Place",
}
CONTEXT = {"@vocab": SCHEMA, **{k: {"@type": "@id"} for k in ("sameAs", "url", "license", "contentUrl")}}
"""Inline: schema.org as the vocabulary; the properties whose values are links are IRIs, not strings."""
OUR_KINDS = {"Place": "Place", "State": "Country", "Event": "Event", "AttributedStatement": "Claim", "Fact": "Statement",
             "Article": "NewsArticle"}


def script(data: dict | None) -> str:
    """The JSON for inside ``<script type="application/ld+json">``, safe in HTML."""
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _value(term: ox.Literal) -> dict:
    if term.language:
        return {"@value": term.value, "@language": term.language}
    dt = term.datatype.value
    if dt.endswith("#string"):
        return {"@value": term.value}
    return {"@value": term.value, "@type": dt}


def _one(values: list) -> object:
    return values[0] if len(values) == 1 else values


def _names(labels: dict[str, str]) -> list[dict]:
    return [{"@value": text, "@language": lang} if lang else {"@value": text} for lang, text in sorted(labels.items())]


def types_of(type_iris: Iterable[str], qn: Vocabulary) -> list[str]:
    """schema.org types of a thing, from its own ``rdf:type`` statements (ours are ``qn``'s)."""
    out: list[str] = []
    for t in type_iris:
        ours = qn.local(t)
        kind = t[len(SCHEMA):] if t.startswith(SCHEMA) else KINDS.get(t) or (OUR_KINDS.get(ours) if ours else None)
        if kind and kind not in out:
            out.append(kind)
    return out


def resource(desc: Description, page_url: str) -> dict | None:
    """The resource's own document, in schema.org terms (see the module docstring)."""
    own = desc.about(desc.iri)
    kinds = types_of((t.object.value for t in own if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)),
                     vocabulary(desc.base))
    if not kinds:
        return None
    node: dict = {"@context": CONTEXT, "@id": desc.iri, "@type": _one(kinds), "url": page_url}
    names = [_value(t.object) for t in own if t.predicate.value == str(RDFS.label) and isinstance(t.object, ox.Literal)]
    if names:
        node["name"] = _one(names)
    other = [_value(t.object) for t in own if t.predicate.value == str(SKOS.altLabel) and isinstance(t.object, ox.Literal)]
    if other:
        node["alternateName"] = _one(other)
    same = sorted(t.object.value for t in own if t.predicate.value == str(OWL.sameAs) and isinstance(t.object, ox.NamedNode))
    if same:
        node["sameAs"] = _one(same)
    props: dict[str, list] = {}
    for t in own:
        p = t.predicate.value
        if not p.startswith(SCHEMA) or p == SCHEMA + "text":  # the article's whole text is the page, not its metadata
            continue
        if isinstance(t.object, ox.Literal):
            value: Any = _value(t.object)
        elif isinstance(t.object, ox.NamedNode):
            value = {"@id": t.object.value}
            if desc.labels.get(t.object.value):
                value["name"] = _one(_names(desc.labels[t.object.value]))
        else:
            continue
        props.setdefault(p[len(SCHEMA):], []).append(value)
    node.update({k: _one(v) for k, v in sorted(props.items())})
    if "Claim" in kinds:  # who said it, and where it appeared
        speakers = [t.object.value for t in own if t.predicate.value.endswith("prov#wasAttributedTo") and isinstance(t.object, ox.NamedNode)]
        if speakers:
            node["author"] = _one([{"@id": s, **({"name": _one(_names(desc.labels[s]))} if desc.labels.get(s) else {})} for s in speakers])
        sources = [t.object.value for t in own if t.predicate.value.endswith("prov#wasDerivedFrom") and isinstance(t.object, ox.NamedNode)]
        if sources:
            node["appearance"] = _one([{"@id": s} for s in sources])
    return node


def dataset(triples: list[ox.Triple], dataset_iri: str, lang: str = "en") -> dict | None:
    """A schema.org ``Dataset`` with its ``DataDownload`` distributions, from the VoID/DCAT description."""
    about: dict[str, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            about.setdefault(t.subject.value, []).append(t)
    own = about.get(dataset_iri)
    if not own:
        return None

    def values(subject: list[ox.Triple], predicate: object) -> list[Any]:
        return [t.object for t in subject if t.predicate.value == str(predicate)]

    literal = lambda ts, p: [_value(o) for o in values(ts, p) if isinstance(o, ox.Literal)]  # noqa: E731
    node: dict = {"@context": CONTEXT, "@id": dataset_iri, "@type": "Dataset",
                  "name": _one(literal(own, DCT.title)), "description": _one(literal(own, DCT.description)),
                  "isAccessibleForFree": True, "inLanguage": ["ar", "en"]}
    for key, predicate in (("license", DCT.license), ("url", DCAT.landingPage)):
        found = [o.value for o in values(own, predicate) if isinstance(o, ox.NamedNode)]
        if found:
            node[key] = found[0]
    version = literal(own, DCAT.version)
    if version:
        node["version"] = version[0]["@value"]
    temporal = literal(own, DCT.temporal)
    if temporal:
        node["temporalCoverage"] = temporal[0]["@value"]
    for key, predicate in (("dateCreated", DCT.issued), ("dateModified", DCT.modified)):
        dated = literal(own, predicate)
        if dated:
            node[key] = dated[0]
    publisher = [o for o in values(own, DCT.publisher) if isinstance(o, (ox.NamedNode, ox.BlankNode))]
    if publisher:
        named = [t.object for t in triples if t.subject == publisher[0] and t.predicate.value == str(FOAF.name)
                 and isinstance(t.object, ox.Literal)]
        node["publisher"] = {"@type": "Organization", **({"name": _one([_value(n) for n in named])} if named else {})}
        node["creator"] = node["publisher"]
    downloads = []
    for dist in sorted(o.value for o in values(own, DCAT.distribution) if isinstance(o, ox.NamedNode)):
        ts = about.get(dist, [])
        url = [o.value for o in values(ts, DCAT.downloadURL) if isinstance(o, ox.NamedNode)]
        if not url:
            continue
        item: dict = {"@type": "DataDownload", "contentUrl": url[0]}
        fmt = literal(ts, DCT.format)
        if fmt:
            item["encodingFormat"] = fmt[0]["@value"]
        size = literal(ts, DCAT.byteSize)
        if size:
            item["contentSize"] = f"{size[0]['@value']} B"
        title = literal(ts, DCT.title)
        if title:
            item["name"] = _one(title)
        downloads.append(item)
    if downloads:
        node["distribution"] = downloads
    return node


__all__ = ["dataset", "resource", "script", "types_of"]
