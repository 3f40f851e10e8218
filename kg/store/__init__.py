"""Stores behind one small interface (``Store``): the embedded Oxigraph store
(``kg.store.embedded``, the default) and a remote SPARQL endpoint such as
Virtuoso (``kg.store.remote``). Every query the application runs passes
through ``kg.store.executor``, which applies the limits, so handlers never do."""

from kg.store.base import QueryResult, Store

__all__ = ["QueryResult", "Store"]
