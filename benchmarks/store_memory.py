"""Per-worker cost of the two ways a query worker can hold a release:
``python -m benchmarks.store_memory memory|disk RELEASE_DIR`` prints load
time, a full-scan COUNT time and the process's peak RSS as JSON.

``memory`` loads the dumps into an in-memory Oxigraph store (what every
worker did before releases carried a store); ``disk`` opens the release's
on-disk store read-only (building it into /tmp first if the release has none).
Run each mode in a fresh process; the first ``disk`` run includes building
the store, so run it twice and read the second.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from kg.release.directory import open_release
from kg.store.embedded import ON_DISK, OxigraphStore, persist, release_files


def main(argv: list[str]) -> int:
    mode, root = argv
    release = open_release(Path(root))
    t = time.perf_counter()
    if mode == "memory":
        store = OxigraphStore.load(release_files(release.path, release.base_iri))
    else:
        directory = release.store_dir or Path("/tmp/kg-store-memory") / release.id
        if not directory.exists():
            directory.parent.mkdir(parents=True, exist_ok=True)
            persist(directory, release_files(release.path, release.base_iri))
            t = time.perf_counter()
        store = OxigraphStore.load(((str(directory), ON_DISK, None),))
    load = time.perf_counter() - t
    t = time.perf_counter()
    n = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value  # type: ignore[union-attr]
    print(json.dumps({"mode": mode, "load_s": round(load, 3), "count_s": round(time.perf_counter() - t, 3),
                      "triples": int(n), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
