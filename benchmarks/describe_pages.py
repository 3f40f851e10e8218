"""Time the queries behind one resource page (``kg.query.describe``) on a release's store.

Why: a resource page runs a handful of app-owned queries bound to one IRI.
They must cost the same at 10 articles as at 10 000 — a query that scans the
dataset makes every page slower as articles are added (at 1 000 articles the
fragment-node branches once took 5–27 s per query and pages answered 503).

    python -m benchmarks.describe_pages VAR/current [IRI …]

Default IRIs follow ``benchmarks.generate``: an official, a meeting, a fact,
a state and a membership. Prints one line per IRI: rows and seconds per query.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg.query import describe as d
from kg.release.directory import open_release
from kg.store.embedded import OxigraphStore

QUERIES = ("resource_quads", "resource_labels", "resource_labels_types", "resource_labels_articles",
           "resource_provenance", "resource_incoming",
           # the reader's sections (kg/query/reference.py): facts as sentences, events, participants
           "facts_of", "facts_of_labels", "facts_of_evidence", "events_of", "event_actors")


def main(argv: list[str]) -> int:
    release = open_release(Path(argv[0]))
    store = OxigraphStore(ox.Store.read_only(str(release.store_dir)))
    ids = release.base_iri + "id/"
    iris = argv[1:] or [ids + "person/p000012", ids + "event/bench-000012-meeting", ids + "fact/bench-000012/meeting",
                        ids + "state/s0003", ids + "membership/s0003-ici"]
    for iri in iris:
        cells = []
        for name in QUERIES:
            t = time.perf_counter()
            rows = len(d.run(store, name, base=release.base_iri, this=ox.NamedNode(iri)).rows)
            cells.append(f"{name.removeprefix('resource_')} {rows} rows {time.perf_counter() - t:.3f}s")
        print(iri.removeprefix(ids), "|", "; ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
