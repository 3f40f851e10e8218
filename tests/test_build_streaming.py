"""The streaming build (kg.release.build, kg.release.spool): articles are read one at a time,
the dumps are the same bytes the in-memory serialization gave, the store holds
what the dumps hold, offsets stay xsd:nonNegativeInteger, and cross-file
checks still name file and line.

Real parts: the shipped seeds (or a copy), the real build, GNU sort,
pyoxigraph and rdflib parsers, the release's on-disk store.
"""

from __future__ import annotations

import gc
import gzip
import weakref
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEEDS
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from kg.config import Settings
from kg.curation.loader import CorpusStream, load_corpus
from kg.errors import CurationError
from kg.rdf.iris import Iris
from kg.rdf.mapping import map_corpus
from kg.rdf.vocab import prefixes
from kg.release.build import build, to_oxigraph
from kg.release.directory import DUMPS, Release
from kg.release.spool import DumpWriter, QuadSpool

OA = "http://www.w3.org/ns/oa#"
NNI = str(XSD.nonNegativeInteger)


def _quiet(_line: str) -> None:
    pass


def _data_quads(store: ox.Store, base: str) -> set[ox.Quad]:
    """Quads of the data graphs (not the ontology and shapes graphs) of a store."""
    skip = {base + "ontology", base + "shapes"}
    return {q for q in store.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in skip}


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_streamed_dump_is_the_in_memory_serialization(release: Release, name: str) -> None:
    """Byte for byte what release_helpers.serialize makes of the whole mapped corpus
    held in memory (the build before it streamed): the order did not change."""
    from release_helpers import serialize

    quads = to_oxigraph(map_corpus(load_corpus(SEEDS), Iris(release.base_iri)))
    expected = serialize(quads, DUMPS[name][0], prefixes(release.base_iri))
    assert release.file(name).read_bytes() == expected
    assert gzip.decompress(release.file(name + ".gz").read_bytes()) == expected


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_store_holds_what_each_dump_holds(release: Release, name: str) -> None:
    """The release's store was loaded while building, not from a re-parse at
    serve time: its data graphs (and its default graph, the union as a set)
    equal what each dump parses to, both canonicalised the way a store loads them."""
    assert release.store_dir is not None
    built = ox.Store.read_only(str(release.store_dir))
    fmt = DUMPS[name][0]
    parsed = ox.Store()
    if fmt.supports_datasets:
        parsed.bulk_load(path=str(release.file(name)), format=fmt)
        assert _data_quads(built, release.base_iri) == set(parsed)
    else:
        parsed.bulk_load(path=str(release.file(name)), format=fmt)
        union = {q.triple for q in built.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert union == {q.triple for q in parsed}


def test_release_counts_are_the_stores(release: Release) -> None:
    built = ox.Store.read_only(str(release.store_dir))
    data = _data_quads(built, release.base_iri)
    assert release.meta["quads"] == len(data)
    assert release.meta["graphs"] == len({q.graph_name for q in data})
    assert release.meta["triples"] == sum(1 for _ in built.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    void = ox.Store()
    void.load(path=str(release.file("void.ttl")), format=ox.RdfFormat.TURTLE)
    dataset = ox.NamedNode(release.base_iri + "dataset")
    triples = next(void.quads_for_pattern(dataset, ox.NamedNode("http://rdfs.org/ns/void#triples"), None))
    assert int(triples.object.value) == release.meta["triples"]


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_offsets_stay_non_negative_integers_in_every_dump(release: Release, name: str) -> None:
    """Oxigraph canonicalises xsd:nonNegativeInteger to xsd:integer on load;
    the dumps are never written from a store, so they keep the datatype."""
    offsets = [t for t in ox.parse(path=str(release.file(name)), format=DUMPS[name][0])
               if t.predicate.value in (OA + "start", OA + "end")]
    assert offsets
    assert {o.object.datatype.value for o in offsets} == {NNI}


def test_offsets_survive_rdflib_too(release: Release) -> None:
    ds = Dataset()
    ds.parse(release.file("dataset.trig"), format="trig")
    starts = list(ds.quads((None, URIRef(OA + "start"), None, None)))
    assert starts and all(isinstance(o, Literal) and o.datatype == XSD.nonNegativeInteger for _s, _p, o, _g in starts)


def test_the_loader_yields_articles_lazily_and_keeps_none(seeds_copy: Path) -> None:
    """The second article is not read before the first is handed out, and a
    handed-out article is not kept by the stream."""
    second = sorted(p for p in seeds_copy.glob("0*.yaml"))[1]
    second.write_text("article: [unclosed\n", encoding="utf-8")
    stream = CorpusStream(seeds_copy)
    articles = stream.articles()
    first = next(articles)  # the broken second file has not been read yet
    n_facts = len(first.doc.facts)
    ref = weakref.ref(first)
    del first
    gc.collect()
    released = ref() is None  # evaluated outside the assert: pytest's rewriting would hold the value
    assert n_facts and released, "the stream holds on to an article it has handed out"
    rest = [art.path.name for art in articles]  # the broken article is read, its problem kept, and not handed out
    assert second.name not in rest and len(rest) == len(list(seeds_copy.glob("0*.yaml"))) - 2
    with pytest.raises(CurationError) as err:  # every problem of the run, once every file is read
        stream.finish()
    assert err.value.path == second and err.value.field == "yaml"


def test_an_entity_declared_in_a_later_article_maps_as_before(seeds_copy: Path, tmp_path: Path, release: Release) -> None:
    """A fact may use a post declared by a later article: the stream maps that
    article again once every key is known, so nothing is lost (the post's
    organisation on the holding) and the dumps are the same bytes."""
    block = ("  - key: post/qat-mfa-secretary-general\n    type: Post\n"
             "    label: {en: Secretary-General of the Ministry of Foreign Affairs of Qatar, ar: الأمين العام لوزارة الخارجية}\n"
             "    within: ministry/qat-mfa\n")
    entities = seeds_copy / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    assert block in text, "the seed changed; update this test"
    entities.write_text(text.replace(block, ""), encoding="utf-8")
    later = seeds_copy / "001_8ef1d1eb9683969b.yaml"
    later.write_text(later.read_text(encoding="utf-8").replace("\nentities:\n", "\nentities:\n" + block, 1), encoding="utf-8")
    moved = build(Settings(var_dir=tmp_path / "var", seeds_dir=seeds_copy), progress=_quiet)
    assert moved.file("dataset.nq").read_bytes() == release.file("dataset.nq").read_bytes()


def test_a_duplicate_article_id_names_both_files_and_lines(seeds_copy: Path) -> None:
    """Reported at the later file (the one to change), naming where the id was first used."""
    a, b = sorted(seeds_copy.glob("0*.yaml"))[:2]
    ident = load_corpus(SEEDS).articles[0].id
    other = load_corpus(SEEDS).articles[1].id
    b.write_text(b.read_text(encoding="utf-8").replace(f"id: {other}\n", f"id: {ident}\n", 1), encoding="utf-8")
    with pytest.raises(CurationError) as err:
        load_corpus(seeds_copy)
    assert err.value.path == b and err.value.field == "article.id"
    assert b.read_text(encoding="utf-8").splitlines()[err.value.line - 1].strip() == f"id: {ident}"
    first_line = next(i for i, line in enumerate(a.read_text(encoding="utf-8").splitlines(), 1) if line.strip() == f"id: {ident}")
    assert f"first used by {a.name}:{first_line}" in err.value.message


def test_an_unknown_reference_is_reported_after_every_article_with_its_line(seeds_copy: Path) -> None:
    path = seeds_copy / "001_8ef1d1eb9683969b.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("post: post/nato-secretary-general", "post: post/nobody", 1), encoding="utf-8")
    stream = CorpusStream(seeds_copy)
    assert len(list(stream.articles())) == 3  # reading goes on: the key might be declared later
    with pytest.raises(CurationError) as err:
        stream.finish()
    assert err.value.path == path and "post/nobody" in str(err.value)
    assert path.read_text(encoding="utf-8").splitlines()[err.value.line - 1].strip() == "post: post/nobody"


def test_spool_sorts_and_deduplicates_graph_first(tmp_path: Path) -> None:
    """GNU sort in byte order: graph, then subject, predicate, object; duplicates once."""
    n = ox.NamedNode
    g1, g2 = n("http://example.org/g/1"), n("http://example.org/g/2")
    s, p = n("http://example.org/s"), n("http://example.org/p")
    quads = [ox.Quad(s, p, ox.Literal("b"), g2), ox.Quad(s, p, ox.Literal("a"), g2),
             ox.Quad(s, p, ox.Literal("ب", language="ar"), g1), ox.Quad(s, p, ox.Literal("a"), g2)]
    spool = QuadSpool(tmp_path / "work")
    spool.add(quads[:2])
    spool.add(quads[2:])
    sorted_quads, sorted_triples = spool.sort()
    keys = sorted_quads.read_bytes().decode("utf-8").splitlines()
    assert [k.split("\t")[0] for k in keys] == [str(g1), str(g2), str(g2)]
    assert sorted_triples.read_bytes() == ox.serialize(sorted({q.triple for q in quads}, key=str), format=ox.RdfFormat.N_TRIPLES)


def test_dump_writer_gzips_and_hashes_while_writing(tmp_path: Path) -> None:
    import hashlib

    from release_helpers import gzip_bytes

    writer = DumpWriter(tmp_path, "x.nt")
    for part in (b"<a> <b> <c> .\n", b"<d> <e> <f> .\n" * 1000):
        writer.write(part)
    infos = writer.close()
    data = (tmp_path / "x.nt").read_bytes()
    assert (tmp_path / "x.nt.gz").read_bytes() == gzip_bytes(data)  # same bytes as gzipping it whole
    for name in ("x.nt", "x.nt.gz"):
        body = (tmp_path / name).read_bytes()
        assert infos[name].bytes == len(body) and infos[name].sha256 == hashlib.sha256(body).hexdigest()


def test_disk_originals_answer_as_the_in_memory_ones(release: Release, tmp_path: Path) -> None:
    """The build keeps the integer literals as written in SQLite, not a dict:
    every lookup the validator makes gives what kg.validation.literals.Originals gives."""
    from kg.validation.literals import DiskOriginals, Originals

    quads = list(ox.parse(path=str(release.file("dataset.nq")), format=ox.RdfFormat.N_QUADS))
    odd = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode(OA + "start"),
                  ox.Literal("05", datatype=ox.NamedNode(str(XSD.integer))), ox.NamedNode("http://example.org/g"))
    memory, disk = Originals().add([*quads, odd]), DiskOriginals(tmp_path / "o.sqlite").add([*quads, odd])
    assert len(disk) == len(memory) > 0
    for q in [*[q for q in quads if q.predicate.value in (OA + "start", OA + "end")][:200], odd]:
        stored = str(int(q.object.value))
        assert disk.lookup(q.subject.value, q.predicate.value, stored) == memory.lookup(q.subject.value, q.predicate.value, stored)
    assert disk.lookup("http://example.org/s", OA + "start", "5") == [("05", str(XSD.integer))]
    disk.close()
