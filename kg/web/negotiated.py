"""One way to serve a document: negotiate (or take the suffix's format) →
headers → render. Every document the site serves — a resource's description,
the ontology, the shapes, the dataset description, the release catalogue and
each release — goes through ``serve_document``, so they agree on ``Link``,
``Vary``, ``Content-Location`` and validators; the strong ``ETag`` and any
``304`` are the render-once layer's (``kg.web.render_once``), from the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from kg.errors import NotAcceptable
from kg.query.describe import serialize
from kg.rdf.formats import HTML, RESOURCE_FORMATS, TURTLE, Format, negotiate_format
from kg.rdf.vocab import prefixes
from kg.web.conditional import release_validators
from kg.web.render import get_urls, link_header, not_found, rdf_response, render_html
from kg.web.urls import Urls

OFFERED = [f.media_type for f in RESOURCE_FORMATS]
Validators = Callable[[Request], dict[str, str]]
HtmlView = Callable[[], tuple[str, dict]]


def suffix_format(suffix: str | None) -> tuple[bool, Format | None]:
    """The format a route's ``.{suffix}`` names: ``(True, None)`` with no
    suffix, ``(False, None)`` for one we do not serve (a 404)."""
    if suffix is None:
        return True, None
    _, fmt = Urls.split_suffix("x." + suffix)
    return fmt is not None, fmt


def choose_format(request: Request, forced: Format | None, formats: Sequence[Format] = RESOURCE_FORMATS) -> Format:
    """The suffix's format, else Accept's (``application/json`` gets JSON-LD); 406 if none fits."""
    if forced is not None:
        return forced
    fmt = negotiate_format(request.headers.get("accept"), formats)
    if fmt is None:
        raise NotAcceptable([f.media_type for f in formats])
    return fmt


def document_headers(request: Request, iri: str, fmt: Format, forced: Format | None,
                     validators: Validators = release_validators) -> dict[str, str]:
    """Headers of a document in ``fmt``: its alternates, ``Vary`` and
    ``Content-Location`` when negotiated, and ``validators`` (the release's
    publication, or the history's for what a prune changes)."""
    urls: Urls = get_urls(request)
    headers = {"Link": link_header(urls, iri)}
    if forced is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = urls.variant(iri, fmt.suffix)
    headers.update(validators(request))
    return headers


def serve_document(request: Request, iri: str, triples: list[ox.Triple], *, forced: Format | None, html: HtmlView,
                   turtle_file: Path | None = None, validators: Validators = release_validators) -> Response:
    """The document ``iri`` made of ``triples`` in the negotiated (or
    suffix-forced) format; 404 when it has none. ``html`` makes the page's
    (template, context) only when HTML is chosen; ``turtle_file``, when it
    exists, is the Turtle as written at build time (its comments and order kept)."""
    if not triples:
        return not_found(request)
    fmt = choose_format(request, forced)
    headers = document_headers(request, iri, fmt, forced, validators)
    if fmt is HTML:
        return render_html(request, *html(), headers=headers)
    if fmt is TURTLE and turtle_file is not None and turtle_file.is_file():
        return rdf_response(turtle_file.read_bytes(), fmt, headers=headers)
    return rdf_response(serialize(triples, fmt.media_type, prefixes(get_urls(request).base)), fmt, headers=headers)
