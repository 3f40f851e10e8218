"""What writing the sitemaps adds to a build: ``kg.release.sitemap.write_sitemaps`` timed
beside the build's other pass over the same sorted N-Triples
(``kg.release.void.count_union``, the VoID statistics), in one run, as a ratio.

    python -m benchmarks.generate 10000 /tmp/b/seeds
    kg --seeds /tmp/b/seeds --var /tmp/b/var build
    python -m benchmarks.sitemap_pass /tmp/b/var/current
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg.release.directory import open_release
from kg.release.sitemap import write_sitemaps
from kg.release.void import count_union


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path, help="a release directory (or var/current)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    release = open_release(args.release)
    nt = release.file("dataset.nt")
    print(f"{release.meta.get('articles') and len(release.meta['articles'])} articles, {nt.stat().st_size / 1e6:.0f} MB of N-Triples")
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            names = write_sitemaps(nt, Path(tmp), release.base_iri)
            sitemaps = time.perf_counter() - t
            t = time.perf_counter()
            count_union(nt, release.base_iri, Path(tmp))
            peer = time.perf_counter() - t
        print(f"sitemaps {sitemaps:.2f} s ({len(names)} files)   count_union {peer:.2f} s   ratio {sitemaps / peer:.2f}")


if __name__ == "__main__":
    main()
