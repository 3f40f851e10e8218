"""Every curation problem of a run is reported together, each as
file:line:column: field: message — what to do (issue 14 item 4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import main
from kg.curation.loader import CorpusStream, load_corpus
from kg.errors import CurationError

A = "000_35b9f4be7a1e8528.yaml"
B = "001_8ef1d1eb9683969b.yaml"
LINE = re.compile(r"^kg: error: (?P<path>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<field>.+?): (?P<message>.+) \u2014 (?P<fix>.+)$")


def edit(path: Path, old: str, new: str) -> tuple[int, int]:
    """Replace the first ``old`` and return (line, column) of the replacement, 1-based."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    at = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[:at].count("\n") + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def problems(seeds: Path) -> CurationError:
    with pytest.raises(CurationError) as info:
        load_corpus(seeds)
    return info.value


def test_three_mistakes_in_one_file_are_all_reported_with_line_and_column(seeds_copy: Path) -> None:
    path = seeds_copy / A
    # 1: a bad date (a field error); 2: a misspelt key (an unknown reference);
    # 3: a quote that is not in the text (in a third, otherwise valid fact)
    date_at = edit(path, "since: 2005-02", "since: 2005-13")
    key_at = edit(path, "person: person/ahmed-al-hammadi", "person: person/ahmed-al-hamadi")
    quote_at = edit(path, "quote: ظلت تعمل على تطوير", "quote: ظلت تعمل على تطويرر")
    err = problems(seeds_copy)
    assert len(err.problems) == 3, str(err)
    by_field = {p.field.split(" ")[0]: p for p in err.problems}
    since = next(p for f, p in by_field.items() if f.endswith(".since"))
    person = next(p for f, p in by_field.items() if f.endswith(".person"))
    quote = next(p for f, p in by_field.items() if f.endswith(".quote"))
    for p in err.problems:
        assert Path(p.path).name == A and p.fix
    # positions: the value to correct (after 'since: ', 'person: ', 'quote: ')
    assert (since.line, since.column) == (date_at[0], date_at[1] + len("since: "))
    assert (person.line, person.column) == (key_at[0], key_at[1] + len("person: "))
    # a quote points at its first character that differs from the article (the extra 'ر')
    assert (quote.line, quote.column) == (quote_at[0], quote_at[1] + len("quote: ") + len("ظلت تعمل على تطوير"))
    assert "month out of range" in since.message and "YYYY-MM" in since.fix
    assert "unknown entity 'person/ahmed-al-hamadi'" in person.message
    assert "did you mean 'person/ahmed-al-hammadi'" in person.fix
    assert "not found verbatim" in quote.message and "copy the words" in quote.fix
    assert [p.line for p in err.problems] == sorted(p.line for p in err.problems)  # in the order of the file


def test_mistakes_in_several_files_come_in_one_run_in_file_order(seeds_copy: Path) -> None:
    edit(seeds_copy / B, "kind: holds_post", "kind: holds_office")
    edit(seeds_copy / A, "    inferred: true\n", "    infered: true\n")
    edit(seeds_copy / "links.yaml", "http://www.wikidata.org/entity/Q846", "https://www.wikidata.org/wiki/Q846")
    err = problems(seeds_copy)
    names = [Path(p.path).name for p in err.problems]
    assert names == [A, B, "links.yaml"], str(err)
    typo = err.problems[0]
    assert "Extra inputs" in typo.message and "did you mean 'inferred'" in typo.fix
    assert typo.column == 5  # the key itself, where the typo is
    assert "unknown kind" in err.problems[1].message and err.problems[1].field.startswith("facts[0].kind ")


def test_a_bad_fact_does_not_hide_a_duplicate_id_or_cascade(seeds_copy: Path) -> None:
    """A fact that fails validation is left out, the rest of the file is
    still checked; a bad entity still declares its key (no 'unknown entity' cascade)."""
    edit(seeds_copy / A, "date: 2016-11\n    place: place/doha", "date: 2016-13\n    place: place/doha")
    edit(seeds_copy / A, "id: qatar-nato-cooperation", "id: qatar-joins-ici")
    edit(seeds_copy / "entities.yaml", "key: person/jens-stoltenberg\n    type: Official", "key: person/jens-stoltenberg\n    type: Officer")
    err = problems(seeds_copy)
    messages = [p.message for p in err.problems]
    assert any("month out of range" in m for m in messages)
    assert any("duplicate fact/claim id 'qatar-joins-ici'" in m for m in messages)
    assert any("Officer" in m or "literal" in m.lower() or "Input should be" in m for m in messages)
    assert not any("unknown entity 'person/jens-stoltenberg'" in m for m in messages), str(err)
    assert len(err.problems) == 3, str(err)


def test_an_unparsable_file_is_one_problem_and_the_others_are_still_checked(seeds_copy: Path) -> None:
    (seeds_copy / B).write_text("article: [unclosed\n", encoding="utf-8")
    edit(seeds_copy / A, "since: 2005-02", "since: 2005-13")
    err = problems(seeds_copy)
    assert [Path(p.path).name for p in err.problems] == [A, B]
    yaml_problem = err.problems[1]
    assert yaml_problem.field == "yaml" and yaml_problem.line and yaml_problem.column and yaml_problem.fix
    # B's keys are unknown, so no 'unknown entity' noise is reported for A's uses of them
    assert len(err.problems) == 2, str(err)


def test_cli_prints_every_problem_then_a_count_and_exits_3(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(seeds_copy / A, "since: 2005-02", "since: 2005-13")
    edit(seeds_copy / A, "person: person/ahmed-al-hammadi", "person: person/ahmed-al-hamadi")
    edit(seeds_copy / B, "kind: holds_post", "kind: holds_office")
    for command in (["validate"], ["build", "--quiet"]):
        code = main(["--seeds", str(seeds_copy), "--var", str(tmp_path / "var"), *command])
        err = capsys.readouterr().err
        assert code == 3, err
        lines = [line for line in err.splitlines() if line.startswith("kg: error:")]
        assert len(lines) == 3, err
        for line in lines:
            m = LINE.match(line)
            assert m, line
            assert Path(m["path"]).parent == seeds_copy
            text_line = Path(m["path"]).read_text(encoding="utf-8").splitlines()[int(m["line"]) - 1]
            assert len(text_line) >= int(m["col"]) - 1
        assert "kg: 3 curation problems in 2 file(s); nothing was built" in err
        assert "Traceback" not in err
    assert not (tmp_path / "var" / "current").exists()


def test_an_article_using_another_articles_local_entity_is_warned(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """event/ici-cg-3 is declared in A's entities; B using it works, with a warning saying to move it."""
    at = edit(seeds_copy / B, "    event: event/2019-03-13-meeting\n    cooperation:", "    event: event/ici-cg-3\n    cooperation:")
    corpus = load_corpus(seeds_copy)
    assert len(corpus.warnings) == 1
    w = corpus.warnings[0]
    assert Path(w.path).name == B and w.severity == "warning"
    assert w.line == at[0] and w.column == at[1] + len("    event: ")
    assert A in w.message and "entities.yaml" in w.fix
    assert main(["--seeds", str(seeds_copy), "--var", str(tmp_path / "var"), "validate"]) in (0, 5)
    assert re.search(rf"warning: .*{B}:{at[0]}:\d+: .*'event/ici-cg-3' is local to {A}", capsys.readouterr().err)


def test_a_shared_entity_gives_no_warning() -> None:
    from conftest import SEEDS

    assert load_corpus(SEEDS).warnings == []


def test_the_stream_keeps_reading_after_a_bad_article(seeds_copy: Path) -> None:
    """The build's stream hands out the good articles and raises everything at finish()."""
    edit(seeds_copy / A, "since: 2005-02", "since: 2005-13")
    stream = CorpusStream(seeds_copy)
    good = [art.path.name for art in stream.articles()]
    assert good == [B, "002_cf2049b82e56d8e2.yaml"]
    with pytest.raises(CurationError) as info:
        stream.finish()
    assert [Path(p.path).name for p in info.value.problems] == [A]
