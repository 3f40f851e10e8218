"""SHACL validation as SPARQL on an Oxigraph store: fast, and equal to pyshacl's report.

pyshacl (``kg.validate.validate``) evaluates every constraint per focus node
through rdflib in Python: ~600 triples/s, super-linear. This package compiles
our shapes (https://www.w3.org/TR/shacl/, SHACL-SPARQL constraints and
SHACL-AF SPARQL targets) into one violation-finding SELECT per constraint and
runs them on the release's pyoxigraph ``Store``:

* ``model``    the shapes graph read once; unsupported SHACL raises ``UnsupportedShape``;
* ``sparql``   the SPARQL text (the only module that writes it);
* ``literals`` what the reference checks in a literal, and what Oxigraph
  forgets (integer-derived datatypes): ``Originals`` keeps those as written;
* ``engine``   runs the queries (two threads) and writes pyshacl's report graph.

Callers use ``kg.validate.validate_store`` (this file imports nothing, so
the modules never depend on each other through it); pyshacl stays the reference, and
``tests/test_shacl_engine.py`` holds the two reports equal.
"""
