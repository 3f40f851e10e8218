"""The dataset description (VoID + DCAT), written into each release as ``void.ttl``.

Specs: VoID https://www.w3.org/TR/void/ ; DCAT 3 https://www.w3.org/TR/vocab-dcat-3/ ;
SPDX checksums https://spdx.org/rdf/terms/ . Built from the release's own data
and files at build time, so it is deterministic (no clock: the publication
times live in the history and the server adds them) and covered by SHA256SUMS like every dump.

The counts are those of one pass over the sorted, de-duplicated N-Triples
dump (the default graph of the release), with small counters (classes,
properties, linksets): ``count_union``, with an external ``sort -u`` for
distinct objects. The build keeps them per block of the dump instead
(``kg.release.voidblocks``), so an incremental build recounts only the blocks
that changed; the description costs no memory that grows with the data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.rdf.formats import DUMP_FORMATS, serialized
from kg.rdf.iris import Iris
from kg.rdf.vocab import DCAT, DCT, FOAF, OWL, PROV, RDF, RDFS, SCHEMA, SPDX, VOID, XSD, prefixes
from kg.release.directory import FileInfo
from kg.release.spool import sort_file

VOID_FILE = "void.ttl"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
IANA = "https://www.iana.org/assignments/media-types/"
LINK_TARGETS = {  # slug → (name, namespace of its IRIs, homepage, dataset IRI)
    "wikidata": ("Wikidata", "http://www.wikidata.org/entity/", "https://www.wikidata.org/", "http://www.wikidata.org/"),
    "dbpedia": ("DBpedia", "http://dbpedia.org/resource/", "https://www.dbpedia.org/", "http://dbpedia.org/"),
    "geonames": ("GeoNames", "http://sws.geonames.org/", "https://www.geonames.org/", "http://sws.geonames.org/"),
}
MEDIA = {f.suffix: (f.media_type, f.label, f.w3c) for f in DUMP_FORMATS}
"""Dump suffix → (media type, name, W3C format IRI)."""
RIGHTS_EN = (
    "Our curation — the selection of facts, their structure, the English and Arabic labels, the IRIs and the "
    "ontology — is licensed CC BY 4.0. The article texts (schema:text) and the verbatim quotes taken from them "
    "(oa:exact) are the work of their publishers: they are reproduced as evidence for the facts, under the right "
    "of quotation (Berne Convention, art. 10(1)) and fair use/fair dealing, and are NOT licensed under CC BY 4.0."
)
RIGHTS_AR = (
    "التنسيق الذي قمنا به — اختيار الحقائق وبنيتها والتسميات العربية والإنجليزية والمعرّفات والأنطولوجيا — مرخّص "
    "بموجب CC BY 4.0. أما نصوص المقالات والاقتباسات الحرفية منها فهي ملك لناشريها، وتُعرض دليلا على الحقائق بموجب "
    "حق الاقتباس (المادة 10(1) من اتفاقية برن) والاستخدام العادل، ولا تخضع لترخيص CC BY 4.0."
)


def node(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def lit(value: object, dt: object | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value), datatype=node(dt)) if dt else ox.Literal(str(value))


@dataclass
class UnionStats:
    """What the description counts, over the union of the data graphs (a set of triples)."""

    triples: int = 0
    subjects: int = 0
    objects: int = 0
    entities: int = 0
    """``void:entities``: distinct subjects under ``{base}id/`` — things, facts,
    claims, articles and their parts (``…#evidence-1``), as VoID counts what its ``void:uriSpace`` holds."""
    things: int = 0
    """Entities as the site counts them (``release.json``'s ``entities``, the home page, ``/releases``,
    ``kg diff``): the things under ``{base}id/`` with statements of their own that are not facts,
    claims or articles — people, states, organisations, places, events, memberships …"""
    classes: Counter[str] = field(default_factory=Counter)
    properties: Counter[str] = field(default_factory=Counter)
    linksets: Counter[str] = field(default_factory=Counter)
    urls: dict[str, ox.NamedNode] = field(default_factory=dict)


def count_union(sorted_triples: Path, base: str, tmp_dir: Path) -> UnionStats:
    """Count a sorted, de-duplicated N-Triples file line by line (subjects
    come in runs, so distinct subjects need no set; distinct objects go
    through ``sort -u``). Subjects and predicates are IRIs (no spaces), so a
    line splits at its first two spaces."""
    stats = UnionStats()
    objects_path = tmp_dir / "objects.unsorted"
    with open(sorted_triples, "rb") as fh, open(objects_path, "wb") as objects:
        count_lines(fh, stats, base, lambda o: objects.write(o + b"\n"))
    distinct = tmp_dir / "objects.sorted"
    sort_file(objects_path, distinct, unique=True, tmp_dir=tmp_dir)
    objects_path.unlink()
    with open(distinct, "rb") as fh:
        stats.objects = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    distinct.unlink()
    return stats


def count_lines(lines: Iterable[bytes], stats: UnionStats, base: str, objects: Callable[[bytes], object]) -> None:
    """Add sorted, de-duplicated N-Triples ``lines`` (whole subjects) to ``stats``; every object is given to ``objects``
    (distinct objects are counted by the caller)."""
    rdf_type, same_as, url = (f"<{p}>".encode() for p in (RDF.type, OWL.sameAs, SCHEMA.url))
    ours = f"<{base}id/".encode()
    spaces = [(slug, b"<" + space.encode()) for slug, (_name, space, _home, _iri) in LINK_TARGETS.items()]
    last = b""
    for line in lines:
        s, p, rest = line.split(b" ", 2)
        o = rest[:-3]  # drop " .\n"
        stats.triples += 1
        if s != last:
            last = s
            stats.subjects += 1
            if s.startswith(ours):
                stats.entities += 1
                kind = s[len(ours):].split(b"/", 1)[0]
                if b"#" not in s and kind not in (b"fact", b"claim", b"article"):  # kg.release.diff.category's "entities"
                    stats.things += 1
        stats.properties[p[1:-1].decode()] += 1
        if p == rdf_type and o.startswith(b"<"):
            stats.classes[o[1:-1].decode()] += 1
        elif p == same_as:
            for slug, prefix in spaces:
                if o.startswith(prefix):
                    stats.linksets[slug] += 1
        elif p == url and o.startswith(b"<"):
            stats.urls[s[1:-1].decode()] = ox.NamedNode(o[1:-1].decode())
        objects(o)


_Add = Callable[[ox.NamedNode | ox.BlankNode, object, ox.NamedNode | ox.BlankNode | ox.Literal], None]
"""What the parts of the description are given to add a triple with."""


class _Triples:
    """The description's triples as they are added; ``add`` takes our vocabulary's rdflib terms as they are."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: ox.NamedNode | ox.BlankNode, p: object, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, node(p), o))


def void_turtle(stats: UnionStats, *, base: str, files: Mapping[str, FileInfo], meta: dict) -> bytes:
    """The Turtle bytes of the description (triples sorted: same release → same bytes)."""
    iris = Iris(base)
    ds = node(iris.dataset)
    out = _Triples()
    _about(out.add, ds, iris, base, meta)
    _counts(out.add, ds, stats, base)
    _partitions(out.add, ds, stats)
    _linksets(out.add, ds, iris, stats)
    _sources(out.add, ds, iris, stats, meta)
    _distributions(out.add, ds, iris, files)
    used = {k: v for k, v in prefixes(base).items() if k in {
        "rdf", "rdfs", "owl", "xsd", "dcterms", "dcat", "void", "foaf", "spdx", "prov", "qn", "article", "schema", "org", "skos", "sem", "oa"}}
    return serialized(ox.serialize(sorted(set(out.triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))),
                                   format=ox.RdfFormat.TURTLE, prefixes=used))


def _about(add: _Add, ds: ox.NamedNode, iris: Iris, base: str, meta: dict) -> None:
    """What the dataset is, who publishes it under which licence, where to reach it, which vocabularies it uses."""
    add(ds, RDF.type, node(VOID.Dataset))
    add(ds, RDF.type, node(DCAT.Dataset))
    add(ds, DCT.title, lit("Qatar–NATO cooperation knowledge graph", lang="en"))
    add(ds, DCT.title, lit("الرسم المعرفي للتعاون بين قطر وحلف شمال الأطلسي", lang="ar"))
    add(ds, DCT.description, lit(
        "Facts curated by hand from Arabic news articles on cooperation between the State of Qatar and NATO; "
        "each fact is a named graph with its verbatim evidence quote and offsets (W3C Web Annotation).", lang="en"))
    add(ds, DCT.description, lit(
        "حقائق منسّقة يدويا من مقالات إخبارية عربية عن التعاون بين دولة قطر وحلف شمال الأطلسي؛ كل حقيقة رسم مسمّى "
        "مع اقتباسها الحرفي وموضعه في النص.", lang="ar"))
    add(ds, DCT.license, node(CC_BY))
    add(ds, DCT.rights, lit(RIGHTS_EN, lang="en"))
    add(ds, DCT.rights, lit(RIGHTS_AR, lang="ar"))
    publisher = node(Iris.part(iris.dataset, "publisher"))
    add(ds, DCT.publisher, publisher)
    add(ds, DCT.creator, publisher)
    add(publisher, RDF.type, node(FOAF.Organization))
    add(publisher, FOAF.name, lit("Qatar–NATO KG project", lang="en"))
    dates = sorted(a["published"] for a in meta.get("articles", []) if a.get("published"))
    if dates:
        add(ds, DCT.temporal, lit(f"{dates[0]}/{dates[-1]}"))
    # the version is the release id (a hash of the dumps, so this file stays
    # byte-identical for the same input); publication times come from the
    # history, merged in by the server (kg.release.history_rdf.merge_description)
    if meta.get("id"):
        add(ds, DCAT.version, lit(meta["id"]))
    add(ds, RDFS.comment, lit(f"Built by {meta.get('generator', f'kg {__version__}')}.", lang="en"))
    for lang in ("ar", "en"):
        add(ds, DCT.language, node(f"http://id.loc.gov/vocabulary/iso639-1/{lang}"))
    add(ds, DCAT.landingPage, node(base))
    add(ds, FOAF.homepage, node(base))
    add(ds, VOID.sparqlEndpoint, node(iris.sparql))
    add(ds, VOID.uriSpace, lit(base + "id/"))
    add(ds, VOID.vocabulary, node(iris.ontology))
    for ns in ("http://www.w3.org/ns/org#", "http://semanticweb.cs.vu.nl/2009/11/sem/", "http://schema.org/",
               "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/oa#"):
        add(ds, VOID.vocabulary, node(ns))


def _counts(add: _Add, ds: ox.NamedNode, stats: UnionStats, base: str) -> None:
    """VoID's statistics of the union graph, and what void:entities counts (more than the site's entities)."""
    add(ds, VOID.triples, lit(stats.triples, XSD.integer))
    add(ds, VOID.distinctSubjects, lit(stats.subjects, XSD.integer))
    add(ds, VOID.distinctObjects, lit(stats.objects, XSD.integer))
    add(ds, VOID.entities, lit(stats.entities, XSD.integer))
    add(ds, RDFS.comment, lit(
        f"void:entities counts every resource described under {base}id/: the things, facts, claims and articles and "
        f"their parts (#evidence-1 …). Of them, {stats.things} are entities as the site counts them: the people, states, "
        "organisations, places, events and other things the facts are about, not the facts, claims or articles.", lang="en"))


def _partitions(add: _Add, ds: ox.NamedNode, stats: UnionStats) -> None:
    """One class partition per class and one property partition per property, in a stable order."""
    classes, props = stats.classes, stats.properties
    add(ds, VOID.classes, lit(len(classes), XSD.integer))
    add(ds, VOID.properties, lit(len(props), XSD.integer))
    for i, (cls, n) in enumerate(sorted(classes.items()), start=1):
        part = ox.BlankNode(f"class{i}")
        add(ds, VOID.classPartition, part)
        add(part, VOID["class"], node(cls))
        add(part, VOID.entities, lit(n, XSD.integer))
    for i, (prop, n) in enumerate(sorted(props.items()), start=1):
        part = ox.BlankNode(f"property{i}")
        add(ds, VOID.propertyPartition, part)
        add(part, VOID.property, node(prop))
        add(part, VOID.triples, lit(n, XSD.integer))


def _linksets(add: _Add, ds: ox.NamedNode, iris: Iris, stats: UnionStats) -> None:
    """One void:Linkset per target dataset of our owl:sameAs links, with its count."""
    for slug, (name, space, home, target_iri) in LINK_TARGETS.items():
        n = stats.linksets[slug]
        ls, target = node(Iris.part(iris.dataset, f"linkset-{slug}")), node(target_iri)
        add(ds, VOID.subset, ls)
        add(ls, RDF.type, node(VOID.Linkset))
        add(ls, DCT.title, lit(f"owl:sameAs links to {name}", lang="en"))
        add(ls, VOID.linkPredicate, node(OWL.sameAs))
        add(ls, VOID.subjectsTarget, ds)
        add(ls, VOID.objectsTarget, target)
        add(ls, VOID.triples, lit(n, XSD.integer))
        add(target, RDF.type, node(VOID.Dataset))
        add(target, DCT.title, lit(name, lang="en"))
        add(target, VOID.uriSpace, lit(space))
        add(target, FOAF.homepage, node(home))


def _sources(add: _Add, ds: ox.NamedNode, iris: Iris, stats: UnionStats, meta: dict) -> None:
    """Every article as a dct:source, and the web page it was read from as prov:wasDerivedFrom."""
    urls = stats.urls
    for art in meta.get("articles", []):
        a = node(iris.article(art["id"]))
        add(ds, DCT.source, a)
        if a.value in urls and isinstance(urls[a.value], ox.NamedNode):
            add(ds, PROV.wasDerivedFrom, urls[a.value])


def _distributions(add: _Add, ds: ox.NamedNode, iris: Iris, files: Mapping[str, FileInfo]) -> None:
    """Every dump as a dcat:Distribution with its size, media type and SHA-256 (spdx:Checksum)."""
    for i, name in enumerate(sorted(files), start=1):
        info = files[name]
        dist = node(iris.dump(name))
        stem, _, ext = name.removesuffix(".gz").rpartition(".")
        gz = name.endswith(".gz")
        if stem == "dataset":
            add(ds, VOID.dataDump, dist)
            add(ds, DCAT.distribution, dist)
            media, label, feature = MEDIA[ext]
            add(ds, VOID.feature, node(feature))
            add(dist, DCT.title, lit(f"The whole dataset in {label}" + (", gzipped" if gz else ""), lang="en"))
        else:
            media = "text/turtle"
            owner = {"ontology": iris.ontology, "shapes": iris.shapes}.get(stem)
            if owner is not None:
                add(node(owner), DCAT.distribution, dist)
            else:
                add(ds, RDFS.seeAlso, dist)
            add(dist, DCT.title, lit(name, lang="en"))
        add(dist, RDF.type, node(DCAT.Distribution))
        add(dist, DCAT.downloadURL, dist)
        add(dist, DCAT.accessURL, dist)
        add(dist, DCAT.mediaType, node(IANA + media))
        add(dist, DCT["format"], lit(media))
        if gz:
            add(dist, DCAT.compressFormat, node(IANA + "application/gzip"))
        add(dist, DCAT.byteSize, lit(info.bytes, XSD.nonNegativeInteger))
        add(dist, DCT.license, node(CC_BY))
        checksum = ox.BlankNode(f"checksum{i}")
        add(dist, SPDX.checksum, checksum)
        add(checksum, RDF.type, node(SPDX.Checksum))
        add(checksum, SPDX.algorithm, node(SPDX.checksumAlgorithm_sha256))
        add(checksum, SPDX.checksumValue, lit(info.sha256, XSD.hexBinary))
    add(ds, RDFS.seeAlso, node(iris.dump("SHA256SUMS")))
