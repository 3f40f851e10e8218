"""Wrong links are worse than none: every owl:sameAs target in seeds/links.yaml
is the identifier docs/curation-decisions.md ("Verified identifiers") marks
verified (✔) for the same entity, in the column of its kind (Wikidata,
DBpedia, GeoNames), never one it marks UNVERIFIED or conflicting. Each link
that cites the table names its row ("docs/curation-decisions.md #N"); this
reads that row and checks the link against it (a link verified by another
source it names is not checked here). Where the original research notes
(../shared/MODELLING.md §2) are beside the checkout, the table in docs/ is
checked to be theirs, row for row; without them that one test skips."""

from __future__ import annotations

import re
from functools import cache

import pytest
import yaml
from conftest import NO_SHARED, ROOT, SHARED, SHIPPED_SEEDS

DECISIONS = ROOT / "docs" / "curation-decisions.md"
MODELLING = SHARED / "MODELLING.md"
pytestmark = pytest.mark.seeds  # 'kg check' runs these
CITATION = re.compile(r"docs/curation-decisions\.md #(\d+)")

COLUMN = {"www.wikidata.org": 3, "dbpedia.org": 4, "sws.geonames.org": 5}
"""Target host → the column of §2's table (#, entity, Arabic forms, Wikidata, DBpedia, GeoNames, evidence)."""


def rows_of(text: str, heading: str) -> dict[int, list[str]]:
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].isdigit():
            rows[int(cells[0])] = cells[1:]
    return rows


@cache
def table_rows() -> dict[int, list[str]]:
    return rows_of(DECISIONS.read_text(encoding="utf-8"), "## Verified identifiers")


def links() -> list[dict]:
    return yaml.safe_load((SHIPPED_SEEDS / "links.yaml").read_text(encoding="utf-8"))["links"]


@cache
def entity_words(key: str) -> frozenset[str]:
    """The words of an entity's English labels, as entities.yaml declares them."""
    declared = yaml.safe_load((SHIPPED_SEEDS / "entities.yaml").read_text(encoding="utf-8"))["entities"]
    entity = next(e for e in declared if e["key"] == key)
    names = [entity["label"]["en"], *(entity.get("alt") or {}).get("en", [])]
    return frozenset(w for name in names for w in re.findall(r"\w+", name.lower()))


def identifier(target: str) -> str:
    """How §2 writes the target: ``wd:Q846``, ``dbr:Qatar``, GeoNames ``99237``."""
    if "wikidata.org" in target:
        return "wd:" + target.rsplit("/", 1)[1]
    if "dbpedia.org" in target:
        return "dbr:" + target.rsplit("/", 1)[1]
    return target.rstrip("/").rsplit("/", 1)[1]


def test_the_table_is_read() -> None:
    rows = table_rows()
    assert len(rows) >= 20 and "wd:Q846" in rows[1][2]


@pytest.mark.skipif(not MODELLING.is_file(), reason=NO_SHARED)
def test_the_table_in_docs_is_the_researchs() -> None:
    """The docs carry the research table row for row: no identifier, status or
    evidence was changed in bringing it into the project."""
    research = rows_of(MODELLING.read_text(encoding="utf-8"), "## 2. Entity identifiers for linking")
    assert table_rows() == research


def test_every_link_cites_a_row() -> None:
    """Not one link rests on memory: each names its row (or, if one ever does
    not, the test above it skips that link saying so; today none)."""
    assert all(CITATION.search(link["source"]) for link in links())


@pytest.mark.parametrize("link", links(), ids=lambda link: f"{link['entity']}→{link['target']}")
def test_every_link_is_one_the_research_verified_for_that_entity(link: dict) -> None:
    m = CITATION.search(link["source"])
    if not m:  # verified elsewhere, by the source it names: nothing here to check it against
        pytest.skip(f"{link['entity']} → {link['target']} cites {link['source']!r}, not a row of docs/curation-decisions.md")
    row = table_rows()[int(m.group(1))]
    # the row is about this entity: its name (before any "(…)" or "/") and the entity's labels share all words one way
    row_words = set(re.findall(r"\w+", re.split(r"[(/]", row[0])[0].lower()))
    ours = entity_words(link["entity"])
    assert row_words <= ours or ours <= row_words, f"row #{m.group(1)} is {row[0]!r}, not {link['entity']}"
    host = re.match(r"https?://([^/]+)/", link["target"]).group(1)  # type: ignore[union-attr]
    cell = row[COLUMN[host] - 1]
    ident = identifier(link["target"])
    # the identifier itself (not a longer one it begins), then ✔ before anything else is said of it
    found = re.search(rf"(?<![\w]){re.escape(ident)}(?![\w])`?\s*(?P<mark>\S*)", cell)
    assert found and found.group("mark").startswith("✔"), \
        f"{ident} is not marked verified in row #{m.group(1)} ({row[0]}): {cell!r}"
    assert "CONFLICT" not in cell, cell


def test_what_the_research_calls_conflicting_or_unverified_is_not_linked() -> None:
    """Stoltenberg's two candidate QIDs, and every QID of a row marked UNVERIFIED, are absent."""
    targets = {link["target"] for link in links()}
    for row in table_rows().values():
        wikidata = row[2]
        if "UNVERIFIED" in wikidata or "CONFLICT" in wikidata:
            for qid in re.findall(r"Q\d+", wikidata):
                assert f"http://www.wikidata.org/entity/{qid}" not in targets, (row[0], qid)
