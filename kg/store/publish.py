"""``kg publish --to URL``: load a validated release into another triple store.

Spec: SPARQL 1.1 Graph Store HTTP Protocol,
https://www.w3.org/TR/sparql11-http-rdf-update/ (``PUT``/``GET``/``DELETE``
``?graph=IRI``), and, for the switch, SPARQL 1.1 Update ``MOVE``
(https://www.w3.org/TR/sparql11-update/#move).

Why this shape: any store that scales speaks the Graph Store Protocol, so we
push graph by graph with nothing store-specific; named graphs are kept
(each fact graph is the fact's own IRI, which queries rely on).

What readers see (steps; the previous release keeps serving until step 3):

1. every graph of the release — each fact/claim graph, provenance, entities,
   articles, the ontology, the shapes, the union of the data graphs
   (``{base}graph/union``, the default graph ``kg serve --store`` queries)
   and a small manifest ``{base}graph/release`` (release id + the list of its
   graphs) — is ``PUT`` under a *staging* name
   ``{base}graph/staging-{release id}-{n}``. A refusal here (HTTP status and
   body excerpt in the error) deletes the staged graphs and changes nothing
   readers see;
2. the previous release's manifest is read, to know which graphs to retire;
3. the switch:
   - with ``--update URL`` (the store's SPARQL Update endpoint): **one**
     request ``MOVE staged → final`` for every graph, plus ``DROP`` of the
     previous release's graphs that this one no longer has. Stores that run
     a request in one transaction (Fuseki/TDB2, GraphDB, Virtuoso) switch
     atomically;
   - Graph Store Protocol only: each final graph is ``PUT`` again (each
     ``PUT`` replaces one graph atomically; the union graph and the manifest
     go last), then retired graphs and staged copies are deleted. Readers may
     see a mix of two releases for the duration of the uploads — say so in the
     deployment, or give ``--update``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from kg.errors import KGError
from kg.rdf.formats import NTRIPLES, serialized
from kg.rdf.iris import Iris
from kg.rdf.vocab import DCT
from kg.release.directory import Release
from kg.store.remote import excerpt

N_TRIPLES = NTRIPLES.media_type

Progress = Callable[[str], None]


class PublishFailed(KGError):
    """The target store refused or could not be reached; nothing readers see changed
    unless the message says the switch had started."""

    exit_code = 7


class ChallengeAuth(httpx.Auth):
    """User and password, sent the way the server's ``WWW-Authenticate`` asks:
    Digest (Virtuoso's ``/sparql-graph-crud-auth``) or Basic (Fuseki, GraphDB)."""

    def __init__(self, user: str, password: str) -> None:
        self._schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        self._chosen = self._schemes.get(scheme, self._schemes["basic"])
        yield from self._chosen.auth_flow(request)


@dataclass(frozen=True)
class Target:
    """Where to publish: a Graph Store Protocol endpoint, optionally the same
    store's SPARQL Update endpoint, and credentials for both."""

    gsp: str
    update: str | None = None
    auth: httpx.Auth | None = None

    @classmethod
    def from_urls(
        cls, gsp: str, update: str | None = None, *, user: str | None = None, password: str | None = None
    ) -> Target:
        """Credentials may come as ``user:password@`` in the URL; they are taken
        out of the URL (so they never appear in an error message)."""
        url = httpx.URL(gsp)
        if url.username and user is None:
            user, password = url.username, url.password
        auth = ChallengeAuth(user, password or "") if user else None
        strip = lambda u: str(httpx.URL(u).copy_with(username=None, password=None))  # noqa: E731
        return cls(strip(gsp), strip(update) if update else None, auth)


@dataclass(frozen=True)
class Published:
    release_id: str
    graphs: list[str]
    retired: list[str]
    atomic: bool


def release_graphs(release: Release) -> list[tuple[str, bytes]]:
    """(graph IRI, N-Triples bytes) for every graph, in publishing order:
    data graphs (sorted), ontology, shapes, the union graph."""
    iris = Iris(release.base_iri)
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    with open(release.file("dataset.nq"), "rb") as fh:
        for quad in ox.parse(fh, format=ox.RdfFormat.N_QUADS):
            by_graph[str(quad.graph_name.value)].append(quad.triple)
    out = [(g, _ntriples(by_graph[g])) for g in sorted(by_graph)]
    for name, graph in (("ontology.ttl", iris.ontology), ("shapes.ttl", iris.shapes)):
        with open(release.file(name), "rb") as fh:
            out.append((str(graph), _ntriples(list(ox.parse(fh, format=ox.RdfFormat.TURTLE)))))
    out.append((str(iris.graph("union")), release.file("dataset.nt").read_bytes()))
    return out


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return serialized(ox.serialize(sorted(set(triples), key=str), format=ox.RdfFormat.N_TRIPLES))


def manifest(release: Release, graphs: list[str]) -> tuple[str, bytes]:
    """The ``{base}graph/release`` graph: which release is loaded, and its graphs."""
    me = Iris(release.base_iri).graph("release")
    node = ox.NamedNode(str(me))
    triples = [ox.Triple(node, ox.NamedNode(str(DCT.identifier)), ox.Literal(release.id))]
    triples += [ox.Triple(node, ox.NamedNode(str(DCT.hasPart)), ox.NamedNode(g)) for g in [*graphs, str(me)]]
    return str(me), _ntriples(triples)


def verify(release: Release) -> None:
    """The files we upload are the ones the build checked (SHA256 in release.json)."""
    for name in ("dataset.nq", "dataset.nt", "ontology.ttl", "shapes.ttl"):
        expected = release.meta.get("files", {}).get(name, {}).get("sha256")
        actual = hashlib.sha256(release.file(name).read_bytes()).hexdigest()
        if expected is not None and expected != actual:
            raise PublishFailed(f"{release.file(name)} does not match its checksum in release.json: rebuild")


class _Gsp:
    """The few Graph Store Protocol calls we make, with errors that say what the store said."""

    def __init__(self, target: Target, client: httpx.Client) -> None:
        self.target = target
        self.client = client

    def _call(self, method: str, graph: str, **kwargs: object) -> httpx.Response:
        try:
            response = self.client.request(method, self.target.gsp, params={"graph": graph}, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise PublishFailed(f"{method} {self.target.gsp} (graph {graph}): {exc}") from exc
        if response.status_code == 404 and method in ("GET", "DELETE"):
            return response
        if not response.is_success:
            raise PublishFailed(
                f"the store refused {method} of graph <{graph}> at {self.target.gsp}: "
                f"HTTP {response.status_code}: {excerpt(response.text)}"
            )
        return response

    def put(self, graph: str, body: bytes) -> None:
        self._call("PUT", graph, content=body, headers={"Content-Type": N_TRIPLES})

    def delete(self, graph: str) -> None:
        self._call("DELETE", graph)

    def get(self, graph: str) -> list[ox.Triple] | None:
        response = self._call("GET", graph, headers={"Accept": f"{N_TRIPLES}, text/plain;q=0.5"})
        if response.status_code == 404:
            return None
        return [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]

    def update(self, sparql: str) -> None:
        assert self.target.update is not None
        try:
            response = self.client.post(self.target.update, data={"update": sparql})
        except httpx.HTTPError as exc:
            raise PublishFailed(f"POST {self.target.update}: {exc}") from exc
        if not response.is_success:
            raise PublishFailed(
                f"the store refused the switch (SPARQL Update) at {self.target.update}: "
                f"HTTP {response.status_code}: {excerpt(response.text)}"
            )


def previous_graphs(gsp: _Gsp, manifest_graph: str) -> set[str]:
    triples = gsp.get(manifest_graph) or []
    return {t.object.value for t in triples if t.predicate.value == str(DCT.hasPart) and isinstance(t.object, ox.NamedNode)}


def switch_text(moves: list[tuple[str, str]], drops: list[str]) -> str:
    """One SPARQL Update request. IRIs are ``ox.NamedNode``-checked, then written
    in N-Triples form: nothing else reaches the text."""
    ops = [f"MOVE SILENT GRAPH {ox.NamedNode(a)} TO GRAPH {ox.NamedNode(b)}" for a, b in moves]
    ops += [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in drops]
    return " ;\n".join(ops)


def publish(
    release: Release,
    target: Target,
    *,
    progress: Progress = lambda _line: None,
    every: int = 10,
    timeout: float = 120.0,
) -> Published:
    verify(release)
    iris = Iris(release.base_iri)
    graphs = release_graphs(release)
    graphs.append(manifest(release, [g for g, _ in graphs]))
    staged = [(str(iris.graph(f"staging-{release.id}-{n:05d}")), g, body) for n, (g, body) in enumerate(graphs)]
    total = len(staged)
    with httpx.Client(auth=target.auth, timeout=timeout, headers={"User-Agent": "kg-publish"}) as client:
        gsp = _Gsp(target, client)
        progress(f"publish: release {release.id}: {total} graphs to {target.gsp}")
        done: list[str] = []
        try:
            for n, (stage, _final, body) in enumerate(staged, 1):
                gsp.put(stage, body)
                done.append(stage)
                if n % every == 0 or n == total:
                    progress(f"publish: staged {n}/{total} graphs")
        except PublishFailed:
            for stage in done:
                try:
                    gsp.delete(stage)
                except PublishFailed:
                    pass  # already failing: the first error is the one to report
            raise
        final_names = [g for g, _ in graphs]
        retired = sorted(previous_graphs(gsp, str(iris.graph("release"))) - set(final_names))
        if target.update:
            progress(f"publish: switching {total} graphs in one update request; retiring {len(retired)}")
            gsp.update(switch_text([(s, g) for s, g, _ in staged], retired))
        else:
            progress(f"publish: switching by re-uploading {total} graphs (no --update: not atomic)")
            for n, (_stage, final, body) in enumerate(staged, 1):
                gsp.put(final, body)
                if n % every == 0 or n == total:
                    progress(f"publish: switched {n}/{total} graphs")
            for graph in [*retired, *(s for s, _, _ in staged)]:
                gsp.delete(graph)
        progress(f"publish: release {release.id} is live; {len(retired)} graphs of the previous release removed")
    return Published(release.id, final_names, retired, atomic=bool(target.update))
