"""The published OpenAPI description of the HTTP surface (``/api/openapi.json``).

Routes are declared with ``include_in_schema=False`` because they negotiate
content and serve several media types, which FastAPI's generated schema
cannot express; this module describes them by hand, once, for users
(``/api/docs``) and for the schema-driven fuzzer (``tests/test_fuzz_http.py``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def _get(summary: str, params: list[dict] | None = None) -> dict:
    return {"get": {"summary": summary, "parameters": [ACCEPT, *(params or [])], "responses": {"default": {"description": "any"}}}}


ACCEPT = {"name": "Accept", "in": "header", "required": False, "schema": {"type": "string"}}


def _path(name: str, pattern: str | None = None) -> dict:
    schema: dict = {"type": "string", "minLength": 1}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "schema": schema}


QUERY_PARAMS: list[dict] = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}},
    # format= may repeat (SPARQLWrapper repeats it); output= and results= are read as format= (as Fuseki)
    *({"name": name, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}}
      for name in ("format", "output", "results")),
    {"name": "default-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}},
    {"name": "named-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}},
    {"name": "example", "in": "query", "required": False, "schema": {"type": "string"}},
]
FORM = {"type": "object", "properties": {p["name"]: p["schema"] for p in QUERY_PARAMS}}

def _q(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}}


SEARCH_PARAMS = [_q("q"), _q("type", {"type": "array", "items": {"type": "string"}}), _q("limit"), _q("offset"), _q("format")]
SUGGEST_PARAMS = [_q("prefix"), _q("cursor"), _q("type", {"type": "array", "items": {"type": "string"}})]

SURFACE: dict[str, dict] = {
    "/health": _get("liveness"),
    "/": _get("home page", [{"name": "lang", "in": "query", "required": False, "schema": {"type": "string"}}]),
    "/sparql": {
        **_get("SPARQL query by GET", QUERY_PARAMS),
        "post": {
            "summary": "SPARQL query by POST",
            "parameters": [ACCEPT],
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": FORM},
                "application/sparql-query": {"schema": {"type": "string"}},
            }},
            "responses": {"default": {"description": "any"}},
        },
    },
    "/id/{path}": _get("a thing: 303 to its description", [_path("path")]),
    "/doc/{path}": _get("a description", [_path("path")]),
    "/graph/{path}": _get("a named graph", [_path("path")]),
    "/dumps/": _get("list of downloads"),
    "/dumps/{name}": _get("one download", [_path("name")]),
    "/types/": _get("classes"),
    "/types/{curie}": _get("instances of a class", [_path("curie")]),
    "/static/{name}": _get("stylesheet and images", [_path("name")]),
    "/ontology": _get("the ontology"),
    "/shapes": _get("the shapes"),
    "/.well-known/void": _get("dataset description"),
    "/context.jsonld": _get("the JSON-LD @context every JSON-LD answer embeds"),
    # the release history (kg.web.releases, kg.web.memento)
    "/releases": _get("every published release"),
    "/releases/{id}": _get("one release: files, report, changes", [_path("id")]),
    "/releases/{id}/changes": _get("what the release changed: JSON, or a page for a browser", [_path("id")]),
    "/releases/{id}/changes.rdfp": _get("what the release changed, as RDF Patch", [_path("id")]),
    "/timegate/{uri}": _get("the TimeGate of one of our IRIs, named as aggregators name theirs (Memento)", [_path("uri")]),
    "/dataset": _get("the dataset description (VoID, DCAT), negotiated"),
    "/releases/{id}/dumps/{name}": _get("one file of a release, immutable", [_path("id"), _path("name")]),
    "/releases/{id}/doc/{path}": _get("a past state of an entity (Memento)", [_path("id"), _path("path")]),
    "/timemap/id/{path}": _get("the past states of an entity (TimeMap, application/link-format)", [_path("path")]),
    "/search": _get("find things by name, as HTML or JSON (docs/linked-data.md, Search)", SEARCH_PARAMS),
    "/reconcile": {
        **_get("W3C Reconciliation API 0.2: the manifest, or a batch given as ?queries= (docs/reconciliation.md)", [_q("queries")]),
        "post": {
            "summary": "a reconciliation batch as the form field queries",
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"queries": {"type": "string"}}}}}},
            "responses": {"default": {"description": "any"}},
        },
    },
    "/reconcile/suggest/entity": _get("suggest things by a prefix of their names", SUGGEST_PARAMS),
    "/reconcile/suggest/type": _get("suggest types", SUGGEST_PARAMS),
    "/reconcile/suggest/property": _get("suggest properties for conditions", SUGGEST_PARAMS),
    "/reconcile/preview": _get("a preview card of one thing", [_q("id")]),
}


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema["paths"] = {**SURFACE, **schema.get("paths", {})}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
