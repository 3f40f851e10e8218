"""Dereferencing: every IRI under the base answers at its own path.

``/id/{path}`` (a thing) → ``303 See Other`` → ``/doc/{path}`` (its
description, negotiated between HTML, Turtle, JSON-LD, N-Triples and RDF/XML,
or fixed by a suffix: ``/doc/{path}.ttl``). ``/graph/{name}`` is a document
and answers ``200`` directly. Unknown IRIs get ``404``, as HTML or text by
Accept. Every route answers HEAD. See docs/linked-data.md.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib.namespace import OWL

from kg.query.describe import Description, Evidence, describe, exists, page_of, run, serialize, statements, to_triples
from kg.query.reference import is_true
from kg.rdf.formats import HTML, Format
from kg.rdf.vocab import DCT, FOAF, SCHEMA, SEM, VOID, prefixes, vocabulary
from kg.store.executor import QueryExecutor
from kg.web import structured
from kg.web.article_card import article_card, not_article_runs
from kg.web.conditional import made_from_release
from kg.web.context import ReleaseContext, context
from kg.web.negotiated import choose_format, document_headers
from kg.web.paging import Page, links, list_store, page_number, page_size, pager
from kg.web.paging import link_header as paging_links
from kg.web.reference_view import reader_lists, reference_context
from kg.web.render import (
    TermView,
    Viewer,
    choose_language,
    get_urls,
    not_found,
    rdf_response,
    render_html,
    strings,
)
from kg.web.sentences import date_words
from kg.web.urls import CC_BY, Urls

router = APIRouter()
DESCRIPTION_CACHE = 256
METHODS = ["GET", "HEAD"]

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
HYDRA = "http://www.w3.org/ns/hydra/core#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@router.api_route("/id/{rest:path}", methods=METHODS, include_in_schema=False)
def thing(rest: str, request: Request) -> Response:
    """A thing is not a document: send the client to the one describing it."""
    urls: Urls = get_urls(request)
    iri = urls.thing(rest)
    if not rest or not exists(context(request).store, iri, base=urls.base):
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
    return description_of(context(request), iri)


_cache_lock = threading.Lock()


def description_of(ctx: ReleaseContext, iri: str) -> Description | None:
    """A release never changes, so neither do its descriptions: the release's
    context keeps the last ``DESCRIPTION_CACHE`` of them (bounded, least recently used out)."""
    cache = ctx.descriptions
    with _cache_lock:
        if iri in cache:
            cache.move_to_end(iri)
            return cache[iri]
    desc = describe(list_store(ctx), iri, base=ctx.release.base_iri)
    with _cache_lock:
        cache[iri] = desc
        while len(cache) > DESCRIPTION_CACHE:
            cache.popitem(last=False)
    return desc


def warm_hubs(ctx: ReleaseContext, iris: list[str]) -> None:
    """Describe ``iris`` and order their lists now (the release's main
    entities, when it opens): the pages with the longest lists are the ones
    whose first visitor would otherwise wait."""
    for iri in iris:
        when_idle(ctx)
        if description_of(ctx, iri) is not None:
            reader_lists(ctx, iri)


def when_idle(ctx: ReleaseContext, poll: float = 0.2, patience: float = 60.0) -> None:
    """Warming is for idle time: wait while users' queries fill the slots or wait
    in the queue, so a background describe never takes the place that turns
    a user's query away with 503 (up to ``patience`` seconds, then go on)."""
    admission = ctx.store.admission if isinstance(ctx.store, QueryExecutor) else None
    deadline = time.monotonic() + patience
    while admission is not None and time.monotonic() < deadline:
        depth = admission.depth
        if depth.queued == 0 and depth.running < depth.slots:
            return
        time.sleep(poll)


def html_pages(request: Request, desc: Description, kinds: tuple[bool, bool], number: int) -> Page:
    """Page ``number`` of a resource's page: its statements and, for an entity,
    its events and facts, ``page_size`` of each; as many pages as the longest needs."""
    n = len(statements(desc))
    if not any(kinds):
        events, facts = reader_lists(context(request), desc.iri)
        n = max(n, len(events), len(facts))
    return Page(number, page_size(request), n)


def hydra_triples(urls: Urls, iri: str, page: Page) -> list[ox.Triple]:
    """A paged description says so in its graph (Hydra, as Linked Data Fragments
    do): the document is a ``hydra:Collection`` of ``hydra:totalItems``
    statements; this page is a ``hydra:PartialCollectionView`` with its first,
    last, previous and next pages. Nothing is added to a description of one page."""
    if page.last == 1:
        return []
    N, H = ox.NamedNode, HYDRA
    doc = urls.document_iri(iri)
    at = lambda n: N(f"{doc}?page={n}")  # noqa: E731
    view = at(page.number)
    out = [
        ox.Triple(N(doc), N(RDF_TYPE), N(H + "Collection")),
        ox.Triple(N(doc), N(H + "totalItems"), ox.Literal(str(page.total), datatype=N(XSD_INTEGER))),
        ox.Triple(N(doc), N(H + "view"), view),
        ox.Triple(view, N(RDF_TYPE), N(H + "PartialCollectionView")),
        ox.Triple(view, N(H + "first"), at(1)),
        ox.Triple(view, N(H + "last"), at(page.last)),
    ]
    if page.number > 1:
        out.append(ox.Triple(view, N(H + "previous"), at(page.number - 1)))
    if page.number < page.last:
        out.append(ox.Triple(view, N(H + "next"), at(page.number + 1)))
    return out


def represent(request: Request, desc: Description, forced: Format | None) -> Response:
    """Page ``?page=N`` of the description in the negotiated format; past the last page, 404."""
    urls: Urls = get_urls(request)
    fmt = choose_format(request, forced)
    number = page_number(request)
    if fmt is HTML:
        page = html_pages(request, desc, page_kinds(desc, urls), number)
    else:
        page = Page(number, page_size(request), len(statements(desc)))
    if not page.exists:
        return not_found(request)
    headers = document_headers(request, desc.iri, fmt, forced)
    if page.number > 1 and "Content-Location" in headers:  # the variant of this page, not of page 1
        headers["Content-Location"] += f"?page={page.number}"
    rels = links(request, page)
    if rels:
        headers["Link"] = paging_links(rels, headers.get("Link"))
    ctx = context(request)  # one page of statements, made once for its formats and languages
    shown = ctx.page_parts.get(("statements", desc.iri, page.number, page.size),
                              lambda: page_of(list_store(ctx), desc, page.number, page.size))
    if fmt is HTML:
        return render_html(request, "resource.html", page_context(request, desc, shown, page), headers=headers)
    extra = document_triples(urls, desc.iri) + hydra_triples(urls, desc.iri, page)
    body = serialize(to_triples(shown, extra=extra), fmt.media_type, prefixes(urls.base))
    return rdf_response(body, fmt, headers=headers)


def page_kinds(desc: Description, urls: Urls) -> tuple[bool, bool]:
    """(is an article, is a fact or claim): such pages have no reader lists to page."""
    types = desc.types()
    qn = vocabulary(urls.base)
    return (any(ty in ARTICLE_TYPES for ty in types),
            any(ty in (qn.Fact.value, qn.AttributedStatement.value) for ty in types))


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


def page_context(request: Request, desc: Description, shown: Description | None = None, page: Page | None = None) -> dict:
    """The page of ``desc``: its card from the whole description, the
    statements of ``shown`` (one page of them), the reader's lists of ``page``."""
    urls: Urls = get_urls(request)
    shown = shown or desc
    view = Viewer(urls, prefixes(urls.base), {**desc.labels, **shown.labels})
    lang = choose_language(request)
    own = desc.about(desc.iri)
    is_article, is_fact = page_kinds(desc, urls)
    reader = reference_context(request, desc.iri, labels={**desc.labels, **shown.labels}, lang=lang, t=strings(lang),
                               is_article=is_article, is_fact=is_fact, page=page,
                               has_actors=any(t.predicate.value == str(SEM.hasActor) for t in own))
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
        for t in shown.about(subject):
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
            labels = {t.object.language or "": t.object.value, **labels}
    this_fact = reader.get("this_fact")
    if this_fact is not None:  # a fact or claim is named by its sentence
        labels = {"en": this_fact.text_en, "ar": this_fact.text_ar}
    elif not (labels.get("en") or labels.get("ar")) and facts_here:  # a node without a name (a membership):
        named_by = min(facts_here.values(), key=lambda v: v.n)      # the sentence of the fact that states it
        labels = {"en": named_by.text_en, "ar": named_by.text_ar}
    parts = [
        {"id": frag.split("#", 1)[1], "rows": rows_for(frag, set())}
        for frag in shown.fragments()
    ]
    asserts = [
        Row(view.term(t.predicate), view.term(t.object), subject=view.term(t.subject))
        for t in shown.graph_content()
        if not (isinstance(t.subject, ox.NamedNode) and t.subject.value.split("#")[0] == desc.iri)
    ]
    first, second = (labels.get(lang), labels.get("ar" if lang == "en" else "en"))
    descriptions = [t.object for t in own if t.predicate.value == str(SCHEMA.description) and isinstance(t.object, ox.Literal)]
    approximate = any(t.predicate.value == urls.base + "ontology#approximate" and is_true(t.object) for t in own)
    context = {
        "iri": desc.iri,
        "curie": view.curie(desc.iri),
        "jsonld": structured.script(structured.resource(desc, urls.base.rstrip("/") + urls.page(desc.iri))),
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
        "incoming": [Row(view.term(t.predicate), view.term(t.object), subject=view.term(t.subject)) for t in shown.incoming],
        "statements_total": len(statements(desc)),
        "statements_span": page.span(len(statements(desc))) if page else (1, len(statements(desc))),
        "pager": pager(request, page) if page else None,
        "truncated": desc.truncated,
        "variants": [(href, fmt.name if fmt is not HTML else "HTML", fmt.media_type) for href, fmt in urls.variants(desc.iri)],
        "article": article_view(request, desc, own, facts_here) if is_article else None,
        **(article_card(view, desc, own, lang) if is_article else {}),
        "is_fact": is_fact,
        **reader,
    }
    return context


def article_view(request: Request, desc: Description, own: list[ox.Triple], facts: dict | None = None) -> dict | None:
    """The seed text cut at every span boundary, so overlapping spans each keep
    their highlight, their anchor (``#span-{start}-{end}``) and their link."""
    urls: Urls = get_urls(request)
    text = next((t.object.value for t in own if t.predicate.value == str(SCHEMA.text) and isinstance(t.object, ox.Literal)), None)
    if text is None:
        return None
    rows = run(list_store(context(request)), "article_spans", base=urls.base, this=ox.NamedNode(desc.iri)).dicts()
    spans = []
    for n, r in enumerate(rows, start=1):
        start, end = int(r["start"].value), int(r["end"].value)
        if 0 <= start < end <= len(text):
            ident = r["ident"].value if "ident" in r else r["fact"].value.rsplit("/", 1)[-1]
            fv = (facts or {}).get(r["fact"].value)
            spans.append({"n": n, "start": start, "end": end, "exact": r["exact"].value, "ident": ident,
                          "fact_href": urls.page(r["fact"].value), "anchor": f"span-{start}-{end}",
                          "sentence": fv.sentence if fv else (), "title": fv.text if fv else ident,
                          "claim": fv.claim if fv else "/id/claim/" in r["fact"].value})
    return {"segments": segment(text, spans, not_article_runs(desc, own)), "spans": spans}


def segment(text: str, spans: list[dict], dims: list[dict] = ()) -> list[dict]:  # type: ignore[assignment]
    """Split ``text`` at every span start and end. Each piece says how many
    spans cover it (``depth``), which anchors start there, which spans end
    there, the sentences of the facts that start there (``notes``), and, for
    words marked as not the article (``dims``), the curator's note (``dim``)."""
    cuts = sorted({0, len(text)} | {s["start"] for s in spans} | {s["end"] for s in spans}
                  | {d["start"] for d in dims} | {d["end"] for d in dims})
    pieces, seen_ids = [], set()
    for a, b in itertools.pairwise(cuts):
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
            "notes": [{"n": s["n"], "text": s.get("title", s["ident"])} for s in spans if s["start"] == a],
            "dim": next((d["note"] for d in dims if d["start"] <= a and b <= d["end"]), None),
        })
    return pieces
