"""Every interface string of the pages, in both languages: the page chrome
(``UI``) and the reference-work and query pages (``PAGE_UI``), merged into
``t`` for every template (``kg.web.render.strings``). Arabic strings are written for Arabic readers,
not word for word; technical names (SPARQL, VoID, CSV) stay in Latin script.
"""

from __future__ import annotations

PAGE_UI: dict[str, dict[str, str]] = {
    "en": {
        "what_sources_say": "What the sources say", "events_of": "Events", "participants": "Who took part",
        "role": "Role", "date": "Date", "event": "Event", "place": "Place", "venue": "venue",
        "identifiers": "Identifiers", "iri": "IRI", "also_known_as": "Also known as",
        "read_in_article": "Read it in the article", "fact_record": "fact record", "claim_record": "claim record",
        "publisher": "Publisher", "original": "Original", "not_article": "Not the article",
        "not_article_hint": "dimmed words are the site's own (navigation, file names, the comment form), marked by the curator; the text and its offsets are unchanged.",
        "entities_are": ("Entities: the people, states, organisations, places, events and other things the facts are about "
                         "(facts, claims and articles are counted apart)."),
        "inferred": "inferred by the curator from context",
        "raw": "All statements (RDF)", "raw_hint": "The statements behind this page, as the dataset holds them.",
        "timeline": "Timeline of events", "main_entities": "Main entities",
        "undated": "undated", "no_later_than": "no later than", "since": "since", "facts_cut": "Only the first facts are shown; query the SPARQL endpoint for all of them.",
        "sentence_other": "In Arabic", "quote": "Quote", "see_fact": "see",
        # query page
        "sparql_title": "SPARQL query", "endpoint": "Endpoint", "protocol": "SPARQL 1.1 Protocol: GET or POST",
        "release": "Release", "read_only": "Read-only; no SERVICE.", "limits": "Limits",
        "limits_text": "{timeout} s per query, {rows} rows, {chars} characters.",
        "query_label": "Query", "results_as": "Results as", "run": "Run query", "results": "Results",
        "table_here": "table (this page)", "graph_only": "CONSTRUCT/DESCRIBE", "examples": "Examples",
        "no_examples": "No example queries configured.", "service_description": "Service description",
        "download": "Download",
        "truncated_rows": "Truncated: only the first {rows} rows are shown (the response carries X-KG-Truncated: true). Narrow the query or use LIMIT/OFFSET.",
        "truncation_text": ("Results longer than {rows} rows are cut and marked with the header X-KG-Truncated: true (and a head.link to "
                            "this section in SPARQL JSON). A query running past {timeout} s is stopped (503)."),
        "prefixes": "Prefixes declared for you", "prefixes_hint": "These prefixes may be used in the query without PREFIX lines; the full query is what the download links send.",
        "syntax_error": "Syntax error at {line}:{column} (line {line}, column {column})", "near": "near", "query_error": "The query was not run",
        "shortcut": "Ctrl+Enter runs the query.",
    },
    "ar": {
        "what_sources_say": "ما تقوله المصادر", "events_of": "الأحداث", "participants": "المشاركون",
        "role": "الدور", "date": "التاريخ", "event": "الحدث", "place": "المكان", "venue": "مكان الانعقاد",
        "identifiers": "المعرّفات", "iri": "المعرّف الدائم (IRI)", "also_known_as": "يُعرف أيضا باسم",
        "read_in_article": "اقرأه في المقال", "fact_record": "سجل الحقيقة", "claim_record": "سجل القول",
        "publisher": "الناشر", "original": "الأصل", "not_article": "ليس من المقال",
        "not_article_hint": "الكلمات الباهتة من الموقع نفسه (القوائم وأسماء الملفات ونموذج التعليق)، وقد علّمها المنسّق؛ ولم يتغير النص ولا مواضع أحرفه.",
        "entities_are": "الكيانات: الأشخاص والدول والمنظمات والأماكن والأحداث وسائر ما تتحدث عنه الحقائق (وتُعدّ الحقائق والأقوال والمقالات وحدها).", "inferred": "استنتجها المنسّق من السياق",
        "raw": "كل العبارات (RDF)", "raw_hint": "العبارات التي بُنيت عليها هذه الصفحة، كما هي في مجموعة البيانات.",
        "timeline": "الخط الزمني للأحداث", "main_entities": "أبرز الكيانات",
        "undated": "غير مؤرخ", "no_later_than": "في موعد أقصاه", "since": "منذ", "facts_cut": "تظهر الحقائق الأولى فقط؛ استعلم نقطة SPARQL للحصول عليها كلها.",
        "sentence_other": "بالإنجليزية", "quote": "الاقتباس", "see_fact": "انظر",
        # query page
        "sparql_title": "استعلام SPARQL", "endpoint": "نقطة الاستعلام", "protocol": "بروتوكول SPARQL 1.1: طلب GET أو POST",
        "release": "الإصدار", "read_only": "للقراءة فقط؛ دون SERVICE.", "limits": "الحدود",
        "limits_text": "{timeout} ثوان لكل استعلام، و{rows} صف، و{chars} حرف.",
        "query_label": "الاستعلام", "results_as": "النتائج بصيغة", "run": "نفّذ الاستعلام", "results": "النتائج",
        "table_here": "جدول (هذه الصفحة)", "graph_only": "لـ CONSTRUCT/DESCRIBE", "examples": "أمثلة",
        "no_examples": "لا توجد استعلامات أمثلة.", "service_description": "وصف الخدمة",
        "download": "تنزيل",
        "truncated_rows": "النتائج مقتطعة: تظهر أول {rows} صف فقط (ويحمل الرد الترويسة X-KG-Truncated: true). ضيّق الاستعلام أو استعمل LIMIT/OFFSET.",
        "truncation_text": ("تُقتطع النتائج التي تتجاوز {rows} صف وتُعلَّم بالترويسة X-KG-Truncated: true (وبرابط head.link إلى هذا القسم في SPARQL JSON). "
                            "ويوقَف الاستعلام الذي يتجاوز {timeout} ثوان (503)."),
        "prefixes": "البادئات المعرّفة مسبقا", "prefixes_hint": "يمكن استعمال هذه البادئات في الاستعلام دون أسطر PREFIX؛ وروابط التنزيل ترسل الاستعلام كاملا.",
        "syntax_error": "خطأ في الصياغة عند {line}:{column} (السطر {line}، العمود {column})", "near": "قرب", "query_error": "لم يُنفَّذ الاستعلام",
        "shortcut": "Ctrl+Enter ينفّذ الاستعلام.",
    },
}


# Page chrome in both languages; data labels are always shown in both.
UI: dict[str, dict[str, str]] = {
    "en": {
        "site": "Qatar–NATO knowledge graph", "home": "Home", "types": "Types", "articles": "Articles",
        "query": "SPARQL query", "dumps": "Downloads", "void": "Dataset description (VoID)",
        "ontology": "Ontology", "shapes": "Shapes", "type": "Type", "property": "Property", "value": "Value",
        "evidence": "Evidence", "statements": "Statements", "parts": "Parts", "incoming": "Links to this resource",
        "asserts": "What this statement asserts", "same_as": "The same thing elsewhere", "formats": "Other formats",
        "subject": "Subject", "more": "More links exist; query the SPARQL endpoint for all of them.",
        "not_found": "Not found", "not_found_text": "Nothing is known under this address.",
        "text": "Article text", "facts": "Facts and claims quoted from this article", "fact": "Fact",
        "curated": "curated record", "instances": "Instances", "count": "Count", "classes": "Classes",
        "properties": "Properties", "subclass_of": "Subclass of", "subproperty_of": "Subproperty of",
        "domain": "Domain", "range": "Range", "comment": "Comment", "file": "File", "size": "Size",
        "media_type": "Media type", "sha256": "SHA-256", "licence": "Licence", "language": "العربية",
        "entry_points": "Entry points", "triples": "Triples", "entities": "Entities", "facts_n": "Facts",
        "claims": "Claims", "published": "Published",
        "in_article": "in the article", "truncated": "This description was cut short.",
        "pages": "Pages", "page_of": "Page {n} of {last}", "previous_page": "Previous page", "next_page": "Next page",
        "showing": "{first}–{last} of {total}", "all_articles": "All articles", "latest_events": "Latest events",
        "newest_releases": "The {shown} newest of {total} releases are described here", "all_releases": "All releases",
        "paged_hint": "Long lists are shown a page at a time; the SPARQL endpoint and the downloads have everything at once.",
    },
    "ar": {
        "site": "الرسم المعرفي للتعاون بين قطر والناتو", "home": "الرئيسية", "types": "الأنواع", "articles": "المقالات",
        "query": "استعلام SPARQL", "dumps": "التنزيلات", "void": "وصف مجموعة البيانات (VoID)",
        "ontology": "الأنطولوجيا", "shapes": "الأشكال", "type": "النوع", "property": "الخاصية", "value": "القيمة",
        "evidence": "الدليل", "statements": "العبارات", "parts": "الأجزاء", "incoming": "روابط إلى هذا المورد",
        "asserts": "ما تقرره هذه العبارة", "same_as": "الشيء نفسه في مصادر أخرى", "formats": "صيغ أخرى",
        "subject": "الموضوع", "more": "توجد روابط أخرى؛ استعلم نقطة SPARQL للحصول عليها كلها.",
        "not_found": "غير موجود", "not_found_text": "لا يُعرف شيء تحت هذا العنوان.",
        "text": "نص المقال", "facts": "الحقائق والأقوال المقتبسة من هذا المقال", "fact": "حقيقة",
        "curated": "سجل منسّق", "instances": "الأمثلة", "count": "العدد", "classes": "الأصناف",
        "properties": "الخصائص", "subclass_of": "صنف فرعي من", "subproperty_of": "خاصية فرعية من",
        "domain": "المجال", "range": "المدى", "comment": "تعليق", "file": "الملف", "size": "الحجم",
        "media_type": "نوع الوسائط", "sha256": "SHA-256", "licence": "الترخيص", "language": "English",
        "entry_points": "نقاط الدخول", "triples": "الثلاثيات", "entities": "الكيانات", "facts_n": "الحقائق",
        "claims": "الأقوال المنسوبة", "published": "تاريخ النشر",
        "in_article": "في المقال", "truncated": "اقتُطع هذا الوصف.",
        "pages": "الصفحات", "page_of": "الصفحة {n} من {last}", "previous_page": "الصفحة السابقة", "next_page": "الصفحة التالية",
        "showing": "{first}–{last} من {total}", "all_articles": "كل المقالات", "latest_events": "أحدث الأحداث",
        "newest_releases": "يُوصف هنا أحدث {shown} من {total} إصدارات", "all_releases": "كل الإصدارات",
        "paged_hint": "تُعرض القوائم الطويلة صفحةً صفحة؛ وفي نقطة SPARQL والتنزيلات كل شيء دفعة واحدة.",
    },
}

__all__ = ["PAGE_UI", "UI"]
