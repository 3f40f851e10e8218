"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its service description and query page.

Spec: https://www.w3.org/TR/sparql11-protocol/ . This module only reads the
request (query operation, dataset, format) and writes the response; the
query runs through ``kg.store.executor`` (limits, refusals) and is
serialized by ``kg.web.results``. Errors are raised as ``kg.errors`` and
answered once, in ``kg.web.app``, with their class's ``http_status``.

- GET ``?query=``, POST ``application/x-www-form-urlencoded``, POST
  ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``
  (repeatable) override the query's dataset;
- ``format=`` (else ``output=``, else ``results=``, as Fuseki) overrides
  Accept; repeated values must agree, unknown ones fall back to Accept; no query →
  service description (RDF) or the query page (HTML);
- weak ETag from (release, query, format, dataset): a matching
  ``If-None-Match`` gets 304 without running anything; bodies are cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from kg.errors import BadQuery, KGError, NotAcceptable, QueryRefused
from kg.rdf import formats as F
from kg.rdf.vocab import prefixes as vocab_prefixes
from kg.store.backends import Serialized
from kg.store.executor import QueryExecutor
from kg.store.lexer import query_form
from kg.web import results as R
from kg.web import service_description, sparql_page
from kg.web.coding import accepts_gzip, compressible, gzip_body
from kg.web.conditional import etag_for, not_modified
from kg.web.context import ResultCache, context

PATHS = ("/sparql", "/sparql/")
METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
ROW_LIMIT_HEADERS = ("X-KG-Truncated", "X-KG-Row-Limit")
SD_OFFERED = (*tuple(f for f in R.GRAPH_OFFERED if f is not F.HTML), F.HTML)


def install(app: FastAPI) -> None:
    """Add the endpoint to an app: routes, CORS (any origin, no credentials), result cache.

    The routes are plain Starlette ones, first in the table: the handler reads
    the request itself (SPARQL Protocol parameters), so FastAPI's dependency
    solving — which parsed the query string a second time — bought nothing
    and cost ~15 % of a point lookup. The OpenAPI document describes the
    endpoint by hand (``kg.web.openapi``), as before."""
    for i, path in enumerate(PATHS):
        app.router.routes.insert(i, Route(path, sparql, methods=METHODS, include_in_schema=False))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Link", "Retry-After", *ROW_LIMIT_HEADERS],
        max_age=86400,
    )


# --- reading the request -----------------------------------------------------------------


@dataclass
class Operation:
    query: str | None = None
    update: bool = False
    default_graph_uris: list[str] | None = None
    named_graph_uris: list[str] | None = None
    formats: list[str] = field(default_factory=list)  # the format= values (else output=, else results=)
    example: str | None = None
    dataset: dict[str, list[str]] = field(default_factory=dict)
    implicit: bool = False  # the query page's form: known prefixes need no PREFIX line


def _content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type", "")
    media, _, rest = raw.partition(";")
    charset = None
    for param in rest.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _utf8(data: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise BadQuery(f"request bodies must be UTF-8 (SPARQL 1.1 Protocol §2.1.3); got charset={charset}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadQuery(f"request body is not valid UTF-8: {exc}") from None


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadQuery(f"parameters are not valid percent-encoded UTF-8: {exc}") from None


async def read_operation(request: Request) -> Operation:
    params = _pairs(request.url.query)
    if request.method == "POST":
        media, charset = _content_type(request)
        body = await request.body()
        if media == "application/x-www-form-urlencoded":
            params += _pairs(_utf8(body, charset))
        elif media == "application/sparql-query":
            if any(k == "query" for k, _ in params):
                raise BadQuery("a query was given both in the body and as a URL parameter")
            params.append(("query", _utf8(body, charset)))
        elif media == "application/sparql-update":
            raise QueryRefused("SPARQL Update is not accepted: this endpoint is read-only")
        else:
            raise BadQuery(
                "POST a query as application/x-www-form-urlencoded or application/sparql-query"
                f" (SPARQL 1.1 Protocol §2.1.2); got {media or 'no Content-Type'}"
            )
    values: dict[str, list[str]] = {}
    for k, v in params:
        values.setdefault(k, []).append(v)
    for single in ("query", "update", "example"):
        if len(values.get(single, [])) > 1:
            raise BadQuery(f"more than one '{single}' parameter")
    for name in ("default-graph-uri", "named-graph-uri"):
        for iri in values.get(name, []):
            try:
                ox.NamedNode(iri)
            except ValueError as exc:
                raise BadQuery(f"{name} is not an absolute IRI: {iri!r} ({exc})") from None
    dataset: dict[str, list[str]] = {k: values[k] for k in ("default-graph-uri", "named-graph-uri") if k in values}
    query = values.get("query", [None])[0]
    implicit = query is not None and sparql_page.IMPLICIT in values
    if implicit and query is not None:
        base = context(request).release.base_iri
        query = sparql_page.with_prefixes(query, sparql_page.page_prefixes(vocab_prefixes(base), base))
    return Operation(
        query=query,
        implicit=implicit,
        update="update" in values,
        default_graph_uris=values.get("default-graph-uri"),
        named_graph_uris=values.get("named-graph-uri"),
        formats=next((values[name] for name in R.FORMAT_PARAMS if name in values), []),
        example=values.get("example", [None])[0],
        dataset=dataset,
    )


def pick_format(op: Operation, accept: str | None, kind: str, offered: tuple[F.Format, ...] | None = None) -> tuple[F.Format, str]:
    """A known ``format=`` (or ``output=``/``results=``) wins over Accept; an
    unknown one (``n3``) leaves the choice to Accept; 406 lists what is offered."""
    forms = offered or R.offered(kind)
    fmt = R.format_param(op.formats, kind)
    if fmt is not None:
        if fmt not in forms:
            raise NotAcceptable([f.media_type for f in forms])
        return fmt, fmt.media_type
    if offered is None:
        chosen = R.choose(accept, kind)
    else:
        media = F.negotiate(accept, [f.media_type for f in forms])
        chosen = (F.BY_MEDIA_TYPE[media], media) if media else None
    if chosen is None:
        raise NotAcceptable([f.media_type for f in forms])
    return chosen


# --- the cache ---------------------------------------------------------------------------


# --- handlers ----------------------------------------------------------------------------


def executor_of(request: Request) -> QueryExecutor:
    """The app's store if it is an executor; otherwise one wrapping it (threads), made once."""
    ctx = context(request)
    if isinstance(ctx.store, QueryExecutor):
        return ctx.store
    if ctx.sparql_executor is None:
        ctx.sparql_executor = QueryExecutor.for_store(ctx.store, ctx.settings)
    return ctx.sparql_executor


def endpoint_url(request: Request) -> str:
    """The endpoint's own URL (no query, no fragment): the base of relative IRIs in a query."""
    return str(request.url.replace(query="", fragment=""))


async def respond(request: Request, body: bytes, media_type: str, headers: dict[str, str], *, status: int = 200) -> Response:
    """The results, gzip-coded for a client that accepts it (``kg.web.coding``): a
    results document is text and shrinks 5–10×. Their ETags are weak (one for
    both codings: the same results), so only the body changes. Compressed off the
    event loop when large, as a worker's reply is awaited on it."""
    out = {**headers, "Content-Type": f"{media_type}; charset=utf-8"}
    if compressible(media_type, len(body)) and accepts_gzip(request.headers.get("accept-encoding")):
        body = await run_in_threadpool(gzip_body, body) if len(body) > INLINE_GZIP else gzip_body(body)
        out["Content-Encoding"] = "gzip"
    return Response(body, status_code=status, headers=out)


INLINE_GZIP = 64 * 1024
"""Larger bodies are compressed in a thread (≈ 1 ms per 64 KB at level 6): the loop serves others meanwhile."""


async def sparql(request: Request) -> Response:
    if request.method == "OPTIONS":  # a preflight is answered by the CORS middleware before this
        return Response(status_code=204, headers={"Allow": ", ".join(METHODS)})
    op = await read_operation(request)
    if op.update:
        raise QueryRefused("SPARQL Update is not accepted: this endpoint is read-only")
    if op.query is None and op.example is None:
        if request.method == "POST":
            raise BadQuery("no 'query' parameter")
        return await describe_service(request, op)
    if op.query is None:
        return page(request, op, query=example_text(request, op.example or ""))
    return await answer(request, op)


def example_text(request: Request, slug: str) -> str:
    from kg.competency import questions

    for q in questions(context(request).settings.examples_dir):
        if q.slug == slug:
            return q.sparql
    from kg.errors import NotFound

    raise NotFound(f"no example query named {slug!r}")


async def answer(request: Request, op: Operation) -> Response:
    assert op.query is not None
    sparql_text = op.query
    if not sparql_text.strip():
        raise BadQuery("empty query")
    executor = executor_of(request)
    executor.check(sparql_text)  # length, SERVICE: before a 304 or a cache hit
    kind = query_form(sparql_text) or "select"
    fmt, media_type = pick_format(op, request.headers.get("accept"), kind)
    release = context(request).release
    key = repr((release.id, request.url.path, sparql_text.strip().replace("\r\n", "\n"), media_type, sorted(op.dataset.items())))
    etag = etag_for(key)
    base_headers = {"Vary": "Accept, Accept-Encoding", "ETag": etag, "Cache-Control": "public, max-age=60"}
    if fmt is not F.HTML:
        if not_modified(request, etag):
            return Response(status_code=304, headers=base_headers)
        cache: ResultCache = context(request).sparql_cache
        hit = cache.get(key)
        if hit is not None:
            return await respond(request, hit[0], media_type, {**base_headers, **hit[1], "X-KG-Cache": "hit"})
    endpoint = endpoint_url(request)
    # SELECT/ASK in a results format are serialized by the worker: only bytes come back
    serializer = None if fmt is F.HTML or kind == "graph" else partial(
        R.serialize_rows, media_type=fmt.media_type, links=[endpoint + "#truncation"])
    try:
        result = await executor.aquery(  # the worker's reply is awaited on the loop, not in a thread
            sparql_text, default_graph_uris=op.default_graph_uris, named_graph_uris=op.named_graph_uris,
            base_iri=endpoint,  # relative IRIs resolve against the endpoint
            serializer=serializer, serialize_kind=kind,
        )
    except KGError as exc:
        if fmt is F.HTML:
            return page(request, op, query=sparql_text, error=str(exc), status=exc.http_status)
        if isinstance(exc, BadQuery) and not isinstance(exc, QueryRefused):
            known = sparql_page.page_prefixes(vocab_prefixes(release.base_iri), release.base_iri)
            raise BadQuery(sparql_page.readable_error(str(exc), sparql_text, known)) from None
        raise
    if isinstance(result, Serialized):
        body = result.body
    else:
        if result.kind != kind:  # the lexical guess was wrong: the engine's answer decides
            fmt, media_type = pick_format(op, request.headers.get("accept"), result.kind)
        if fmt is F.HTML:
            return page(request, op, query=sparql_text, result=result)
        links = [endpoint + "#truncation"] if result.truncated else None
        prefixes = vocab_prefixes(release.base_iri) if result.kind == "graph" else None  # only RDF syntaxes use them
        body = R.serialize(result, fmt, prefixes=prefixes, links=links)
    extra = {}
    if result.truncated:
        extra = {"X-KG-Truncated": "true", "X-KG-Row-Limit": str(executor.limits.max_rows)}
    context(request).sparql_cache.put(key, body, extra)
    return await respond(request, body, media_type, {**base_headers, **extra})


async def describe_service(request: Request, op: Operation) -> Response:
    fmt, media_type = pick_format(op, request.headers.get("accept"), "graph", offered=SD_OFFERED)
    if fmt is F.HTML:
        return page(request, op, query="")
    release = context(request).release
    endpoint = str(request.url.replace(query="", fragment=""))
    key = repr(("sd", release.id, endpoint, media_type))
    etag = etag_for(key)
    headers = {"Vary": "Accept, Accept-Encoding", "ETag": etag, "Cache-Control": "public, max-age=60"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    cache: ResultCache = context(request).sparql_cache
    hit = cache.get(key)
    if hit is None:
        triples = await run_in_threadpool(service_description.describe, endpoint, release, executor_of(request))
        from kg.store.base import QueryResult

        body = R.serialize(QueryResult("graph", triples=triples), fmt, prefixes=service_description.PREFIXES)
        cache.put(key, body, {})
    else:
        body = hit[0]
    return await respond(request, body, media_type, headers)


def page(request: Request, op: Operation, *, query: str, result=None, error: str | None = None,  # type: ignore[no-untyped-def]
         status: int = 200) -> Response:
    from kg.web.render import choose_language, strings

    settings = context(request).settings
    release = context(request).release
    lang = choose_language(request)
    html = sparql_page.render(
        endpoint_path=request.url.path,
        examples_dir=settings.examples_dir,
        query=query,
        limits={"timeout": settings.query_timeout, "max_rows": settings.max_rows,
                "max_query_length": settings.max_query_length},
        release_id=release.id,
        prefixes=sparql_page.page_prefixes(vocab_prefixes(release.base_iri), release.base_iri),
        result=result,
        error=error,
        dataset=op.dataset,
        lang=lang,
        strings=strings(lang),
        implicit=op.implicit,
    )
    headers = {"Vary": "Accept, Accept-Language, Cookie", "Content-Language": lang}
    if status == 503:  # as every other 503 (kg.web.render.error_response's callers): try again soon
        headers["Retry-After"] = "5"
    response = HTMLResponse(html, status_code=status, headers=headers)
    if request.query_params.get("lang") == lang:  # the switch is remembered, as on every other page
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
