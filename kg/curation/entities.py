"""Finding the entities already declared, so a curator reuses a key instead
of minting a duplicate (``kg entities search``, ``kg entities kinds``).

Works on a corpus that does not validate: each file is read as far as it
parses (``kg.curation.checks.parse_article`` salvages the valid entities),
because a curator searches while their article is still broken. Matching is
``kg.folding.score`` over every label, alternative label and the key's slug,
so spelling variants (ستولتنبرغ / شتولتنبرغ, "Stoltenburg") find the entity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kg.curation.checks import parse_article
from kg.curation.model import EntitiesFile, Entity
from kg.curation.problems import ENTITIES_FILE
from kg.curation.retired import RETIRED_FILE  # merged entities' old keys: not an article
from kg.curation.yamlio import Source, read_yaml
from kg.errors import CurationError
from kg.folding import score
from kg.rdf.iris import ENTITY_KINDS

THRESHOLD = 0.6
"""Below this ``kg.folding.score`` a match is noise (see its docstring)."""
CONTAINS = 0.9
"""``kg.folding.score`` of a name that holds the term (exact 1, begins .95, a word
begins .92, holds .9); below, only a spelling variant: «الحصار» scores .71
against «الحوار» (dialogue), a different thing, while «شتولتنبرغ» scores .76
against «ستولتنبرغ», the same person. Search says which it is; the curator decides."""

LINKS_FILE = "links.yaml"


@dataclass(frozen=True)
class Declaration:
    entity: Entity
    source: Source
    index: int

    @property
    def where(self) -> str:
        """``file:line`` of the declaration (line from the round-trip reader, on demand)."""
        return f"{self.source.path.name}:{self.source.line(['entities', self.index])}"

    @property
    def shared(self) -> bool:
        return self.source.path.name == ENTITIES_FILE


@dataclass(frozen=True)
class Hit:
    score: float
    matched: str
    declaration: Declaration

    def as_dict(self) -> dict[str, object]:
        e = self.declaration.entity
        return {"key": e.key, "type": e.type, "en": e.label.en, "ar": e.label.ar, "where": self.declaration.where,
                "shared": self.declaration.shared, "score": self.score, "matched": self.matched,
                "variant_only": self.score < CONTAINS}


def declarations(seeds_dir: Path) -> Iterator[Declaration]:
    """Every entity declared in ``entities.yaml`` and the articles, as far as each file parses."""
    seeds_dir = Path(seeds_dir)
    paths = [seeds_dir / ENTITIES_FILE] + [p for p in sorted(seeds_dir.glob("*.yaml")) if p.name not in {ENTITIES_FILE, LINKS_FILE, RETIRED_FILE}]
    for path in paths:
        try:
            source = read_yaml(path)
        except CurationError:
            continue  # unreadable: 'kg validate' says why; search what can be read
        if path.name == ENTITIES_FILE:
            items = [(i, e) for i, e in enumerate(_shared(source)) if e is not None]
        else:
            items = parse_article(source)[1].entities
        for i, entity in items:
            yield Declaration(entity, source, i)


def _shared(source: Source) -> list[Entity | None]:
    try:
        return list(EntitiesFile.model_validate(source.data).entities)
    except ValidationError:
        raw = source.data.get("entities")
        out: list[Entity | None] = []
        for item in raw if isinstance(raw, list) else []:
            try:
                out.append(Entity.model_validate(item))
            except ValidationError:
                out.append(None)  # keep indices aligned with the file
        return out


def names(entity: Entity) -> list[str]:
    """What a person may type to find ``entity``: labels, alternative labels, the key's slug as words."""
    slug = entity.key.split("/", 1)[1].replace("-", " ")
    return [entity.label.en, entity.label.ar, *entity.alt.en, *entity.alt.ar, slug]


def search(seeds_dir: Path, term: str, *, limit: int = 10, kind: str | None = None) -> list[Hit]:
    """The entities best matching ``term``, best first."""
    hits = []
    for decl in declarations(seeds_dir):
        if kind and not decl.entity.key.startswith(kind + "/"):
            continue
        best = max(((score(term, name), name) for name in names(decl.entity)), key=lambda t: t[0])
        if term.strip() == decl.entity.key:
            best = (1.0, decl.entity.key)
        if best[0] >= THRESHOLD:
            hits.append(Hit(best[0], best[1], decl))
    # equal scores: the shorter name first (typing a person's name finds the person before events named after them)
    hits.sort(key=lambda h: (-h.score, len(h.matched), h.declaration.entity.key))
    return hits[:limit]


@dataclass(frozen=True)
class Kinds:
    """What a curator may write: key kinds (with the entity types used under each), and the shared vocabularies."""

    kinds: dict[str, Counter[str]]
    roles: list[Declaration]
    event_types: list[Declaration]
    areas: list[Declaration]
    challenges: list[Declaration]


def kinds(seeds_dir: Path) -> Kinds:
    used: dict[str, Counter[str]] = {k: Counter() for k in sorted(ENTITY_KINDS)}
    by_type: dict[str, list[Declaration]] = {}
    for decl in declarations(seeds_dir):
        used.setdefault(decl.entity.key.split("/", 1)[0], Counter())[decl.entity.type] += 1
        by_type.setdefault(decl.entity.type, []).append(decl)
    pick = lambda t: sorted(by_type.get(t, []), key=lambda d: d.entity.key)  # noqa: E731
    return Kinds(used, pick("RoleType"), pick("EventType"), pick("CooperationArea"), pick("Challenge"))


__all__ = ["THRESHOLD", "Declaration", "Hit", "Kinds", "declarations", "kinds", "names", "search"]
