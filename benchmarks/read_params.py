"""What the read-path benchmark asks for, drawn from a built release (issue 21).

Why from the data, not from ``benchmarks.generate``'s pool: the release is
the truth a reader and a crawler see, and the same harness then works on any
release (a generated corpus of any size, or the real seeds). From the
release's on-disk store (opened read-only) and its sitemaps:

* SPARQL parameters for the cold mix (``benchmarks/queries/*.rq``): people
  who took part in events, meetings, the cities meetings were held in,
  facts with evidence, and Arabic search strings (single words and
  two-word phrases of the Arabic labels) — up to ``limit`` distinct values
  each, sampled with a fixed seed;
* page paths: the home page, the hub pages (the alliance, the initiative,
  and the state that is actor in most events), up to ``limit`` distinct
  ``/doc/`` paths from the sitemaps, and one ordinary person's page to
  repeat.
"""

from __future__ import annotations

import gzip
import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

QUERY_DIR = Path(__file__).resolve().parent / "queries"
MIX = ("point", "describe", "events_of_person", "join", "evidence", "label_search", "aggregate")
"""The cold query mix: point lookup, resource description, events of a person,
a join, evidence lookup, Arabic ``CONTAINS``, a whole-graph ``GROUP BY``."""
ACCEPT = {"describe": "application/n-triples"}
SELECT_ACCEPT = "application/sparql-results+json"

_PARAM_QUERIES = {
    "PERSON": """SELECT DISTINCT ?x WHERE { ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> ?r .
                 ?r <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?x . FILTER(STRSTARTS(STR(?x), "$BASEid/person/")) }""",
    "EVENT": "SELECT DISTINCT ?x WHERE { ?x a <$BASEontology#Meeting> }",
    "CITY": """SELECT DISTINCT ?x WHERE { ?m a <$BASEontology#Meeting> ; <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace> ?x }""",
    "FACT": "SELECT DISTINCT ?x WHERE { ?x <$BASEontology#evidence> ?a }",
}
_LABELS = 'SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "ar") }'


@dataclass
class ReadPlan:
    base: str
    params: dict[str, list[str]]
    home: str = "/"
    hubs: list[str] = field(default_factory=list)
    varied: list[str] = field(default_factory=list)
    repeated: str = ""

    def distinct(self) -> dict[str, int]:
        return {k: len(set(v)) for k, v in self.params.items()} | {"PAGES": len(set(self.varied))}

    def sparql_paths(self, kind: str, endpoint_path: str, limit: int) -> list[str]:
        """``endpoint_path?query=…`` for each parameter value of ``kind`` (at most ``limit``)."""
        tpl = Template((QUERY_DIR / f"{kind}.rq").read_text(encoding="utf-8"))
        names = [n for n in ("PERSON", "EVENT", "CITY", "FACT", "WORD") if f"${n}" in tpl.template]
        values = self.params[names[0]] if names else [""]
        joiner = "&" if "?" in endpoint_path else "?"
        out = []
        for v in values[:limit]:
            text = tpl.substitute({names[0]: _escape(v) if names and names[0] == "WORD" else v} if names else {})
            out.append(endpoint_path + joiner + "query=" + quote(text, safe=""))
        return out


    def search_paths(self, limit: int) -> list[str]:
        """``/search`` (JSON) for the same Arabic words and phrases as the ``CONTAINS`` queries."""
        return [f"/search?q={quote(w, safe='')}&format=json" for w in self.params["WORD"][:limit]]


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace('"', '\\"')


def _sample(values: list[str], limit: int, seed: int) -> list[str]:
    values = sorted(set(values))
    random.Random(seed).shuffle(values)
    return values[:limit]


def _words(labels: list[str]) -> list[str]:
    """Single Arabic words and adjacent two-word phrases of the labels: what a reader types."""
    out: set[str] = set()
    for label in labels:
        words = [w for w in re.split(r"\s+", label) if w]
        out.update(w for w in words if len(w) >= 3)
        out.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return list(out)


def sitemap_paths(release: Path) -> list[str]:
    """Every ``/doc/…`` path listed in the release's sitemaps."""
    out = []
    for f in sorted((release / "sitemaps").glob("*.xml.gz")):
        text = gzip.decompress(f.read_bytes()).decode("utf-8")
        out += [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", text)]
    return [p for p in out if p.startswith("/doc/")]


def plan(release: Path, *, limit: int = 2000, seed: int = 7) -> ReadPlan:
    """What to ask ``release`` (a ``var/current`` directory) for."""
    import json

    base = json.loads((release / "release.json").read_text())["base_iri"]
    store = ox.Store.read_only(str(release / "store"))
    try:
        def column(q: str) -> list[str]:
            return [sol[0].value for sol in store.query(q.replace("$BASE", base), use_default_graph_as_union=True)]

        params = {name: _sample(column(q), limit, seed) for name, q in _PARAM_QUERIES.items()}
        params["WORD"] = _sample(_words(column(_LABELS)), limit, seed)
        actors = column(f"""SELECT ?x WHERE {{ ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> ?r .
            ?r <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?x . FILTER(STRSTARTS(STR(?x), "{base}id/state/")) }}
            GROUP BY ?x ORDER BY DESC(COUNT(?e)) LIMIT 1""")
    finally:
        store = None  # close the read-only store before the servers open it
    docs = sitemap_paths(release)
    doc = "/" + "doc/"
    hubs = [p for p in (doc + "alliance/nato", doc + "initiative/ici") if p in set(docs)]
    hubs += [urlsplit(a).path.replace("/id/", doc, 1) for a in actors[:1]]
    people = sorted(p for p in docs if p.startswith(doc + "person/"))
    repeated = people[len(people) // 2] if people else (docs[0] if docs else "/")
    return ReadPlan(base, params, hubs=hubs, varied=_sample(docs, limit, seed), repeated=repeated)
