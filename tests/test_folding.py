"""kg.folding: the one notion of "the same words" the curation tools and the
readers' search share."""

from __future__ import annotations

import pytest

from kg.folding import distance, fold, fold_map, fold_words, score, score_folded


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("احمد", "أحمد"),  # hamza on alef
        ("اسلحة", "إسلحة"),  # hamza under alef
        ("الان", "الآن"),  # madda
        ("مبادره", "مبادرة"),  # taa marbuta / ha
        ("علي", "على"),  # alef maqsura / ya
        ("مسؤول", "مسوول"),  # hamza on waw
        ("مُبَادَرَة", "مبادرة"),  # harakat
        ("مـبـادرة", "مبادرة"),  # tatweel
        ("«الناتو»", "“الناتو”"),  # quote-mark styles
        ("حلف  شمال\nالأطلسي", "حلف شمال الأطلسي"),  # whitespace runs
        ("٢٠٠٥", "2005"),  # Arabic-Indic digits
        ("STOLTENBÉRG", "stoltenberg"),  # case and accents
        ("ﻗﻄﺮ", "قطر"),  # presentation forms
    ],
)
def test_variants_fold_together(typed: str, written: str) -> None:
    assert fold(typed) == fold(written)


def test_distinct_words_stay_distinct() -> None:
    assert fold("قطر") != fold("مطر")
    assert fold("Doha") != fold("Dohar")


def test_fold_map_points_back_at_the_original() -> None:
    text = "قال «الأمين» العام"
    folded, origin = fold_map(text)
    start = folded.index("الامين")
    end = start + len("الامين") - 1
    assert text[origin[start]: origin[end] + 1] == "الأمين"
    assert len(origin) == len(folded)


def test_spelling_variants_score_above_noise() -> None:
    assert score("شتولتنبرغ", "ينس ستولتنبرغ") > 0.7
    assert score("Stoltenburg", "Jens Stoltenberg") > 0.7
    assert score("Doha", "Jens Stoltenberg") < 0.3
    assert score("Doha", "Doha") == 1.0 > score("Doh", "Doha") > score("Dohx", "Doha")
    assert distance("الدوحه", "الدوحة") == 0


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("secretary general", "Secretary-General"),
        ("qatar nato cooperation", "Qatar–NATO cooperation"),
        ("ipcp", "(IPCP)"),
        ("الناتو", "«الناتو»،"),  # Arabic comma and guillemets
        ("قطر تؤكد", "قطر، تؤكد"),
    ],
)
def test_fold_words_breaks_at_punctuation(typed: str, written: str) -> None:
    assert fold_words(typed) == fold_words(written)
    assert fold("Secretary-General") == "secretary-general"  # quotes and curation keep their hyphens


def test_score_folded_is_score_on_folded_text() -> None:
    for q, label in (("شتولتنبرغ", "ينس ستولتنبرغ"), ("Doh", "Doha"), ("nato", "NATO headquarters"), ("x", "")):
        assert score_folded(fold(q), fold(label)) == score(q, label)


@pytest.mark.parametrize("text", ["  «حلف   شمال»\\n الأطلسي ", "ﻗﻄﺮ٢٠٠٥ STOLTENBÉRG", "", "   ", "مـُبَادَرَة\u200c ‹x›"])
def test_fold_is_fold_map_without_offsets(text: str) -> None:
    assert fold(text) == fold_map(text)[0]
