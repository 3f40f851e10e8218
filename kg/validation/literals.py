"""Literals as the reference validator sees them, and as Oxigraph stores them.

Two facts decide how ``sh:datatype`` is checked on an Oxigraph store:

* **What the reference checks.** pyshacl marks a literal ill-formed only
  where rdflib can parse its datatype (``Literal.ill_typed``): dates, times,
  booleans, numbers. For ``xsd:gYear``/``xsd:gYearMonth`` and other types
  rdflib cannot parse, a matching datatype IRI is enough. ``LEXICAL_CHECKED``
  mirrors that; the engine checks those lexical forms with Oxigraph's cast
  (``xsd:date(STR(?v))`` fails on "2016-13-45").
* **What Oxigraph loses.** On load Oxigraph canonicalises every
  integer-derived literal to ``xsd:integer`` (``"5"^^xsd:nonNegativeInteger``
  comes back as ``"5"^^xsd:integer``; ``"05"`` as ``"5"``). Its store cannot
  answer "was this an ``xsd:nonNegativeInteger``?". :class:`Originals` keeps
  those literals *as written*, fed from the quads while they stream into
  the store; the engine checks ``sh:datatype`` of the integer family against
  them with rdflib's own parser (exactly the reference's test) and reports
  the literal as written.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

LANG_STRING = str(RDF.langString)
STRING = str(XSD.string)
INTEGER = str(XSD.integer)

# Datatypes whose lexical form the reference rejects when rdflib cannot parse it.
LEXICAL_CHECKED = frozenset(str(XSD[n]) for n in ("date", "dateTime", "time", "boolean", "decimal", "double", "float"))

# Oxigraph stores all of these as xsd:integer (canonical lexical form).
INTEGER_FAMILY = frozenset(str(XSD[n]) for n in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
))

_INT = re.compile(r"[+-]?[0-9]+")


def canonical_integer(lexical: str) -> str:
    """The lexical form Oxigraph gives back for an integer-family literal."""
    return str(int(lexical)) if _INT.fullmatch(lexical) else lexical


@functools.lru_cache(maxsize=65536)
def reference_accepts(lexical: str, datatype: str, required: str) -> bool:
    """pyshacl's ``sh:datatype`` test for a literal as written (no language)."""
    if datatype != required:
        return False
    return Literal(lexical, datatype=URIRef(datatype)).ill_typed is not True


class Originals:
    """Integer-family literals as written, by (subject, predicate) IRI.

    Feed it every quad (``add``) before or while they are loaded into the
    store; pass it to ``kg.validation.validate.validate_store``. Memory: one entry per
    integer-typed triple (two per quote at ~400 quads an article)."""

    def __init__(self) -> None:
        self._by_sp: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_sp.values())

    def add(self, quads: Iterable[object]) -> Originals:
        """pyoxigraph ``Quad``/``Triple``s or rdflib (s, p, o[, g]) tuples."""
        for q in quads:
            if isinstance(q, (ox.Quad, ox.Triple)):
                s, p, o = q.subject, q.predicate, q.object
                if isinstance(o, ox.Literal) and isinstance(s, ox.NamedNode) and o.datatype.value in INTEGER_FAMILY:
                    self._by_sp.setdefault((s.value, p.value), set()).add((o.value, o.datatype.value))
            else:
                s, p, o = q[0], q[1], q[2]  # type: ignore[index]
                if isinstance(o, Literal) and isinstance(s, URIRef) and o.datatype is not None \
                        and str(o.datatype) in INTEGER_FAMILY:
                    self._by_sp.setdefault((str(s), str(p)), set()).add((str(o), str(o.datatype)))
        return self

    def lookup(self, subject: str, predicate: str, stored_lexical: str) -> list[tuple[str, str]]:
        """The literals as written that Oxigraph stored as ``stored_lexical``^^xsd:integer."""
        found = self._by_sp.get((subject, predicate), ())
        return sorted(lit for lit in found if canonical_integer(lit[0]) == stored_lexical)


class DiskOriginals(Originals):
    """``Originals`` (integer literals as written, for ``kg.validation.validate.validate_store``)
    kept in a SQLite file instead of a dict: the same ``add``/``lookup``, with
    memory that does not grow with the data (in memory it took 202 MB for the
    270 000 offsets of 10 000 articles). Lookups come from the validator's
    worker threads, so the one connection is shared under a lock."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE literal (s TEXT, p TEXT, lexical TEXT, datatype TEXT)")
        self._lock = threading.Lock()
        self._indexed = False

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM (SELECT DISTINCT * FROM literal)").fetchone()[0]

    def add(self, quads: Iterable[object]) -> DiskOriginals:
        rows = []
        for q in quads:
            if not isinstance(q, (ox.Quad, ox.Triple)):
                raise TypeError("DiskOriginals takes pyoxigraph quads or triples")
            o = q.object
            if isinstance(o, ox.Literal) and isinstance(q.subject, ox.NamedNode) and o.datatype.value in INTEGER_FAMILY:
                rows.append((q.subject.value, q.predicate.value, o.value, o.datatype.value))
        if rows:
            with self._lock:
                self._db.executemany("INSERT INTO literal VALUES (?, ?, ?, ?)", rows)
        return self

    def lookup(self, subject: str, predicate: str, stored_lexical: str) -> list[tuple[str, str]]:
        with self._lock:
            if not self._indexed:
                self._db.execute("CREATE INDEX literal_sp ON literal (s, p)")
                self._indexed = True
            found = self._db.execute("SELECT DISTINCT lexical, datatype FROM literal WHERE s = ? AND p = ?",
                                     (subject, predicate)).fetchall()
        return sorted((lex, dt) for lex, dt in found if canonical_integer(lex) == stored_lexical)

    def close(self) -> None:
        with self._lock:
            self._db.close()
