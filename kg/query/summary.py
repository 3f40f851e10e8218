"""What the home page and the list pages need of the whole release, computed
once per release: how many things of each type, the main entities (the
agents most facts mention), the latest events, and the articles newest first.

Whole-graph aggregates cost seconds at 10 000 articles, and a release never
changes, so they are read when the server opens a release (in the
background, ``warm``) or on the first request that needs them, and kept in
that release's context (``kg.web.context.ReleaseContext.summary``, dropped with the release). Not in
``kg build``: releases built by earlier code stay servable as they are.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from kg.query import reference as ref
from kg.query.describe import run, run_all
from kg.query.reference import EventRow, Labels
from kg.store.base import Store

log = logging.getLogger("kg.query.summary")


@dataclass(frozen=True)
class Summary:
    classes: list[tuple[str, int]]
    """(class IRI, instances), as ``class_counts.rq`` orders them."""
    ontology_labels: Labels
    main_entities: list[tuple[str, int]]
    main_labels: Labels
    latest_events: list[EventRow]
    """The latest dated events (``timeline.rq``), oldest first."""
    event_labels: Labels
    articles: list[tuple[str, str]]
    """(article IRI, publication date or ""), newest first."""
    seconds: float = 0.0


def summarize(store: Store, *, base: str, lists: Store | None = None) -> Summary:
    """``lists``: a store that answers whole-graph queries whole and without the
    query timeout (the release's own store, in-process: ``kg.web.paging.list_store``).
    Through the query workers these aggregates outlive the timeout from a few
    thousand articles on (``class_counts`` at 3 000 articles on a busy machine)."""
    started = time.perf_counter()
    store = lists or store
    classes = [(r["class"].value, int(r["n"].value)) for r in run(store, "class_counts", base=base).dicts()]
    events, event_labels = ref.timeline(store, base=base)
    main, main_labels = ref.main_entities(store, base=base)
    dated = [(r["article"].value, r["date"].value if "date" in r else "") for r in run_all(store, "article_keys", base=base)]
    dated.sort(key=lambda a: (a[1], a[0]), reverse=True)
    found = Summary(classes, ref.ontology_labels(store, base=base), main, main_labels, events, event_labels, dated,
                    time.perf_counter() - started)
    log.info("release summary: %d articles, %d classes in %.2f s", len(found.articles), len(found.classes), found.seconds)
    return found


__all__ = ["Summary", "summarize"]
