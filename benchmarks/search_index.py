"""Size, build time and query time of the search index (``kg.query.search_index``) at the
scale of a 100 000-article release, without building one (104 min):
``python -m benchmarks.search_index [THINGS] [ARTICLES]`` prints JSON.

The names are synthetic but shaped like the curated ones: each entity an
English and an Arabic preferred label of 2–4 words and, one in four, an
alternative label; each article an English and an Arabic title of 8–14 words
drawn from a vocabulary of 20 000 words per language. Defaults: 298 060
entities and 100 000 articles, the counts of the 100 000-article benchmark
release (BENCHMARKS.md). Memory is the growth of the traced Python heap
(``tracemalloc``) while the index is built and held, and the peak meanwhile;
build time is taken from a separate, untraced build.
"""

from __future__ import annotations

import json
import random
import sys
import time
import tracemalloc

from kg.query.search_index import LabelIndex

AR = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
EN = "abcdefghijklmnopqrstuvwxyz"
BASE = "https://qatar-nato.example.org/id/"


def words(rng: random.Random, letters: str, n: int) -> list[str]:
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(n)]


def corpus(things: int, articles: int, seed: int = 7) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rng = random.Random(seed)
    en, ar = words(rng, EN, 20_000), words(rng, AR, 20_000)
    labels, types = [], []
    for i in range(things):
        iri = f"{BASE}thing/t{i}"
        labels.append((iri, " ".join(rng.choices(en, k=rng.randint(2, 4))).title()))
        labels.append((iri, " ".join(rng.choices(ar, k=rng.randint(2, 4)))))
        if i % 4 == 0:
            labels.append((iri, " ".join(rng.choices(ar, k=rng.randint(1, 3)))))
        types += [(iri, f"https://qatar-nato.example.org/ontology#T{i % 30}"), (iri, "http://schema.org/Thing")]
    for i in range(articles):
        iri = f"{BASE}article/a{i}"
        labels.append((iri, " ".join(rng.choices(en, k=rng.randint(8, 14))).capitalize()))
        labels.append((iri, " ".join(rng.choices(ar, k=rng.randint(8, 14)))))
        types.append((iri, "https://qatar-nato.example.org/ontology#Article"))
    return labels, types


def main(argv: list[str]) -> int:
    things = int(argv[0]) if argv else 298_060
    articles = int(argv[1]) if len(argv) > 1 else 100_000
    labels, types = corpus(things, articles)
    probe = [labels[i][1] for i in range(0, len(labels), max(1, len(labels) // 50))]
    t = time.perf_counter()
    LabelIndex.build(labels, types)  # timed without tracing (tracemalloc slows it several times)
    build_s = time.perf_counter() - t
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = LabelIndex.build(labels, types)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times = []
    for text in probe:
        for q in (text, text[:4], text[:-1] + "x"):  # exact, a prefix, a misspelling
            t = time.perf_counter()
            index.search(q, limit=10)
            times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({
        "things": len(index), "names": len(index.labels), "words": len(index.words),
        "build_s": round(build_s, 2), "held_mb": round((held - before) / 2**20, 1),
        "build_peak_mb": round((peak - before) / 2**20, 1),
        "parts_mb": {k: round(v / 2**20, 1) for k, v in index.memory().items()},
        "query_ms": {"median": round(1000 * times[len(times) // 2], 1), "p95": round(1000 * times[int(len(times) * 0.95)], 1),
                     "max": round(1000 * times[-1], 1)},
    }, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
