"""The store interface the HTTP layer and the describe layer talk to.

Results are materialised into plain data (``QueryResult``) so a result can
cross a process boundary (worker pools) or come from a remote endpoint alike.
Terms are pyoxigraph terms (NamedNode, BlankNode, Literal).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Literal as Lit

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class QueryResult:
    kind: Lit["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    def dicts(self) -> list[dict[str, Term]]:
        """SELECT rows as {variable: term}, unbound variables left out."""
        return [{v: t for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows]


class Store(ABC):
    """A read-only SPARQL dataset. The default graph is the union of all graphs
    unless ``default_graph_uris`` says otherwise."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
        queue: bool = False,
    ) -> QueryResult:
        """Run ``sparql``.

        ``base_iri`` resolves relative IRIs in it (the endpoint uses its own
        URL). ``max_rows`` caps rows (or triples), marking the result
        ``truncated``; a store stops reading there if it can. ``queue``: wait
        for capacity rather than refuse with ``Overloaded`` (the app's own page
        queries); a store that never refuses ignores it."""

    def close(self) -> None:  # noqa: B027  # pragma: no cover - default: nothing to release
        pass
