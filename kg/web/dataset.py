"""The dataset description: ``/.well-known/void`` (RFC 8615 well-known URI,
VoID §7.2) and ``{base}dataset``, from the release's ``void.ttl`` (written by
``kg.release.void`` at build time) merged with the release history (every version,
its publication time and distributions: ``kg.release.history_rdf``), which a prune
changes without a new release, so it is merged on each request. Turtle by
default; other RDF syntaxes and an HTML view by negotiation or suffix."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.query.describe import serialize
from kg.rdf.formats import HTML, RESOURCE_FORMATS, TURTLE
from kg.rdf.vocab import prefixes
from kg.release.history import ReleaseInfo
from kg.release.history_rdf import merge_description
from kg.release.void import VOID_FILE
from kg.web.context import ReleaseContext, context
from kg.web.documents import all_labels, graph_context
from kg.web.negotiated import choose_format, serve_document, suffix_format
from kg.web.paging import page_size
from kg.web.releases import history_validators
from kg.web.render import Viewer, get_urls, link_header, not_found, rdf_response
from kg.web.urls import Urls

router = APIRouter()
METHODS = ["GET", "HEAD"]
# Turtle first: a client that says nothing, or */*, gets Turtle (VoID §7.2 practice)
WELL_KNOWN_FORMATS = (TURTLE, *[f for f in RESOURCE_FORMATS if f is not TURTLE and f is not HTML])


def void_triples(request: Request) -> list[ox.Triple]:
    return void_of(context(request))


def void_of(ctx: ReleaseContext) -> list[ox.Triple]:
    """The release's ``void.ttl``, parsed once per release (at its warm-up, ``kg.web.pages.warm``)."""
    if ctx.void_triples is None:
        path = ctx.release.file(VOID_FILE)
        ctx.void_triples = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)) if path.is_file() else []
    return ctx.void_triples


def description(request: Request) -> list[ox.Triple]:
    """void.ttl with the history's versions (``kg.web.releases.known_releases``)."""
    return description_of(context(request))


def description_of(ctx: ReleaseContext, known: tuple[list[ReleaseInfo], str] | None = None) -> list[ox.Triple]:
    """``description`` of ``ctx``; ``known``: the history as ``releases_of(ctx)`` read it."""
    from kg.web.releases import releases_of

    triples = void_of(ctx)
    if not triples:
        return []
    infos, current = known or releases_of(ctx)
    return merge_description(triples, Urls(ctx.release.base_iri).base, infos, current)


@router.api_route("/.well-known/void", methods=METHODS, include_in_schema=False)
def well_known(request: Request) -> Response:
    urls = get_urls(request)
    triples = description(request)
    if not triples:
        return not_found(request)
    fmt = choose_format(request, None, WELL_KNOWN_FORMATS)
    headers = {"Vary": "Accept", "Link": link_header(urls, urls.base + "dataset"),
               **history_validators(request)}
    return rdf_response(serialize(triples, fmt.media_type, prefixes(urls.base)), fmt, headers=headers)


@router.api_route("/dataset", methods=METHODS, include_in_schema=False)
@router.api_route("/dataset.{suffix}", methods=METHODS, include_in_schema=False)
def dataset(request: Request, suffix: str | None = None) -> Response:
    urls = get_urls(request)
    ok, fmt = suffix_format(suffix)
    if not ok:
        return not_found(request)
    iri = urls.base + "dataset"
    triples = description(request)
    return serve_document(request, iri, triples, forced=fmt, validators=history_validators, html=lambda: ("dataset.html", dataset_context(request, iri, triples)))


DCT_SOURCE = "http://purl.org/dc/terms/source"
VOID_NS = "http://rdfs.org/ns/void#"
DATASET_RELEASES = 5
"""Releases the ``/dataset`` page describes (newest first, with their distributions);
``/releases`` lists them all. Each release's distributions were ≈ 37 KB of the page."""
OWNED = {"http://www.w3.org/ns/dcat#distribution", VOID_NS + "dataDump", "http://www.w3.org/2000/01/rdf-schema#seeAlso",
         "http://spdx.org/rdf/terms#checksum"}
"""Links from a release to what only it has (its dumps, their checksums): shown or left out with it."""
HAS_VERSION = "http://www.w3.org/ns/dcat#hasVersion"


def newest_releases(triples: list[ox.Triple], base: str, infos: list[ReleaseInfo], keep: int) -> list[ox.Triple]:
    """``triples`` without what describes releases older than the ``keep`` newest:
    their own statements, their distributions and checksums, and the dataset's
    ``dcat:hasVersion`` links to them. For the HTML page only: the RDF documents
    keep every version (docs/linked-data.md, "The dataset description")."""
    from kg.release.history_rdf import release_iri

    newest = sorted(infos, key=lambda i: (i.published, i.id), reverse=True)
    dropped: set[object] = {ox.NamedNode(release_iri(base, i.id)) for i in newest[keep:]}
    frontier = set(dropped)
    while frontier:  # what the dropped releases own, and what that owns (a checksum of a dump)
        owned = {t.object for t in triples if t.subject in frontier and t.predicate.value in OWNED}
        frontier = {o for o in owned if o not in dropped}
        dropped |= frontier
    return [t for t in triples if t.subject not in dropped and not (t.predicate.value == HAS_VERSION and t.object in dropped)]


def _partitions(triples: list[ox.Triple], iri: str, view: Viewer) -> tuple[list[ox.Triple], list[tuple], list[tuple]]:
    """VoID's class and property partitions as two tables of (term, count) rather
    than a section per blank node (one per class and property: 124 sections and
    120 KB of page for our vocabulary). (the other triples, classes, properties)"""
    links = {VOID_NS + "classPartition", VOID_NS + "propertyPartition"}
    parts = {t.object for t in triples if t.subject == ox.NamedNode(iri) and t.predicate.value in links}
    found: dict[object, dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]] = {}
    for t in triples:
        if t.subject in parts:
            found.setdefault(t.subject, {})[t.predicate.value] = t.object  # type: ignore[assignment]

    def table(what: str, n: str) -> list[tuple]:
        rows = [(d[VOID_NS + what], d[VOID_NS + n]) for d in found.values() if VOID_NS + what in d and VOID_NS + n in d]
        return [(view.term(term), int(count.value)) for term, count in sorted(rows, key=lambda r: str(r[0].value))]

    rest = [t for t in triples if t.subject not in parts and t.object not in parts]
    return rest, table("class", "entities"), table("property", "triples")


def dataset_context(request: Request, iri: str, triples: list[ox.Triple]) -> dict:
    """The page of the dataset: a card in the reader's language (title, description,
    counts, downloads), the structured data, then the raw description folded."""
    from kg.web import structured
    from kg.web.render import choose_language, strings

    lang = choose_language(request)
    urls = get_urls(request)
    card = structured.dataset(triples, iri) or {}

    def pick(value: object) -> str:
        items = value if isinstance(value, list) else [value] if value else []
        texts = {i.get("@language", ""): i["@value"] for i in items if isinstance(i, dict)}
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")

    # every release is described with its distributions (≈ 37 KB of page each): the
    # newest few are shown, /releases has them all
    from kg.web.releases import releases_of

    infos, _current = releases_of(context(request))
    triples = newest_releases(triples, urls.base, infos, DATASET_RELEASES)
    # the description names every source article (dcterms:source): 10 000 of them at
    # 10 000 articles, 2.6 MB of page. The page shows one page's worth and links the
    # paged list (/articles); the RDF documents keep them all.
    sources = [t for t in triples if t.subject == ox.NamedNode(iri) and t.predicate.value == DCT_SOURCE]
    shown = page_size(request)
    if len(sources) > shown:
        hidden = set(sources[shown:])
        triples = [t for t in triples if t not in hidden]
    triples, classes, properties = _partitions(triples, iri, Viewer(urls, prefixes(urls.base), all_labels(triples)))
    count = lambda p: next((int(t.object.value) for t in triples if isinstance(t.object, ox.Literal) if t.subject == ox.NamedNode(iri) and t.predicate.value == p), None)  # noqa: E731
    release = context(request).release
    return {**graph_context(urls, iri, triples, strings(lang)["void"]), "card": card, "name": pick(card.get("name")),
            "summary": pick(card.get("description")), "downloads": card.get("distribution", []),
            "triples_n": count("http://rdfs.org/ns/void#triples"), "described_n": count("http://rdfs.org/ns/void#entities"),
            "entities_n": release.meta.get("entities"), "jsonld": structured.script(card),
            "sources_n": len(sources), "sources_shown": min(shown, len(sources)),
            "releases_n": len(infos), "releases_shown": min(DATASET_RELEASES, len(infos)),
            "class_partitions": classes, "property_partitions": properties}
