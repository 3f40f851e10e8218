"""The checks of one article file, each mistake a ``Problem``, none fatal.

A file with field errors is still *salvaged*: every entity, fact and claim
that validates on its own is kept (``Parts``), so its quotes are located,
its ids compared and its keys registered. Three mistakes in one file are
three lines in one run, and a bad fact does not hide a bad quote in the
next one, nor make every use of the keys its file declares "unknown".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from kg.curation.keys import refs  # the reference walk, read off the models' key types
from kg.curation.model import ArticleFile, ArticleMeta, Claim, Entity, Fact
from kg.curation.problems import from_validation
from kg.curation.quote.problem import quote_problem
from kg.curation.quote.verbatim import QuoteNotFound, Span, locate
from kg.curation.skeleton import skeleton_problems
from kg.curation.yamlio import Source
from kg.errors import Problem

_FACT = TypeAdapter(Fact)


@dataclass
class Parts:
    """What of an article file is valid, each item with its index in the file."""

    meta: ArticleMeta | None
    entities: list[tuple[int, Entity]]
    facts: list[tuple[int, Any]]
    claims: list[tuple[int, Claim]]
    raw_keys: list[tuple[int, str]] = field(default_factory=list)
    """Keys of entities that did not validate: still declared (no cascade of 'unknown entity')."""

    @classmethod
    def of(cls, doc: ArticleFile) -> Parts:
        return cls(doc.article, list(enumerate(doc.entities)), list(enumerate(doc.facts)), list(enumerate(doc.claims)))


def parse_article(source: Source) -> tuple[ArticleFile | None, Parts, list[Problem]]:
    """The article model (None if anything is invalid), its valid parts, and
    every field error; a ``kg new`` placeholder is reported as one, not as the
    type error it also is."""
    doc, parts, problems = _parse_article(source)
    skeleton = skeleton_problems(source)
    if not skeleton:
        return doc, parts, problems
    placeholders = {p.field for p in skeleton}
    return None, parts, skeleton + [p for p in problems if p.field not in placeholders]


def _parse_article(source: Source) -> tuple[ArticleFile | None, Parts, list[Problem]]:
    try:
        doc = ArticleFile.model_validate(source.data)
        return doc, Parts.of(doc), []
    except ValidationError as exc:
        problems = from_validation(source, exc)
    data = source.data
    meta = _valid(ArticleMeta.model_validate, data.get("article"))
    parts = Parts(meta, [], [], [])
    for name, check in (("entities", Entity.model_validate), ("facts", _FACT.validate_python), ("claims", Claim.model_validate)):
        items = data.get(name)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            ok = _valid(check, item)
            if ok is not None:
                getattr(parts, name).append((i, ok))
            elif name == "entities" and isinstance(item, dict) and isinstance(item.get("key"), str):
                parts.raw_keys.append((i, item["key"]))
    return None, parts, problems


def _valid(check: Any, value: object) -> Any:
    try:
        return check(value)
    except (ValidationError, ValueError, TypeError):
        return None


def seed_text(seeds_dir: Path, source: Source, file_name: str) -> tuple[str | None, str, list[Problem]]:
    """The seed text beside the article (text, sha256), or the problem why not."""
    text_path = Path(seeds_dir) / file_name
    if not text_path.is_file():
        line, col = source.position(["article", "file"])
        return None, "", [Problem(source.path, line, "article.file", f"no seed text {file_name!r} beside this file", col,
                                  "put the article text (.txt) beside its .yaml, or correct the file name")]
    data = text_path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, "", [Problem(text_path, line, "encoding", f"seed is not UTF-8 at byte {exc.start}", None,
                                  "save the seed text as UTF-8")]
    return text, hashlib.sha256(data).hexdigest(), []


def unique_ids(source: Source, parts: Parts) -> list[Problem]:
    seen: dict[str, list[object]] = {}
    out = []
    for section, items in (("facts", parts.facts), ("claims", parts.claims)):
        for i, item in items:
            loc: list[object] = [section, i, "id"]
            if item.id in seen:
                line, col = source.position(loc)
                out.append(Problem(source.path, line, f"{section}[{i}].id",
                                   f"duplicate fact/claim id {item.id!r} (first at line {source.line(seen[item.id])})", col,
                                   "give each fact and claim of the article its own id"))
            else:
                seen[item.id] = loc
    return out


def locate_quotes(source: Source, parts: Parts, text: str, spans: dict[tuple[str, int], Span],
                  runs: dict[int, Span] | None = None) -> list[Problem]:
    """Every quote of the valid facts and claims found in ``text`` (into ``spans``), or a problem each;
    and each ``article: not_article:`` run (into ``runs``, by index)."""
    out = []
    for section, items in (("facts", parts.facts), ("claims", parts.claims)):
        for i, item in items:
            for j, q in enumerate(item.quote):
                try:
                    spans[(item.id, j)] = locate(text, q.text, q.occurrence)
                except QuoteNotFound as exc:
                    raw = source.data[section][i]["quote"]
                    loc: list[object] = [section, i, "quote"] + ([j] if isinstance(raw, list) else [])
                    # the YAML line:column of the first differing character, not only of the quote
                    out.append(quote_problem(source, loc, f"{section}[{i}].quote (id {item.id!r})", exc, _quote_fix(str(exc))))
    if parts.meta is not None:
        out += locate_not_article(source, parts.meta.not_article, text, spans, {} if runs is None else runs)
    return out


def locate_not_article(source: Source, items: list[Any], text: str, spans: dict[tuple[str, int], Span],
                       runs: dict[int, Span]) -> list[Problem]:
    """Each ``not_article`` run found in ``text``; a problem each that is not,
    and one for a run holding words a fact or claim quotes (they would show dimmed)."""
    out = []
    for j, item in enumerate(items):
        loc: list[object] = ["article", "not_article", j]
        try:
            first = locate(text, item.text, item.occurrence)
            end = first.end
            if item.through:
                at = text.find(item.through, first.start)
                if at < 0:
                    raise QuoteNotFound(f"'through' not found verbatim after 'text': {item.through[:60]!r}")
                end = at + len(item.through)
            runs[j] = Span(first.start, end, text[first.start:end], "", "")
        except QuoteNotFound as exc:
            out.append(quote_problem(source, [*loc, "text"], f"article.not_article[{j}]", exc, _quote_fix(str(exc))))
            continue
        for (ident, _n), span in spans.items():
            if span.start < end and first.start < span.end:
                out.append(quote_problem(source, [*loc, "text"], f"article.not_article[{j}]", QuoteNotFound(
                    f"marks words that {ident!r} quotes ({span.start}–{span.end}) as not the article"),
                    "mark only the site's own words; a quoted passage is the article"))
                break
    return out


def _quote_fix(message: str) -> str:
    if "add 'occurrence" in message:
        return "add 'occurrence: N' (1 = the first) under the quote, as {text: ..., occurrence: N}"
    if "time(s), not" in message:
        return "lower 'occurrence' to one that exists"
    return "copy the words from the seed text exactly, as one unbroken run ('kg quote' finds them)"


def referring(parts: Parts) -> Iterable[tuple[list[object], str, str, BaseModel]]:
    """(location, label, id suffix, item) of every valid part that may refer to keys."""
    if parts.meta is not None:
        yield ["article"], "article", "", parts.meta
    for i, ent in parts.entities:
        yield ["entities", i], f"entities[{i}]", f" (key {ent.key!r})", ent
    for i, fact in parts.facts:
        yield ["facts", i], f"facts[{i}]", f" (id {fact.id!r})", fact
    for i, claim in parts.claims:
        yield ["claims", i], f"claims[{i}]", f" (id {claim.id!r})", claim


__all__ = ["Parts", "locate_quotes", "parse_article", "referring", "refs", "seed_text", "unique_ids"]
