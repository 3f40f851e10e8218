"""The ontology and shapes folders: several Turtle files that act as one.

Why one module: the build ships each folder as one file (``ontology.ttl``,
``shapes.ttl``: the files' text concatenated in name order, comments kept for
readers) and validates with the same folders parsed; both must see the same
files in the same order, moved to the configured base IRI the same way.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.config import DEFAULT_BASE_IRI


def turtle_files(directory: Path) -> list[Path]:
    """Every ``*.ttl`` of ``directory``, in name order (``00-…``, ``10-…`` order the shapes)."""
    return sorted(Path(directory).glob("*.ttl"))


def rebase_text(text: str, base: str) -> str:
    """Our IRIs moved from the default base to ``base`` (the files are written against the default)."""
    return text if base == DEFAULT_BASE_IRI else text.replace(DEFAULT_BASE_IRI, base)


def read_text(directory: Path, base: str = DEFAULT_BASE_IRI) -> str:
    """The folder as one Turtle document: files joined by a blank line (they use
    no blank node labels, so joining cannot merge two files' nodes)."""
    return rebase_text("\n".join(p.read_text(encoding="utf-8") for p in turtle_files(directory)), base)


def load_turtle_dir(directory: Path, base: str = DEFAULT_BASE_IRI) -> Graph:
    """The folder in one graph, each file parsed on its own (a syntax error names its file)."""
    g = Graph()
    for path in turtle_files(directory):
        g.parse(data=rebase_text(path.read_text(encoding="utf-8"), base), format="turtle", publicID=path.as_uri())
    return g
