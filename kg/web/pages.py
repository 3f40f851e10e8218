"""Pages that are not one resource: the landing page, lists of types and of
their instances, the stylesheet, and the 404 page for every unknown path."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.describe import run
from kg.web.conditional import release_validators
from kg.vocab import prefixes
from kg.web.reference_view import home_context
from kg.web.render import SECURITY_HEADERS, Viewer, choose_language, get_urls, not_found, render_html

router = APIRouter()
METHODS = ["GET", "HEAD"]
STATIC = Path(__file__).resolve().parent / "static"
STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(css|svg|png|js)$")


def _labels(rows: list[dict], key: str = "x") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        label = r.get("label")
        if isinstance(label, ox.Literal) and key in r:
            out.setdefault(r[key].value, {}).setdefault(label.language or "", label.value)
    return out


def class_counts(request: Request) -> tuple[list[dict], Viewer]:
    urls = get_urls(request)
    store = request.app.state.store
    labels = _labels(run(store, "ontology_labels", base=urls.base).dicts())
    view = Viewer(urls, prefixes(urls.base), labels)
    rows = []
    for r in run(store, "class_counts", base=urls.base).dicts():
        iri = r["class"].value
        rows.append({"class": view.iri(iri), "curie": view.curie(iri), "n": int(r["n"].value), "href": urls.type_list(view.curie(iri))})
    return rows, view


@router.api_route("/", methods=METHODS, include_in_schema=False)
def home(request: Request) -> Response:
    urls = get_urls(request)
    store = request.app.state.store
    release = request.app.state.release
    types, view = class_counts(request)
    ours = [t for t in types if t["curie"].startswith("qn:")]
    rows = run(store, "articles", base=urls.base).dicts()
    articles: dict[str, dict] = {}
    for r in rows:
        a = articles.setdefault(r["article"].value, {"href": urls.page(r["article"].value), "labels": {}, "date": None, "url": None})
        if "label" in r:
            a["labels"][r["label"].language or ""] = r["label"].value
        if "date" in r:
            a["date"] = r["date"].value
        if "url" in r:
            a["url"] = r["url"].value
    meta = release.meta
    return render_html(request, "home.html", {
        "meta": meta, "types": ours, "articles": list(articles.values()),
        "dumps": sorted(n for n in meta.get("files", {}) if n.startswith("dataset.")),
        **home_context(request, choose_language(request)),
    }, headers={"Link": f'<{urls.void}>; rel="describedby"; type="text/turtle", <{urls.sparql}>; rel="http://rdfs.org/ns/void#sparqlEndpoint"',
                **release_validators(request)})


@router.api_route("/types/", methods=METHODS, include_in_schema=False)
def types(request: Request) -> Response:
    rows, _ = class_counts(request)
    return render_html(request, "types.html", {"types": rows}, headers=release_validators(request))


@router.api_route("/types/{curie}", methods=METHODS, include_in_schema=False)
def instances(curie: str, request: Request) -> Response:
    urls = get_urls(request)
    prefix, colon, local = curie.partition(":")
    namespaces = prefixes(urls.base)
    if not colon or prefix not in namespaces or not local:
        return not_found(request)
    cls = namespaces[prefix] + local
    store = request.app.state.store
    rows = run(store, "class_instances", base=urls.base, **{"class": ox.NamedNode(cls)}).dicts()
    if not rows:
        return not_found(request)
    labels = _labels(rows, key="s")
    class_labels = _labels(run(store, "ontology_labels", base=urls.base).dicts())
    view = Viewer(urls, namespaces, {**labels, **class_labels})
    items = sorted({r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode)},
                   key=lambda i: (labels.get(i, {}).get("en") or i).lower())
    return render_html(request, "type_list.html", {
        "cls": view.iri(cls), "curie": curie, "items": [view.iri(i) for i in items],
    }, headers=release_validators(request))


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


__all__ = ["router", "install_not_found", "SECURITY_HEADERS"]
