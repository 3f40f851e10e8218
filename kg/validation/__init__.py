"""SHACL validation: the gate (``validate``) and the SPARQL-based engine behind it.

The engine compiles our shapes into one violation-finding SELECT per constraint
and runs them on the release's pyoxigraph store (``model`` reads the shapes,
``sparql`` writes the query text, ``literals`` keeps what Oxigraph forgets,
``engine`` runs them); pyshacl stays the reference, and
``tests/test_shacl_engine.py`` holds the two reports equal. Import the
modules themselves: this file imports nothing.
"""
