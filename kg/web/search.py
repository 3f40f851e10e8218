"""``/search?q=``: find things by name, as a page or as JSON (by Accept, or
``format=json|html``).

The finding is ``kg.query.search_index`` (one label index per release, folded names,
fuzzy); this module reads the request, asks the index, and shows each hit
with the words the store holds for it (``kg/queries/search_result.rq``):
both preferred labels, the alternative label that matched if that is what
matched, its types and description. See docs/linked-data.md ("Search").
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from kg.errors import BadQuery, NotAcceptable
from kg.folding import fold_words
from kg.query.describe import run
from kg.query.search_index import Found, Hit, LabelIndex
from kg.query.search_load import names_of
from kg.rdf.formats import negotiate
from kg.rdf.vocab import curie as curie_of
from kg.rdf.vocab import expand as expand_type
from kg.rdf.vocab import prefixes
from kg.web.context import ReleaseContext, context
from kg.web.reload import on_every_release
from kg.web.render import get_urls, render_html

log = logging.getLogger("kg.web.search")
router = APIRouter()
METHODS = ["GET", "HEAD"]
OFFERED = ["text/html", "application/json"]
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000

UI = {
    "en": {"title": "Search", "search": "Search", "type": "Type", "any_type": "any type", "found": "found",
           "nothing": "Nothing found for", "hint": "Type a name in English or Arabic: spelling variants, missing hamza or diacritics and small typos are forgiven.",
           "matched": "matched", "more": "More results", "previous": "Previous", "first": "Showing the best matches of many; type more of the name to narrow them.",
           "sparql": "For anything else, ask the SPARQL endpoint.", "unknown_type": "Unknown type:",
           "types_list": "the types"},
    "ar": {"title": "بحث", "search": "بحث", "type": "النوع", "any_type": "أي نوع", "found": "نتيجة",
           "nothing": "لا نتائج عن", "hint": "اكتب اسما بالعربية أو الإنجليزية: تُتجاوز اختلافات الهمزة والتشكيل والتاء المربوطة والأخطاء الإملائية الصغيرة.",
           "matched": "طابق", "more": "نتائج أخرى", "previous": "السابق", "first": "هذه أفضل النتائج من كثير؛ اكتب المزيد من الاسم لتضييقها.",
           "sparql": "ولأي سؤال آخر استعمل نقطة SPARQL.", "unknown_type": "نوع غير معروف:",
           "types_list": "الأنواع"},
}


@dataclass
class Shown:
    """A hit as a person reads it."""

    iri: str
    page: str
    score: float
    en: str | None = None
    ar: str | None = None
    matched: str | None = None
    matched_lang: str | None = None
    description: dict[str, str] = field(default_factory=dict)
    types: list[dict] = field(default_factory=list)

    def json(self) -> dict:
        return {
            "id": self.iri, "page": self.page, "score": self.score,
            "label": {k: v for k, v in (("en", self.en), ("ar", self.ar)) if v},
            **({"matched": self.matched} if self.matched else {}),
            **({"description": self.description} if self.description else {}),
            "types": self.types,
        }


def install(app: FastAPI) -> None:
    """Routes, and the index built in the background at start and for each new release."""
    app.include_router(router)
    on_every_release(app, warm)


def warm(ctx: ReleaseContext) -> threading.Thread | None:
    """Build ``ctx``'s search index in the background, so the first search rarely waits
    (not with ``--no-warm``: the first search builds it)."""
    if not ctx.settings.warm:
        return None

    def go() -> None:
        try:
            ctx.index()
        except Exception:  # the first search builds it again and reports
            log.exception("building the search index failed")

    t = threading.Thread(target=go, name="kg-search-index", daemon=True)
    t.start()
    return t


def type_labels(request: Request) -> dict[str, dict[str, str]]:
    """Labels of the ontology's terms, once per release."""
    ctx = context(request)
    labels = ctx.search_type_labels
    if labels is None:
        labels = {}
        for r in run(ctx.store, "ontology_labels", base=get_urls(request).base).dicts():
            lab = r.get("label")
            if isinstance(lab, ox.Literal):
                labels.setdefault(r["x"].value, {}).setdefault(lab.language or "", lab.value)
        ctx.search_type_labels = labels
    return labels


def type_view(request: Request, iri: str) -> dict:
    urls = get_urls(request)
    curie = curie_of(iri, prefixes(urls.base))
    label = type_labels(request).get(iri, {})
    return {"id": iri, "curie": curie, "href": urls.type_list(curie) if curie != iri else None,
            "label": {k: v for k, v in label.items() if k in ("en", "ar")}}


def unknown_types(request: Request, types: list[str]) -> list[str]:
    """The asked types that are neither a class of the ontology nor the type of
    anything in the index: a typo (``qn:Nope``) is said, not answered with nothing."""
    known = set(context(request).index().type_counts) | set(type_labels(request))
    return [t for t in types if t not in known]


def show(request: Request, hit: Hit) -> Shown:
    """What the store says of a hit, for the page and the JSON."""
    urls = get_urls(request)
    names = names_of(context(request).store, hit.iri, base=urls.base)
    out = Shown(hit.iri, urls.page(hit.iri), hit.score, names.preferred.get("en"), names.preferred.get("ar"),
                description={k: v for k, v in names.description.items() if k in ("en", "ar")})
    if not (out.en or out.ar):
        out.en = names.first()
    if hit.matched not in {fold_words(x) for x in (out.en, out.ar) if x}:  # an alternative name matched: say which
        original = names.original(hit.matched)
        if original is not None:
            out.matched, out.matched_lang = original[0], original[1] or None
    out.types = [type_view(request, t) for t in hit.types]
    return out


def wants_json(request: Request) -> bool:
    fmt = request.query_params.get("format")
    if fmt in ("json", "html"):
        return fmt == "json"
    media = negotiate(request.headers.get("accept"), OFFERED)
    if media is None:
        raise NotAcceptable(OFFERED)
    return media == "application/json"


def int_param(request: Request, name: str, default: int, top: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not 0 <= value <= top:
        raise BadQuery(f"{name} must be between 0 and {top}")
    return value


@router.api_route("/search", methods=METHODS, include_in_schema=False)
def search(request: Request) -> Response:
    as_json = wants_json(request)
    q = request.query_params.get("q", "").strip()
    limit = int_param(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    offset = int_param(request, "offset", 0, MAX_OFFSET)
    namespaces = prefixes(get_urls(request).base)
    types = [expand_type(t, namespaces) for t in request.query_params.getlist("type") if t]
    index: LabelIndex = context(request).index()
    unknown = unknown_types(request, types)
    if unknown and as_json:
        raise BadQuery(f"unknown type {', '.join(curie_of(t, namespaces) for t in unknown)}: use a class of the ontology "
                       "(qn:State, qn:Official, …; /types/ lists them)")
    found = index.search(q, types=types, limit=limit, offset=offset) if q and not unknown else Found([], 0)
    shown = [show(request, h) for h in found.hits]
    headers = {"Vary": "Accept"}
    if as_json:
        body = {"query": q, "types": types, "offset": offset, "limit": limit, "total": found.total,
                "complete": found.complete, "results": [s.json() for s in shown]}
        return JSONResponse(body, headers={**headers, "Cache-Control": "public, max-age=300"})
    lang = _lang(request)
    type_choices = sorted(
        (type_view(request, t) | {"n": n} for t, n in index.type_counts.items()),
        key=lambda v: (not v["curie"].startswith("qn:"), v["label"].get(lang) or v["curie"]),
    )
    links = result_links(request, q, offset, limit, found.total)
    if links:  # the neighbouring pages of results, for clients that read no HTML (RFC 8288)
        headers["Link"] = ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items())
    return render_html(request, "search.html", {
        "q": q, "results": shown, "found": found, "offset": offset, "limit": limit,
        "types": types, "type_choices": [v for v in type_choices if v["curie"].startswith("qn:")],
        "s": UI[lang], "unknown_types": [curie_of(t, namespaces) for t in unknown], "pager": {"links": links},
    }, headers=headers, status=400 if unknown else 200)


def result_links(request: Request, q: str, offset: int, limit: int, total: int) -> dict[str, str]:
    """rel → URL of the previous and next pages of results (same query, types and limit)."""
    def at(start: int) -> str:
        params = [("q", q)] + [("type", t) for t in request.query_params.getlist("type") if t] + [("offset", str(start)), ("limit", str(limit))]
        return "/search?" + urlencode(params)

    out = {}
    if offset:
        out["prev"] = at(max(0, offset - limit))
    if offset + limit < total:
        out["next"] = at(offset + limit)
    return out


def _lang(request: Request) -> str:
    from kg.web.render import choose_language

    return choose_language(request)


__all__ = ["install", "router", "show", "type_labels", "type_view"]
