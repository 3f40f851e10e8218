"""``article: not_article:`` (issue 23, item 3): a run of the seed text the
curator marks as not the article is found like a quote; a run that is not in
the text, or that holds words a fact quotes, is a problem naming file, line
and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_curation_errors import A, edit

from kg.curation.loader import load_corpus
from kg.errors import CurationError

RUN = "    - {text: 900x450_uploads201611211a6a8ce265, note: an image file name}"


def problems(seeds: Path) -> list:  # type: ignore[type-arg]
    with pytest.raises(CurationError) as info:
        load_corpus(seeds)
    return info.value.problems


def test_the_marked_runs_are_found(seeds_copy: Path) -> None:
    corpus = load_corpus(seeds_copy)
    art = next(a for a in corpus.articles if a.path.name == A)
    runs = [art.not_article[j] for j in sorted(art.not_article)]
    assert not any(k[0].startswith("#") for k in art.spans)  # quotes only
    assert len(runs) == 4
    assert art.text[runs[0].start:runs[0].end] == "تسجيل الدخول" and runs[0].start == 0
    assert art.text[runs[3].start:].rstrip() == art.text[runs[3].start:runs[3].end].rstrip()  # through the end: the comment policy


def test_a_run_not_in_the_text_names_file_line_and_field(seeds_copy: Path) -> None:
    line, _ = edit(seeds_copy / A, RUN, RUN.replace("900x450", "901x450"))
    found = problems(seeds_copy)
    assert len(found) == 1
    p = found[0]
    assert Path(p.path).name == A and p.line == line and p.field == "article.not_article[2]"
    assert "not found" in p.message


def test_a_run_holding_quoted_words_is_refused(seeds_copy: Path) -> None:
    quoted = "أكد سعادة الدكتور أحمد بن حسن الحمادي"
    edit(seeds_copy / A, RUN, RUN + f"\n    - {{text: {quoted}}}")
    found = problems(seeds_copy)
    assert len(found) == 1 and found[0].field == "article.not_article[3]"
    assert "as not the article" in found[0].message and "quotes" in found[0].message
