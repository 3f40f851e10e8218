"""SHACL at scale: ``kg.validation.validate.validate_store`` (SPARQL on Oxigraph) vs pyshacl.

Issue 6 target: 1 M triples validated in < 60 s. For each size N this
generates N synthetic articles (``benchmarks.generate``), curates and maps
them with the real pipeline, loads a pyoxigraph ``Store`` the way a release
does (each fact in its named graph, the default graph = their de-duplicated
union) and times ``validate_store``. At sizes up to ``--pyshacl-max`` it also
runs pyshacl (``kg.validation.validate.validate``) on the same quads and says whether
the two reports are equal.

    python -m benchmarks.shacl_store 25 2500 --work /tmp/shacl-bench --pyshacl-max 25
"""

from __future__ import annotations

import argparse
import collections
import resource
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from benchmarks.generate import generate
from kg.curation.loader import load_corpus
from kg.rdf.mapping import map_corpus
from kg.rdf.turtledir import load_turtle_dir
from kg.release.build import to_oxigraph
from kg.validation.literals import Originals
from kg.validation.validate import Violation, as_dataset, validate, validate_store

ROOT = Path(__file__).resolve().parent.parent


def key(v: Violation) -> tuple[str, ...]:
    return (v.focus, v.path or "", v.value or "", v.source_shape, v.constraint, v.severity, v.message,
            v.source_constraint or "")


def release_like_store(quads: Sequence[ox.Quad]) -> tuple[ox.Store, Originals]:
    """An in-memory store laid out as a release's (``kg.store.embedded.release_files``):
    every quad in its named graph, the default graph = their union; and the
    integer literals as written, which the store canonicalises."""
    store = ox.Store()
    store.bulk_extend(quads)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return store, Originals().add(quads)


def one(n: int, work: Path, *, pyshacl: bool) -> dict[str, object]:
    seeds = work / f"seeds-{n}"
    if not seeds.exists():
        generate(n, seeds)
    shapes, ontology = load_turtle_dir(ROOT / "shapes"), load_turtle_dir(ROOT / "ontology")
    t = time.perf_counter()
    quads = map_corpus(load_corpus(seeds))
    ox_quads = to_oxigraph(quads)
    prepare = time.perf_counter() - t
    t = time.perf_counter()
    store, originals = release_like_store(ox_quads)
    load_s = time.perf_counter() - t
    triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)  # type: ignore[index]
    t = time.perf_counter()
    report = validate_store(store, shapes, ontology, originals=originals)
    engine_s = time.perf_counter() - t
    row: dict[str, object] = {
        "articles": n, "quads": len(ox_quads), "triples": triples, "prepare_s": round(prepare, 2),
        "load_s": round(load_s, 2), "engine_s": round(engine_s, 2),
        "engine_triples_per_s": round(triples / engine_s), "engine_violations": len(report.violations),
        "engine_by_shape": dict(collections.Counter(v.source_shape.rsplit("#", 1)[-1] for v in report.violations)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    if pyshacl:
        t = time.perf_counter()
        ref = validate(as_dataset(quads), shapes, ontology)
        row["pyshacl_s"] = round(time.perf_counter() - t, 2)
        row["pyshacl_triples_per_s"] = round(triples / float(row["pyshacl_s"]))  # type: ignore[arg-type]
        row["pyshacl_violations"] = len(ref.violations)
        row["reports_equal"] = collections.Counter(map(key, ref.violations)) == collections.Counter(map(key, report.violations))
        row["speedup"] = round(float(row["pyshacl_s"]) / engine_s, 1)  # type: ignore[arg-type]
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sizes", type=int, nargs="+", help="numbers of synthetic articles")
    p.add_argument("--work", type=Path, default=Path("/tmp/kg-shacl-bench"))
    p.add_argument("--pyshacl-max", type=int, default=25, help="also run pyshacl up to this many articles")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        print(one(n, args.work, pyshacl=n <= args.pyshacl_max), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
