"""Documents that are their own IRI: the ontology (with its documentation
page), the shapes, the dataset description. ``200`` with the same negotiation
and ``Link``/``Vary``/validator headers as resource descriptions;
``{base}ontology#Term`` is resolved by the client against ``{base}ontology``,
whose page has an anchor per term. Also ``/context.jsonld``, the JSON-LD
context every JSON-LD answer embeds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.query.describe import run
from kg.rdf.formats import HTML, JSONLD
from kg.rdf.jsonld import CONTEXT_PATH, context_document
from kg.rdf.vocab import prefixes
from kg.web.conditional import release_validators
from kg.web.context import context
from kg.web.negotiated import serve_document, suffix_format
from kg.web.render import Viewer, get_urls, not_found, rdf_response
from kg.web.urls import Urls

router = APIRouter()
METHODS = ["GET", "HEAD"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCT = "http://purl.org/dc/terms/"
KINDS = [  # (rdf:type, heading key)
    (OWL + "Class", "classes"),
    (OWL + "ObjectProperty", "properties"),
    (OWL + "DatatypeProperty", "properties"),
    (OWL + "AnnotationProperty", "properties"),
]


def graph_triples(request: Request, iri: str) -> list[ox.Triple]:
    urls = get_urls(request)
    rows = run(context(request).store, "graph_quads", base=urls.base, graph=ox.NamedNode(iri)).dicts()
    return sorted({ox.Triple(r["s"], r["p"], r["o"]) for r in rows}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))  # type: ignore[arg-type]


def graph_document(request: Request, suffix: str | None, name: str, html: Callable[[Urls, str, list[ox.Triple]], tuple[str, dict]]) -> Response:
    """``/{name}`` and ``/{name}.{suffix}``: a named graph of the release that
    is its own document, its Turtle as written at build time (``{name}.ttl``)."""
    ok, fmt = suffix_format(suffix)
    if not ok:
        return not_found(request)
    urls = get_urls(request)
    iri = urls.base + name
    triples = graph_triples(request, iri)
    return serve_document(request, iri, triples, forced=fmt, turtle_file=context(request).release.file(name + ".ttl"),
                          html=lambda: html(urls, iri, triples))


@router.api_route("/ontology", methods=METHODS, include_in_schema=False)
@router.api_route("/ontology.{suffix}", methods=METHODS, include_in_schema=False)
def ontology(request: Request, suffix: str | None = None) -> Response:
    return graph_document(request, suffix, "ontology", lambda urls, iri, triples: ("ontology.html", ontology_context(urls, iri, triples)))


@router.api_route("/shapes", methods=METHODS, include_in_schema=False)
@router.api_route("/shapes.{suffix}", methods=METHODS, include_in_schema=False)
def shapes(request: Request, suffix: str | None = None) -> Response:
    return graph_document(request, suffix, "shapes", lambda urls, iri, triples: ("graph.html", graph_context(urls, iri, triples, "SHACL shapes")))


@router.api_route(CONTEXT_PATH, methods=METHODS, include_in_schema=False)
def jsonld_context(request: Request) -> Response:
    """The ``@context`` every JSON-LD answer embeds (dumps, documents,
    CONSTRUCT), on its own at a stable address, for clients that keep one copy."""
    headers = release_validators(request)
    return rdf_response(context_document(prefixes(get_urls(request).base)), JSONLD, headers=headers)


# -- HTML views ----------------------------------------------------------------------
def _index(triples: list[ox.Triple]) -> dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]]:
    idx: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        idx[str(t.subject.value) if isinstance(t.subject, ox.NamedNode) else str(t.subject)][t.predicate.value].append(t.object)
    return idx


def _by_lang(values: list) -> dict[str, str]:
    return {v.language or "": v.value for v in values if isinstance(v, ox.Literal)}


def all_labels(triples: list[ox.Triple]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for t in triples:
        if t.predicate.value == RDFS + "label" and isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
            out.setdefault(t.subject.value, {}).setdefault(t.object.language or "", t.object.value)
    return out


def ontology_context(urls: Urls, iri: str, triples: list[ox.Triple]) -> dict:
    idx = _index(triples)
    view = Viewer(urls, prefixes(urls.base), all_labels(triples))
    head = idx.get(iri, {})
    sections: dict[str, list[dict]] = {"classes": [], "properties": []}
    for subject, props in sorted(idx.items()):
        kinds = {o.value for o in props.get(RDF + "type", []) if isinstance(o, ox.NamedNode)}
        for kind, key in KINDS:
            if kind in kinds:
                labels, comments = _by_lang(props.get(RDFS + "label", [])), _by_lang(props.get(RDFS + "comment", []))
                sections[key].append({
                    "id": subject.partition("#")[2] or view.curie(subject), "iri": subject, "curie": view.curie(subject),
                    "kind": view.curie(kind), "en": labels.get("en"), "ar": labels.get("ar"),
                    "comment_en": comments.get("en"), "comment_ar": comments.get("ar"),
                    "relations": [
                        (rel, [view.term(o) for o in props.get(pred, [])])
                        for rel, pred in (("subclass_of", RDFS + "subClassOf"), ("subproperty_of", RDFS + "subPropertyOf"),
                                          ("domain", RDFS + "domain"), ("range", RDFS + "range"))
                        if props.get(pred)
                    ],
                })
                break
    titles, descs = _by_lang(head.get(DCT + "title", [])), _by_lang(head.get(DCT + "description", []))
    version = next((o.value for o in head.get(OWL + "versionInfo", []) if isinstance(o, ox.Literal)), None)
    return {
        "title": titles.get("en") or "Ontology", "iri": iri, "title_en": titles.get("en"), "title_ar": titles.get("ar"),
        "desc_en": descs.get("en"), "desc_ar": descs.get("ar"), "version": version, "sections": sections,
        "variants": _variants(urls, iri),
    }


def graph_context(urls: Urls, iri: str, triples: list[ox.Triple], title: str) -> dict:
    """Any small graph as sections per subject (shapes, the dataset description)."""
    view = Viewer(urls, prefixes(urls.base), all_labels(triples))
    subjects: dict[str, list] = defaultdict(list)
    for t in triples:
        subjects[str(t.subject.value) if isinstance(t.subject, ox.NamedNode) else str(t.subject)].append(t)
    blocks = []
    for s in sorted(subjects, key=lambda k: (k != iri, k.startswith("_:"), k)):
        first = subjects[s][0].subject
        blocks.append({
            "id": s.partition("#")[2] if s.startswith(iri + "#") else None,
            "subject": view.term(first),
            "rows": [(view.term(t.predicate), view.term(t.object)) for t in subjects[s]],
        })
    return {"title": title, "iri": iri, "blocks": blocks, "variants": _variants(urls, iri)}


def _variants(urls: Urls, iri: str) -> list[tuple[str, str, str]]:
    return [(href, "HTML" if fmt is HTML else fmt.name, fmt.media_type) for href, fmt in urls.variants(iri)]
