"""Pages that are not one resource: the landing page, the articles, lists of
types and of their instances (a page at a time, ``kg.web.paging``), the
stylesheet, and the 404 page for every unknown path."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.query.describe import run, run_all
from kg.rdf.vocab import prefixes
from kg.web.conditional import release_validators
from kg.web.context import ReleaseContext, context
from kg.web.paging import Page, link_header, list_store, page_number, page_size, pager
from kg.web.reference_view import home_context
from kg.web.reload import on_every_release
from kg.web.render import SECURITY_HEADERS, Viewer, choose_language, get_urls, not_found, render_html
from kg.web.resources import warm_hubs
from kg.web.urls import Urls

log = logging.getLogger("kg.pages")
router = APIRouter()
METHODS = ["GET", "HEAD"]
STATIC = Path(__file__).resolve().parent / "static"
STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(css|svg|png|js)$")


HOME_ARTICLES = 20
"""Newest articles the home page lists; the rest are on ``/articles``."""


def _labels(rows: list[dict], key: str = "x") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        label = r.get("label")
        if isinstance(label, ox.Literal) and key in r:
            out.setdefault(r[key].value, {}).setdefault(label.language or "", label.value)
    return out


def class_counts(request: Request) -> tuple[list[dict], Viewer]:
    """Classes with their instances, from the release's summary (counted once)."""
    urls = get_urls(request)
    summary = context(request).summary(list_store(context(request)))
    view = Viewer(urls, prefixes(urls.base), summary.ontology_labels)
    rows = [{"class": view.iri(iri), "curie": view.curie(iri), "n": n, "href": urls.type_list(view.curie(iri))}
            for iri, n in summary.classes]
    return rows, view


def article_items(request: Request, articles: list[tuple[str, str]]) -> list[dict]:
    """Titles, dates and URLs of ``articles`` (one page of them), in their order."""
    if not articles:
        return []
    urls = get_urls(request)
    table = (["article"], [(ox.NamedNode(a),) for a, _ in articles])
    found: dict[str, dict] = {a: {"href": urls.page(a), "labels": {}, "date": d or None, "url": None} for a, d in articles}
    for r in run(list_store(context(request)), "articles", base=urls.base, table=table).dicts():
        a = found[r["article"].value]
        label = r.get("label")
        if isinstance(label, ox.Literal):
            a["labels"][label.language or ""] = label.value
        if "url" in r:
            a["url"] = r["url"].value
    return list(found.values())


def paged_html(request: Request, template: str, page: Page, context: dict, headers: dict[str, str] | None = None) -> Response:
    """A page of a list: ``404`` past the end; links to its neighbours in the body, head and ``Link``."""
    if not page.exists:
        return not_found(request)
    headers = dict(headers or {})
    pg = pager(request, page)
    if pg["links"]:
        headers["Link"] = link_header(pg["links"], headers.get("Link"))
    return render_html(request, template, {**context, "pager": pg}, headers=headers)


@router.api_route("/", methods=METHODS, include_in_schema=False)
def home(request: Request) -> Response:
    """A bounded summary, whatever the size of the release: counts, main
    entities, latest events, newest articles (all of them on ``/articles``)."""
    urls = get_urls(request)
    release = context(request).release
    types, _view = class_counts(request)
    ours = [t for t in types if t["curie"].startswith("qn:")]
    summary = context(request).summary(list_store(context(request)))
    meta = release.meta
    return render_html(request, "home.html", {
        "meta": meta, "types": ours, "articles": article_items(request, summary.articles[:HOME_ARTICLES]),
        "articles_total": len(summary.articles), "articles_more": len(summary.articles) > HOME_ARTICLES,
        "dumps": sorted(n for n in meta.get("files", {}) if n.startswith("dataset.")),
        **home_context(request, choose_language(request)),
        "jsonld": dataset_jsonld(request),
    }, headers={"Link": f'<{urls.void}>; rel="describedby"; type="text/turtle", <{urls.sparql}>; rel="http://rdfs.org/ns/void#sparqlEndpoint"',
                **release_validators(request)})


def dataset_jsonld(request: Request) -> str:
    """The schema.org Dataset of the home page, from the dataset description (kg.web.structured)."""
    return dataset_jsonld_of(context(request))


def dataset_jsonld_of(ctx: ReleaseContext) -> str:
    """``dataset_jsonld``, made once per release and state of the history (at the
    release's warm-up): merging void.ttl with the history and picking the schema.org
    fields from it took ≈ 90 ms of the home page's first render at 10 000 articles.
    The history is read each time (a prune changes it without a new release) and
    the script made again only when it changed."""
    from kg.web import structured
    from kg.web.dataset import description_of
    from kg.web.releases import releases_of

    known = releases_of(ctx)
    key = repr(known)
    kept = ctx.home_dataset
    if kept is None or kept[0] != key:
        iri = Urls(ctx.release.base_iri).base + "dataset"
        kept = ctx.home_dataset = (key, structured.script(structured.dataset(description_of(ctx, known), iri)))
    return kept[1]


@router.api_route("/articles", methods=METHODS, include_in_schema=False)
def articles(request: Request) -> Response:
    """Every source article, newest first, a page at a time."""
    summary = context(request).summary(list_store(context(request)))
    page = Page(page_number(request), page_size(request), len(summary.articles))
    shown = article_items(request, page.slice(summary.articles)) if page.exists else []
    return paged_html(request, "articles.html", page, {"articles": shown, "total": len(summary.articles), "first": page.offset + 1})


@router.api_route("/types/", methods=METHODS, include_in_schema=False)
def types(request: Request) -> Response:
    rows, _ = class_counts(request)
    return render_html(request, "types.html", {"types": rows}, headers=release_validators(request))


def members(request: Request, cls: str) -> list[str]:
    """The instances of ``cls`` in IRI order (read once per release)."""
    base = get_urls(request).base

    def compute() -> list[str]:
        store, this = list_store(context(request)), ox.NamedNode(cls)
        whole = run(store, "type_members_any", base=base, table=(["class"], [(this,)]))
        if not whole.truncated:  # sorted here: the engine's ORDER BY is ten times slower
            return sorted({r["s"].value for r in whole.dicts()})
        return [r["s"].value for r in run_all(store, "type_members", base=base, **{"class": this})]

    return context(request).page_lists.get(("members", cls), compute)


@router.api_route("/types/{curie}", methods=METHODS, include_in_schema=False)
def instances(curie: str, request: Request) -> Response:
    urls = get_urls(request)
    prefix, colon, local = curie.partition(":")
    namespaces = prefixes(urls.base)
    if not colon or prefix not in namespaces or not local:
        return not_found(request)
    cls = namespaces[prefix] + local
    number = page_number(request)
    items = members(request, cls)
    if not items:
        return not_found(request)
    page = Page(number, page_size(request), len(items))
    shown = page.slice(items)
    store = list_store(context(request))
    labels = _labels(run(store, "labels_of", base=urls.base, table=(["x"], [(ox.NamedNode(i),) for i in shown])).dicts()) if shown else {}
    view = Viewer(urls, namespaces, {**labels, **context(request).summary(list_store(context(request))).ontology_labels})
    return paged_html(request, "type_list.html", page, {
        "cls": view.iri(cls), "curie": curie, "items": [view.iri(i) for i in shown], "total": len(items), "first": page.offset + 1,
    }, headers=release_validators(request))


def install(app: FastAPI) -> None:
    """Routes, and the release's summary computed in the background at start and for each new release,
    then its busiest pages made and pinned (``kg.web.warm``)."""
    from kg.web import warm as pages_warm

    app.include_router(router)
    app.router.add_event_handler("startup", lambda: pages_warm.remember_loop(app))  # before the warm-up's start
    on_every_release(app, lambda ctx: warm(ctx, app))


def warm(ctx: ReleaseContext, app: FastAPI | None = None) -> threading.Thread | None:
    """Compute the summary of ``ctx``'s release, then describe its main
    entities (the hubs), in the background, so the first visitor does not wait;
    then, with ``app``, make its busiest pages (``kg.web.warm``) in the same thread.
    Nothing with ``--no-warm`` (``Settings.warm``): the warm-up has then ended at once."""
    if not ctx.settings.warm:
        ctx.warmed.set()
        return None

    def go() -> None:
        try:
            _summarize(ctx)
        finally:
            if app is not None:
                from kg.web import warm as pages_warm

                pages_warm.warm(app, ctx)
            ctx.warmed.set()

    t = threading.Thread(target=go, name="kg-summary", daemon=True)
    t.start()
    return t


def _summarize(ctx: ReleaseContext) -> None:
    """The summary, the templates, void.ttl, the home page's Dataset, the hubs described."""
    try:
        from kg.web.dataset import void_of
        from kg.web.render import prepare

        prepare()
        void_of(ctx)
        dataset_jsonld_of(ctx)
        summary = ctx.summary(list_store(ctx))
        warm_hubs(ctx, [iri for iri, _ in summary.main_entities])
    except Exception:
        log.exception("summarizing the release failed")


@router.api_route("/favicon.ico", methods=METHODS, include_in_schema=False)
def favicon(request: Request) -> Response:
    """Browsers ask for it whatever the page says; answer with our icon, not a 404."""
    return static("favicon.svg", request)


@router.api_route("/static/{name}", methods=METHODS, include_in_schema=False)
def static(name: str, request: Request) -> Response:
    path = STATIC / name
    if not STATIC_NAME.match(name) or not path.is_file():
        return not_found(request)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


def install_not_found(app: FastAPI) -> None:
    """Every 404 the app gives — unknown paths included — as a page or as text, by Accept."""

    async def handler(request: Request, exc: StarletteHTTPException) -> Response:
        return not_found(request)

    app.add_exception_handler(404, handler)  # type: ignore[arg-type]


__all__ = ["SECURITY_HEADERS", "install", "install_not_found", "paged_html", "router"]
