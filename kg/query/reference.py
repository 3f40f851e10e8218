"""What a reader's page says about a resource, as plain data: the facts and
claims that mention it (each graph's statements, its quotes, once each), the
events it took part in with the role it had, the participants of an event,
and the home page's timeline and main entities.

The query layer under the reference-work pages (``kg/web/reference_view.py``
renders them, ``kg/web/sentences.py`` words them). The SPARQL is in
``kg/queries/*.rq``; ``?this`` is passed as a binding, never formatted in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.query.describe import run, run_all
from kg.store.base import Store, Term

Labels = dict[str, dict[str, str]]
"""IRI → language → label."""

MAX_FACT_ROWS = 5000
MAX_EVENT_ROWS = 2000


@dataclass(frozen=True)
class Quote:
    """One verbatim quote of a fact, where it is in which article."""

    article: str
    exact: str
    start: int
    end: int


@dataclass
class FactRecord:
    """A fact or claim graph: what it asserts and the words that support it."""

    iri: str
    ident: str = ""
    claim: bool = False
    inferred: bool = False
    article: str = ""
    triples: list[tuple[Term, ox.NamedNode, Term]] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Facts:
    records: list[FactRecord]
    labels: Labels
    truncated: bool = False


@dataclass(frozen=True)
class EventRow:
    """An event, dated when it is, with the role someone had in it (or none)."""

    event: str
    date: ox.Literal | None = None
    not_after: ox.Literal | None = None
    place: str | None = None
    roles: tuple[str, ...] = ()
    venue: bool = False
    approximate: bool = False
    """``qn:approximate``: the date is what the text supports ("nearly two years ago"), not a known date."""
    began: bool = False
    """``date`` is when an ongoing event began (``sem:hasBeginTimeStamp``), not when it happened."""


def is_true(term: object) -> bool:
    """An ``xsd:boolean`` literal's value (absent: false)."""
    return isinstance(term, ox.Literal) and term.value in ("true", "1")


def _add_label(labels: Labels, iri: str, label: Term | None, *, preferred: bool = True) -> None:
    if isinstance(label, ox.Literal):
        by_lang = labels.setdefault(iri, {})
        if preferred:
            by_lang[label.language or ""] = label.value
        else:
            by_lang.setdefault(label.language or "", label.value)


def ontology_labels(store: Store, *, base: str) -> Labels:
    """Labels of the ontology's terms (they name predicates in sentences)."""
    labels: Labels = {}
    for r in run(store, "ontology_labels", base=base).dicts():
        _add_label(labels, r["x"].value, r.get("label"), preferred=False)
    return labels


def facts_of(store: Store, iri: str, *, base: str, terms: Labels | None = None) -> Facts:
    """The facts and claims about ``iri`` (or quoted from it, or ``iri`` itself);
    ``terms``: labels of the ontology's terms, if the caller has them already.
    For an article or a fact (their facts are few); an entity's are paged (``facts_page``)."""
    this = ox.NamedNode(iri)
    rows = run(store, "facts_of", base=base, this=this).dicts()
    return _facts(store, rows, run(store, "facts_of_labels", base=base, this=this).dicts(),
                  run(store, "facts_of_evidence", base=base, this=this).dicts(), base=base, terms=terms)


def fact_keys(store: Store, iri: str, *, base: str) -> list[str]:
    """Every fact or claim graph that mentions ``iri``, in a stable order (read once per release)."""
    return [r["fact"].value for r in run_all(store, "facts_keys", base=base, this=ox.NamedNode(iri))]


def facts_page(store: Store, facts: list[str], *, base: str, terms: Labels | None = None) -> Facts:
    """``facts_of`` for the fact graphs ``facts`` (one page of ``fact_keys``) only."""
    if not facts:
        return Facts([], dict(terms or {}))
    table = (["fact"], [(ox.NamedNode(f),) for f in facts])
    order = {f: n for n, f in enumerate(facts)}
    rows = run(store, "facts_page", base=base, table=table).dicts()
    named = sorted({r[k].value for r in rows for k in ("s", "o") if isinstance(r.get(k), ox.NamedNode)})
    names = run(store, "names_of", base=base, table=(["x"], [(ox.NamedNode(x),) for x in named])).dicts() if named else []
    found = _facts(store, rows, names, run(store, "facts_page_evidence", base=base, table=table).dicts(), base=base, terms=terms)
    found.records.sort(key=lambda r: order.get(r.iri, len(order)))
    return found


def _facts(store: Store, rows: list[dict], label_rows: list[dict], evidence_rows: list[dict], *, base: str,
           terms: Labels | None) -> Facts:
    records: dict[str, FactRecord] = {}
    for r in rows[:MAX_FACT_ROWS]:
        record = records.setdefault(r["fact"].value, FactRecord(r["fact"].value))
        record.triples.append((r["s"], r["p"], r["o"]))
    labels: Labels = {k: dict(v) for k, v in (terms if terms is not None else ontology_labels(store, base=base)).items()}
    for r in sorted(label_rows, key=lambda r: r.get("pref") == ox.Literal(True)):  # preferred ones last, so they win
        _add_label(labels, r["x"].value, r.get("label"))
    for r in evidence_rows:
        rec = records.get(r["fact"].value)
        if rec is None:
            continue
        rec.ident = r["ident"].value if "ident" in r else rec.ident
        rec.claim = r.get("claim") == ox.Literal(True)
        rec.inferred = r.get("inferred") == ox.Literal(True)
        rec.article = r["article"].value
        quote = Quote(r["article"].value, r["exact"].value, int(r["start"].value), int(r["end"].value))
        if quote not in rec.quotes:
            rec.quotes.append(quote)
    unnamed = sorted({q.article for rec in records.values() for q in rec.quotes} - set(labels))
    if unnamed:  # a link is never titled with nothing; one query for all of them
        for r in run(store, "labels_each", base=base, table=(["this"], [(ox.NamedNode(a),) for a in unnamed])).dicts():
            _add_label(labels, r["this"].value, r.get("label"), preferred=False)
    for rec in records.values():
        rec.triples.sort(key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
        rec.quotes.sort(key=lambda q: (q.article, q.start, q.end))
    ordered = sorted(records.values(), key=lambda f: (f.article, min((q.start for q in f.quotes), default=0), f.iri))
    return Facts(ordered, labels, truncated=len(rows) > MAX_FACT_ROWS)


def events_of(store: Store, iri: str, *, base: str) -> tuple[list[EventRow], Labels]:
    """The events ``iri`` took part in (with its roles) or that took place there, by date."""
    return _events(run(store, "events_of", base=base, this=ox.NamedNode(iri)).dicts()[:MAX_EVENT_ROWS])


def event_keys(store: Store, iri: str, *, base: str) -> list[str]:
    """Every event ``iri`` took part in or that took place there, by date then
    IRI (undated last): the order of its events list, read once per release."""
    dates: dict[str, str] = {}
    for r in run_all(store, "events_keys", base=base, this=ox.NamedNode(iri)):
        date = r.get("date") or r.get("notAfter")
        key = _date_key(date if isinstance(date, ox.Literal) else None)
        ev = r["event"].value
        dates[ev] = min(dates.get(ev, key), key)
    return sorted(dates, key=lambda ev: (dates[ev], ev))


def events_page(store: Store, iri: str, events: list[str], *, base: str) -> tuple[list[EventRow], Labels]:
    """``events_of`` for ``events`` (one page of ``event_keys``) only, in their order."""
    if not events:
        return [], {}
    table = (["event"], [(ox.NamedNode(e),) for e in events])
    found, labels = _events(run(store, "events_page", base=base, table=table, this=ox.NamedNode(iri)).dicts())
    order = {e: n for n, e in enumerate(events)}
    return sorted(found, key=lambda e: order.get(e.event, len(order))), labels


def _events(rows: list[dict]) -> tuple[list[EventRow], Labels]:
    labels: Labels = {}
    found: dict[str, dict] = {}
    for r in rows:
        ev = r["event"].value
        item = found.setdefault(ev, {"date": r.get("date"), "not_after": r.get("notAfter"), "place": None, "roles": [], "venue": False,
                                     "approximate": is_true(r.get("approximate")), "began": is_true(r.get("began"))})
        if "place" in r:
            item["place"] = r["place"].value
            _add_label(labels, r["place"].value, r.get("placeLabel"))
        if "role" in r and r["role"].value not in item["roles"]:
            item["roles"].append(r["role"].value)
        item["venue"] = item["venue"] or "venue" in r
        _add_label(labels, ev, r.get("eventLabel"))
        if "role" in r:
            _add_label(labels, r["role"].value, r.get("roleLabel"))
    events = [EventRow(ev, i["date"], i["not_after"], i["place"], tuple(i["roles"]), i["venue"], i["approximate"], i["began"])
              for ev, i in found.items()]
    return sorted(events, key=lambda e: (_date_key(e.date or e.not_after), e.event)), labels


def event_actors(store: Store, iri: str, *, base: str) -> tuple[list[tuple[str, str]], Labels]:
    """(agent, role) pairs of the event ``iri``, in a stable order."""
    rows = run(store, "event_actors", base=base, this=ox.NamedNode(iri)).dicts()[:MAX_EVENT_ROWS]
    labels: Labels = {}
    pairs: list[tuple[str, str]] = []
    for r in rows:
        pair = (r["agent"].value, r["role"].value)
        if pair not in pairs:
            pairs.append(pair)
        _add_label(labels, pair[0], r.get("agentLabel"))
        _add_label(labels, pair[1], r.get("roleLabel"))
    return sorted(pairs, key=lambda p: (labels.get(p[1], {}).get("en", p[1]), labels.get(p[0], {}).get("en", p[0]))), labels


def timeline(store: Store, *, base: str) -> tuple[list[EventRow], Labels]:
    """Dated events, oldest first (bounded by the query)."""
    labels: Labels = {}
    found: dict[str, EventRow] = {}
    for r in run(store, "timeline", base=base).dicts():
        ev = r["event"].value
        place = r["place"].value if "place" in r else None
        found.setdefault(ev, EventRow(ev, r.get("date"), None, place, approximate=is_true(r.get("approximate")),  # type: ignore[arg-type]
                                      began=is_true(r.get("began"))))
        _add_label(labels, ev, r.get("eventLabel"))
        if place:
            _add_label(labels, place, r.get("placeLabel"))
    return sorted(found.values(), key=lambda e: (_date_key(e.date), e.event)), labels


def main_entities(store: Store, *, base: str) -> tuple[list[tuple[str, int]], Labels]:
    """The agents the most facts mention, with how many."""
    labels: Labels = {}
    counts: dict[str, int] = {}
    for r in run(store, "main_entities", base=base).dicts():
        counts[r["x"].value] = int(r["n"].value)
        _add_label(labels, r["x"].value, r.get("label"))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), labels


def _date_key(lit: ox.Literal | None) -> str:
    """Sort key of a (possibly partial) date literal; undated last."""
    return lit.value if lit is not None else "9999"


__all__ = ["EventRow", "FactRecord", "Facts", "Quote", "event_actors", "event_keys", "events_of", "events_page", "fact_keys",
           "facts_of", "facts_page", "is_true", "main_entities", "ontology_labels", "timeline"]
