"""One benchmark stage per process, so peak memory (``ru_maxrss``) is the stage's own.

    python -m benchmarks.stages pipeline SEEDS VAR   curate → map → serialize+write (the real kg functions)
    python -m benchmarks.stages shacl VAR WHOLE_MAX  whole-graph pyshacl (if ≤ WHOLE_MAX triples) and the partitioned fast path
    python -m benchmarks.stages load VAR             load the release into Oxigraph as ``kg serve`` does

Each prints one JSON object on stdout. The pipeline calls the same functions
``kg.build.build`` calls, in the same order, but times them one by one and
leaves validation to the ``shacl`` stage (whose shapes may be in flux; a
failing validation must not stop the other measurements).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def pipeline(seeds: Path, var: Path) -> dict:
    from kg import __version__
    from kg.build import to_oxigraph
    from kg.config import Settings
    from kg.curation import load_corpus
    from kg.mapping import map_corpus
    from kg.release import DUMPS, gzip_bytes, serialize, write_release
    from kg.vocab import prefixes

    settings = Settings(seeds_dir=seeds, var_dir=var)
    out: dict = {}
    t = time.perf_counter()
    corpus = load_corpus(settings.seeds_dir)
    out["curate"] = {"s": round(time.perf_counter() - t, 3), "rss_mb": rss_mb(), "articles": len(corpus.articles)}
    t = time.perf_counter()
    quads = map_corpus(corpus)
    out["map"] = {"s": round(time.perf_counter() - t, 3), "rss_mb": rss_mb(), "quads": len(quads)}
    t = time.perf_counter()
    ox_quads = to_oxigraph(quads, settings.base_iri)
    files: dict[str, bytes] = {}
    for name, (fmt, _media) in DUMPS.items():
        files[name] = serialize(ox_quads, fmt, prefixes(settings.base_iri))
        files[name + ".gz"] = gzip_bytes(files[name])
    for name, directory in (("ontology.ttl", settings.ontology_dir), ("shapes.ttl", settings.shapes_dir)):
        files[name] = "\n".join(p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.ttl"))).encode("utf-8")
    triples = len({q.triple for q in ox_quads})
    meta = {"base_iri": settings.base_iri, "generator": f"kg {__version__} (benchmark)", "quads": len(ox_quads),
            "triples": triples, "graphs": len({q.graph_name for q in ox_quads}), "articles": [], "benchmark": True}
    write_release(settings.var_dir, files, meta)
    out["serialize_write"] = {"s": round(time.perf_counter() - t, 3), "rss_mb": rss_mb(), "triples": triples,
                              "dump_mb": round(sum(len(v) for k, v in files.items() if not k.endswith(".gz")) / 2**20, 1)}
    return out


class _Skip(Exception):
    pass


def shacl(var: Path, whole_max: int) -> dict:
    from kg.config import Settings
    from kg.release import open_release

    from benchmarks.shacl_fast import partition, validate_partitioned

    settings = Settings(var_dir=var)
    release = open_release(settings.current_release)
    nq = release.file("dataset.nq")
    out: dict = {"triples": release.meta.get("triples") if hasattr(release, "meta") else None}
    declared = release.meta.get("triples", 0)
    try:
        if declared > whole_max:
            raise _Skip(f"{declared} triples > {whole_max}: pyshacl not affordable here (see BENCHMARKS.md)")
        t = time.perf_counter()
        conforms, fast, timing = validate_partitioned(nq, release.base_iri, settings.shapes_dir, settings.ontology_dir)
        out["fast"] = {"s": round(time.perf_counter() - t, 3), "conforms": conforms, "violations": len(fast), **timing}
    except _Skip as exc:
        out["fast"], fast = {"skipped": str(exc)}, None
    except Exception as exc:  # noqa: BLE001 - shapes of another helper may be in flux: record, go on
        out["fast"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        fast = None
    if declared > whole_max:
        out["whole"] = {"skipped": f"{declared} triples > {whole_max}: whole-graph pyshacl not affordable here"}
        out["rss_mb"] = rss_mb()
        return out
    shared, by_article = partition(nq, release.base_iri)
    n = len({t[:3] for t in shared} | {t[:3] for ts in by_article.values() for t in ts})
    out["triples"] = n
    if n <= whole_max:
        from dataclasses import astuple

        from kg.validate import as_dataset, load_turtle_dir, validate

        try:
            t0 = time.perf_counter()
            g = as_dataset([*shared, *(t for ts in by_article.values() for t in ts)])
            report = validate(g, load_turtle_dir(settings.shapes_dir), load_turtle_dir(settings.ontology_dir))
            whole = {astuple(v) for v in report.violations}
            out["whole"] = {"s": round(time.perf_counter() - t0, 3), "conforms": report.conforms, "violations": len(whole),
                            "same_as_fast": (fast == whole) if fast is not None else None}
        except Exception as exc:  # noqa: BLE001 - as above
            out["whole"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        out["whole"] = {"skipped": f"{n} triples > {whole_max}: whole-graph pyshacl not affordable here"}
    out["rss_mb"] = rss_mb()
    return out


def load(var: Path) -> dict:
    from kg.config import Settings
    from kg.release import open_release
    from kg.web.server import embedded_store

    release = open_release(Settings(var_dir=var).current_release)
    t = time.perf_counter()
    store = embedded_store(release)
    return {"s": round(time.perf_counter() - t, 3), "rss_mb": rss_mb(), "quads": len(store._store)}


def main(argv: list[str]) -> int:
    cmd, *rest = argv
    if cmd == "pipeline":
        result = pipeline(Path(rest[0]), Path(rest[1]))
    elif cmd == "shacl":
        result = shacl(Path(rest[0]), int(rest[1]))
    elif cmd == "load":
        result = load(Path(rest[0]))
    else:
        raise SystemExit(f"unknown stage {cmd!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
