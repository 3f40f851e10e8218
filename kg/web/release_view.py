"""The release pages in the reader's language: publication times written as
dates, change summaries as sentences, and the words of ``/releases``,
``/releases/{id}`` and ``/releases/{id}/changes`` in English and Arabic.

The RDF keeps its one English ``adms:versionNotes`` (``kg.release.history_rdf.notes``);
this is only how a page says it. Counted nouns come from ``kg.web.plurals``
(CLDR categories), dates from ``kg.web.sentences.format_date``.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.release.history import ReleaseInfo
from kg.web.plurals import noun

CATEGORY_NOUNS = {"facts": "facts", "claims": "claims", "entities": "entities", "articles": "articles", "triples": "triples"}

RELEASE_UI: dict[str, dict[str, str]] = {
    "en": {
        "releases": "Releases", "release": "Release", "intro": "Every published release, newest first. Each has a fixed id and files that never change: cite the id.",
        "id": "Release", "changes": "Changes", "current": "current", "pruned": "pruned", "status": "Status",
        "is_current": "the current release", "is_kept": "a past release; its files are kept",
        "pruned_on": "pruned on {when}: its files and past states are no longer served; this record is kept",
        "previous": "Previous release", "report": "Validation report (SHACL)", "what_changed": "What changed",
        "added": "added", "removed": "removed", "changed": "changed", "more": "… and {n} more: the JSON pages through all of them.",
        "facts": "Facts", "claims": "Claims", "entities": "Entities", "articles": "Articles", "triples": "Triples",
        "first": "First release: {facts}, {claims}, {entities}, {triples}.", "same": "No change in the data since release {previous}.",
        "since": "Since release {previous}: {parts}; triples +{added} −{removed}.", "none": "no facts, claims or entities changed",
        "part": "{what}: {added} added, {removed} removed, {changed} changed", "unrecorded": "Changes not recorded (published before the history was kept).",
        "utc": "UTC", "changes_page": "Changes in release {id}", "download_patch": "Download as RDF Patch",
        "what_changed_in": "What changed in each", "label": "name", "statements": "statements",
        "was": "was", "now": "now", "new": "new", "gone": "gone", "json": "JSON",
        "no_detail": "The statements that changed are not kept for this release (its files were pruned).",
        "detail_cut": "Only the first {n} changed things are shown in detail.",
    },
    "ar": {
        "releases": "الإصدارات", "release": "الإصدار", "intro": "كل إصدار منشور، الأحدث أولا. لكل إصدار معرّف ثابت وملفات لا تتغير أبدا؛ استشهد بالمعرّف.",
        "id": "المعرّف", "changes": "التغييرات", "current": "الحالي", "pruned": "محذوف", "status": "الحالة",
        "is_current": "الإصدار الحالي", "is_kept": "إصدار سابق، ملفاته متاحة",
        "pruned_on": "حُذف في {when}: لم تعد ملفاته وحالاته السابقة متاحة، ويبقى هذا السجل",
        "previous": "الإصدار السابق", "report": "تقرير التحقق (SHACL)", "what_changed": "ما الذي تغيّر",
        "added": "أضيف", "removed": "حُذف", "changed": "تغيّر", "more": "… و{n} غيرها: صيغة JSON تعرضها كلها صفحة بعد صفحة.",
        "facts": "الحقائق", "claims": "الأقوال المنسوبة", "entities": "الكيانات", "articles": "المقالات", "triples": "الثلاثيات",
        "first": "الإصدار الأول: {facts}، و{claims}، و{entities}، و{triples}.", "same": "لا تغيير في البيانات منذ الإصدار {previous}.",
        "since": "منذ الإصدار {previous}: {parts}؛ الثلاثيات +{added} −{removed}.", "none": "لم تتغير حقائق أو أقوال أو كيانات",
        "part": "{what}: أضيف {added}، وحُذف {removed}، وتغيّر {changed}", "unrecorded": "التغييرات غير مسجلة (نُشر قبل حفظ السجل).",
        "utc": "بالتوقيت العالمي", "changes_page": "التغييرات في الإصدار {id}", "download_patch": "تنزيل بصيغة RDF Patch",
        "what_changed_in": "ما الذي تغيّر في كل منها", "label": "الاسم", "statements": "العبارات",
        "was": "كان", "now": "صار", "new": "جديد", "gone": "محذوف", "json": "JSON",
        "no_detail": "العبارات التي تغيرت غير محفوظة لهذا الإصدار (حُذفت ملفاته).",
        "detail_cut": "تظهر تفاصيل أول {n} من الأشياء المتغيرة فقط.",
    },
}

_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2})?Z?")


def when(published: str | None, lang: str) -> str:
    """A publication time as the site writes dates: '7 December 2026, 00:31 UTC'."""
    from kg.web.sentences import format_date

    m = _TIME.fullmatch(published or "")
    if not m:
        return published or ""
    date = format_date(ox.Literal(m.group(1)), lang).replace(" ", "\u00a0")  # a date never wraps inside itself
    return f"{date}، {m.group(2)} {RELEASE_UI['ar']['utc']}" if lang == "ar" else f"{date}, {m.group(2)} UTC"


def counted(n: int, key: str, lang: str) -> str:
    return f"{n} {noun(n, CATEGORY_NOUNS[key], lang)}"


def notes(info: ReleaseInfo, lang: str) -> str:
    """The change summary as a sentence in ``lang`` (``kg.release.history_rdf.notes`` in words a reader reads)."""
    t, s = RELEASE_UI[lang], info.summary
    if not s:
        return t["unrecorded"]
    if not info.previous:
        return t["first"].format(**{k: counted(s[k]["added"], k, lang) for k in ("facts", "claims", "entities", "triples")})
    if not s["quads"]["added"] and not s["quads"]["removed"]:
        return t["same"].format(previous=info.previous)
    parts = [t["part"].format(what=t[c], **s[c]) for c in ("facts", "claims", "entities", "articles") if any(s[c].values())]
    joiner = "؛ " if lang == "ar" else "; "
    return t["since"].format(previous=info.previous, parts=joiner.join(parts or [t["none"]]),
                             added=s["triples"]["added"], removed=s["triples"]["removed"])


__all__ = ["RELEASE_UI", "counted", "notes", "when"]
