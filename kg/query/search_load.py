"""Reading a release into a search index (``kg.query.search_index``), once per release.

From the store by SPARQL (``kg/queries/search_labels.rq``, ``search_types.rq``):
in one streamed pass from the release's on-disk store when there is one,
else page by page through the store the server queries (a remote store
behind ``kg serve --store``, a release built before on-disk stores). The
names a page shows come from the store too, for the few results it shows
(``names_of``, ``kg/queries/search_result.rq``): the index keeps none.

One index per served release: the HTTP layer keeps it in the release's
context (``kg.web.context.ReleaseContext.index``), built once, in the
background at server start and on each release switch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.folding import fold_words
from kg.query.search_index import LabelIndex

log = logging.getLogger("kg.query.search_index")


def build_index(store, store_dir: Path | None, *, base: str) -> LabelIndex:  # type: ignore[no-untyped-def]
    """The index of a release: from its on-disk store directly when there is
    one (one streamed pass, no row cap), else through ``store`` (the query
    executor: a remote store, or a release without an on-disk store) page by page."""
    from kg.query.describe import query_text

    label_q, type_q = query_text("search_labels", base), query_text("search_types", base)
    if store_dir is not None:
        import pyoxigraph as ox

        direct = ox.Store.read_only(str(store_dir))
        try:
            index = LabelIndex.build(_pairs(direct.query(label_q)), _pairs(direct.query(type_q)))
        finally:
            del direct
    else:
        index = LabelIndex.build(_paged(store, label_q), _paged(store, type_q))
    log.info("search index: %d things, %d names, %d words in %.2f s",
             len(index), len(index.labels), len(index.words), index.built_seconds)
    return index


def _pairs(solutions: object) -> Iterator[tuple[str, str]]:
    import pyoxigraph as ox

    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"the search index reads SELECT results, not {type(solutions).__name__}")
    for row in solutions:
        yield row[0].value, row[1].value


PAGE = 5000


def _paged(store, text: str) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """A query's rows through the store's row cap, in LIMIT/OFFSET pages (the
    numbers are ours, never a client's). A page the cap cut short (marked
    truncated) is continued from where it was cut. Slower than one pass:
    each page re-reads the rows before it."""
    offset = 0
    while True:
        page = f"{text}\nLIMIT {PAGE} OFFSET {offset}"
        result = store.query(page, queue=True)  # wait for a slot, as the pages' own queries do
        for row in result.rows:
            if row[0] is not None and row[1] is not None:
                yield row[0].value, row[1].value
        if not result.rows or (len(result.rows) < PAGE and not result.truncated):
            return
        offset += len(result.rows)


# -- what the store says of a hit ----------------------------------------------------------
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DESCRIPTION = "http://schema.org/description"
PREFERRED = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
             "http://xmlns.com/foaf/0.1/name", "http://schema.org/name")


@dataclass
class Names:
    """The words the store holds for one thing (the index keeps none)."""

    preferred: dict[str, str] = field(default_factory=dict)  # language → label
    names: list[tuple[str, str]] = field(default_factory=list)  # (label, language or "")
    description: dict[str, str] = field(default_factory=dict)

    def original(self, folded: str) -> tuple[str, str] | None:
        """The name (and its language) that folds to ``folded``."""
        return next(((text, lang) for text, lang in self.names if fold_words(text) == folded), None)

    def first(self, *languages: str) -> str | None:
        return next((self.preferred[lang] for lang in languages if lang in self.preferred),
                    next((text for text, _ in self.names), None))


def names_of(store, iri: str, *, base: str) -> Names:  # type: ignore[no-untyped-def]
    """Labels, alternative labels and description of ``iri`` (kg/queries/search_result.rq)."""
    import pyoxigraph as ox

    from kg.query.describe import run

    out = Names()
    for r in run(store, "search_result", base=base, this=ox.NamedNode(iri)).dicts():
        p, v = r["p"].value, r["value"]
        if not isinstance(v, ox.Literal):
            continue
        lang = v.language or ""
        if p == DESCRIPTION:
            out.description.setdefault(lang, v.value)
            continue
        out.names.append((v.value, lang))
        if p in PREFERRED and lang:
            out.preferred.setdefault(lang, v.value)
    return out


__all__ = ["Names", "build_index", "names_of"]
