"""Stores behind one small interface: the embedded Oxigraph store (default)
and, later, a remote SPARQL endpoint. Query limits live here, not in handlers."""

from kg.store.base import QueryResult, Store

__all__ = ["QueryResult", "Store"]
