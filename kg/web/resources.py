"""Dereferencing: every IRI under the base answers at its own path.

``/id/{path}`` (a thing) → ``303 See Other`` → ``/doc/{path}`` (its
description, negotiated between HTML, Turtle, JSON-LD, N-Triples and RDF/XML,
or fixed by a suffix: ``/doc/{path}.ttl``). ``/graph/{name}`` is a document
and answers ``200`` directly. Unknown IRIs get ``404``, as HTML or text by
Accept. Every route answers HEAD. See docs/linked-data.md.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kg.describe import Description, Evidence, describe, exists, run, serialize, to_triples
from kg.errors import NotAcceptable
from kg.formats import HTML, RESOURCE_FORMATS, Format, negotiate_format
from rdflib.namespace import OWL

from kg.reference import is_true
from kg.vocab import DCT, FOAF, SCHEMA, SEM, VOID, prefixes
from kg.web.conditional import made_from_release, release_validators
from kg.web.sentences import date_words
from kg.web.reference_view import reference_context
from kg.web.render import (
    TermView, Viewer, choose_language, get_urls, link_header, not_found, rdf_response, render_html, strings,
)
from kg.web.urls import CC_BY, Urls

router = APIRouter()
DESCRIPTION_CACHE = 256
METHODS = ["GET", "HEAD"]
OFFERED = [f.media_type for f in RESOURCE_FORMATS]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_SAME_AS = str(OWL.sameAs)
HIDDEN = {  # shown in the heading, not in the table
    RDF_TYPE,
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    str(SCHEMA.description),
    OWL_SAME_AS,
}
ARTICLE_TYPES = {str(SCHEMA.NewsArticle)}
FACT_TYPES = {"ontology#Fact", "ontology#AttributedStatement"}  # ours, under any base


@router.api_route("/id/{rest:path}", methods=METHODS, include_in_schema=False)
def thing(rest: str, request: Request) -> Response:
    """A thing is not a document: send the client to the one describing it."""
    urls: Urls = get_urls(request)
    iri = urls.thing(rest)
    if not rest or not exists(request.app.state.store, iri, base=urls.base):
        return not_found(request)
    location = urls.page(iri) + (f"?{request.url.query}" if request.url.query else "")
    made_from_release(request)  # the same 303 all release long: answered once (kg.web.render_once)
    return RedirectResponse(location, status_code=303, headers={"Link": f'<{CC_BY}>; rel="license"'})


@router.api_route("/doc/{rest:path}", methods=METHODS, include_in_schema=False)
def document(rest: str, request: Request) -> Response:
    urls: Urls = get_urls(request)
    return resolve(request, lambda stem: urls.thing(stem), rest)


@router.api_route("/graph/{rest:path}", methods=METHODS, include_in_schema=False)
def graph_document(rest: str, request: Request) -> Response:
    urls: Urls = get_urls(request)
    return resolve(request, lambda stem: urls.base + "graph/" + stem, rest)


def resolve(request: Request, to_iri, rest: str) -> Response:  # type: ignore[no-untyped-def]
    """Find the described IRI (a suffix names a format unless it is part of the slug)."""
    urls: Urls = get_urls(request)
    stem, fmt = urls.split_suffix(rest)
    candidates = [(rest, None)] + ([(stem, fmt)] if fmt else [])
    for path, forced in candidates:
        if not path:
            continue
        desc = cached_describe(request, to_iri(path))
        if desc is not None:
            return represent(request, desc, forced)
    return not_found(request)


def cached_describe(request: Request, iri: str) -> Description | None:
    """A release never changes, so neither do its descriptions: the app keeps
    the last ``DESCRIPTION_CACHE`` of them (per app, bounded, least recently used out)."""
    state = request.app.state
    cache: OrderedDict[str, Description | None] | None = getattr(state, "descriptions", None)
    if cache is None:
        cache = state.descriptions = OrderedDict()
    if iri in cache:
        cache.move_to_end(iri)
        return cache[iri]
    desc = describe(state.store, iri, base=get_urls(request).base)
    cache[iri] = desc
    while len(cache) > DESCRIPTION_CACHE:
        cache.popitem(last=False)
    return desc


def choose_format(request: Request, forced: Format | None) -> Format:
    """The suffix's format, else Accept's (``application/json`` gets JSON-LD)."""
    if forced is not None:
        return forced
    fmt = negotiate_format(request.headers.get("accept"), RESOURCE_FORMATS)
    if fmt is None:
        raise NotAcceptable(OFFERED)
    return fmt


def document_headers(request: Request, iri: str, fmt: Format, forced: Format | None) -> dict[str, str]:
    """Headers of a document (a description, the ontology …) in ``fmt``: its
    alternates, ``Vary``/``Content-Location`` when negotiated, and validators
    (Last-Modified the release's publication; the strong ETag and any 304 are
    the render-once layer's, from the bytes: ``kg.web.render_once``)."""
    urls: Urls = get_urls(request)
    headers = {"Link": link_header(urls, iri, negotiated=forced is None)}
    if forced is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = urls.variant(iri, fmt.suffix)
    headers.update(release_validators(request))
    return headers


def represent(request: Request, desc: Description, forced: Format | None) -> Response:
    urls: Urls = get_urls(request)
    fmt = choose_format(request, forced)
    headers = document_headers(request, desc.iri, fmt, forced)
    if fmt is HTML:
        return render_html(request, "resource.html", page_context(request, desc), headers=headers)
    extra = document_triples(urls, desc.iri)
    body = serialize(to_triples(desc, extra=extra), fmt.media_type, prefixes(urls.base))
    return rdf_response(body, fmt, headers=headers)


def document_triples(urls: Urls, iri: str) -> list[ox.Triple]:
    """What the served document says about itself: topic, licence, dataset."""
    doc = ox.NamedNode(urls.document_iri(iri))
    out = [
        ox.Triple(doc, ox.NamedNode(RDF_TYPE), ox.NamedNode(str(FOAF.Document))),
        ox.Triple(doc, ox.NamedNode(str(DCT.license)), ox.NamedNode(CC_BY)),
        ox.Triple(doc, ox.NamedNode(str(VOID.inDataset)), ox.NamedNode(urls.base + "dataset")),
    ]
    if doc.value != iri:
        out.append(ox.Triple(doc, ox.NamedNode(str(FOAF.primaryTopic)), ox.NamedNode(iri)))
    return out


# -- the HTML view of a description ------------------------------------------------
@dataclass
class Row:
    predicate: TermView
    object: TermView
    subject: TermView | None = None
    evidence: list[dict] = field(default_factory=list)


def page_context(request: Request, desc: Description) -> dict:
    urls: Urls = get_urls(request)
    view = Viewer(urls, prefixes(urls.base), desc.labels)
    lang = choose_language(request)
    own = desc.about(desc.iri)
    type_iris = [t.object.value for t in own if t.predicate.value == RDF_TYPE]
    is_article = any(ty in ARTICLE_TYPES for ty in type_iris)
    is_fact = any(ty.startswith(urls.base) and ty.endswith(tuple("/" + f for f in FACT_TYPES)) for ty in type_iris)
    reader = reference_context(request, desc.iri, labels=desc.labels, lang=lang, t=strings(lang),
                               is_article=is_article, is_fact=is_fact)
    facts_here = reader["fact_views"]

    def evidence_views(items: list[Evidence]) -> list[dict]:
        """A statement's evidence as references to the facts (their quotes are shown once, above)."""
        out, seen = [], set()
        for ev in items:
            if ev.fact in seen:
                continue
            seen.add(ev.fact)
            fv = facts_here.get(ev.fact)
            shown = fv is not None and not is_fact and not is_article
            out.append({"href": f"#fact-{fv.n}" if shown else urls.page(ev.fact),
                        "n": fv.n if shown else None, "title": fv.text if fv else ""})
        return out

    def rows_for(subject: str, hidden: set[str]) -> list[Row]:
        rows = []
        for t in desc.about(subject):
            if t.predicate.value in hidden:
                continue
            rows.append(Row(view.term(t.predicate), view.term(t.object), evidence=evidence_views(desc.evidence.get(t, []))))
        return rows

    types = [view.term(t.object) for t in own if t.predicate.value == RDF_TYPE]
    types = [ty for ty in types if ty.has_label] or types  # our labelled classes say it; the rest are in the raw view
    hidden = HIDDEN | ({str(SCHEMA.text)} if is_article else set())
    labels = desc.labels.get(desc.iri, {})
    for t in own:  # own labels are in the description even if the label query missed them
        if t.predicate.value.endswith("#label") and isinstance(t.object, ox.Literal):
            labels = {**{t.object.language or "": t.object.value}, **labels}
    this_fact = reader.get("this_fact")
    if this_fact is not None:  # a fact or claim is named by its sentence
        labels = {"en": this_fact.text_en, "ar": this_fact.text_ar}
    parts = [
        {"id": frag.split("#", 1)[1], "rows": rows_for(frag, set())}
        for frag in desc.fragments()
    ]
    asserts = [
        Row(view.term(t.predicate), view.term(t.object), subject=view.term(t.subject))
        for t in desc.graph_content()
        if not (isinstance(t.subject, ox.NamedNode) and t.subject.value.split("#")[0] == desc.iri)
    ]
    first, second = (labels.get(lang), labels.get("ar" if lang == "en" else "en"))
    descriptions = [t.object for t in own if t.predicate.value == str(SCHEMA.description) and isinstance(t.object, ox.Literal)]
    approximate = any(t.predicate.value == urls.base + "ontology#approximate" and is_true(t.object) for t in own)
    context = {
        "iri": desc.iri,
        "curie": view.curie(desc.iri),
        "title": " · ".join(x for x in (first, second) if x) or view.curie(desc.iri),
        "en": labels.get("en"),
        "ar": labels.get("ar"),
        "types": types,
        "descriptions": [view.term(d) for d in sorted(descriptions, key=lambda d: d.language != lang)[:1]],
        "also_known_as": sorted({t.object.value for t in own if t.predicate.value.endswith("core#altLabel")
                                 and isinstance(t.object, ox.Literal) and t.object.language == lang}),
        "identifiers": [view.term(t.object) for t in own
                        if t.predicate.value.endswith(("core#notation", "/identifier")) and isinstance(t.object, ox.Literal)],
        "when": [date_words(t.object, lang, approximate) for t in own
                 if t.predicate.value == str(SEM.hasTimeStamp) and isinstance(t.object, ox.Literal)],
        "where": [view.term(t.object) for t in own if t.predicate.value == str(SEM.hasPlace)],
        "rows": rows_for(desc.iri, hidden),
        "parts": parts,
        "asserts": asserts,
        "same_as": [view.term(t.object) for t in own if t.predicate.value == OWL_SAME_AS],
        "incoming": [Row(view.term(t.predicate), view.term(t.object), subject=view.term(t.subject)) for t in desc.incoming],
        "incoming_more": desc.incoming_truncated,
        "truncated": desc.truncated,
        "variants": [(href, fmt.name if fmt is not HTML else "HTML", fmt.media_type) for href, fmt in urls.variants(desc.iri)],
        "article": article_view(request, desc, own, facts_here) if is_article else None,
        "is_fact": is_fact,
        **reader,
    }
    return context


def article_view(request: Request, desc: Description, own: list[ox.Triple], facts: dict | None = None) -> dict | None:
    """The seed text cut at every span boundary, so overlapping spans each keep
    their highlight, their anchor (``#span-{start}-{end}``) and their link."""
    urls: Urls = get_urls(request)
    text = next((t.object.value for t in own if t.predicate.value == str(SCHEMA.text)), None)
    if text is None:
        return None
    rows = run(request.app.state.store, "article_spans", base=urls.base, this=ox.NamedNode(desc.iri)).dicts()
    spans = []
    for n, r in enumerate(rows, start=1):
        start, end = int(r["start"].value), int(r["end"].value)
        if 0 <= start < end <= len(text):
            ident = r["ident"].value if "ident" in r else r["fact"].value.rsplit("/", 1)[-1]
            fv = (facts or {}).get(r["fact"].value)
            spans.append({"n": n, "start": start, "end": end, "exact": r["exact"].value, "ident": ident,
                          "fact_href": urls.page(r["fact"].value), "anchor": f"span-{start}-{end}",
                          "sentence": fv.sentence if fv else (), "title": fv.text if fv else ident})
    return {"segments": segment(text, spans), "spans": spans}


def segment(text: str, spans: list[dict]) -> list[dict]:
    """Split ``text`` at every span start and end. Each piece says how many
    spans cover it (``depth``), which anchors start there and which spans end there."""
    cuts = sorted({0, len(text)} | {s["start"] for s in spans} | {s["end"] for s in spans})
    pieces, seen_ids = [], set()
    for a, b in zip(cuts, cuts[1:]):
        covering = [s for s in spans if s["start"] <= a and s["end"] >= b]
        ids = []
        for s in spans:
            if s["start"] == a and s["anchor"] not in seen_ids:
                seen_ids.add(s["anchor"])
                ids.append(s["anchor"])
        pieces.append({
            "text": text[a:b], "depth": len(covering), "ids": ids,
            "title": " | ".join(s.get("title", s["ident"]) for s in covering),
            "refs": [{"n": s["n"], "href": s["fact_href"], "title": s.get("title", s["ident"])} for s in spans if s["end"] == b],
        })
    return pieces
