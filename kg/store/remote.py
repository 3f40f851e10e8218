"""A store that is a remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, QLever …).

Spec: https://www.w3.org/TR/sparql11-protocol/ (query operation, POST with
URL-encoded parameters) and https://www.w3.org/TR/sparql11-results-json/.

Why a store of its own: ``kg serve --store URL`` keeps our pages, negotiation
and limits (``kg.store.executor`` wraps this store like the embedded one) while
the data lives in a store that already scales.

What it does, in order, for each query:

1. checks the text *locally* first, so the remote engine only ever sees
   standard SPARQL queries: ``SERVICE`` is refused before any engine sees it;
   the text must parse as a SPARQL 1.1 *query* (Oxigraph's parser, run against
   an empty store: nothing is fetched) — so update text, ``LOAD`` and vendor
   pragmas (Virtuoso's ``define get:soft`` makes it fetch URLs) never leave
   this process; and vendor built-in function namespaces (Virtuoso's ``bif:``
   and ``sql:``, which reach SQL procedures and files) are refused;
2. chooses the dataset: the caller's ``default_graph_uris`` /
   ``named_graph_uris`` if given; else the query's own ``FROM``; else our
   union graph (``default_graph``), because a remote store's default graph
   is rarely the de-duplicated union of the data graphs (Virtuoso's is *every*
   graph in the database, system graphs included; ``kg publish`` loads the
   union as a graph of its own, ``{base}graph/union``);
3. POSTs it, asking for SPARQL JSON results (SELECT/ASK) or N-Triples
   (CONSTRUCT/DESCRIBE), and parses the answer into pyoxigraph terms with
   pyoxigraph's own parsers;
4. caps rows at ``max_rows`` (truncation is marked, as for the embedded
   store) and treats the remote's own silent cap (Virtuoso's
   ``ResultSetMaxRows``, announced in an ``X-SPARQL-MaxRows`` header) as a
   truncation too.

A 400 from the remote is a malformed query (raised as ``SyntaxError``, which
the executor reports as ``BadQuery``); anything else non-2xx, or no answer, is
``RemoteStoreError`` — the store is down or broken, which is not the
client's fault (a 500, never a 400).
"""

from __future__ import annotations

import re

import httpx
import pyoxigraph as ox

from kg.errors import StoreUnavailable
from kg.rdf.formats import NTRIPLES, RESULTS_JSON
from kg.store.base import QueryResult, Store, Term
from kg.store.bindings import inline_bindings, with_bindings
from kg.store.embedded import materialise
from kg.store.lexer import IRI_CHARS, blank_strings_and_comments, keywords, query_form, unescape, uses_service

JSON_RESULTS = RESULTS_JSON.media_type
N_TRIPLES = NTRIPLES.media_type

VENDOR_FUNCTION_NAMESPACES = ("bif:", "sql:", "http://www.openlinksw.com/")
"""IRIs that name store built-ins rather than data: Virtuoso maps ``bif:x`` to
its SQL built-in ``x`` (file access among them) and ``sql:x`` to a stored
procedure. Refused whichever way they are spelt (prefixed name or IRI)."""

_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.\-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
_PNAME = re.compile(r"(?<![\w<?$])([A-Za-z][\w.\-]*)?:([\w\-.%]*)")
_IRIREF = re.compile(f"<({IRI_CHARS})>")


class RemoteStoreError(StoreUnavailable):
    """The remote store did not answer, or answered with a server error."""


class RemoteStore(Store):
    def __init__(
        self,
        endpoint: str,
        *,
        default_graph: str | None = None,
        timeout: float = 30.0,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.default_graph = default_graph
        self.files = ()  # nothing to re-load in a worker: the executor uses threads
        self._client = httpx.Client(timeout=timeout, auth=auth, headers={"User-Agent": "kg-remote-store"})

    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
        queue: bool = False,  # unused: never refuses, so nothing to wait for
    ) -> QueryResult:
        form = check_query(with_bindings(sparql, bindings), base_iri=base_iri)  # positions as the user wrote them
        if base_iri and "BASE" not in keywords(sparql):  # resolve against ours, not the remote's URL;
            # the query's own BASE wins (and Virtuoso refuses a second BASE)
            sparql = f"BASE {ox.NamedNode(base_iri)}\n{sparql}"
        text = inline_bindings(sparql, bindings)
        params: list[tuple[str, str]] = [("query", text)]
        params += self._dataset(text, default_graph_uris, named_graph_uris)
        accept = N_TRIPLES if form == "graph" else JSON_RESULTS
        try:
            response = self._client.post(self.endpoint, data=dict_multi(params), headers={"Accept": accept})
        except httpx.TimeoutException as exc:
            raise RemoteStoreError(f"remote store {self.endpoint} did not answer in time: {exc}") from exc
        except httpx.TransportError as exc:
            raise RemoteStoreError(f"remote store {self.endpoint} unreachable: {exc}") from exc
        if response.status_code == 400:
            raise SyntaxError(f"the remote store refused the query: {excerpt(response.text)}")
        if not response.is_success:
            raise RemoteStoreError(
                f"remote store {self.endpoint} answered HTTP {response.status_code}: {excerpt(response.text)}"
            )
        capped = "x-sparql-maxrows" in response.headers
        result = parse_answer(response.content, form, response.headers.get("content-type", ""))
        out = materialise(result, max_rows)
        out.truncated = out.truncated or capped
        return out

    def _dataset(
        self, text: str, default_graph_uris: list[str] | None, named_graph_uris: list[str] | None
    ) -> list[tuple[str, str]]:
        if default_graph_uris is not None or named_graph_uris is not None:
            return [("default-graph-uri", u) for u in default_graph_uris or ()] + [
                ("named-graph-uri", u) for u in named_graph_uris or ()
            ]
        if "FROM" in keywords(text) or self.default_graph is None:
            return []
        return [("default-graph-uri", self.default_graph)]

    def close(self) -> None:
        self._client.close()


def dict_multi(params: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """httpx form data: repeated keys as lists, order kept."""
    out: dict[str, str | list[str]] = {}
    for key, value in params:
        if key in out:
            prev = out[key]
            out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[key] = value
    return out


def check_query(text: str, *, base_iri: str | None = None) -> str:
    """Refuse, locally, what must never reach a remote engine; return the query form.

    Everything refused is a ``SyntaxError`` with a message saying why: the
    executor reports it as ``BadQuery``, or as ``QueryRefused`` when the text
    is SPARQL Update.
    """
    if uses_service(text):
        raise SyntaxError("SERVICE (federated query) is disabled on this endpoint")
    vendor = vendor_iris(text)
    if vendor:
        raise SyntaxError(f"store-specific functions are not allowed: {', '.join(sorted(vendor))}")
    try:
        ox.Store().query(text, base_iri=base_iri)  # parse, and run on nothing; a SyntaxError says line:column
    except (OSError, RuntimeError):
        pass  # evaluation errors on an empty store (e.g. a custom function Oxigraph lacks): the text parsed
    form = query_form(text)
    if form is None:
        raise SyntaxError("not a SPARQL query")
    return form





def vendor_iris(text: str) -> set[str]:
    """IRIs in ``text`` (prefixed names expanded) that fall in a vendor built-in namespace."""
    plain = blank_strings_and_comments(unescape(text))
    prefixes = {(m.group(1) or ""): m.group(2) for m in _PREFIX_DECL.finditer(plain)}
    found = set(_IRIREF.findall(plain))
    without_irirefs = _IRIREF.sub(" ", plain)
    for m in _PNAME.finditer(without_irirefs):
        prefix = m.group(1) or ""
        found.add(prefixes.get(prefix, prefix + ":") + m.group(2))
    return {iri for iri in found if iri.lower().startswith(VENDOR_FUNCTION_NAMESPACES)}


def parse_answer(body: bytes, form: str, content_type: str) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    """The remote's answer as pyoxigraph query results (what ``materialise`` takes)."""
    media = content_type.split(";")[0].strip().lower()
    if form == "graph":
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        if media == "text/plain":  # N-Triples' old media type (Virtuoso, older Fuseki)
            fmt = ox.RdfFormat.N_TRIPLES
        return [q.triple for q in ox.parse(body, format=fmt)]
    fmt_results = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
    return ox.parse_query_results(body, format=fmt_results)


def excerpt(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def for_release(endpoint: str, base_iri: str, *, timeout: float, auth: httpx.Auth | None = None) -> RemoteStore:
    """The store ``kg serve --store URL`` fronts: its default graph is the union
    graph ``kg publish`` loaded (``{base}graph/union``)."""
    from kg.rdf.iris import Iris

    return RemoteStore(endpoint, default_graph=str(Iris(base_iri).graph("union")), timeout=timeout, auth=auth)
