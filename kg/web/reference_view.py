"""The reader's part of a resource page, as a reference work would set it:
the facts that mention the resource as sentences grouped by kind, each quote
shown once with a link to its highlighted words in the article; the events it
took part in, dated, with its role; who took part in an event; and, for the
home page, a timeline of events and the main entities.

Data comes from ``kg.query.reference`` (the query layer); wording from
``kg.web.sentences``. Templates get plain dicts and ``Piece`` lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from kg.query import reference as ref
from kg.query.reference import EventRow, FactRecord, Labels
from kg.rdf.vocab import vocabulary
from kg.web.context import ReleaseContext, context
from kg.web.paging import Page, list_store
from kg.web.render import get_urls
from kg.web.sentences import KIND_NAMES, KIND_ORDER, Piece, Wording, date_words, title
from kg.web.urls import Urls


@dataclass
class FactView:
    """One fact as a page shows it: its sentence in both languages, its quotes."""

    iri: str
    href: str
    n: int
    kind: str
    sentence: tuple[Piece, ...]
    sentence_other: tuple[Piece, ...]
    text: str
    text_en: str
    text_ar: str
    inferred: bool
    claim: bool
    quotes: list[dict] = field(default_factory=list)


def _merge(*maps: Labels) -> Labels:
    out: Labels = {}
    for m in maps:
        for iri, by_lang in m.items():
            out.setdefault(iri, {}).update({k: v for k, v in by_lang.items() if k not in out.get(iri, {})})
    return out


def fact_views(urls: Urls, facts: ref.Facts, labels: Labels, lang: str, first: int = 1) -> list[FactView]:
    """Every fact with its sentence and its quotes (each once), numbered in
    group order from ``first`` (a later page continues the numbers)."""
    other = "ar" if lang == "en" else "en"
    qn = vocabulary(urls.base)
    views = []
    for rec in facts.records:
        mine, theirs = title(rec, labels, lang, qn), title(rec, labels, other, qn)
        en, ar = (mine, theirs) if lang == "en" else (theirs, mine)
        views.append(FactView(
            iri=rec.iri, href=urls.page(rec.iri), n=0, kind=mine.kind, sentence=mine.pieces,
            sentence_other=theirs.pieces, text=mine.text, text_en=en.text, text_ar=ar.text,
            inferred=rec.inferred, claim=rec.claim, quotes=_quotes(urls, rec, labels, lang),
        ))
    views.sort(key=lambda v: (KIND_ORDER.index(v.kind), v.text))
    for n, v in enumerate(views, start=first):
        v.n = n
    return views


def _quotes(urls: Urls, rec: FactRecord, labels: Labels, lang: str) -> list[dict]:
    out = []
    for q in rec.quotes:
        art = labels.get(q.article, {})
        out.append({"exact": q.exact, "href": urls.article_span(q.article, q.start, q.end),
                    "article": art.get(lang) or art.get("ar") or art.get("en") or "", "article_lang": lang if art.get(lang) else "ar"})
    return out


def groups(views: list[FactView], lang: str) -> list[dict]:
    """Facts grouped by kind, kinds in a fixed order, each with its heading."""
    out: list[dict] = []
    for v in views:
        if not out or out[-1]["kind"] != v.kind:
            out.append({"kind": v.kind, "name": KIND_NAMES[v.kind][lang], "facts": []})
        out[-1]["facts"].append(v)
    return out


def event_views(urls: Urls, events: list[EventRow], labels: Labels, lang: str, venue: str) -> list[dict]:
    w = Wording(labels, lang)
    out = []
    for e in events:
        date = e.date or e.not_after
        out.append({
            "event": w.name(e.event), "href": urls.page(e.event),
            "date": date_words(date, lang, e.approximate and e.date is not None) if date is not None else None,
            "datetime": date.value if date is not None else None, "not_after": e.date is None and e.not_after is not None,
            "since": e.began and e.date is not None,
            "place": w.name(e.place) if e.place else None, "place_href": urls.page(e.place) if e.place else None,
            "roles": [w.name(r) for r in e.roles] + ([Piece(venue)] if e.venue else []),
        })
    return out


def term_labels(request: Request) -> Labels:
    """Labels of the ontology's terms; the ontology of a release never changes: read once per release."""
    ctx = context(request)
    if ctx.term_labels is None:
        ctx.term_labels = ref.ontology_labels(list_store(ctx), base=get_urls(request).base)
    return ctx.term_labels


def reader_lists(ctx: ReleaseContext, iri: str) -> tuple[list[str], list[str]]:
    """The ordered events and facts of ``iri``'s page, read once per release."""
    base = ctx.release.base_iri
    lists = ctx.page_lists
    events = lists.get(("events", iri), lambda: ref.event_keys(list_store(ctx), iri, base=base))
    facts = lists.get(("facts", iri), lambda: ref.fact_keys(list_store(ctx), iri, base=base))
    return events, facts


def reference_context(request: Request, iri: str, *, labels: Labels, lang: str, t: dict[str, str],
                      is_article: bool, is_fact: bool, page: Page | None = None, has_actors: bool = True) -> dict:
    """What the reader's sections of ``iri``'s page need; for an entity, the
    events and facts of ``page`` (a slice of each ordered list); the
    participants when ``has_actors`` (an event: its description has ``sem:hasActor``)."""
    urls = get_urls(request)
    state = context(request)
    store = list_store(state)
    terms = term_labels(request)
    if is_fact or is_article:  # their facts are those of one article at most: never paged
        facts = ref.facts_of(store, iri, base=urls.base, terms=terms)
        views = fact_views(urls, facts, _merge(facts.labels, labels), lang)
        view: dict = {"fact_views": {v.iri: v for v in views}, "facts_cut": facts.truncated}
        if is_fact:
            view["this_fact"] = next((v for v in views if v.iri == iri), None)
        return view
    page = page or Page(1, 10**9, 0)
    event_keys, fact_keys = reader_lists(state, iri)
    facts, (events, event_labels) = state.page_parts.get(("page", iri, page.offset, page.size), lambda: (
        ref.facts_page(store, page.slice(fact_keys), base=urls.base, terms=terms),
        ref.events_page(store, iri, page.slice(event_keys), base=urls.base)))
    all_labels = _merge(facts.labels, labels)
    views = fact_views(urls, facts, all_labels, lang, first=page.offset + 1)
    view = {"fact_views": {v.iri: v for v in views}, "facts_cut": False, "fact_groups": groups(views, lang),
               "facts_total": len(fact_keys), "facts_span": page.span(len(fact_keys)),
               "events_total": len(event_keys), "events_span": page.span(len(event_keys))}
    view["events"] = event_views(urls, events, _merge(event_labels, all_labels), lang, t["venue"])
    actors, actor_labels = ref.event_actors(store, iri, base=urls.base) if has_actors else ([], {})
    w = Wording(_merge(actor_labels, all_labels), lang)
    view["participants"] = [{"agent": w.name(a), "href": urls.page(a), "role": w.name(r)} for a, r in actors]
    return view


def home_context(request: Request, lang: str) -> dict:
    """The home page's latest events and its main entities (the release's summary, computed once)."""
    urls = get_urls(request)
    summary = context(request).summary(list_store(context(request)))
    w = Wording(summary.main_labels, lang)
    return {
        "timeline": event_views(urls, summary.latest_events, summary.event_labels, lang, ""),
        "main_entities": [{"name": w.name(x), "href": urls.page(x), "n": n} for x, n in summary.main_entities],
    }


__all__ = ["FactView", "home_context", "reader_lists", "reference_context", "term_labels"]
