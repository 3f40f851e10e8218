"""Counted nouns in both languages: "1 fact", "16 facts"; «حقيقتان»، «3 حقائق»، «16 حقيقة».

Why a table per plural category: Arabic has six (CLDR: zero, one, two, few
3–10, many 11–99, other 100+ and more), each with its own noun form, and one
form for every count reads as broken Arabic. Which category a number falls
in comes from Babel (the CLDR rules), not from rules written here; this module
holds only the words. A missing category falls back to ``other``.
"""

from __future__ import annotations

from functools import cache

import jinja2
from babel import Locale

NOUNS: dict[str, dict[str, dict[str, str]]] = {
    "triples": {"en": {"one": "triple", "other": "triples"},
                "ar": {"one": "ثلاثية", "two": "ثلاثيتان", "few": "ثلاثيات", "many": "ثلاثية", "other": "ثلاثية"}},
    "entities": {"en": {"one": "entity", "other": "entities"},
                 "ar": {"one": "كيان", "two": "كيانان", "few": "كيانات", "many": "كيانا", "other": "كيان"}},
    "facts": {"en": {"one": "fact", "other": "facts"},
              "ar": {"one": "حقيقة", "two": "حقيقتان", "few": "حقائق", "many": "حقيقة", "other": "حقيقة"}},
    "claims": {"en": {"one": "claim", "other": "claims"},
               "ar": {"one": "قول منسوب", "two": "قولان منسوبان", "few": "أقوال منسوبة", "many": "قولا منسوبا",
                      "other": "قول منسوب"}},
    "links": {"en": {"one": "link to Wikidata, DBpedia, GeoNames", "other": "links to Wikidata, DBpedia, GeoNames"},
              "ar": {"one": "رابط إلى ويكي بيانات وDBpedia وGeoNames", "two": "رابطان إلى ويكي بيانات وDBpedia وGeoNames",
                     "few": "روابط إلى ويكي بيانات وDBpedia وGeoNames", "many": "رابطا إلى ويكي بيانات وDBpedia وGeoNames",
                     "other": "رابط إلى ويكي بيانات وDBpedia وGeoNames"}},
    "articles": {"en": {"one": "article", "other": "articles"},
                 "ar": {"one": "مقال", "two": "مقالان", "few": "مقالات", "many": "مقالا", "other": "مقال"}},
    "results": {"en": {"one": "result", "other": "results"},
                "ar": {"one": "نتيجة", "two": "نتيجتان", "few": "نتائج", "many": "نتيجة", "other": "نتيجة"}},
    "rows": {"en": {"one": "row", "other": "rows"},
             "ar": {"one": "صف", "two": "صفان", "few": "صفوف", "many": "صفا", "other": "صف"}},
}
"""Noun forms shown after a number in digits."""

PHRASES: dict[str, dict[str, dict[str, str]]] = {
    "from_articles": {
        "en": {"one": "one Arabic news article", "other": "{n} Arabic news articles"},
        # after «من» (genitive): the dual and the singular say their number without a digit
        "ar": {"one": "مقال إخباري عربي واحد", "two": "مقالين إخباريين عربيين", "few": "{n} مقالات إخبارية عربية",
               "many": "{n} مقالا إخباريا عربيا", "other": "{n} مقال إخباري عربي"},
    },
}
"""Whole phrases, where Arabic drops the digit (one, two) and the noun agrees with the number."""
PHRASES["results"] = {
    "en": {"one": "1 result", "other": "{n} results"},
    "ar": {"one": "نتيجة واحدة", "two": "نتيجتان", "few": "{n} نتائج", "many": "{n} نتيجة", "other": "{n} نتيجة"},
}


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def category(n: int, lang: str) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (Babel's rules)."""
    return str(_locale(lang).plural_form(abs(int(n))))


def noun(n: int, key: str, lang: str) -> str:
    """The form of noun ``key`` that follows the number ``n``."""
    forms = NOUNS[key][lang]
    return forms.get(category(n, lang), forms["other"])


def phrase(n: int, key: str, lang: str) -> str:
    """A counted phrase with its number (or none, where the language says it with the noun)."""
    forms = PHRASES[key][lang]
    return forms.get(category(n, lang), forms["other"]).format(n=n)


def install(env: jinja2.Environment) -> jinja2.Environment:
    """``noun(n, key)`` and ``phrase(n, key)`` in templates, in the page's ``lang``
    (every environment rendering our templates installs them)."""
    env.globals["noun"] = jinja2.pass_context(lambda ctx, n, key: noun(n, key, ctx["lang"]))
    env.globals["phrase"] = jinja2.pass_context(lambda ctx, n, key: phrase(n, key, ctx["lang"]))
    return env


__all__ = ["NOUNS", "PHRASES", "category", "install", "noun", "phrase"]
