"""The pipeline: curate → map → validate → serialize → write the release.

Deterministic (same input → byte-identical dumps) and atomic (see
``kg.release``). Each stage prints one progress line. Anything that fails
raises before the release is swapped in, so the published one stays.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from kg import __version__
from kg.config import DEFAULT_BASE_IRI, Settings
from kg.curation import Corpus, load_corpus
from kg.errors import ValidationFailed
from kg.iris import Iris, rebase
from kg.mapping import Quad, map_corpus
from kg.store.embedded import persist, release_files
from kg.release import STORE_DIR, DUMPS, REPORT_FILE, Release, gzip_bytes, serialize, write_release
from kg.validate import Report, as_dataset, load_turtle_dir, validate
from kg.vocab import prefixes
from kg.void import VOID_FILE, void_turtle

Progress = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def to_oxigraph(quads: Iterable[Quad], base: str = DEFAULT_BASE_IRI) -> list[ox.Quad]:
    """rdflib quads → pyoxigraph quads, moved from the default base to ``base``."""

    def term(t: object) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        if isinstance(t, URIRef):
            return ox.NamedNode(rebase(str(t), DEFAULT_BASE_IRI, base))
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        raise TypeError(f"unexpected term {t!r}")

    return [ox.Quad(term(s), term(p), term(o), term(g)) for s, p, o, g in quads]  # type: ignore[arg-type]


def rebase_text(text: str, base: str) -> str:
    return text if base == DEFAULT_BASE_IRI else text.replace(DEFAULT_BASE_IRI, base)


def origins(corpus: Corpus, iris: Iris | None = None) -> dict[str, str]:
    """IRI → 'file:line (id)' so a validation report points at curated input."""
    iris = iris or Iris()
    out: dict[str, str] = {}
    for key, located in corpus.entities.items():
        out[str(iris.entity(key))] = f"{located.path.name}:{located.line} (entity {key})"
    for art in corpus.articles:
        out[str(iris.article(art.id))] = f"{art.path.name} (article {art.id})"
        for section, items in (("facts", art.doc.facts), ("claims", art.doc.claims)):
            for i, item in enumerate(items):
                line = art.raw[section].lc.item(i)[0] + 1
                mint = iris.fact if section == "facts" else iris.claim
                out[str(mint(art.id, item.id))] = f"{art.path.name}:{line} ({section[:-1]} {item.id})"
    return out


def check(settings: Settings, progress: Progress = _stderr) -> tuple[Corpus, list[Quad], Report]:
    """Curate, map and validate, writing nothing. Shared by ``build`` and ``validate``."""
    t = time.perf_counter()
    corpus = load_corpus(settings.seeds_dir)
    n_facts = sum(len(a.doc.facts) for a in corpus.articles)
    n_claims = sum(len(a.doc.claims) for a in corpus.articles)
    progress(f"[1/5] curate   {len(corpus.articles)} articles, {len(corpus.entities)} entities, {n_facts} facts, {n_claims} claims, {len(corpus.links)} links ({time.perf_counter() - t:.2f}s)")
    t = time.perf_counter()
    quads = map_corpus(corpus)
    progress(f"[2/5] map      {len(quads)} quads in {len({q[3] for q in quads})} graphs ({time.perf_counter() - t:.2f}s)")
    t = time.perf_counter()
    # a dataset, not the flattened union: one shape looks inside each fact's named graph
    report = validate(as_dataset(quads), load_turtle_dir(settings.shapes_dir), load_turtle_dir(settings.ontology_dir))
    progress(f"[3/5] validate {'conforms' if report.conforms else f'{len(report.violations)} violation(s)'} ({time.perf_counter() - t:.2f}s)")
    return corpus, quads, report


def report_text(corpus: Corpus, report: Report) -> str:
    """The report for people: grouped by focus node, each with its curated file and line."""
    return report.to_text(origins(corpus))


def build(settings: Settings, progress: Progress = _stderr) -> Release:
    corpus, quads, report = check(settings, progress)
    if not report.conforms:
        raise ValidationFailed("the graph does not conform to the shapes; nothing was published", report_text(corpus, report))
    t = time.perf_counter()
    base = settings.base_iri
    ox_quads = to_oxigraph(quads, base)
    pfx = prefixes(base)
    files: dict[str, bytes] = {}
    for name, (fmt, _media) in DUMPS.items():
        data = serialize(ox_quads, fmt, pfx)
        files[name] = data
        files[name + ".gz"] = gzip_bytes(data)
    files["ontology.ttl"] = rebase_text(_concat(settings.ontology_dir), base).encode("utf-8")
    files["shapes.ttl"] = rebase_text(_concat(settings.shapes_dir), base).encode("utf-8")
    files[REPORT_FILE] = rebase_text(_report_turtle(report), base).encode("utf-8")
    progress(f"[4/5] serialize {len(DUMPS)} formats + gzip ({time.perf_counter() - t:.2f}s)")
    t = time.perf_counter()
    triples = len({q.triple for q in ox_quads})
    meta = {
        "base_iri": base,
        "generator": f"kg {__version__}",
        "quads": len(ox_quads),
        "triples": triples,
        "graphs": len({q.graph_name for q in ox_quads}),
        "articles": [
            {"id": a.id, "file": a.doc.article.file, "sha256": a.sha256, "published": a.doc.article.published.text}
            for a in corpus.articles
        ],
        "entities": len(corpus.entities),
        "facts": sum(len(a.doc.facts) for a in corpus.articles),
        "claims": sum(len(a.doc.claims) for a in corpus.articles),
        "links": len(corpus.links),
    }
    files[VOID_FILE] = void_turtle(ox_quads, base=base, files=files, meta=meta)  # the VoID/DCAT description (kg.void)
    release = write_release(settings.var_dir, files, meta, finish=lambda d: persist(d / STORE_DIR, release_files(d, base)))
    progress(f"[5/5] publish  release {release.id} → {settings.current_release} ({time.perf_counter() - t:.2f}s)")
    return release


def _concat(directory: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(directory).glob("*.ttl")))


def _report_turtle(report: Report) -> str:
    """The report with a stable serialization: pyshacl's blank nodes are
    relabelled canonically (RDF dataset canonicalization), so equal reports are equal bytes."""
    canonical = Graph()
    canonical += to_canonical_graph(report.graph)
    canonical.bind("sh", "http://www.w3.org/ns/shacl#")
    return canonical.serialize(format="turtle")
