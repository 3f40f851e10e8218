"""The compacted JSON-LD dump writer (``kg.rdf.jsonld``) beside pyoxigraph's own
(expanded) JSON-LD serializer, on the same quads, in one run, as a ratio.

    python -m benchmarks.jsonld_write var/current/dataset.nq --quads 1000000

Reads the first ``--quads`` lines of a release's N-Quads dump (sorted, as the
build feeds the writer), then times each writer into a sink that only counts
bytes, ``--repeat`` times; prints µs per quad and the ratio.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import pyoxigraph as ox

from kg.config import DEFAULT_BASE_IRI
from kg.rdf import jsonld
from kg.rdf.vocab import prefixes


class Count:
    def __init__(self) -> None:
        self.n = 0

    def write(self, data: bytes) -> int:
        self.n += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("nquads", type=Path)
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with open(args.nquads, "rb") as fh:
        data = b"".join(itertools.islice(fh, args.quads))
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    pfx = prefixes(DEFAULT_BASE_IRI)
    print(f"{len(quads)} quads from {args.nquads}")
    for _ in range(args.repeat):
        ours, peer = Count(), Count()
        t = time.perf_counter()
        jsonld.write(quads, ours, pfx)
        kg_s = time.perf_counter() - t
        t = time.perf_counter()
        ox.serialize(quads, peer, format=ox.RdfFormat.JSON_LD)  # type: ignore[arg-type]
        ox_s = time.perf_counter() - t
        per = 1e6 / len(quads)
        print(f"kg.rdf.jsonld (compacted) {kg_s * per:.2f} µs/quad   pyoxigraph (expanded) {ox_s * per:.2f} µs/quad   "
              f"ratio {kg_s / ox_s:.2f}   ({ours.n / 1e6:.0f} vs {peer.n / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
