"""What every page and every RDF document share: the template environment,
the language of the page, response headers, and turning RDF terms into views.

HTML is rendered by Jinja2 with autoescaping on for every template, so a label
holding ``<script>`` shows as text. Pages need no script; the one they load
(``/static/search.js``, the search box's autocomplete) is ours, and the
Content-Security-Policy allows scripts from this origin only, never inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.rdf.formats import Format, negotiate, weighted
from kg.web import plurals
from kg.web.coding import add_vary
from kg.web.context import context
from kg.web.ui import PAGE_UI, UI
from kg.web.urls import CC_BY, Urls

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("en", "ar")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@lru_cache(maxsize=2)
def strings(lang: str) -> dict[str, str]:
    """Every interface string of a page in ``lang``: the chrome's and the reference pages'."""
    return {**UI[lang], **PAGE_UI[lang]}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One Jinja2 environment (immutable configuration), autoescaping everything."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return plurals.install(env)


def prepare() -> None:
    """Compile every template and load the plural rules now (≈ 0.2 s once per
    process), so no visitor's first page pays for them (called from the
    release's background warm-up, ``kg.web.pages.warm``)."""
    env = environment()
    for path in sorted(TEMPLATES.glob("*.html")):
        env.get_template(path.name)
    for lang in LANGUAGES:
        plurals.category(1, lang)


def get_urls(request: Request) -> Urls:
    """The app's URL builder, made once from the served release's base IRI."""
    ctx = context(request)
    if ctx.urls is None:
        ctx.urls = Urls(ctx.release.base_iri)
    return ctx.urls


def choose_language(request: Request) -> str:
    """``?lang=ar|en`` wins; else the ``lang`` cookie; else the Accept-Language q-values; else English."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get("lang")
    if remembered in LANGUAGES:
        return remembered
    return header_language(request.headers.get("accept-language"))


def header_language(accept_language: str | None) -> str:
    """The language an ``Accept-Language`` value asks for: the first of ours
    with the highest q; English when it names neither."""
    best, best_q = "en", 0.0
    for tag, q in weighted(accept_language):
        primary = tag.split("-")[0]
        if primary in LANGUAGES and (q > best_q):
            best, best_q = primary, q
    return best


def wants_html(request: Request) -> bool:
    return negotiate(request.headers.get("accept"), ["text/html", "text/plain"]) == "text/html"


def render_html(request: Request, template: str, context: dict, *, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    lang = choose_language(request)
    urls = get_urls(request)
    body = environment().get_template(template).render(
        lang=lang, dir="rtl" if lang == "ar" else "ltr", t=strings(lang), urls=urls, request_path=request.url.path,
        other_lang="ar" if lang == "en" else "en", licence=CC_BY, **context,
    )
    h = {**SECURITY_HEADERS, "Content-Language": lang}
    h.update(headers or {})
    h["Vary"] = add_vary(add_vary(h.get("Vary"), "Accept-Language"), "Cookie")
    response = HTMLResponse(body, status_code=status, headers=h)
    if request.query_params.get("lang") in LANGUAGES:  # the switch is remembered, no script needed
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


ERROR_OFFERED = ["text/plain", "text/html", "application/json"]
"""What an error can be answered as; a tie (``*/*``, as curl sends) goes to text."""


def error_response(request: Request, status: int, message: str, *, headers: dict[str, str] | None = None) -> Response:
    """Every error the site gives, in the form the client asked for: a page
    for a browser, JSON for a client that prefers it (datasette's
    ``{"ok": false, "error", "status", "title"}``), text for anyone else —
    a SPARQL client asking for results gets the parser's message as text."""
    h = {**(headers or {}), "Vary": add_vary((headers or {}).get("Vary"), "Accept")}
    title = HTTPStatus(status).phrase
    media = negotiate(request.headers.get("accept"), ERROR_OFFERED)
    if media == "text/html":
        return render_html(request, "error.html", {"status": status, "title": title, "message": message, "path": request.url.path},
                           status=status, headers=h)
    if media == "application/json":
        return JSONResponse({"ok": False, "error": message, "status": status, "title": title}, status_code=status, headers=h)
    return PlainTextResponse(f"{status} {message}\n", status_code=status, headers=h)


def not_found(request: Request) -> Response:
    """404 as a page for browsers, JSON for JSON clients, text for everyone else."""
    return error_response(request, 404, f"Not Found: {request.url.path}")


def link_header(urls: Urls, iri: str) -> str:
    """Alternates of a document, its licence and the dataset description (RFC 8288)."""
    links = [f'<{href}>; rel="alternate"; type="{fmt.media_type}"' for href, fmt in urls.variants(iri)]
    links.append(f'<{CC_BY}>; rel="license"')
    links.append(f'<{urls.void}>; rel="describedby"; type="text/turtle"')
    return ", ".join(links)


def rdf_response(body: bytes, fmt: Format, *, headers: dict[str, str]) -> Response:
    return Response(body, media_type=fmt.content_type, headers={"X-Content-Type-Options": "nosniff", **headers})


# -- RDF terms as things a template can show -------------------------------------
@dataclass(frozen=True)
class TermView:
    kind: str  # "iri" | "literal" | "bnode"
    text: str  # CURIE, IRI or literal value
    href: str | None = None
    en: str | None = None
    ar: str | None = None
    lang: str | None = None
    datatype: str | None = None
    external: bool = False

    @property
    def has_label(self) -> bool:
        return bool(self.en or self.ar)


class Viewer:
    """Turns terms into ``TermView``s with labels, CURIEs and local links."""

    def __init__(self, urls: Urls, prefixes: dict[str, str], labels: dict[str, dict[str, str]]) -> None:
        self.urls = urls
        self.labels = labels
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def curie(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def label_of(self, iri: str) -> dict[str, str]:
        found = self.labels.get(iri)
        if found:
            return found
        doc, _, frag = iri.partition("#")
        if frag and doc in self.labels:  # a fragment node: its document's label, then the part
            return {lang: f"{text} › {frag}" for lang, text in self.labels[doc].items()}
        return {}

    def term(self, t: object) -> TermView:
        if isinstance(t, ox.NamedNode):
            iri = t.value
            labels = self.label_of(iri)
            ours = iri.startswith(self.urls.base)
            return TermView("iri", self.curie(iri), href=self.urls.page(iri), en=labels.get("en"), ar=labels.get("ar"), external=not ours)
        if isinstance(t, ox.Literal):
            dt = t.datatype.value
            show_dt = None if t.language or dt.endswith("#string") else self.curie(dt)
            return TermView("literal", t.value, lang=t.language or None, datatype=show_dt)
        return TermView("bnode", str(t))

    def iri(self, iri: str) -> TermView:
        return self.term(ox.NamedNode(iri))
