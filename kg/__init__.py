"""kg: a linked-data publisher for hand-curated facts from news articles.

The pipeline is seeds → curated facts (YAML) → RDF (mapping) → SHACL gate →
release on disk → served (SPARQL endpoint, dereferenceable IRIs, dumps).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
