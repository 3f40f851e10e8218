"""``/reconcile``: the W3C Entity Reconciliation Service API, version 0.2
(https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/),
what OpenRefine speaks.

- ``GET /reconcile`` — the service manifest;
- ``GET|POST /reconcile`` with ``queries=`` (query string or form) — a batch;
- ``GET /reconcile/suggest/{entity,type,property}?prefix=&cursor=`` — suggest;
- ``GET /reconcile/preview?id=`` — a small HTML card for OpenRefine's preview.

CORS is the app's (any origin, no credentials). No JSONP: a script served
from our origin that echoes a caller's ``callback`` would undo the pages'
``script-src 'self'``; OpenRefine and browsers use CORS. The logic is
``kg.query.reconciliation``; see docs/reconciliation.md.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from kg import __version__
from kg.errors import BadQuery, NotFound
from kg.folding import fold_words, score_folded
from kg.query.reconciliation import NOT_SUGGESTED, PROPERTIES, Candidate, answer, candidate_name, parse_batch
from kg.query.search_index import LabelIndex
from kg.query.search_load import names_of
from kg.rdf.vocab import curie as curie_of
from kg.rdf.vocab import expand as expand_type
from kg.rdf.vocab import prefixes
from kg.web.context import context
from kg.web.render import get_urls, render_html
from kg.web.search import type_labels, type_view, unknown_types

router = APIRouter()
PREVIEW_SIZE = (430, 140)
SUGGEST_LIMIT = 10
JSON_HEADERS = {"Cache-Control": "no-store"}


def install(app: FastAPI) -> None:
    app.include_router(router)


def root(request: Request) -> str:
    """The served root (as the client reached it), for URLs in the manifest."""
    return str(request.base_url).rstrip("/")


def thing_id(iri: str, base: str) -> str:
    prefix = base + "id/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri


def type_ref(request: Request, iri: str) -> dict[str, str]:
    view = type_view(request, iri)
    return {"id": view["curie"], "name": view["label"].get("en") or view["curie"]}


def manifest(request: Request, index: LabelIndex) -> dict:
    urls = get_urls(request)
    here = root(request)
    ours = sorted((t for t in index.type_counts if curie_of(t, prefixes(urls.base)).startswith("qn:")),
                  key=lambda t: -index.type_counts[t])
    service = {"service_url": here, "service_path": "/reconcile/suggest/"}
    return {
        "versions": ["0.2"],
        "name": "Qatar–NATO knowledge graph",
        "identifierSpace": urls.base + "id/",
        "schemaSpace": urls.base + "ontology#",
        "documentation": here + "/reconcile/docs",
        "serviceVersion": __version__,
        "view": {"url": here + "/id/{{id}}"},
        "preview": {"url": here + "/reconcile/preview?id={{id}}", "width": PREVIEW_SIZE[0], "height": PREVIEW_SIZE[1]},
        "suggest": {kind: {**service, "service_path": service["service_path"] + kind} for kind in ("entity", "type", "property")},
        "defaultTypes": [type_ref(request, t) for t in ours],
    }


async def queries_param(request: Request) -> str | None:
    """``queries`` from the query string, or from a form body (POST)."""
    value = request.query_params.get("queries")
    if value is None and request.method == "POST":
        body = (await request.body()).decode("utf-8", errors="replace")
        found = parse_qs(body, keep_blank_values=True).get("queries")
        value = found[0] if found else None
    return value


@router.api_route("/reconcile", methods=["GET", "HEAD", "POST"], include_in_schema=False)
async def reconcile(request: Request) -> Response:
    raw = await queries_param(request)
    from starlette.concurrency import run_in_threadpool

    index = await run_in_threadpool(context(request).index)
    if raw is None:
        if request.method == "POST":
            raise BadQuery("POST a form with a 'queries' field (a JSON object of queries)")
        return JSONResponse(await run_in_threadpool(manifest, request, index), headers=JSON_HEADERS)
    try:
        batch = json.loads(raw)
    except ValueError as exc:
        raise BadQuery(f"queries is not JSON: {exc}") from None
    return JSONResponse(await run_in_threadpool(answer_batch, request, index, batch), headers=JSON_HEADERS)


def answer_batch(request: Request, index: LabelIndex, batch: object) -> dict:
    urls = get_urls(request)
    store = context(request).store
    out: dict[str, dict[str, Any]] = {}
    namespaces = prefixes(urls.base)
    parsed = parse_batch(batch, urls.base)
    if parsed and all(isinstance(q, BadQuery) for q in parsed.values()):
        first = next(iter(parsed.values()))
        assert isinstance(first, BadQuery)
        raise first  # nothing to answer: the batch is the client's mistake
    for key, q in parsed.items():
        if isinstance(q, BadQuery):  # this query is malformed; the others are answered
            out[key] = {"result": [], "error": str(q)}
            continue
        unknown = unknown_types(request, q.types)
        if unknown:
            out[key] = {"result": [], "error": f"query {key!r}: unknown type "
                        + ", ".join(curie_of(t, namespaces) for t in unknown) + " (/reconcile/suggest/type lists ours)"}
            continue
        has_text = bool(q.text.strip())
        out[key] = {"result": [result(request, c, s, m, has_text) for c, s, m in answer(index, store, urls.base, q)]}
    return out


def result(request: Request, c: Candidate, score: float, match: bool, has_text: bool) -> dict:
    base = get_urls(request).base
    name, description = candidate_name(context(request).store, base, c, has_text)
    out: dict = {"id": thing_id(c.iri, base), "name": name, "score": score, "match": match,
                 "type": [type_ref(request, t) for t in c.types]}
    if description:
        out["description"] = description
    features = ([{"id": "name", "value": c.name_score}] if has_text else []) + [
        {"id": f"property_{i}", "value": met} for i, met in enumerate(c.met)]
    if features:
        out["features"] = features
    return out


# -- suggest ----------------------------------------------------------------------
def cursor_of(request: Request) -> int:
    raw = request.query_params.get("cursor", "0") or "0"
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 10_000:  # str.isdigit is true of '²', int() is not
        raise BadQuery("cursor must be a whole number from 0 to 10000")
    return int(raw)


def prefix_of(request: Request) -> str:
    prefix = request.query_params.get("prefix")
    if prefix is None:
        raise BadQuery("suggest needs ?prefix=")
    return prefix


@router.get("/reconcile/suggest/entity", include_in_schema=False)
def suggest_entity(request: Request) -> Response:
    urls = get_urls(request)
    prefix, cursor = prefix_of(request), cursor_of(request)
    namespaces = prefixes(urls.base)
    types = [expand_type(t, namespaces) for t in request.query_params.getlist("type") if t]
    if unknown := unknown_types(request, types):
        raise BadQuery("unknown type " + ", ".join(curie_of(t, namespaces) for t in unknown))
    found = context(request).index().search(prefix, types=types, limit=SUGGEST_LIMIT, offset=cursor)
    results = []
    for hit in found.hits:
        names = names_of(context(request).store, hit.iri, base=urls.base)
        lang = next((lg for lg, text in names.preferred.items() if fold_words(text) == hit.matched), None)
        item: dict = {"id": thing_id(hit.iri, urls.base), "name": names.first(*(x for x in (lang, "en", "ar") if x)) or hit.iri,
                      "notable": [type_ref(request, t) for t in hit.types if curie_of(t, namespaces).startswith("qn:")]}
        description = names.description.get(lang or "en") or names.description.get("en")
        if description:
            item["description"] = description
        results.append(item)
    return JSONResponse({"result": results}, headers=JSON_HEADERS)


@router.get("/reconcile/suggest/type", include_in_schema=False)
def suggest_type(request: Request) -> Response:
    prefix, cursor = fold_words(prefix_of(request)), cursor_of(request)
    labels = type_labels(request)
    scored = []
    for iri in context(request).index().type_counts:
        ref = type_ref(request, iri)
        texts = [ref["id"], ref["name"], *labels.get(iri, {}).values()]
        best = max(score_folded(prefix, fold_words(t)) for t in texts) if prefix else 1.0
        if best >= 0.6:
            scored.append((-best, ref["id"], ref))
    scored.sort(key=lambda s: (s[0], s[1]))
    return JSONResponse({"result": [ref for _, _, ref in scored[cursor:cursor + SUGGEST_LIMIT]]}, headers=JSON_HEADERS)


@router.get("/reconcile/suggest/property", include_in_schema=False)
def suggest_property(request: Request) -> Response:
    prefix, cursor = fold_words(prefix_of(request)), cursor_of(request)
    labels = type_labels(request)
    namespaces = prefixes(get_urls(request).base)
    candidates = [{"id": pid, "name": name, "description": text} for pid, (_, name, text) in PROPERTIES.items()]
    for iri, lab in sorted(labels.items()):
        curie = curie_of(iri, namespaces)
        local = curie.partition(":")[2]
        if curie.startswith("qn:") and local[:1].islower() and local not in NOT_SUGGESTED:  # the ontology's properties (classes are capitalised)
            candidates.append({"id": curie, "name": lab.get("en") or curie})
    scored = []
    for c in candidates:
        best = max(score_folded(prefix, fold_words(t)) for t in (c["id"], c["name"])) if prefix else 1.0
        if best >= 0.6:
            scored.append((-best, c))
    scored.sort(key=lambda s: s[0])
    return JSONResponse({"result": [c for _, c in scored[cursor:cursor + SUGGEST_LIMIT]]}, headers=JSON_HEADERS)


# -- preview and docs -------------------------------------------------------------------
@router.get("/reconcile/preview", include_in_schema=False)
def preview(request: Request) -> Response:
    """A card for OpenRefine's preview iframe: framable from anywhere (it is
    the point), scripts still forbidden."""
    urls = get_urls(request)
    ident = request.query_params.get("id", "")
    iri = ident if ident.startswith(urls.base) else urls.base + "id/" + ident
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise NotFound(f"no thing with id {ident[:80]!r}") from None
    names = names_of(context(request).store, iri, base=urls.base)
    if not ident or not names.names:
        raise NotFound(f"no thing with id {ident[:80]!r}")
    types = context(request).index().types_of(iri)
    return render_html(request, "reconcile_preview.html", {
        "id": thing_id(iri, urls.base), "iri": iri, "page": root(request) + urls.page(iri),
        "en": names.preferred.get("en"), "ar": names.preferred.get("ar"),
        "description": names.description.get("en") or names.description.get("ar"),
        "types": [type_view(request, t) for t in types if curie_of(t, prefixes(urls.base)).startswith("qn:")],
    }, headers={"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors *"})


@router.get("/reconcile/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    """The manifest's ``documentation``: how to use the service (docs/reconciliation.md in short)."""
    return render_html(request, "reconcile_docs.html", {"root": root(request), "properties": PROPERTIES})


__all__ = ["install", "manifest", "router"]
