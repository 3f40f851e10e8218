"""Stores behind one small interface (``kg.store.base.Store``): the embedded
Oxigraph store (``kg.store.embedded``, the default) and a remote SPARQL endpoint
such as Virtuoso (``kg.store.remote``). Queries against the current release pass
through ``kg.store.executor``, which applies the limits, so handlers never do;
past releases (Memento) are read from their own embedded store, and the search
index reads the on-disk store once as it builds. Import the modules themselves:
this file imports nothing.
"""
