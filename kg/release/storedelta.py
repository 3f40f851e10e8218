"""An incremental build's store: the previous release's, copied and changed by the delta.

Loading a release's store is the slowest step of a full build (docs/build.md); a
one-article change touches a few hundred of its quads. RocksDB's checkpoint
(``Store.backup``) copies the previous store by hard links to its immutable
table files, in milliseconds and without changing it (servers keep reading it);
the delta's quads are then removed from and added to the copy, named graphs
left empty are dropped, and the copy holds exactly what a store loaded from
the new dumps holds (``tests/test_incremental.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.release.merge import Delta


def _statements(lines: list[bytes], fmt: ox.RdfFormat) -> Iterator[ox.Quad]:
    if not lines:
        return
    for s in ox.parse(b"".join(lines), format=fmt):
        yield s if isinstance(s, ox.Quad) else ox.Quad(s.subject, s.predicate, s.object, ox.DefaultGraph())


def copy_and_update(previous: Path, target: Path, quads: Delta, triples: Delta) -> None:
    """``target`` = the store at ``previous`` with the named-graph quads and the union's triples changed."""
    ox.Store.read_only(str(previous)).backup(str(target))
    store = ox.Store(str(target))
    emptied: set[ox.NamedNode] = set()
    for q in _statements(quads.removed, ox.RdfFormat.N_QUADS):
        store.remove(q)
        emptied.add(q.graph_name)  # type: ignore[arg-type]
    for q in _statements(triples.removed, ox.RdfFormat.N_TRIPLES):
        store.remove(q)
    store.extend(list(_statements(quads.added, ox.RdfFormat.N_QUADS)))
    store.extend(list(_statements(triples.added, ox.RdfFormat.N_TRIPLES)))
    for g in emptied:
        if next(iter(store.quads_for_pattern(None, None, None, g)), None) is None:
            store.remove_graph(g)
    store.flush()
    del store
