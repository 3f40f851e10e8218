"""One benchmark stage per process, so peak memory (``ru_maxrss``) is the stage's own.

    python -m benchmarks.stages build SEEDS VAR      ``kg build`` itself: curate → map → validate → serialize → publish
    python -m benchmarks.stages shacl VAR WHOLE_MAX  the release's store validated by the engine ``kg build`` uses,
                                                     and by whole-graph pyshacl (if ≤ WHOLE_MAX triples), reports compared
    python -m benchmarks.stages load VAR             open the release's store as ``kg serve`` does

Each prints one JSON object on stdout. ``build`` runs the real
``kg.release.build.build`` and reads each stage's time from its progress lines
(``[k/5] name … (N.NNs)``), so what is measured is exactly what users run.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path

_MAP = re.compile(r"\(map ([\d.]+)s, sort\+write\+store ([\d.]+)s\)")
_STAGE = re.compile(r"^\[(\d)/5\] (\w+)\s.*\(([\d.]+)s\)$")


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build(seeds: Path, var: Path) -> dict:
    from kg.config import Settings
    from kg.release.build import build as kg_build

    lines: list[str] = []
    t = time.perf_counter()
    release = kg_build(Settings(seeds_dir=seeds, var_dir=var), progress=lines.append)
    out: dict = {"total_s": round(time.perf_counter() - t, 3), "rss_mb": rss_mb(), "progress": lines,
                 "quads": release.meta.get("quads"), "triples": release.meta.get("triples"),
                 "articles": len(release.meta.get("articles", []))}
    for line in lines:
        m = _STAGE.match(line.strip())
        if m:
            out[m.group(2)] = float(m.group(3))
        m = _MAP.search(line)
        if m:  # the streaming build's map line: mapping, then sort + write + store load
            out["map"], out["sort_write_store"] = float(m.group(1)), float(m.group(2))
    return out


def _violations(report) -> set[tuple]:  # type: ignore[no-untyped-def]
    from dataclasses import astuple

    return {astuple(v) for v in report.violations}


def shacl(var: Path, whole_max: int) -> dict:
    import pyoxigraph as ox

    from kg.config import Settings
    from kg.rdf.turtledir import load_turtle_dir
    from kg.release.directory import open_release
    from kg.validation.validate import validate, validate_store

    settings = Settings(var_dir=var)
    release = open_release(settings.current_release)
    shapes, ontology = load_turtle_dir(settings.shapes_dir), load_turtle_dir(settings.ontology_dir)
    triples = release.meta.get("triples", 0)
    out: dict = {"triples": triples, "quads": release.meta.get("quads")}
    store = ox.Store.read_only(str(release.store_dir))
    t = time.perf_counter()
    engine = validate_store(store, shapes, ontology)
    out["engine"] = {"s": round(time.perf_counter() - t, 3), "conforms": engine.conforms,
                     "violations": len(engine.violations), "triples_per_s": round(triples / max(time.perf_counter() - t, 1e-9))}
    if triples > whole_max:
        out["whole"] = {"skipped": f"{triples} triples > {whole_max}: whole-graph pyshacl not affordable here"}
    else:
        from rdflib import Dataset

        t = time.perf_counter()
        ds = Dataset(default_union=True)
        ds.parse(release.file("dataset.nq"), format="nquads")
        whole = validate(ds, shapes, ontology)
        out["whole"] = {"s": round(time.perf_counter() - t, 3), "conforms": whole.conforms, "violations": len(whole.violations),
                        "same_report_as_engine": _violations(whole) == _violations(engine)}
    out["rss_mb"] = rss_mb()
    return out


def load(var: Path) -> dict:
    from kg.config import Settings
    from kg.release.directory import open_release
    from kg.store.embedded import embedded_store

    release = open_release(Settings(var_dir=var).current_release)
    t = time.perf_counter()
    store = embedded_store(release)
    return {"s": round(time.perf_counter() - t, 3), "rss_mb": rss_mb(), "quads": len(store._store)}


def main(argv: list[str]) -> int:
    cmd, *rest = argv
    if cmd == "build":
        result = build(Path(rest[0]), Path(rest[1]))
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
