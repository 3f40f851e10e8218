"""Curated input: reading YAML files into typed objects, and finding quotes.

Everything here reports errors as ``CurationError`` with file, line and field.
"""

from kg.curation.loader import Corpus, load_corpus

__all__ = ["Corpus", "load_corpus"]
