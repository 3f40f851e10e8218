"""Curated input: reading YAML files into typed objects, and finding quotes.

Every problem of a run is collected and raised together as one ``CurationError``
whose ``problems`` each name file, line, column, field and what to do.
"""

from kg.curation.loader import Corpus, load_corpus

__all__ = ["Corpus", "load_corpus"]
