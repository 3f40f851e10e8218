"""Reading the curated files under ``seeds/`` into one checked ``Corpus``.

Layout of ``seeds/``::

    NNN_<hash>.txt      a seed article, byte-identical to its source
    NNN_<hash>.yaml     its metadata, article-local entities, facts, claims
    entities.yaml       entities shared by all articles
    links.yaml          the allow-list of external identifiers, each with its source
    SHA256SUMS          checksums of the seed texts

Every problem of a run is collected (file:line:column, field, what to do) and
raised together as one ``CurationError`` once every file has been read, so a
curator fixes them all in one pass. Warnings (an article using another
article's local entity) are kept on the stream and printed, never fatal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from kg.curation.checks import locate_quotes, parse_article, refs, seed_text, unique_ids
from kg.curation.index import Dated, Deferred, Positions, date_problems, scan_refinements
from kg.curation.model import ArticleFile, Claim, EntitiesFile, Entity, Link, LinksFile
from kg.curation.problems import ENTITIES_FILE, from_validation, sort_problems, unknown_key_fix
from kg.curation.quote.verbatim import Span
from kg.curation.retired import RETIRED_FILE  # merged entities' old keys: not an article
from kg.curation.summary import CachedArticle, Dates, Memberships, Refs, Summaries, dotted, file_sha, index_parts
from kg.curation.yamlio import Source, line_of, read_yaml
from kg.errors import CurationError, Problem

LINKS_FILE = "links.yaml"
CHECKSUMS_FILE = "SHA256SUMS"


@dataclass
class Located:
    """An entity with where it was declared, for error messages."""

    entity: Entity
    source: Source
    loc: tuple[object, ...]

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def line(self) -> int | None:
        return self.source.line(self.loc)


@dataclass
class LoadedArticle:
    path: Path
    doc: ArticleFile
    text: str
    sha256: str
    source: Source
    spans: dict[tuple[str, int], Span] = field(default_factory=dict)
    not_article: dict[int, Span] = field(default_factory=dict)
    """The runs ``article: not_article:`` marks, by index."""

    @property
    def id(self) -> str:
        return self.doc.article.id

    @property
    def raw(self) -> Any:
        """The round-trip tree (line numbers); parsed on first use."""
        return self.source.tree


@dataclass
class Corpus:
    entities: dict[str, Located]
    links: list[Link]
    articles: list[LoadedArticle]
    warnings: list[Problem] = field(default_factory=list)
    refined: dict[str, str] = field(default_factory=dict)
    """Event key → the most precise date its facts give, for events one fact refines (``Event.refines``)."""


def load_corpus(seeds_dir: Path) -> Corpus:
    """The whole corpus in memory (tests, small tools); the build streams
    with ``CorpusStream`` instead. Same checks, same messages."""
    stream = CorpusStream(seeds_dir)
    articles = list(stream.articles())
    links = stream.finish()
    entities: dict[str, Located] = {}
    for i, ent in enumerate(stream.shared):
        entities[ent.key] = Located(ent, stream.shared_source, ("entities", i))
    for art in articles:
        for i, ent in enumerate(art.doc.entities):
            entities[ent.key] = Located(ent, art.source, ("entities", i))
    return Corpus(entities, links, articles, stream.warnings, dict(stream.refined))


@dataclass(frozen=True)
class Declared:
    """What the stream keeps of an entity: where it was declared and the one
    field the mapping looks up across files (``within``). Small, so an index
    of every key stays small however many articles there are."""

    path: Path
    loc: tuple[object, ...]
    within: str | None

    @property
    def line(self) -> int | None:
        return read_yaml(self.path).line(self.loc)  # re-read: only for a message

    @property
    def shared(self) -> bool:
        return self.path.name == ENTITIES_FILE


@dataclass(frozen=True)
class _Pending:
    """A reference to a key not declared (yet) when its file was read."""

    path: Path
    loc: tuple[object, ...]
    field: str
    key: str


class CorpusStream:
    """``entities.yaml``, then the articles one at a time, then ``links.yaml``.

    Only small indexes cross files (entity key → ``Declared``, article ids,
    membership parts, event dates, references to keys not declared yet), so
    memory does not grow with the articles' text. An article with a problem
    is checked as far as it can be and then skipped (not yielded); every
    problem is raised together by ``finish``, sorted by file and line."""

    def __init__(self, seeds_dir: Path, known: Summaries | None = None, digests: dict[str, str] | None = None) -> None:
        self.seeds_dir = Path(seeds_dir)
        self.known = known  # by YAML file name: clean articles at the last build (kg.curation.summary)
        self.digests = digests or {}  # texts' SHA-256 by file name, as hashed this run (kg.curation.checksums)
        self.summaries = Summaries()  # each clean article this time (with known): the next build's
        self.declared: dict[str, Declared] = {}
        self._problems: list[Problem] = []
        self._deferred: list[Deferred] = []
        self._warned: dict[tuple[Path, str], Deferred] = {}
        self._order: dict[Path | str, int] = {}
        self._blind = False  # a file could not be read: its keys are unknown, so "unknown entity" would mislead
        self._pending: list[_Pending] = []
        self._ids: dict[str, tuple[int, Path]] = {}
        self._duplicate_ids: list[tuple[Path, str]] = []
        self._memberships: dict[str, tuple[tuple[str, str, str], Path, int]] = {}
        self._conflicts: list[tuple[Path, int, str, str, Path, int]] = []
        self._dates: dict[str, list[Dated]] = {}
        self.n_articles = self.n_facts = self.n_claims = 0
        self._done = False
        self._next: LoadedArticle | CachedArticle | None = None
        self.refined: dict[str, str] = scan_refinements(self.article_paths())
        ent_path = self.seeds_dir / ENTITIES_FILE
        source = self._source(ent_path)
        self.shared_source = source or Source(ent_path, "", {})
        items, raw_keys = self._entities(source) if source else ([], [])
        self.shared: list[Entity] = [ent for _, ent in items]  # all of them whenever finish() succeeds
        self._register(self.shared_source, items, raw_keys)
        for i, ent in items:
            self._refer(ent_path, ["entities", i], ent, f"entities[{i}]", f" (key {ent.key!r})")

    def within(self, key: str) -> str | None:
        return self.declared[key].within

    def article_paths(self) -> list[Path]:
        return [p for p in sorted(self.seeds_dir.glob("*.yaml")) if p.name not in {ENTITIES_FILE, LINKS_FILE, RETIRED_FILE}]

    @property
    def problems(self) -> list[Problem]:
        """Every problem found so far (positions of cross-file ones resolved)."""
        return self._problems + Positions().resolve(self._deferred)

    @property
    def warnings(self) -> list[Problem]:
        return Positions().resolve(list(self._warned.values()), severity="warning")

    def reload(self, path: Path) -> LoadedArticle:
        """An article read again (its quotes located), e.g. to map it once every key is known."""
        return load_article(self.seeds_dir, path)

    def articles(self) -> Iterator[LoadedArticle]:
        """Each article without problems, as soon as it is read; nothing is kept. (Without ``known``.)"""
        assert self.known is None, "a stream with known summaries is read with checked()"
        return cast(Iterator[LoadedArticle], self.checked())  # nothing replayed: every one read

    def checked(self) -> Iterator[LoadedArticle | CachedArticle]:
        """``articles()``, where an unchanged article of ``known`` is a ``CachedArticle`` (not read again)."""
        paths = iter(self.article_paths())
        while self._advance(paths):
            yield self._take()  # no local name: the suspended generator keeps no article alive
        self._done = True

    def _advance(self, paths: Iterator[Path]) -> bool:
        for path in paths:
            self._next = self._read(path)
            if self._next is not None:
                return True
        return False

    def _take(self) -> LoadedArticle | CachedArticle:
        art, self._next = self._next, None
        assert art is not None
        return art

    def _source(self, path: Path) -> Source | None:
        self._order.setdefault(path, len(self._order))
        try:
            return read_yaml(path)
        except CurationError as exc:
            self._problems.extend(exc.problems)
            self._blind = True
            return None

    def _entities(self, source: Source) -> tuple[list[tuple[int, Entity]], list[tuple[int, str]]]:
        """The valid shared entities (with their index), and the keys of the invalid ones."""
        try:
            return list(enumerate(EntitiesFile.model_validate(source.data).entities)), []
        except ValidationError as exc:
            self._problems.extend(from_validation(source, exc))
        items = source.data.get("entities")
        good, raw_keys = [], []
        for i, item in enumerate(items if isinstance(items, list) else []):
            try:
                good.append((i, Entity.model_validate(item)))
            except ValidationError:
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    raw_keys.append((i, item["key"]))  # still declared: its uses are not 'unknown'
                else:
                    self._blind = True  # a key we cannot read may be one others use
        return good, raw_keys

    def _read(self, path: Path) -> LoadedArticle | CachedArticle | None:
        if self.known is not None and (hit := self._replay(path)) is not None:
            return hit
        source = self._source(path)
        if source is None:
            return None
        doc, parts, problems = parse_article(source)
        self._register(source, parts.entities, parts.raw_keys)
        problems += unique_ids(source, parts)
        text, sha = None, ""
        spans: dict[tuple[str, int], Span] = {}
        runs: dict[int, Span] = {}
        if parts.meta is not None:
            text, sha, more = seed_text(self.seeds_dir, source, parts.meta.file)
            problems += more
        if text is not None:
            problems += locate_quotes(source, parts, text, spans, runs)
        self._index(path, parts.meta.id if parts.meta else None, len(parts.facts), len(parts.claims), *index_parts(parts))
        self._problems += problems
        if doc is None or problems:
            return None
        if self.known is not None:
            self.summaries.add(path.name, file_sha(path), sha, parts)
        return LoadedArticle(path, doc, text or "", sha, source, spans, runs)

    def _replay(self, path: Path) -> CachedArticle | None:
        """An unchanged clean article's parts of the indexes, from its ``Summary``; None: read it."""
        assert self.known is not None
        s = self.known.get(path.name)
        if s is None or file_sha(path) != s.yaml:
            return None
        text = self.seeds_dir / s.file
        if not text.is_file() or (self.digests.get(s.file) or file_sha(text)) != s.text or any(k in self.declared for _, k, _ in s.entities):
            return None  # changed text, or a key declared twice: the message needs the file's lines
        self._order.setdefault(path, len(self._order))
        for i, key, within in s.entities:
            self.declared[key] = Declared(path, ("entities", i), within)
        self._index(path, s.id, s.facts, s.claims, s.refs, s.dates, s.memberships)
        self.summaries.take(self.known, path.name)  # as packed, not packed again
        return CachedArticle(path, s.id, s.file, s.text, s.published)

    def finish(self) -> list[Link]:
        """The checks that need every article; raise every problem of the run together, or return the links."""
        if not self._done:
            raise RuntimeError("CorpusStream.finish() before every article was read")
        for path, ident in self._duplicate_ids:
            first = self._ids[ident][1]
            at = Positions().of(first, ("article", "id"))[0]
            self._deferred.append(Deferred(path, ("article", "id"), "article.id", f"duplicate article id {ident!r} (first used by {first.name}:{at})",
                                           "give each article its own id (the file name's hash part is a good one)"))
        links = self._links()
        if not self._blind:
            for p in self._pending:
                if p.key in self.declared:
                    self._warn_if_local(p.path, list(p.loc), p.key)
                else:
                    self._deferred.append(Deferred(p.path, p.loc, p.field, f"unknown entity {p.key!r}",
                                                   unknown_key_fix(p.key, self.declared)))
        for path, i, ident, membership, other, j in self._conflicts:
            at = Positions().of(other, ("facts", j, "membership"))[0]
            self._deferred.append(Deferred(path, ("facts", i, "membership"), f"facts[{i}].membership (id {ident!r})",
                                           f"{membership!r} is used at {other.name}:{at} with another member, organization or role",
                                           "use another membership key for a different membership"))
        self._deferred += date_problems(self._dates)
        problems = self.problems
        if problems:
            raise CurationError.of(sort_problems(problems, self._order))
        return links

    def _links(self) -> list[Link]:
        links_path = self.seeds_dir / LINKS_FILE
        source = self._source(links_path)
        if source is None:
            return []
        try:
            links: list[Link] = LinksFile.model_validate(source.data).links
        except ValidationError as exc:
            self._problems.extend(from_validation(source, exc))
            return []
        for i, link in enumerate(links):
            for sub, key in refs(link):
                if key not in self.declared and not self._blind:
                    line, col = source.position(["links", i, *sub])
                    self._problems.append(Problem(links_path, line, dotted([f"links[{i}]", *sub]), f"unknown entity {key!r}", col,
                                                  unknown_key_fix(key, self.declared)))
        return links

    def _register(self, source: Source, items: list[tuple[int, Entity]], raw_keys: list[tuple[int, str]] = ()) -> None:  # type: ignore[assignment]
        for i, key, within in [*((i, e.key, e.within) for i, e in items), *((i, k, None) for i, k in raw_keys)]:
            if key in self.declared:
                first = self.declared[key]
                first_line = source.line(first.loc) if first.path == source.path else first.line
                line, col = source.position(["entities", i, "key"])
                self._problems.append(Problem(source.path, line, f"entities[{i}].key",
                                              f"duplicate entity key {key!r} (first declared at {first.path.name}:{first_line})", col,
                                              "declare each entity once: delete this one if it is the same thing, else choose another key"))
                continue
            self.declared[key] = Declared(source.path, ("entities", i), within)

    def _refer(self, path: Path, prefix: list[object], model: BaseModel, label: str, suffix: str = "") -> None:
        for sub, key in refs(model):
            if key not in self.declared:
                field = dotted([label, *sub]) + suffix
                self._pending.append(_Pending(path, tuple(prefix + sub), field, key))
            else:
                self._warn_if_local(path, prefix + sub, key)

    def _warn_if_local(self, path: Path, loc: list[object], key: str) -> None:
        """An article-local entity used by another file belongs in entities.yaml."""
        decl = self.declared[key]
        if decl.shared or decl.path == path or (path, key) in self._warned:
            return
        self._warned[(path, key)] = Deferred(
            path, tuple(loc), dotted(loc),
            f"{key!r} is local to {decl.path.name}, declared in its entities:",
            f"move its declaration to {ENTITIES_FILE}: an entity two articles share is a shared entity")

    def _index(self, path: Path, ident: str | None, facts: int, claims: int, found: Refs, dates: Dates,
               memberships: Memberships) -> None:
        n = self.n_articles
        self.n_articles += 1
        self.n_facts += facts
        self.n_claims += claims
        if ident is not None:
            if ident in self._ids:
                self._duplicate_ids.append((path, ident))
            else:
                self._ids[ident] = (n, path)
        for loc, field_, key in found:
            if key not in self.declared:
                self._pending.append(_Pending(path, loc, field_, key))
            else:
                self._warn_if_local(path, list(loc), key)
        for event, i, fact_id, date, refines in dates:
            self._dates.setdefault(event, []).append(Dated(path, i, fact_id, date, refines))
        for i, fact_id, membership, parts_ in memberships:
            first = self._memberships.setdefault(membership, (parts_, path, i))  # type: ignore[arg-type]
            if first[0] != parts_:
                self._conflicts.append((path, i, fact_id, membership, first[1], first[2]))


def load_article(seeds_dir: Path, path: Path) -> LoadedArticle:
    """One article file and its seed text, parsed and checked on its own; all its problems raised together."""
    source = read_yaml(path)
    doc, parts, problems = parse_article(source)
    problems += unique_ids(source, parts)
    text, sha = None, ""
    spans: dict[tuple[str, int], Span] = {}
    runs: dict[int, Span] = {}
    if parts.meta is not None:
        text, sha, more = seed_text(Path(seeds_dir), source, parts.meta.file)
        problems += more
    if text is not None:
        problems += locate_quotes(source, parts, text, spans, runs)
    if doc is None or problems:
        raise CurationError.of(sort_problems(problems))
    return LoadedArticle(path, doc, text or "", sha, source, spans, runs)


__all__ = ["Claim", "Corpus", "CorpusStream", "Declared", "LoadedArticle", "Located", "Source", "line_of", "load_article", "load_corpus", "read_yaml"]
