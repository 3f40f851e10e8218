"""Finding things by name: a label index built once per release.

People type names, not IRIs, and type them the way they write them: with or
without hamza, taa marbuta or diacritics, in any case, misspelt. The index
holds every name of every thing that has a preferred label (entities and
articles: ``kg/queries/search_labels.rq``), *folded* (``kg.folding.fold_words``:
the curation tools' folding, punctuation as word breaks), and answers a query with the things
whose names score best (``kg.folding.score_folded``): the exact name first,
then names it begins, names with a word it begins, names holding it, then
spelling variants by edit distance, word by word.

Built once per release (``build_index``), from the store by SPARQL, never by
scanning at request time. Compact, because a release of 100 000 articles
names ~400 000 things: the folded names are one packed string with offsets,
each name points at its things by number (``array``), each word at the names
holding it; display labels are *not* kept — the page asks the store for the
few results it shows. Reading a release into an index, and keeping one per
served release, is ``kg.query.search_load``. docs/linked-data.md ("Search")
gives the measured memory.

Finding candidates without scoring every name: whole-name prefixes by
bisection over the sorted names; word prefixes by bisection over the sorted
vocabulary, then each word's names (shortest first); spelling variants by
``rapidfuzz.process.extract`` over the vocabulary (C++, the vocabulary is far
smaller than the names). Only candidates are scored.
"""

from __future__ import annotations

import os
import re
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kg.folding import fold_words, score_folded

MIN_SCORE = 0.6
"""Below this a match is noise (kg.folding.score)."""
MAX_QUERY = 200
"""Characters of a query that count; the rest is ignored."""
MAX_CANDIDATES = 20_000
"""Names scored per query at most; a one-letter query stops here (and says so)."""
CLOSE = 0.9
"""A name holding the query (kg.folding.score's tiers: exact 1, begins .95,
word .92, part .9); below, a spelling variant."""
FAR_WHEN_CLOSE = 0.8
"""When some name holds the query, spelling variants below this are dropped:
``الدوحه`` finds Doha, not every name with a word ending in ``وحه``, and
«الحمادي» finds Al-Hammadi, not «الحامي» (Operation Unified Protector, 0.73)."""
ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]{1,9})\)")
"""An abbreviation a label gives in brackets, "Islamic State (ISIL)": also a name
of the thing (so "ISIL" is its exact name, not a word of "The threat of ISIL").
Only capitals: "Doha (city)" or "(13 March 2019)" are not names."""
WHOLE_WORD_BONUS = 0.02
"""Within the "holds it as a word" tier (0.92), up to this much more for a name
the query is more of: "Stoltenberg" is most of "Jens Stoltenberg" and a small
part of a meeting's title that mentions him; stays below the next tier (0.95)."""


def refine(q: str, name: str, s: float) -> float:
    """``score_folded``'s tier, ordered within by how much of the name the query
    is, when the query is a whole word (or words) of it."""
    if s == 0.92 and f" {q} " in f" {name} ":
        return round(s + WHOLE_WORD_BONUS * len(q) / len(name), 4)
    return s


def names_of_label(text: str) -> list[str]:
    """The names one label gives: itself, and a bracketed abbreviation."""
    return [text, *ACRONYM.findall(text)]
FUZZY_WORDS = 40
"""Vocabulary words taken per query word as spelling variants."""
FUZZY_NAMES = 200
"""Names taken per variant word (its shortest): a variant of a common word
does not flood the candidates."""
FUZZY_CUTOFF = 70
"""``fuzz.ratio`` (0–100) a vocabulary word needs to count as a variant: one
wrong letter in a nine-letter name is 89."""


class Packed(Sequence[str]):
    """Many strings as one string and their offsets: ~2 bytes per character
    instead of ~75 bytes of object header per string. With ``prefix``, each
    item is stored without it (every IRI of a release begins with the same
    ``{base}id/``)."""

    def __init__(self, items: Iterable[str], prefix: str = "") -> None:
        parts: list[str] = []
        self._offsets = array("I", [0])
        self.prefix = prefix
        for s in items:
            s = s[len(prefix):]
            parts.append(s)
            self._offsets.append(self._offsets[-1] + len(s))
        self._text = "".join(parts)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.prefix + self._text[self._offsets[i]:self._offsets[i + 1]]

    def nbytes(self) -> int:
        return len(self._text) * _char_width(self._text) + self._offsets.itemsize * len(self._offsets)


def _char_width(text: str) -> int:
    """Bytes per character CPython uses for ``text`` (PEP 393)."""
    top = max(map(ord, text), default=0)
    return 1 if top < 256 else 2 if top < 65536 else 4


def _postings(groups: list[list[int]]) -> tuple[array, array]:
    """Lists of numbers as (offsets, flat values)."""
    offsets, flat = array("I", [0]), array("I")
    for g in groups:
        flat.extend(g)
        offsets.append(len(flat))
    return offsets, flat


@dataclass(frozen=True)
class Hit:
    """One thing found: its IRI, how well it matched, and by which (folded) name."""

    iri: str
    score: float
    matched: str
    types: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    total: int
    """Things matching (after the type filter); a lower bound when ``complete`` is false."""
    complete: bool = True


@dataclass
class LabelIndex:
    """Folded names → things, and words → names. Immutable once built."""

    iris: Packed
    labels: Packed  # sorted, unique, folded
    label_offsets: array
    label_things: array
    words: list[str]  # sorted, unique
    word_offsets: array
    word_labels: array  # per word, its labels, shortest first
    thing_types: list[tuple[int, ...]]  # interned tuples
    type_iris: list[str]
    type_counts: dict[str, int] = field(default_factory=dict)
    built_seconds: float = 0.0

    # -- building ----------------------------------------------------------------
    @classmethod
    def build(cls, labels: Iterable[tuple[str, str]], types: Iterable[tuple[str, str]]) -> LabelIndex:
        """From (thing IRI, name) and (thing IRI, type IRI) pairs, in any order, repeats allowed."""
        start = time.monotonic()
        number: dict[str, int] = {}
        by_label: dict[str, int | list[int]] = {}  # most names name one thing: an int, not a set (~200 bytes)
        for iri, label in labels:
            for text in names_of_label(label):
                folded = fold_words(text)[:MAX_QUERY * 2]
                if not folded:
                    continue
                n = number.setdefault(iri, len(number))
                owners = by_label.setdefault(folded, n)
                if isinstance(owners, list):
                    if n not in owners:
                        owners.append(n)
                elif owners != n:
                    by_label[folded] = [owners, n]
        type_number: dict[str, int] = {}
        per_thing: dict[int, set[int]] = {}
        for iri, type_iri in types:
            thing = number.get(iri)
            if thing is None:
                continue
            per_thing.setdefault(thing, set()).add(type_number.setdefault(type_iri, len(type_number)))
        ordered = sorted(number)  # things numbered in IRI order: a thing is found by bisection
        new_of = array("I", bytes(4 * len(ordered)))
        for new, iri in enumerate(ordered):
            new_of[number[iri]] = new
        interned: dict[tuple[int, ...], tuple[int, ...]] = {}
        thing_types = [interned.setdefault(t, t) for t in (tuple(sorted(per_thing.get(number[iri], ()))) for iri in ordered)]
        del number, per_thing
        sorted_labels = sorted(by_label)
        label_offsets, label_things = _postings(
            [sorted(new_of[n] for n in o) if isinstance(o, list) else [new_of[o]] for o in map(by_label.__getitem__, sorted_labels)])
        del by_label
        vocab: dict[str, list[int]] = {}
        for i, lab in enumerate(sorted_labels):
            for w in set(lab.split(" ")):
                vocab.setdefault(w, []).append(i)
        words = sorted(vocab)
        lengths = [len(lab) for lab in sorted_labels]
        word_offsets, word_labels = _postings([sorted(vocab[w], key=lengths.__getitem__) for w in words])
        del vocab
        type_iris = [t for t, _ in sorted(type_number.items(), key=lambda kv: kv[1])]
        counts: dict[str, int] = {}
        for t in thing_types:
            for i in t:
                counts[type_iris[i]] = counts.get(type_iris[i], 0) + 1
        common = os.path.commonprefix([ordered[0], ordered[-1]]) if ordered else ""  # noqa: RUF071 - IRIs, by character; sorted: theirs is everyone's
        return cls(Packed(ordered, common), Packed(sorted_labels), label_offsets, label_things, words, word_offsets, word_labels,
                   thing_types, type_iris, counts, time.monotonic() - start)

    # -- asking -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.iris)

    def search(self, query: str, *, types: Iterable[str] = (), limit: int = 10, offset: int = 0) -> Found:
        """The things whose names answer ``query`` best, of any of ``types``
        (IRIs; none: any type), best first; ties by shorter name, then IRI."""
        q = fold_words(query[:MAX_QUERY])
        if not q:
            return Found([], 0)
        wanted = {i for i, t in enumerate(self.type_iris) if t in set(types)} if types else None
        if types and not wanted:
            return Found([], 0)
        candidates, complete = self._candidates(q)
        best: dict[int, tuple[float, int]] = {}
        for label_id in candidates:
            s = refine(q, self.labels[label_id], score_folded(q, self.labels[label_id]))
            if s < MIN_SCORE:
                continue
            for thing in self._things(label_id):
                if wanted is not None and wanted.isdisjoint(self.thing_types[thing]):
                    continue
                old = best.get(thing)
                if old is None or (s, -len(self.labels[label_id])) > (old[0], -len(self.labels[old[1]])):
                    best[thing] = (s, label_id)
        if any(s >= CLOSE for s, _ in best.values()):
            best = {t: v for t, v in best.items() if v[0] >= FAR_WHEN_CLOSE}
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], len(self.labels[kv[1][1]]), self.iris[kv[0]]))
        hits = [
            Hit(self.iris[t], s, self.labels[lab], tuple(self.type_iris[i] for i in self.thing_types[t]))
            for t, (s, lab) in ranked[offset:offset + limit]
        ]
        return Found(hits, len(ranked), complete)

    def types_of(self, iri: str) -> tuple[str, ...]:
        """The types of a thing the index holds (none for one it does not)."""
        i = bisect_left(self.iris, iri)
        if i < len(self.iris) and self.iris[i] == iri:
            return tuple(self.type_iris[t] for t in self.thing_types[i])
        return ()

    def _things(self, label_id: int) -> array:
        return self.label_things[self.label_offsets[label_id]:self.label_offsets[label_id + 1]]

    def _word_labels(self, word_id: int) -> array:
        return self.word_labels[self.word_offsets[word_id]:self.word_offsets[word_id + 1]]

    def _candidates(self, q: str) -> tuple[dict[int, None], bool]:
        """Names worth scoring (insertion-ordered set), and whether none were left out."""
        found: dict[int, None] = {}

        def add(ids: Iterable[int]) -> bool:
            for i in ids:
                if len(found) >= MAX_CANDIDATES:
                    return False
                found[i] = None
            return True

        complete = add(_prefixed(self.labels, q))  # the whole name begins with q
        q_words = list(dict.fromkeys(q.split(" ")))
        # names with a word that each query word begins: from the query word
        # with the fewest such names, kept if they have the others too
        spans = []
        for qw in q_words:
            ws = list(_prefixed(self.words, qw))
            spans.append((sum(self.word_offsets[w + 1] - self.word_offsets[w] for w in ws), ws))
        if spans:
            _, rarest = min(spans, key=lambda s: s[0])
            for w in rarest:
                ids: Iterable[int] = self._word_labels(w)
                if len(q_words) > 1:
                    ids = [i for i in ids if _has_all(self.labels[i].split(" "), q_words)]
                complete = add(ids) and complete
        # spelling variants, word by word: a few close vocabulary words per
        # query word, and their shortest names (a long query shares the budget)
        per_word = max(5, FUZZY_WORDS // len(q_words))
        for qw in q_words:
            if len(qw) < 3:
                continue
            for _, _, w in process.extract(qw, self.words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=per_word):
                complete = add(self._word_labels(w)[:FUZZY_NAMES]) and complete
        return found, complete

    def memory(self) -> dict[str, int]:
        """Approximate bytes held, by part (for docs and ``/search`` diagnostics)."""
        import sys

        words = sum(sys.getsizeof(w) for w in self.words) + sys.getsizeof(self.words)
        types = sys.getsizeof(self.thing_types) + sum(sys.getsizeof(t) for t in set(self.thing_types))
        arrays = sum(a.itemsize * len(a) for a in (self.label_offsets, self.label_things, self.word_offsets, self.word_labels))
        return {"iris": self.iris.nbytes(), "labels": self.labels.nbytes(), "words": words,
                "postings": arrays, "types": types}


def _has_all(words: list[str], prefixes: list[str]) -> bool:
    return all(any(w.startswith(p) for w in words) for p in prefixes)


def _prefixed(items: Sequence[str], prefix: str) -> Iterator[int]:
    """Indexes of the sorted ``items`` that begin with ``prefix``."""
    i = bisect_left(items, prefix)
    while i < len(items) and items[i].startswith(prefix):
        yield i
        i += 1


__all__ = ["MIN_SCORE", "Found", "Hit", "LabelIndex", "Packed"]
