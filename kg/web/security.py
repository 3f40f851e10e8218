"""Security headers on every response, and a size limit on request bodies.

Why one ASGI middleware rather than headers in each handler: a page added
later, an error page or a 404 for an unknown path gets the same protection
without anyone remembering to ask for it. Handlers that know better (the
linked-data pages set their own, stricter Content-Security-Policy in
``kg.web.render``) keep theirs: this only fills in what is missing.

- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``
  on everything (RDF dumps and query results included);
- on HTML: ``X-Frame-Options: DENY`` and a ``Content-Security-Policy``
  (``frame-ancestors 'none'``, no script or style except ``'self'`` and the
  inline blocks *of our own templates*, allowed by their SHA-256 — see
  ``template_hashes``); the API docs page gets its own policy (it loads
  Swagger UI from its CDN);
- a body larger than ``max_body_bytes`` is refused with 413 before it is
  read (``Content-Length``) or as soon as it grows past the limit (chunked),
  so a client cannot make us buffer megabytes to reach the query-length check.

Spec: https://www.w3.org/TR/CSP3/ ; https://fetch.spec.whatwg.org/#x-content-type-options-header
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from kg.config import Settings
from kg.errors import QueryTooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TEMPLATES = Path(__file__).resolve().parent / "templates"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
SWAGGER_CDN = "https://cdn.jsdelivr.net"

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
HTML_ONLY = {
    "x-frame-options": "DENY",
}


def sha256_source(text: str) -> str:
    """A CSP hash source for an inline block's exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def template_hashes(directory: Path = TEMPLATES) -> dict[str, list[str]]:
    """Hashes of the inline ``<script>``/``<style>`` blocks in our templates.

    Only blocks without template syntax count: their text is the same in
    every rendering, so the hash allows exactly that code. Anything a data
    value could inject is not in a template and stays blocked.
    """
    found: dict[str, list[str]] = {"script": [], "style": []}
    for path in sorted(directory.glob("*.html")):
        for m in _INLINE.finditer(path.read_text(encoding="utf-8")):
            body = m.group(2)
            if "{{" in body or "{%" in body:
                continue
            source = sha256_source(body)
            if source not in found[m.group(1).lower()]:
                found[m.group(1).lower()].append(source)
    return found


def page_policy(hashes: dict[str, list[str]]) -> str:
    """The policy for our HTML: nothing external, our own inline blocks by hash."""
    script = " ".join(["'self'", *hashes["script"]])  # our /static scripts (search.js) and our inline blocks
    style = " ".join(["'self'", *hashes["style"]])
    return (
        f"default-src 'none'; script-src {script}; connect-src 'self'; style-src {style}; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def docs_policy(app: FastAPI) -> str:
    """Swagger UI (``/api/docs``) loads its bundle from a CDN and starts it
    with one inline script: allow that CDN and that script's hash."""
    from fastapi.openapi.docs import get_swagger_ui_html

    html = bytes(get_swagger_ui_html(
        openapi_url=app.openapi_url or "", title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url, init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    ).body).decode("utf-8")
    inline = [sha256_source(m.group(2)) for m in _INLINE.finditer(html) if m.group(1).lower() == "script"]
    return (
        f"default-src 'none'; script-src {SWAGGER_CDN} {' '.join(inline)}; style-src {SWAGGER_CDN} 'unsafe-inline'; "
        "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def max_body_bytes(settings: Settings) -> int:
    """The largest request body we read: a query of ``max_query_length``
    characters, each as a percent-encoded 3-byte UTF-8 sequence (9 bytes),
    plus room for the other form fields (dataset IRIs, format)."""
    return 9 * settings.max_query_length + 16 * 1024


class SecurityMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``): streaming bodies pass through untouched."""

    def __init__(self, app: ASGIApp, *, page_csp: str, docs_path: str | None, docs_csp: str, max_body: int) -> None:
        self.app = app
        self.page_csp = page_csp
        self.docs_path = docs_path
        self.docs_csp = docs_csp
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.docs_csp if scope.get("path") == self.docs_path else self.page_csp
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = with_security_headers(list(message.get("headers", [])), csp)
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _too_large(send_with_headers, self.max_body)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise QueryTooLarge(f"request body is larger than {self.max_body} bytes")
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except QueryTooLarge:
            if started:  # nothing sensible to add to a response already under way
                raise
            await _too_large(send_with_headers, self.max_body)


def with_security_headers(headers: list[tuple[bytes, bytes]], csp: str) -> list[tuple[bytes, bytes]]:
    """``headers`` plus whichever of ours are missing (a handler's own win)."""
    present = {k for k, _ in headers}  # lower-case: ASGI says "header names must be lowercased"
    content_type = next((v for k, v in headers if k == b"content-type"), b"")
    html = content_type.lower().startswith(b"text/html")
    own = next((v for k, v in headers if k == b"content-security-policy"), b"") if html else b""
    framed = b"frame-ancestors" in own and b"frame-ancestors 'none'" not in own
    headers.extend(pair for pair in _ours(html, csp, framed) if pair[0] not in present)
    return headers


@lru_cache(maxsize=64)
def _ours(html: bool, csp: str, framed: bool) -> tuple[tuple[bytes, bytes], ...]:
    """Our headers for one kind of answer, encoded once (not on every response)."""
    extra = dict(ALWAYS)
    if html:
        extra.update(HTML_ONLY)
        extra["content-security-policy"] = csp
        if framed:
            del extra["x-frame-options"]  # a page meant to be framed (reconciliation preview) says where, by CSP
    return tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in extra.items())


def _content_length(scope: Scope) -> int | None:
    for k, v in scope.get("headers", []):
        if k.lower() == b"content-length":
            try:
                return int(v)
            except ValueError:
                return None  # the server rejects a malformed length itself
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = f"413 request body is larger than {limit} bytes\n".encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware (outermost of ours, so error responses get the headers too)."""
    app.add_middleware(
        SecurityMiddleware,
        page_csp=page_policy(template_hashes()),
        docs_path=app.docs_url,
        docs_csp=docs_policy(app),
        max_body=max_body_bytes(settings),
    )
