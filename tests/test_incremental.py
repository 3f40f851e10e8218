"""An incremental ``kg build`` publishes what a full build of the same seeds publishes, byte for byte.

Each case builds a small generated corpus (``benchmarks.generate``), changes
the seeds, builds again from that release's build cache, and compares every
file of the release with a full build (``--full``) of the same seeds in a
fresh ``var/``: only ``release.json``'s publication time may differ (two full
builds differ there too). The stores are compared quad by quad.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate import generate
from kg.config import Settings
from kg.errors import CurationError, ValidationFailed
from kg.release import history
from kg.release.build import build
from kg.release.diff import diff
from kg.release.directory import open_release
from kg.release.incremental import CACHE_DIR

ROOT = Path(__file__).resolve().parents[1]
N = 12


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N+1 generated articles; the base corpus leaves the last one out (the 'added' case puts it back)."""
    root = tmp_path_factory.mktemp("incremental")
    full = root / "all"
    generate(N + 1, full)
    base = root / "seeds"
    shutil.copytree(full, base)
    _remove_article(base, f"{N:06d}_bench")
    return root


@pytest.fixture(scope="module", autouse=True)
def small_blocks() -> Iterator[None]:
    """Blocks of ≈ 4 subjects instead of ≈ 256, so the few hundred subjects of these corpora make many blocks,
    and graphs that run across a block's edge (kg.release.blocks), as a large corpus has."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("kg.release.blocks.SPREAD", 4)
        mp.setattr("kg.release.sitemap.MAX_URLS", 40)  # several sitemap files, some taken from the previous release
        yield


@pytest.fixture(scope="module")
def base_var(corpus: Path, small_blocks: None) -> Path:
    var = corpus / "base-var"
    build(Settings(seeds_dir=corpus / "seeds", var_dir=var), progress=lambda _l: None)
    return var


def _remove_article(seeds: Path, stem: str) -> None:
    (seeds / f"{stem}.yaml").unlink()
    (seeds / f"{stem}.txt").unlink()
    sums = seeds / "SHA256SUMS"
    sums.write_text("".join(ln for ln in sums.read_text().splitlines(keepends=True) if not ln.rstrip().endswith(f"{stem}.txt")))


def _copy(corpus: Path, base_var: Path, tmp_path: Path) -> tuple[Settings, Path]:
    seeds, var = tmp_path / "seeds", tmp_path / "var"
    shutil.copytree(corpus / "seeds", seeds)
    shutil.copytree(base_var, var, symlinks=True)
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "shapes", tmp_path / "shapes")
    return Settings(seeds_dir=seeds, var_dir=var, ontology_dir=tmp_path / "ontology", shapes_dir=tmp_path / "shapes"), seeds


def _files(var: Path) -> dict[str, bytes]:
    current = (var / "current").resolve()
    out = {}
    for p in sorted(current.rglob("*")):
        rel = p.relative_to(current)
        if p.is_file() and rel.parts[0] != "store":
            data = p.read_bytes()
            if rel.name == "release.json":
                data = re.sub(rb'"published": "[^"]+"', b'"published": "-"', data)
            out[str(rel)] = data
    return out


def _store(var: Path) -> tuple[set[str], int]:
    """Every quad without a blank node (the data has none), and how many have one (the
    shapes' and ontology's lists: their labels are drawn anew at every load)."""
    store = ox.Store.read_only(str((var / "current" / "store").resolve()))
    named, blank = set(), 0
    for q in store.quads_for_pattern(None, None, None, None):
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            blank += 1
        else:
            named.add(str(q))
    named |= {f"graph {g}" for g in store.named_graphs()}  # a graph left empty must go too
    return named, blank


def _incremental_equals_full(settings: Settings, tmp_path: Path, base_var: Path) -> list[str]:
    before = open_release(base_var / "current").id
    lines: list[str] = []
    release = build(settings, progress=lines.append)
    assert release.id != before  # a new release directory, written by this build
    full_var = tmp_path / "full-var"
    full = build(Settings(seeds_dir=settings.seeds_dir, var_dir=full_var, ontology_dir=settings.ontology_dir,
                          shapes_dir=settings.shapes_dir), progress=lambda _l: None, full=True)
    assert release.id == full.id
    inc, ref = _files(settings.var_dir), _files(full_var)
    assert sorted(inc) == sorted(ref)
    for name in ref:
        assert inc[name] == ref[name], name
    assert _store(settings.var_dir) == _store(full_var)
    # the changes recorded (kg diff from the build's delta) are those of a diff of both releases' dumps
    changes = diff(open_release(base_var / "current"), open_release(settings.var_dir / "current"))
    info = history.get(settings.var_dir, release.id)
    assert info is not None and info.summary == changes.summary()
    assert history.changed_items(settings.var_dir, release.id) == changes.items
    return lines


def _blocks_written(lines: list[str]) -> tuple[int, int]:
    """(blocks written anew, blocks) from stage 4's progress line."""
    found = [re.search(r"(\d+) of (\d+) blocks written anew", line) for line in lines]
    m = next(m for m in found if m)
    return int(m[1]), int(m[2])


def _said(lines: list[str], text: str) -> bool:
    return any(text in line for line in lines)


def test_added_article(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    settings, seeds = _copy(corpus, base_var, tmp_path)
    stem = f"{N:06d}_bench"
    for suffix in (".yaml", ".txt"):
        shutil.copyfile(corpus / "all" / (stem + suffix), seeds / (stem + suffix))
    shutil.copyfile(corpus / "all" / "SHA256SUMS", seeds / "SHA256SUMS")
    lines = _incremental_equals_full(settings, tmp_path, base_var)
    assert _said(lines, f"1 of {N + 1} articles curated again, 1 mapped again")  # the others' summaries replayed
    assert _said(lines, "node(s) the change can affect")
    assert len(list((settings.var_dir / "current" / "sitemaps").iterdir())) > 3  # and each the full build's bytes
    made, total = _blocks_written(lines)
    assert 0 < made < total / 2  # most of every dump copied from the previous release, blocks and gzip segments


def test_edited_article(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    settings, seeds = _copy(corpus, base_var, tmp_path)
    path = seeds / "000003_bench.yaml"
    text = path.read_text(encoding="utf-8")
    assert '"en": "Synthetic article 3"' in text
    path.write_text(text.replace('"en": "Synthetic article 3"', '"en": "Synthetic article three"'), encoding="utf-8")
    lines = _incremental_equals_full(settings, tmp_path, base_var)
    assert _said(lines, f"1 of {N} articles curated again, 1 mapped again")


def test_removed_article(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    settings, seeds = _copy(corpus, base_var, tmp_path)
    _remove_article(seeds, f"{N - 1:06d}_bench")
    lines = _incremental_equals_full(settings, tmp_path, base_var)
    assert _said(lines, "1 removed")


def test_edited_entities_relabel_and_moved_post(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    """A shared entity relabelled, and a post moved to another ministry. A post holding
    no longer names the organisation its post sits in (it is not an org:Membership,
    docs/modelling.md), so no article depends on where the post is: only the shared
    files are mapped again, and the release still equals a full build's."""
    settings, seeds = _copy(corpus, base_var, tmp_path)
    post = re.search(r'"post": "(post/p\d+)"', (seeds / "000002_bench.yaml").read_text(encoding="utf-8")).group(1)
    assert any(f'"post": "{post}"' in p.read_text(encoding="utf-8") for p in seeds.glob("0*_bench.yaml"))
    entities = seeds / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if f'"key": "{post}"' in ln)
    moved = re.sub(r'"within": "ministry/s(\d+)-mfa"', lambda m: f'"within": "ministry/s{(int(m.group(1)) + 1) % 3:04d}-mfa"', line)
    assert moved != line
    text = text.replace(line, moved).replace('"en": "Doha"', '"en": "Doha (city)"', 1)
    entities.write_text(text, encoding="utf-8")
    lines = _incremental_equals_full(settings, tmp_path, base_var)
    assert _said(lines, f"0 of {N} articles curated again, 0 mapped again")


def test_edited_links(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    settings, seeds = _copy(corpus, base_var, tmp_path)
    links = seeds / "links.yaml"
    kept = [ln for ln in links.read_text(encoding="utf-8").splitlines(keepends=True) if "state/s0001" not in ln]
    links.write_text("".join(kept), encoding="utf-8")
    lines = _incremental_equals_full(settings, tmp_path, base_var)
    assert _said(lines, f"0 of {N} articles curated again, 0 mapped again")


@pytest.mark.parametrize("what", ["ontology", "shapes"])
def test_changed_ontology_or_shapes_falls_back_to_full(corpus: Path, base_var: Path, tmp_path: Path, what: str) -> None:
    settings, seeds = _copy(corpus, base_var, tmp_path)
    target = sorted((tmp_path / what).glob("*.ttl"))[-1]
    target.write_text(target.read_text(encoding="utf-8") + "\n# a comment changes the published file\n", encoding="utf-8")
    path = seeds / "000001_bench.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"en": "Synthetic article 1"', '"en": "Article one"'), encoding="utf-8")
    lines = _incremental_equals_full(settings, tmp_path, base_var)
    assert _said(lines, f"full build: the {what} changed since release")
    assert not _said(lines, "incremental from")


def _snapshot(var: Path) -> dict[str, bytes]:
    return {str(p.relative_to(var)): p.read_bytes() for p in sorted(var.rglob("*"))
            if p.is_file() and not p.name.startswith(".build.lock") and "store" not in p.relative_to(var).parts}


def test_curation_errors_in_incremental_path_report_everything_publish_nothing(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    settings, seeds = _copy(corpus, base_var, tmp_path)
    before = _snapshot(settings.var_dir)
    a, b = seeds / "000004_bench.yaml", seeds / "000007_bench.yaml"
    a.write_text(a.read_text(encoding="utf-8").replace('"publisher/pub', '"publisher/nobody', 1), encoding="utf-8")
    text = b.read_text(encoding="utf-8")
    quote = re.search(r'"quote": "([^"]+)"', text).group(1)
    b.write_text(text.replace(quote, quote + " كلمة", 1), encoding="utf-8")
    with pytest.raises(CurationError) as err:
        build(settings, progress=lambda _l: None)
    files = {str(p.path) for p in err.value.problems}
    assert files >= {str(a), str(b)}, err.value.problems
    assert _snapshot(settings.var_dir) == before  # nothing published, the cache untouched
    assert not list((settings.var_dir / CACHE_DIR).glob(".tmp-*"))


def _problems(settings: Settings, *, full: bool) -> list[tuple]:
    with pytest.raises(CurationError) as err:
        build(settings, progress=lambda _l: None, full=full)
    return [(Path(p.path).name, p.line, p.column, p.field, p.message, p.fix) for p in err.value.problems]


def test_cross_file_problems_of_unchanged_articles_are_those_of_a_full_build(
        corpus: Path, base_var: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged articles are not curated again (their summaries are replayed), yet the checks across
    files still see them: a duplicate id, a duplicate key, a membership that disagrees, and references
    to a key no longer declared are reported at the same files, lines and fields as by a full build."""
    from kg.curation.loader import CorpusStream

    settings, seeds = _copy(corpus, base_var, tmp_path)
    new = seeds / f"{N:06d}_bench.yaml"
    text = (corpus / "all" / new.name).read_text(encoding="utf-8")
    text = text.replace(f'id: "bench-{N:06d}"', 'id: "bench-000003"')  # article 3's id
    text = text.replace(f'"key": "event/bench-{N:06d}-meeting"', '"key": "event/bench-000005-meeting"', 1)
    quote = re.search(r'"quote": "([^"]+)"', text).group(1)  # words of this article's text
    text = text.replace("facts:\n", 'facts:\n  - {"id": "joined", "kind": "membership", "membership": "membership/s0003-ici", '
                        '"member": "state/s0001", "organization": "initiative/ici", "role": "role/ici-partner", '
                        f'"since": "2004-04", "quote": "{quote}"}}\n', 1)  # article 3's membership, another member
    new.write_text(text, encoding="utf-8")
    shutil.copyfile(corpus / "all" / new.with_suffix(".txt").name, new.with_suffix(".txt"))
    shutil.copyfile(corpus / "all" / "SHA256SUMS", seeds / "SHA256SUMS")
    shared = seeds / "entities.yaml"
    shared.write_text("".join(ln for ln in shared.read_text(encoding="utf-8").splitlines(keepends=True)
                              if '"key": "publisher/pub000"' not in ln), encoding="utf-8")
    replayed: list[str] = []
    real = CorpusStream._replay

    def spy(self: CorpusStream, path: Path) -> object:
        hit = real(self, path)
        if hit is not None:
            replayed.append(path.name)
        return hit

    monkeypatch.setattr(CorpusStream, "_replay", spy)
    incremental = _problems(settings, full=False)
    assert len(replayed) >= N - 2  # the unchanged articles were replayed, not read
    full = _problems(Settings(seeds_dir=seeds, var_dir=tmp_path / "full-var", ontology_dir=settings.ontology_dir,
                              shapes_dir=settings.shapes_dir), full=True)
    assert incremental == full
    said = "\n".join(str(p) for p in incremental)
    for expected in ("duplicate article id 'bench-000003'", "duplicate entity key 'event/bench-000005-meeting'",
                     "membership/s0003-ici", "unknown entity 'publisher/pub000'"):
        assert expected in said, said
    assert any(name in replayed and msg.startswith("unknown entity") for name, _l, _c, _f, msg, _x in incremental)


def test_violation_found_by_incremental_validation(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    """A meeting that loses its place breaks a shape: the incremental build refuses as a full one does."""
    settings, seeds = _copy(corpus, base_var, tmp_path)
    before = _snapshot(settings.var_dir)
    path = seeds / "000006_bench.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if '"id": "meeting"' in ln)
    path.write_text(text.replace(line, re.sub(r', "place": "[^"]+"', "", line)), encoding="utf-8")
    lines: list[str] = []
    with pytest.raises(ValidationFailed) as inc:
        build(settings, progress=lines.append)
    assert _said(lines, "incremental from")
    with pytest.raises(ValidationFailed) as ref:
        build(Settings(seeds_dir=seeds, var_dir=tmp_path / "full-var", ontology_dir=settings.ontology_dir,
                       shapes_dir=settings.shapes_dir), progress=lambda _l: None, full=True)
    assert "MeetingPlace" in str(inc.value.report_text)
    assert inc.value.report_text == ref.value.report_text
    assert _snapshot(settings.var_dir) == before


def test_sparql_constraint_violation_found_where_the_change_reaches(corpus: Path, base_var: Path, tmp_path: Path) -> None:
    """An article moved back to 1 January 2000 makes its facts date things after it was published: a SHACL-SPARQL
    constraint (qnsh:FactDateNotAfterArticleShape) on the *facts*, whose own triples did not change — only the
    article's date did. The incremental build runs that constraint on the nodes pointing at the changed
    subjects (kg.validation.reach) and refuses with the full build's report, result for result."""
    settings, seeds = _copy(corpus, base_var, tmp_path)
    path = seeds / "000003_bench.yaml"
    text = path.read_text(encoding="utf-8")
    assert re.search(r'"date": "20[01][0-9]', text)  # its events are dated after 2000
    path.write_text(re.sub(r'published: "[^"]+"', 'published: "2000-01-01"', text, count=1), encoding="utf-8")
    lines: list[str] = []
    with pytest.raises(ValidationFailed) as inc:
        build(settings, progress=lines.append)
    assert _said(lines, "incremental from")
    with pytest.raises(ValidationFailed) as ref:
        build(Settings(seeds_dir=seeds, var_dir=tmp_path / "full-var", ontology_dir=settings.ontology_dir,
                       shapes_dir=settings.shapes_dir), progress=lambda _l: None, full=True)
    assert "FactDateNotAfterArticle" in str(inc.value.report_text)
    assert inc.value.report_text == ref.value.report_text


def test_cache_belongs_to_the_current_release(base_var: Path) -> None:
    current = open_release(base_var / "current").id
    caches = [p.name for p in (base_var / CACHE_DIR).iterdir()]
    assert caches == [current]
    manifest = json.loads((base_var / CACHE_DIR / current / "manifest.json").read_text())
    assert manifest["clean"] is True
    lines = (base_var / CACHE_DIR / current / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == N and all(json.loads(line)["curated"] for line in lines)  # each clean, its summary kept


def test_a_cached_summary_is_the_summary_curation_made(corpus: Path, base_var: Path) -> None:
    """What the cache keeps of a clean article (packed, a line of articles.jsonl) gives back
    the very ``Summary`` curating it makes, and its YAML's hash without being unpacked."""
    from kg.curation.loader import CorpusStream
    from kg.curation.summary import Summaries
    from kg.release.incremental import ARTICLES, read_articles

    current = open_release(base_var / "current").id
    entries = read_articles(base_var / CACHE_DIR / current / ARTICLES)
    cached = Summaries((e.file, e.yaml, e.curated) for e in entries.values() if e.curated)
    stream = CorpusStream(corpus / "seeds", known=Summaries())  # every article curated, none replayed
    for _ in stream.checked():
        pass
    assert len(stream.summaries) == len(cached) == N
    for e in entries.values():
        made = stream.summaries.get(e.file)
        assert made is not None and made.refs  # references, with where they are
        assert cached.get(e.file) == made
        assert cached.yaml(e.file) == made.yaml == e.yaml


def test_formats_written_in_processes_are_the_same_bytes(base_var: Path, tmp_path: Path) -> None:
    """Stage 4 in one process per format (what a large release gets) writes what the in-process path wrote."""
    from kg.rdf.vocab import prefixes
    from kg.release.incremental import TAGGED
    from kg.release.serialize import write_formats
    from kg.release.tagged import load_rows

    release = open_release(base_var / "current")
    cache = base_var / CACHE_DIR / release.id
    out = tmp_path / "formats"
    out.mkdir()
    blocks = {name: [r.block() for r in rows] for name, rows in load_rows(cache / TAGGED).items()}  # as staging cut them
    files, _index, made, counted = write_formats(out, release.file("dataset.nq"), release.file("dataset.nt"),
                                                 {"dataset.nq", "dataset.nt"}, prefixes(release.base_iri), blocks=blocks,
                                                 meanwhile=lambda: "counted", parallel_bytes=0)
    assert counted == "counted"
    assert made == 3 * len(blocks["dataset.nq"]) + 2 * len(blocks["dataset.nt"])  # no previous release: every block written
    assert sorted(files) == ["dataset.jsonld", "dataset.jsonld.gz", "dataset.nq.gz", "dataset.nt.gz", "dataset.trig",
                             "dataset.trig.gz", "dataset.ttl", "dataset.ttl.gz"]
    for name, info in files.items():
        assert (out / name).read_bytes() == release.file(name).read_bytes(), name
        assert info.sha256 == release.meta["files"][name]["sha256"]
