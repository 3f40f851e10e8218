"""Curation mistakes give one clear line naming file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import main
from kg.curation.loader import load_corpus
from kg.curation.quote.verbatim import QuoteNotFound, locate
from kg.errors import CurationError

A = "000_35b9f4be7a1e8528.yaml"
B = "001_8ef1d1eb9683969b.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace text and return the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def error_for(seeds: Path) -> CurationError:
    with pytest.raises(CurationError) as info:
        load_corpus(seeds)
    return info.value


def test_shipped_curation_loads() -> None:
    from conftest import SEEDS

    corpus = load_corpus(SEEDS)
    assert len(corpus.articles) == 3
    every_span = [s for a in corpus.articles for s in a.spans.values()]
    for art in corpus.articles:
        for span in art.spans.values():
            assert art.text[span.start:span.end] == span.exact
    assert len(every_span) > 60


def test_altered_quote_fails_with_file_line_and_fact_id(seeds_copy: Path) -> None:
    line = edit(seeds_copy / A, "قطر -كعضو في مبادرة اسطنبول للتعاون-", "قطر -كعضو في مبادرة إسطنبول للتعاون-")
    err = error_for(seeds_copy)
    assert Path(err.path).name == A
    assert err.line == line
    assert "qatar-joins-ici" in err.field and "quote" in err.field
    assert "not found verbatim" in err.message
    assert "hamza" in err.message  # the hint says why it almost matched


def test_ambiguous_quote_must_say_which_occurrence(seeds_copy: Path) -> None:
    edit(seeds_copy / A, "quote: تقوية وتدعيم المشاورات السياسية}", "quote: إدارة الأزمات}")
    err = error_for(seeds_copy)
    assert "occurs 2 times" in err.message and "occurrence" in err.message


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("since: 2005-02", "since: 2005-13", "since", "month out of range"),
        ("date: 2014-12", "date: December 2014", "date", "expected YYYY"),
        ("date: 2019-03-13\n    place: place/nato-hq\n    actors", "date: 2019-02-30\n    place: place/nato-hq\n    actors", "date", "day is out of range"),
        ("person: person/ahmed-al-hammadi", "person: person/ahmed-al-hamadi", "person", "unknown entity 'person/ahmed-al-hamadi'"),
        ("kind: holds_post", "kind: holds_office", "kind", "unknown kind"),
        ("    inferred: true\n    note: >-\n      The article says", "    inferred: true\n    infered: true\n    note: >-\n      The article says", "infered", "Extra inputs are not permitted"),
        ("id: qatar-nato-cooperation", "id: qatar-joins-ici", "id", "duplicate fact/claim id 'qatar-joins-ici'"),
        ("post: post/qat-mfa-secretary-general", "post: Secretary General", "post", "not an entity key"),
    ],
)
def test_malformed_fact_names_file_line_and_field(seeds_copy: Path, old: str, new: str, field: str, message: str) -> None:
    path = seeds_copy / (B if "2019-03-13\n" in old else A)
    line = edit(path, old, new)
    err = error_for(seeds_copy)
    assert Path(err.path).name == path.name
    assert err.line is not None and abs(err.line - line) <= 2, (err.line, line, str(err))
    assert field in err.field, str(err)
    assert message in err.message, str(err)


def test_broken_yaml_names_line(seeds_copy: Path) -> None:
    line = edit(seeds_copy / A, "  - id: qatar-joins-ici\n", "  - id: qatar-joins-ici\n   bad: [unclosed\n")
    err = error_for(seeds_copy)
    assert Path(err.path).name == A and err.field == "yaml"
    assert err.line is not None and line <= err.line <= line + 3


def test_duplicate_entity_key_names_both_places(seeds_copy: Path) -> None:
    edit(seeds_copy / B, "  - key: event/2019-03-13-visit\n    type: Visit\n", "  - key: place/doha\n    type: City\n")
    err = error_for(seeds_copy)
    assert "duplicate entity key 'place/doha'" in err.message and "entities.yaml:" in err.message


def test_unverified_link_form_is_rejected(seeds_copy: Path) -> None:
    line = edit(seeds_copy / "links.yaml", "http://www.wikidata.org/entity/Q846", "https://www.wikidata.org/wiki/Q846")
    err = error_for(seeds_copy)
    assert Path(err.path).name == "links.yaml" and err.line == line and "target" in err.field


def test_cli_prints_one_line_and_no_traceback(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(seeds_copy / A, "since: 2005-02", "since: 2005-13")
    code = main(["--seeds", str(seeds_copy), "--var", str(tmp_path / "var"), "build", "--quiet"])
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert re.match(rf"kg: error: .*{A}:\d+:\d+: facts\[\d+\]\.since \(id 'qatar-joins-ici'\): month out of range.* — write YYYY", lines[0])
    assert not (tmp_path / "var" / "current").exists()


def test_locate_returns_offsets_of_the_chosen_occurrence() -> None:
    text = "ab ــ cd ab"
    assert locate(text, "ab", 2).start == 9
    with pytest.raises(QuoteNotFound):
        locate(text, "ab")
    with pytest.raises(QuoteNotFound):
        locate(text, "ab", 3)
    span = locate(text, "ــ cd")
    assert (span.start, span.end, span.prefix, span.suffix) == (3, 8, "ab ", " ab")


@pytest.mark.parametrize("kind", ["article", "entities", "links"])
def test_published_json_schema_is_current(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Editors validate curated YAML against docs/schema/*.json; keep them in step with the models
    (regenerate with 'kg schema --write docs/schema'). The list of shared keys offered for
    autocompletion is left out of the comparison: a curator who adds an entity and forgets to
    regenerate gets fewer suggestions, never a wrong check, so adding an article fails no test."""
    import json

    from conftest import ROOT, SHIPPED_SEEDS

    def without_key_list(schema: dict) -> dict:
        schema.get("$defs", {}).get("SharedKey", {}).pop("enum", None)
        return schema

    assert main(["--seeds", str(SHIPPED_SEEDS), "schema", "--kind", kind]) == 0
    generated = without_key_list(json.loads(capsys.readouterr().out))
    published = without_key_list(json.loads((ROOT / "docs" / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")))
    assert generated == published


def test_one_membership_key_means_one_membership(seeds_copy: Path) -> None:
    edit(seeds_copy / B, "    membership: membership/qat-ici\n    member: state/qat", "    membership: membership/qat-ici\n    member: state/usa")
    err = error_for(seeds_copy)
    assert "membership/qat-ici" in err.message and A in err.message


def test_duplicate_yaml_key_is_refused_with_its_line(seeds_copy: Path) -> None:
    """The fast (libyaml) reader refuses duplicate keys as the round-trip one does."""
    line = edit(seeds_copy / A, "    person: person/ahmed-al-hammadi\n", "    person: person/ahmed-al-hammadi\n    person: person/jens-stoltenberg\n") + 1
    err = error_for(seeds_copy)
    assert err.field == "yaml" and "duplicate" in err.message
    assert err.line is not None and abs(err.line - line) <= 1


def test_a_value_opening_with_a_quote_mark_gets_its_own_fix(seeds_copy: Path) -> None:
    """``note: "تشارك" (is taking part) …``: YAML reads the quoted word as the value and stops at
    the rest; the fix says to quote the whole value, not the generic 'indentation, ':' …'."""
    line = edit(seeds_copy / A, "  - id: qatar-joins-ici\n", "  - id: qatar-joins-ici\n    note: \"تشارك\" (is taking part) is present tense\n")
    err = error_for(seeds_copy)
    assert Path(err.path).name == A and err.field == "yaml" and err.line in (line, line + 1)
    assert err.fix is not None and "quoted whole" in err.fix


def test_other_yaml_mistakes_keep_the_general_fix(seeds_copy: Path) -> None:
    edit(seeds_copy / A, "  - id: qatar-joins-ici\n", "  - id: qatar-joins-ici\n    note: present tense: ongoing\n")
    err = error_for(seeds_copy)
    assert err.field == "yaml" and err.fix is not None and "quoted whole" not in err.fix and "indentation" in err.fix
