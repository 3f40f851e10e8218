"""``kg quote`` finds words typed with Arabic variants folded and prints the
exact text to paste; a quote the build cannot find shows the nearest passage
and the first differing character, in the article and in the YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.cli import main
from kg.curation.loader import load_corpus
from kg.curation.quote.folded import line_col
from kg.curation.quote.verbatim import locate
from kg.errors import CurationError

# Written for these tests, not a real article.
TEXT = (
    "قال سعادة الأمين العامّ إنّ «الناتو» يدعم مبادرةَ إسطنبول للتعاون على مستوى الخليج.\n"
    "وأكد أنَّ الحوار مـسـتـمـر مع “الشركاء” في مبادرة إسطنبول للتعاون.\n"
)


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    path = tmp_path / "seed.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def quote(path: Path, words: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    """Run the command; each hit as its reported line:column and the parsed paste line."""
    capsys.readouterr()
    assert main(["--seeds", str(path.parent), "quote", str(path), words]) == 0
    out = capsys.readouterr().out
    hits = []
    for block in out.split("\n[")[1:]:
        pos = block.split("line ", 1)[1].split(" (", 1)[0]
        line, col = (int(x) for x in pos.split(", column "))
        paste = next(ln for ln in block.splitlines() if ln.strip().startswith("paste:")).split("paste:", 1)[1]
        q = yaml.safe_load(paste)["quote"]
        hits.append({"line": line, "column": col, **({"text": q} if isinstance(q, str) else q)})
    return hits


@pytest.mark.parametrize(
    ("typed", "exact"),
    [
        ("الامين العام", "الأمين العامّ"),  # hamza, and the shadda after the last letter is kept
        ("مبادره اسطنبول للتعاون علي", "مبادرةَ إسطنبول للتعاون على"),  # taa marbuta, a haraka, hamza under alef
        ("علي مستوي", "على مستوى"),  # alef maqsura / yaa
        ("مستمر", "مـسـتـمـر"),  # tatweel
        ("الحَوار", "الحوار"),  # harakat typed, none written
        ('"الشركاء"', "“الشركاء”"),  # straight quotes typed, curly ones written
        ("«الناتو»", "«الناتو»"),
        ("ان الناتو", "إنّ «الناتو"),  # guillemet inside the words, not typed
        ("الحوار \n  مستمر", "الحوار مـسـتـمـر"),  # whitespace runs
    ],
)
def test_folded_words_give_the_exact_text_to_paste(seed: Path, capsys: pytest.CaptureFixture[str], typed: str, exact: str) -> None:
    [hit] = quote(seed, typed, capsys)
    assert hit["text"] == exact
    span = locate(TEXT, hit["text"], hit.get("occurrence"))  # what the build will do with the pasted value
    assert line_col(TEXT, span.start) == (hit["line"], hit["column"])


def test_occurrence_counts_verbatim_occurrences(seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Folded, 'مبادرة اسطنبول' is in both lines; verbatim, the two differ by a
    fatha, so each is the first of its kind and needs no 'occurrence'."""
    hits = quote(seed, "مبادرة اسطنبول", capsys)
    assert [h["text"] for h in hits] == ["مبادرةَ إسطنبول", "مبادرة إسطنبول"]
    assert all("occurrence" not in h for h in hits)
    twice = quote(seed, "للتعاون", capsys)
    assert [(h["text"], h["occurrence"], h["line"]) for h in twice] == [("للتعاون", 1, 1), ("للتعاون", 2, 2)]
    assert locate(TEXT, "للتعاون", 2).start == TEXT.rindex("للتعاون")


def test_a_yaml_file_stands_for_its_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import SEEDS

    capsys.readouterr()
    assert main(["--seeds", str(SEEDS), "quote", "000_35b9f4be7a1e8528.yaml", "مبادرة اسطنبول للتعاون"]) == 0
    assert "000_35b9f4be7a1e8528.txt" in capsys.readouterr().out


def test_words_nowhere_show_the_nearest_passage(seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--seeds", str(seed.parent), "quote", str(seed), "الحوار متواصل"]) == 3
    err = capsys.readouterr().err
    assert "not found, even with Arabic variants" in err
    # 'الحوار م' agrees, then the quote has 'ت' where the article has tatweel
    assert "first difference at quote character 9" in err and "U+062A ARABIC LETTER TEH" in err
    assert f"the article at 2:{TEXT.splitlines()[1].index('الحوار') + 9}" in err
    assert "nearest passage (article 2:" in err and "الحوار مـسـتـمـر" in err


ARTICLE_TEN = "وأوضح أن المادة الـ10 من معاهدة شمال الأطلسي لا تسمح إلا بانضمام الدول الأوروبية.\n"  # our own words


@pytest.mark.parametrize("typed", ["المادة الـ", "المادة الـ1", "الماده ال"])
def test_the_nearest_passage_never_stops_inside_a_word(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      typed: str) -> None:
    """Issue 22: the nearest passage ended «المادة الـ» where the article has
    «المادة الـ10»: the passage is whole words, however the quote's length cut it."""
    path = tmp_path / "ten.txt"
    path.write_bytes(ARTICLE_TEN.encode("utf-8"))
    capsys.readouterr()
    main(["--seeds", str(tmp_path), "quote", str(path), typed + "X"])  # X: nowhere in the text, so no hit
    err = capsys.readouterr().err
    passage = err.split("nearest passage", 1)[1].split("«", 1)[1].split("»", 1)[0]
    assert passage.startswith("المادة الـ10"), passage
    words = ARTICLE_TEN.split()
    assert all(w in words for w in passage.replace("…", "").split()), passage


def test_no_such_seed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seeds", str(tmp_path), "quote", "nope.txt", "قطر"]) == 3
    assert "nope.txt: SEED_FILE: no such file" in capsys.readouterr().err


# --- quote errors in the build ---------------------------------------------------------------

B = "001_8ef1d1eb9683969b"


def error_for(seeds: Path) -> CurationError:
    with pytest.raises(CurationError) as info:
        load_corpus(seeds)
    return info.value


def test_quote_error_points_at_the_differing_character_in_both_files(seeds_copy: Path) -> None:
    """A long quote with one hamza dropped near its end: the message names the
    YAML line:column of that character and the article's, and shows the passage
    around it, not a truncated start."""
    path = seeds_copy / f"{B}.yaml"
    src = path.read_text(encoding="utf-8")
    old = 'زيارة قام بها سعادته إلى مقر حلف شمال الأطلسي "الناتو"\''  # the end of a 223-character quote
    at = src.index(old) + old.index("إلى")
    path.write_text(src[:at] + "ا" + src[at + 1:], encoding="utf-8")
    err = error_for(seeds_copy)
    assert Path(err.path).name == f"{B}.yaml"
    assert (err.line, err.column) == line_col(src, at)
    text = (seeds_copy / f"{B}.txt").read_text(encoding="utf-8")
    t_at = text.index('زيارة قام بها سعادته إلى مقر حلف شمال الأطلسي "الناتو"') + len("زيارة قام بها سعادته ")
    a_line, a_col = line_col(text, t_at)
    assert f"the article at {a_line}:{a_col} has 'إ' U+0625" in err.message
    assert f"(YAML {err.line}:{err.column})" in err.message
    assert "the quote has 'ا' U+0627" in err.message
    assert "سعادته إلى مقر حلف" in err.message.split("nearest passage", 1)[1]  # the passage around the difference
    assert "it matches at" in err.message and "kg quote" in err.message
    assert str(err).startswith(f"{path}:{err.line}:{err.column}: facts[")


def test_quote_error_in_a_folded_block_scalar(seeds_copy: Path) -> None:
    """A quote written as a '>-' block over two lines: the difference is on the second line."""
    path = seeds_copy / f"{B}.yaml"
    src = path.read_text(encoding="utf-8")
    old = "quote: 'اجتمع سعادة الشيخ محمد بن عبدالرحمن آل ثاني نائب رئيس مجلس الوزراء وزير الخارجية، اليوم، مع سعادة السيد ينس"
    assert old in src
    line_start = src.rindex("\n", 0, src.index(old)) + 1
    indent = " " * (src.index(old) - line_start + 2)
    # the rest of the quote moves to a second line, with one letter changed there (ينس → يونس)
    new = "quote: >-\n" + indent + old[len("quote: '"):-len(" ينس")] + "\n" + indent + "يونس"
    path.write_text(src.replace(old, new, 1), encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    err = error_for(seeds_copy)
    second = edited.index("\n" + indent + "يونس") + 1 + len(indent) + 1  # the inserted 'و'
    assert (err.line, err.column) == line_col(edited, second)
    assert "the quote has 'و' U+0648" in err.message


def test_ambiguous_quote_lists_where_it_occurs(seeds_copy: Path) -> None:
    path = seeds_copy / "000_35b9f4be7a1e8528.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("quote: تقوية وتدعيم المشاورات السياسية}", "quote: إدارة الأزمات}", 1),
                    encoding="utf-8")
    err = error_for(seeds_copy)
    text = (seeds_copy / "000_35b9f4be7a1e8528.txt").read_text(encoding="utf-8")
    first = "%d:%d" % line_col(text, text.index("إدارة الأزمات"))
    assert "occurs 2 times" in err.message and first in err.message


# --- properties over arbitrary texts ---------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kg.curation.quote.folded import find_folded, nearest  # noqa: E402
from kg.folding import fold  # noqa: E402

_ALPHABET = st.sampled_from([*"اأإآبتةهىيوؤئءـَُِّ «»“”\"' \n\tقطرناو,.،", "\u200c", "ﻻ"])
_TEXTS = st.text(_ALPHABET, min_size=0, max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, _TEXTS)
def test_every_folded_hit_is_exact_text_the_build_accepts(text: str, words: str) -> None:
    for m in find_folded(text, words):
        assert text[m.start:m.end] == m.exact
        assert fold(words) in fold(m.exact)
        assert locate(text, m.exact, m.occurrence).start == m.start


@settings(max_examples=300, deadline=None)
@given(_TEXTS, _TEXTS)
def test_nearest_stays_inside_both_texts(text: str, quote: str) -> None:
    near = nearest(text, quote)
    if near is None:
        assert not fold(text) or not fold(quote)
        return
    assert 0 <= near.start <= near.text_index <= len(text)
    assert 0 <= near.quote_index <= len(quote) and near.start <= near.end <= len(text)
    if near.text_index >= near.quote_index:
        # everything before the reported difference agrees verbatim
        assert quote[:near.quote_index] == text[near.text_index - near.quote_index:near.text_index]


@pytest.mark.parametrize(
    ("doc", "target"),
    [
        ("facts:\n  - quote: قال إنّ الناتو\n", "الناتو"),
        ("facts:\n  - quote: 'قال ''إنّ'' الناتو'\n", "الناتو"),
        ('facts:\n  - quote: "قال \\"إنّ\\" الناتو"\n', "الناتو"),
        ("facts:\n  - quote: {text: قال إنّ الناتو, occurrence: 2}\n", "الناتو"),
        ("facts:\n  - quote:\n      - أول\n      - >-\n        قال إنّ\n        الناتو\n", "الناتو"),
    ],
    ids=["plain", "single-quoted", "double-quoted", "mapping", "folded-block-in-list"],
)
def test_yaml_position_of_a_quote_character(doc: str, target: str) -> None:
    from kg.curation.yamlpos import char_position

    loc: list[object] = ["facts", 0, "quote"] + ([1] if "- أول" in doc else [])
    value = yaml.safe_load(doc)["facts"][0]["quote"]
    value = value[1] if isinstance(value, list) else value["text"] if isinstance(value, dict) else value
    assert char_position(doc, loc, value.index(target)) == line_col(doc, doc.rindex(target))
