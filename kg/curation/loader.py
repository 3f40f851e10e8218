"""Reading the curated files under ``seeds/`` into one checked ``Corpus``.

Layout of ``seeds/``::

    NNN_<hash>.txt      a seed article, byte-identical to its source
    NNN_<hash>.yaml     its metadata, article-local entities, facts, claims
    entities.yaml       entities shared by all articles
    links.yaml          the allow-list of external identifiers, each with its source
    SHA256SUMS          checksums of the seed texts

Every problem becomes one ``CurationError`` naming file, line and field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from kg.curation.model import ArticleFile, Claim, EntitiesFile, Entity, LinksFile, Link, Quote
from kg.curation.quotes import QuoteNotFound, Span, locate
from kg.errors import CurationError

ENTITIES_FILE = "entities.yaml"
LINKS_FILE = "links.yaml"
CHECKSUMS_FILE = "SHA256SUMS"


class Source:
    """One curated YAML file: parsed fast (libyaml, plain data) for the build,
    and round-trip (ruamel, with the line of every key) only when a message
    needs a line. Profiling showed ruamel's pure-Python parser was ~95 % of
    curation time; errors are rare, so their lines are found lazily."""

    def __init__(self, path: Path, text: str, data: dict) -> None:
        self.path, self.text, self.data = path, text, data
        self._tree: Any = None

    @property
    def tree(self) -> Any:
        if self._tree is None:
            self._tree = _read_tree(self.path, self.text)
        return self._tree

    def line(self, loc: Iterable[object]) -> int | None:
        return line_of(self.tree, loc)


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


class _Constructor(RoundTripConstructor):
    """Dates stay strings: ``kg.curation.model.PartialDate`` parses them with
    the precision written, and an impossible day becomes a field error there."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.allow_duplicate_keys = False
    return y


class _FastLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml, dates kept as strings (as in the round-trip reader), duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str)
_FastLoader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node, deep=True))


def read_yaml(path: Path) -> Source:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CurationError(path, None, "file", exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CurationError(path, line, "encoding", f"not valid UTF-8 at byte {exc.start} ({exc.reason})") from None
    try:
        data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        _read_tree(path, text)  # the round-trip reader's message, where it has one
        mark = exc.problem_mark or exc.context_mark
        raise CurationError(path, mark.line + 1 if mark else None, "yaml", f"{exc.problem or exc.context}".strip()) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise CurationError(path, None, "yaml", str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if not isinstance(data, dict):
        raise CurationError(path, 1, "document", "expected a mapping at the top of the file")
    return Source(path, text, data)


def _read_tree(path: Path, text: str) -> Any:
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CurationError(path, line, "yaml", f"{exc.problem or exc.context}".strip()) from None
    except YAMLError as exc:
        raise CurationError(path, None, "yaml", str(exc).splitlines()[0]) from None
    if not isinstance(data, CommentedMap):
        raise CurationError(path, 1, "document", "expected a mapping at the top of the file")
    return data


def line_of(node: Any, loc: Iterable[object]) -> int | None:
    """The line (1-based) of the deepest part of ``loc`` present in the YAML tree."""
    line: int | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        # other parts are union tags or model-level errors: stay where we are
    return line


def _field_path(loc: Iterable[object], raw: Any) -> str:
    """``facts[3].date (fact 'cg3')``: the field as a curator finds it."""
    out, node, ident = "", raw, None
    for part in loc:
        if isinstance(node, CommentedSeq) and isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if part < len(node) else None
            if isinstance(node, CommentedMap) and "id" in node:
                ident = node.get("id")
            elif isinstance(node, CommentedMap) and "key" in node:
                ident = node.get("key")
        elif isinstance(node, CommentedMap) and part in node:
            out += ("." if out else "") + str(part)
            node = node[part]
        elif isinstance(part, str) and not isinstance(node, CommentedMap):
            continue
        elif isinstance(part, str):
            out += ("." if out else "") + str(part)
            node = None
    return out + (f" (id {ident!r})" if ident else "")


def parse_model(path: Path, source: Source, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        raw = source.tree
        err = exc.errors()[0]
        loc = _drop_union_tags([p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))], raw)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "union_tag_invalid":
            msg = f"unknown kind; {msg}"
            loc = [*loc, "kind"]
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CurationError(path, line_of(raw, loc), _field_path(loc, raw) or "document", msg + more) from None


def _drop_union_tags(loc: list[object], raw: Any) -> list[object]:
    """pydantic puts the discriminator value (a fact's ``kind``) into the error
    location; it is not a field, so drop it (it may even equal a field name)."""
    out: list[object] = []
    node = raw
    for part in loc:
        if isinstance(node, CommentedMap) and "kind" in node and part == node.get("kind") and not out[-1:] == ["kind"]:
            node = node  # skip the tag, stay on the same mapping
            continue
        out.append(part)
        if isinstance(node, CommentedMap) and part in node:
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return out


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    return node


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
    return Corpus(entities, links, articles)


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
    membership parts, references to keys not declared yet), so memory does
    not grow with the articles' text. The checks and their messages are those
    of the whole-corpus loader, raised in the same order: per-file problems
    as each file is read; duplicate article ids, links, unknown references and
    disagreeing memberships once every article has been read (``finish``)."""

    def __init__(self, seeds_dir: Path) -> None:
        self.seeds_dir = Path(seeds_dir)
        self.declared: dict[str, Declared] = {}
        self._pending: list[_Pending] = []
        self._ids: dict[str, tuple[int, Path]] = {}
        self._duplicate_ids: list[tuple[int, Path, str]] = []
        self._memberships: dict[str, tuple[tuple[str, str, str], Path, int]] = {}
        self._conflict: tuple[Path, int, str, str, Path, int] | None = None
        self.n_articles = self.n_facts = self.n_claims = 0
        self._done = False
        ent_path = self.seeds_dir / ENTITIES_FILE
        self.shared_source = read_yaml(ent_path)
        self.shared: list[Entity] = parse_model(ent_path, self.shared_source, EntitiesFile).entities
        self._register(self.shared_source, self.shared)
        for i, ent in enumerate(self.shared):
            self._refer(ent_path, ["entities", i], ent, f"entities[{i}] (key {ent.key!r})")

    def within(self, key: str) -> str | None:
        return self.declared[key].within

    def article_paths(self) -> list[Path]:
        return [p for p in sorted(self.seeds_dir.glob("*.yaml")) if p.name not in {ENTITIES_FILE, LINKS_FILE}]

    def reload(self, path: Path) -> LoadedArticle:
        """An article read again (its quotes located), e.g. to map it once every key is known."""
        art = load_article(self.seeds_dir, path)
        _locate_all(art)
        return art

    def articles(self) -> Iterator[LoadedArticle]:
        """Each article, checked, as soon as it is read; nothing is kept."""
        for path in self.article_paths():
            yield self._read(path)  # no local name: the suspended generator keeps no article alive
        self._done = True

    def _read(self, path: Path) -> LoadedArticle:
        art = load_article(self.seeds_dir, path)
        self._register(art.source, art.doc.entities)
        _check_unique_ids(art.source, art.doc)
        _locate_all(art)
        self._index(art)
        return art

    def finish(self) -> list[Link]:
        """The checks that need every article: raise the first problem, or return the links."""
        if not self._done:
            raise RuntimeError("CorpusStream.finish() before every article was read")
        if self._duplicate_ids:
            _, path, ident = min(self._duplicate_ids, key=lambda d: d[0])
            raise CurationError(path, read_yaml(path).line(["article", "id"]), "article.id", f"duplicate article id {ident!r}")
        links_path = self.seeds_dir / LINKS_FILE
        links_source = read_yaml(links_path)
        links: list[Link] = parse_model(links_path, links_source, LinksFile).links
        for i, link in enumerate(links):
            if link.entity not in self.declared:
                raise CurationError(links_path, links_source.line(["links", i, "entity"]), f"links[{i}].entity", f"unknown entity {link.entity!r}")
        for p in self._pending:
            if p.key not in self.declared:
                raise CurationError(p.path, read_yaml(p.path).line(p.loc), p.field,
                                    f"unknown entity {p.key!r} (declare it in {ENTITIES_FILE} or the article's entities)")
        if self._conflict is not None:
            path, i, ident, membership, other, j = self._conflict
            at = read_yaml(other).line(["facts", j, "membership"])
            raise CurationError(path, read_yaml(path).line(["facts", i, "membership"]), f"facts[{i}].membership (id {ident!r})",
                                f"{membership!r} is used at {other.name}:{at} with another member, organization or role")
        return links

    def _register(self, source: Source, items: list[Entity]) -> None:
        for i, ent in enumerate(items):
            if ent.key in self.declared:
                first = self.declared[ent.key]
                first_line = source.line(first.loc) if first.path == source.path else first.line
                raise CurationError(source.path, source.line(["entities", i]), f"entities[{i}].key",
                                    f"duplicate entity key {ent.key!r} (first declared at {first.path.name}:{first_line})")
            self.declared[ent.key] = Declared(source.path, ("entities", i), ent.within)

    def _refer(self, path: Path, prefix: list[object], model: BaseModel, label: str) -> None:
        for sub, key in _refs(model):
            if key not in self.declared:
                self._pending.append(_Pending(path, tuple(prefix + sub), f"{label}.{'.'.join(map(str, sub))}", key))

    def _index(self, art: LoadedArticle) -> None:
        n = self.n_articles
        self.n_articles += 1
        self.n_facts += len(art.doc.facts)
        self.n_claims += len(art.doc.claims)
        if art.id in self._ids:
            self._duplicate_ids.append((self._ids[art.id][0], self._ids[art.id][1], art.id))
        else:
            self._ids[art.id] = (n, art.path)
        self._refer(art.path, ["article"], art.doc.article, "article")
        for i, ent in enumerate(art.doc.entities):
            self._refer(art.path, ["entities", i], ent, f"entities[{i}] (key {ent.key!r})")
        for i, fact in enumerate(art.doc.facts):
            self._refer(art.path, ["facts", i], fact, f"facts[{i}] (id {fact.id!r})")
        for i, claim in enumerate(art.doc.claims):
            self._refer(art.path, ["claims", i], claim, f"claims[{i}] (id {claim.id!r})")
        for i, fact in enumerate(art.doc.facts):
            if fact.kind != "membership":
                continue
            parts = (fact.member, fact.organization, fact.role)
            first = self._memberships.setdefault(fact.membership, (parts, art.path, i))
            if first[0] != parts and self._conflict is None:
                self._conflict = (art.path, i, fact.id, fact.membership, first[1], first[2])


def load_article(seeds_dir: Path, path: Path) -> LoadedArticle:
    """One article file and its seed text, parsed and checked on its own."""
    source = read_yaml(path)
    doc: ArticleFile = parse_model(path, source, ArticleFile)
    text_path = Path(seeds_dir) / doc.article.file
    if not text_path.is_file():
        raise CurationError(path, source.line(["article", "file"]), "article.file", f"no seed text {doc.article.file!r} beside this file")
    data = text_path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CurationError(text_path, None, "encoding", f"seed is not UTF-8 at byte {exc.start}") from None
    return LoadedArticle(path, doc, text, hashlib.sha256(data).hexdigest(), source)


def _check_unique_ids(source: Source, doc: ArticleFile) -> None:
    seen: dict[str, list[object]] = {}
    for section, items in (("facts", doc.facts), ("claims", doc.claims)):
        for i, item in enumerate(items):
            if item.id in seen:
                raise CurationError(source.path, source.line([section, i, "id"]), f"{section}[{i}].id",
                                    f"duplicate fact/claim id {item.id!r} (first at line {source.line(seen[item.id])})")
            seen[item.id] = [section, i, "id"]


def _locate_all(art: LoadedArticle) -> None:
    items: list[tuple[str, list[Quote], str, int]] = [
        *((f.id, f.quote, "facts", i) for i, f in enumerate(art.doc.facts)),
        *((c.id, c.quote, "claims", i) for i, c in enumerate(art.doc.claims)),
    ]
    for ident, quotes, section, i in items:
        for j, q in enumerate(quotes):
            try:
                art.spans[(ident, j)] = locate(art.text, q.text, q.occurrence)
            except QuoteNotFound as exc:
                loc = [section, i, "quote"] + ([j] if isinstance(art.raw[section][i]["quote"], CommentedSeq) else [])
                raise CurationError(art.path, line_of(art.raw, loc), f"{section}[{i}].quote (id {ident!r})", str(exc)) from None


_REF_FIELDS = (
    "person", "post", "member", "organization", "role", "event", "place",
    "part_of", "framework", "agreement", "ratified", "agent", "cooperation", "area",
    "challenge", "permission", "grantee", "speaker", "publisher", "dateline",
)
_REF_LISTS = ("event_types", "partners", "actions", "targets", "about", "close_match")


def _refs(model: BaseModel) -> Iterable[tuple[list[object], str]]:
    for name in _REF_FIELDS:
        value = getattr(model, name, None)
        if isinstance(value, str):
            yield [name], value
    for name in _REF_LISTS:
        for j, value in enumerate(getattr(model, name, None) or []):
            yield [name, j], value
    for j, actor in enumerate(getattr(model, "actors", None) or []):
        yield [("actors"), j, "agent"], actor.agent
        yield [("actors"), j, "role"], actor.role
    within = getattr(model, "within", None)
    if isinstance(within, str):
        yield ["within"], within


__all__ = ["Corpus", "CorpusStream", "Declared", "LoadedArticle", "Located", "Source", "load_article", "load_corpus", "read_yaml", "line_of", "Claim"]
