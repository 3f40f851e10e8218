"""Reconciliation (W3C Entity Reconciliation API 0.2): a table's names → our things.

What OpenRefine sends is a batch of queries, each a name, perhaps types and
property conditions; each answer is a ranked list of candidates with a score
and ``match`` (safe to accept without a person looking). Candidates come
from the search index (``kg.query.search_index``, folded and fuzzy names); property
conditions are checked against the store, one small query per candidate
(``kg/queries/reconcile_*.rq``).

Identifiers: a thing's id is its IRI after ``{base}id/`` (``state/qat``, the
manifest's ``identifierSpace`` + id = its IRI); a type's id is its CURIE
(``qn:State``) or full IRI; property ids are in ``PROPERTIES`` (documented in
docs/reconciliation.md) or any predicate as a CURIE or IRI.

Scores are 0–100: the name's score (``kg.folding.score``) averaged with one
point per property condition met. ``match`` is true for one candidate only,
when every condition holds and either its name is an exact match (after
folding) or an identifier (``sameAs``, ``wikidata``) matched, and no other
candidate qualifies as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import BadQuery
from kg.folding import fold, fold_words
from kg.query.describe import run
from kg.query.search_index import LabelIndex
from kg.query.search_load import names_of
from kg.rdf.vocab import expand, prefixes

WIKIDATA = "http://www.wikidata.org/entity/"
QID = re.compile(r"^(?:wd:)?(Q[1-9][0-9]*)$")
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_QUERIES = 100
"""Queries per batch (OpenRefine sends 10 by default)."""
CANDIDATES_WITH_PROPERTIES = 25
"""Candidates by name checked against property conditions, before the limit."""

PROPERTIES: dict[str, tuple[str, str, str]] = {
    # id: (facet, English name, description)
    "sameAs": ("sameAs", "Same as (external identifier)", "An external IRI (Wikidata, DBpedia, GeoNames) or a Wikidata QID the thing is verified to be (owl:sameAs, skos:exactMatch)."),
    "wikidata": ("wikidata", "Wikidata item", "A Wikidata QID (Q846) or item IRI the thing is verified to be."),
    "country": ("country", "Country", "The state it is in, through places, organisations and posts; a state is its own. A name (English or Arabic), our id (state/qat) or a Wikidata QID."),
    "within": ("within", "Located in", "A place containing it, at any depth (schema:containedInPlace): a name, our id or a Wikidata QID."),
}
ALIASES = {"P17": "country", "P131": "within", "P2888": "sameAs", "qid": "wikidata", "owl:sameAs": "sameAs",
           "skos:exactMatch": "sameAs", "schema:containedInPlace": "within"}


@dataclass
class Condition:
    pid: str
    values: list[object]
    facet: str | None  # one of PROPERTIES' facets, or None: a predicate
    predicate: str | None = None


@dataclass
class Query:
    text: str
    types: list[str]
    limit: int
    conditions: list[Condition] = field(default_factory=list)


def parse_batch(batch: object, base: str) -> dict[str, Query | BadQuery]:
    """A batch (the decoded ``queries`` parameter) checked and normalised. A
    malformed batch is a ``BadQuery``; a malformed query (an empty name, a
    wrong field) is that query's ``BadQuery``, naming it and the field, and the
    others are still answered: one empty cell of a column must not fail the
    whole batch OpenRefine sends."""
    if not isinstance(batch, dict):
        raise BadQuery("queries must be a JSON object of queries keyed by id (W3C Reconciliation API 0.2 §4)")
    if len(batch) > MAX_QUERIES:
        raise BadQuery(f"at most {MAX_QUERIES} queries per batch, not {len(batch)}")
    out: dict[str, Query | BadQuery] = {}
    for key, q in batch.items():
        try:
            out[str(key)] = parse_query(str(key), q, base)
        except BadQuery as exc:
            out[str(key)] = exc
    return out


def parse_query(key: str, q: object, base: str) -> Query:
    if not isinstance(q, dict):
        raise BadQuery(f"query {key!r}: must be an object with 'query' and/or 'properties'")
    unknown = set(q) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise BadQuery(f"query {key!r}: unknown field(s) {', '.join(sorted(unknown))}")
    text = q.get("query", "")
    if not isinstance(text, str):
        raise BadQuery(f"query {key!r}: 'query' must be a string")
    raw_types = q.get("type", [])
    raw_types = [raw_types] if isinstance(raw_types, str) else raw_types
    if not isinstance(raw_types, list) or not all(isinstance(t, str) for t in raw_types):
        raise BadQuery(f"query {key!r}: 'type' must be a type id or a list of them")
    limit = q.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
        raise BadQuery(f"query {key!r}: 'limit' must be a non-negative number")
    props = q.get("properties", [])
    if not isinstance(props, list):
        raise BadQuery(f"query {key!r}: 'properties' must be a list of {{pid, v}}")
    conditions = [condition(key, i, p, base) for i, p in enumerate(props)]
    if not text.strip() and not conditions:
        raise BadQuery(f"query {key!r}: give 'query' (a name) or 'properties'")
    namespaces = prefixes(base)
    return Query(text, [expand(t, namespaces) for t in raw_types], min(int(limit), MAX_LIMIT), conditions)


def condition(key: str, i: int, p: object, base: str) -> Condition:
    if not isinstance(p, dict) or not isinstance(p.get("pid"), str) or "v" not in p:
        raise BadQuery(f"query {key!r}: properties[{i}] must be an object with 'pid' (a string) and 'v'")
    pid = p["pid"]
    values = p["v"] if isinstance(p["v"], list) else [p["v"]]
    for v in values:
        ok = isinstance(v, (str, int, float, bool)) or (isinstance(v, dict) and isinstance(v.get("id"), str))
        if not ok:
            raise BadQuery(f"query {key!r}: properties[{i}].v must be strings, numbers, booleans or {{id}} objects")
    name = ALIASES.get(pid, pid)
    if name in PROPERTIES:
        return Condition(pid, values, PROPERTIES[name][0])
    predicate = expand(pid, prefixes(base))
    if not predicate.startswith(("http://", "https://")) or not valid_iri(predicate):
        raise BadQuery(f"query {key!r}: unknown property {pid[:80]!r}: use {', '.join(PROPERTIES)}, a CURIE (qn:…) or an IRI")
    return Condition(pid, values, None, predicate)


def valid_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


NOT_SUGGESTED = frozenset({"originalFileName", "sha256", "article", "evidence", "isInferred", "statement"})
"""Properties of our ontology that describe articles and the provenance of
facts, not the things a table names: not offered by property suggest."""


# -- answering ------------------------------------------------------------------------
@dataclass
class Candidate:
    iri: str
    name_score: float
    matched: str = ""
    types: tuple[str, ...] = ()
    met: list[bool] = field(default_factory=list)
    by_identifier: bool = False

    def score(self, has_text: bool) -> float:
        parts = ([self.name_score] if has_text else []) + [1.0 if m else 0.0 for m in self.met]
        return round(100 * sum(parts) / len(parts), 2) if parts else 0.0

    def strong(self, has_text: bool) -> bool:
        return all(self.met) and ((has_text and self.name_score == 1.0) or self.by_identifier)


def answer(index: LabelIndex, store, base: str, q: Query) -> list[tuple[Candidate, float, bool]]:  # type: ignore[no-untyped-def]
    """Ranked (candidate, score 0–100, match) for one query."""
    has_text = bool(q.text.strip())
    if has_text:
        wanted = CANDIDATES_WITH_PROPERTIES if q.conditions else q.limit
        found = index.search(q.text, types=q.types, limit=max(wanted, q.limit))
        candidates = [Candidate(h.iri, h.score, h.matched, h.types) for h in found.hits]
    else:
        candidates = [Candidate(iri, 0.0, "", index.types_of(iri)) for iri in by_identifiers(store, base, q.conditions)]
        if q.types:
            candidates = [c for c in candidates if set(c.types) & set(q.types)]
    for c in candidates:
        check(store, base, c, q.conditions)
    scored = [(c, c.score(has_text)) for c in candidates]
    scored.sort(key=lambda cs: -cs[1])
    strong = [c for c, _ in scored if c.strong(has_text)]
    return [(c, s, len(strong) == 1 and c is strong[0]) for c, s in scored[:q.limit]]


def by_identifiers(store, base: str, conditions: list[Condition]) -> list[str]:  # type: ignore[no-untyped-def]
    """Things named by the identifier conditions of a query without a name."""
    found: list[str] = []
    for cond in conditions:
        if cond.facet not in ("sameAs", "wikidata"):
            continue
        for v in cond.values:
            target = external_iri(v)
            if target is None:
                continue
            for r in run(store, "reconcile_same_as", base=base, target=ox.NamedNode(target)).dicts():
                if r["s"].value not in found:
                    found.append(r["s"].value)
    return found


def external_iri(v: object) -> str | None:
    """A Wikidata QID or an absolute IRI, as an IRI."""
    text = v.get("id") if isinstance(v, dict) else v
    if not isinstance(text, str):
        return None
    m = QID.match(text.strip())
    if m:
        return WIKIDATA + m.group(1)
    iri = text.strip()
    return iri if iri.startswith(("http://", "https://")) and valid_iri(iri) else None


def check(store, base: str, c: Candidate, conditions: list[Condition]) -> None:  # type: ignore[no-untyped-def]
    """Fill ``c.met``: for each condition, whether one of its values is one of the candidate's."""
    if not conditions:
        return
    facets: dict[str, list[dict]] = {}
    if any(cond.facet for cond in conditions):
        for r in run(store, "reconcile_facets", base=base, this=ox.NamedNode(c.iri)).dicts():
            facets.setdefault(r["key"].value, []).append(r)
    for cond in conditions:
        if cond.facet == "wikidata":
            rows = [r for r in facets.get("sameAs", []) if r["v"].value.startswith(WIKIDATA)]
        elif cond.facet is not None:
            rows = facets.get(cond.facet, [])
        else:
            assert cond.predicate is not None
            rows = run(store, "reconcile_property", base=base, this=ox.NamedNode(c.iri), p=ox.NamedNode(cond.predicate)).dicts()
        met = any(same_value(v, rows, base) for v in cond.values)
        c.met.append(met)
        if met and cond.facet in ("sameAs", "wikidata"):
            c.by_identifier = True


def same_value(v: object, rows: list[dict], base: str) -> bool:
    """Does the query value ``v`` name one of the values in ``rows`` (by our id,
    IRI, external identifier, or a name equal after folding)?"""
    wanted_iri = external_iri(v)
    text = v.get("id") if isinstance(v, dict) else v
    if isinstance(text, str) and re.match(r"^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9._-]*$", text.strip()):
        wanted_iri = base + "id/" + text.strip()  # our own id
    folded = fold(str(text).lower() if isinstance(text, bool) else str(text))
    for r in rows:
        value = r["v"]
        if wanted_iri is not None and (value.value == wanted_iri or (r.get("same") is not None and r["same"].value == wanted_iri)):
            return True
        if isinstance(value, ox.Literal) and fold(value.value) == folded:
            return True
        if r.get("name") is not None and fold(r["name"].value) == folded:
            return True
    return False


def candidate_name(store, base: str, c: Candidate, has_text: bool) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    """The name to show (in the language the query matched) and a description."""
    names = names_of(store, c.iri, base=base)
    lang = next((lg for lg, text in names.preferred.items() if fold_words(text) == c.matched), None)
    if lang is None and has_text and c.matched:
        original = names.original(c.matched)
        lang = original[1] if original else None
    name = names.first(*(x for x in (lang, "en", "ar") if x)) or c.iri
    description = names.description.get(lang or "en") or names.description.get("en")
    return name, description


__all__ = ["ALIASES", "NOT_SUGGESTED", "PROPERTIES", "Candidate", "Query", "answer", "candidate_name", "parse_batch"]
