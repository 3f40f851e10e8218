"""Curated input: reading YAML files into typed objects, and finding quotes.

Import the modules themselves (``kg.curation.loader.load_corpus`` …): this
file imports nothing, so no module of the package depends on another through it.

Every problem of a run is collected and raised together as one ``CurationError``
whose ``problems`` each name file, line, column, field and what to do.
"""
