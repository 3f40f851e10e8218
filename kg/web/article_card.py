"""What an article page adds to the card and the text: who published it and
when (schema:publisher, schema:datePublished, the original's schema:url), and
the runs of the seed text the curator marked as not the article
(``qn:notArticleText``, from ``article: not_article:``), shown dimmed — the
text itself is unchanged, so every offset stays valid."""

from __future__ import annotations

import pyoxigraph as ox

from kg.query.describe import Description
from kg.rdf.vocab import vocabulary
from kg.web.render import Viewer
from kg.web.sentences import format_date

SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def article_card(view: Viewer, desc: Description, own: list[ox.Triple], lang: str) -> dict:
    """``publisher`` (a TermView), ``published_on`` (a date in words), ``original`` (the source URL)."""
    out: dict = {}
    for t in own:
        p = t.predicate.value
        if p == SCHEMA + "publisher" and isinstance(t.object, ox.NamedNode):
            out["publisher"] = view.term(t.object)
        elif p == SCHEMA + "datePublished" and isinstance(t.object, ox.Literal):
            out["published_on"] = {"text": format_date(t.object, lang), "datetime": t.object.value}
        elif p == SCHEMA + "url" and isinstance(t.object, ox.NamedNode):
            out["original"] = t.object.value
    return out


def not_article_runs(desc: Description, own: list[ox.Triple]) -> list[dict]:
    """(start, end, note) of each run marked as not the article, in text order."""
    runs = []
    not_article = vocabulary(desc.base).notArticleText
    for t in own:
        if t.predicate != not_article or not isinstance(t.object, ox.NamedNode):
            continue
        about = {u.predicate.value: u.object for u in desc.about(t.object.value)}
        start, end = about.get(OA + "start"), about.get(OA + "end")
        if isinstance(start, ox.Literal) and isinstance(end, ox.Literal):
            note = about.get(COMMENT)
            runs.append({"start": int(start.value), "end": int(end.value), "note": note.value if isinstance(note, ox.Literal) else ""})
    return sorted(runs, key=lambda r: r["start"])


__all__ = ["article_card", "not_article_runs"]
