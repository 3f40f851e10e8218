"""Web safety against a real server over a release whose data is hostile:
an entity label holding ``<script>``, ``"`` and U+202E (RIGHT-TO-LEFT
OVERRIDE), another holding an ``<img onerror>``. Pages are parsed with
``html.parser``: no live script or event handler may appear, the text must
come back as text, bidi overrides must stay inside an isolating element.
Path traversal on every file-ish route, encoded every way, never reaches a
file outside the release. Security headers on HTML and on everything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from security_fixtures import ROOT, limited, live_server

from kg.config import Settings
from kg.release.build import build

BASE = "https://qatar-nato.example.org/"
SCRIPT_LABEL = '<script>alert(1)</script> "Syria" \u202eevil'
IMG_LABEL = "سوريا<img src=x onerror=alert(2)>"
SECRET = "kg-secret-token-7f3a91"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TEMPLATE_SCRIPTS = {
    m.group(1) for p in (ROOT / "kg" / "web" / "templates").glob("*.html")
    for m in re.finditer(r"<script>(.*?)</script>", p.read_text(encoding="utf-8"), re.DOTALL)
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    import shutil

    shutil.copytree(ROOT / "seeds", seeds)
    entities = seeds / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    old = "    label: {en: Syria, ar: سوريا}"
    assert text.count(old) == 1
    new = '    label: {en: "<script>alert(1)</script> \\"Syria\\" \\u202Eevil", ar: "سوريا<img src=x onerror=alert(2)>"}'
    entities.write_text(text.replace(old, new), encoding="utf-8")
    settings = limited(Settings(seeds_dir=seeds, var_dir=root / "var"))
    build(settings, progress=lambda _line: None)
    (root / "var" / "secret.txt").write_text(SECRET, encoding="utf-8")  # a file outside the release
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    with live_server(settings) as url:
        yield url, root


class Audit(HTMLParser):
    """What a browser would run or show: scripts, handlers, text and its bidi context."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.js_urls: list[str] = []
        self.script_srcs: list[str] = []  # <script src>: only our own file may appear
        self.texts: list[str] = []
        self.unisolated: list[str] = []
        self.data_blocks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.js_urls.append(value or "")
        if tag == "script" and "src" in dict(attrs):
            self.script_srcs.append(dict(attrs)["src"] or "")
        elif tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self.data_blocks.append("")  # structured data: never executed (kg.web.structured)
        elif tag == "script":
            self.scripts.append("")
        if tag not in VOID_TAGS:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        tags = [t for t, _ in self.stack]
        if tags and tags[-1] == "script" and self.stack[-1][1].get("type") == "application/ld+json":
            self.data_blocks[-1] += data
            return
        if tags and tags[-1] == "script":
            self.scripts[-1] += data
            return
        self.texts.append(data)
        if "\u202e" not in data:
            return
        if "title" in tags:  # no markup there: only FSI .. PDI can isolate it
            if any(data.rfind("\u2068", 0, i) < 0 or data.find("\u2069", i) < 0
                   for i, ch in enumerate(data) if ch == "\u202e"):
                self.unisolated.append(data)
        elif not any(t == "bdi" or "dir" in attrs for t, attrs in self.stack):
            self.unisolated.append(data)


def audit(response: httpx.Response) -> Audit:
    assert response.headers["content-type"].startswith("text/html")
    a = Audit()
    a.feed(response.text)
    a.close()
    assert a.handlers == [], a.handlers
    assert a.js_urls == []
    assert all(s in TEMPLATE_SCRIPTS for s in a.scripts), a.scripts
    assert set(a.script_srcs) <= {"/static/search.js"}, a.script_srcs  # the search box's, same origin
    assert len(a.data_blocks) <= 1 and all("<" not in d and json.loads(d) for d in a.data_blocks)  # JSON, nothing to break out with
    assert a.unisolated == [], a.unisolated
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in directive(csp, "script-src") and "'unsafe-eval'" not in csp
    return a


def directive(csp: str, name: str) -> str:
    for part in csp.split(";"):
        if part.strip().startswith(name + " "):
            return part.strip()
    return directive(csp, "default-src") if name != "default-src" else ""


HTML = {"Accept": "text/html"}


def test_entity_page_escapes_the_hostile_labels(hostile: tuple[str, Path]) -> None:
    url, _ = hostile
    r = httpx.get(f"{url}/id/state/syr", headers=HTML, follow_redirects=True, timeout=30)
    assert r.status_code == 200
    a = audit(r)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "&#34;Syria&#34;" in r.text or "&quot;Syria&quot;" in r.text
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    shown = "".join(a.texts)
    assert SCRIPT_LABEL in shown and IMG_LABEL in shown  # shown as text, character for character


def test_every_page_mentioning_the_entity_escapes_it(hostile: tuple[str, Path]) -> None:
    url, _ = hostile
    syr = BASE + "id/state/syr"
    q = f"SELECT DISTINCT ?s WHERE {{ ?s ?p <{syr}> FILTER(STRSTARTS(STR(?s), \"{BASE}id/\")) }} LIMIT 5"
    subjects = [b["s"]["value"] for b in httpx.get(f"{url}/sparql", params={"query": q, "format": "json"}, timeout=30).json()["results"]["bindings"]]
    pages = [s.replace(BASE + "id/", f"{url}/doc/") for s in subjects] + [f"{url}/types/qn:State", f"{url}/types/", f"{url}/",
             f"{url}/search?q=Syria", f"{url}/search?q=%3Cscript%3E", f"{url}/reconcile/preview?id=state/syr"]
    assert len(pages) > 3
    mentioned = 0
    for page in pages:
        r = httpx.get(page, headers=HTML, timeout=30)
        assert r.status_code == 200, page
        a = audit(r)
        mentioned += SCRIPT_LABEL in "".join(a.texts) or IMG_LABEL in "".join(a.texts)
    assert mentioned >= 4  # the search results and the reconciliation preview among them


def test_query_page_escapes_results_query_text_and_errors(hostile: tuple[str, Path]) -> None:
    url, _ = hostile
    labels = f"SELECT ?l WHERE {{ <{BASE}id/state/syr> ?p ?l FILTER(isLiteral(?l)) }}"
    r = httpx.get(f"{url}/sparql", params={"query": labels}, headers=HTML, timeout=30)
    a = audit(r)
    assert SCRIPT_LABEL in "".join(a.texts)
    echo = 'SELECT ("</textarea><script>alert(3)</script>" AS ?x) WHERE {}'
    r = httpx.get(f"{url}/sparql", params={"query": echo}, headers=HTML, timeout=30)
    a = audit(r)
    assert "alert(3)" not in "".join(a.scripts) and "&lt;/textarea&gt;&lt;script&gt;" in r.text
    broken = 'SELECT * WHERE { "<script>alert(4)</script>'
    r = httpx.get(f"{url}/sparql", params={"query": broken}, headers=HTML, timeout=30)
    assert r.status_code == 400
    a = audit(r)
    assert "alert(4)" not in "".join(a.scripts)


def test_not_found_page_escapes_the_path(hostile: tuple[str, Path]) -> None:
    url, _ = hostile
    r = httpx.get(f"{url}/no/such/%3Cscript%3Ealert(5)%3C%2Fscript%3E%22%E2%80%AE", headers=HTML, timeout=30)
    assert r.status_code == 404
    a = audit(r)
    assert "alert(5)" not in "".join(a.scripts)


# --- security headers ---------------------------------------------------------------------


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/", "/doc/state/qat", "/types/", "/sparql", "/dumps/", "/ontology", "/no/such/page", "/api/docs"])
def test_html_responses_carry_security_headers(hostile: tuple[str, Path], path: str) -> None:
    url, _ = hostile
    r = httpx.get(url + path, headers=HTML, timeout=30)
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    for name in ("x-content-type-options", "referrer-policy", "content-security-policy"):
        assert len(r.headers.get_list(name)) == 1, name  # added once, never beside a handler's own
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp or r.headers.get("x-frame-options") == "DENY"
    assert "base-uri 'none'" in csp
    assert directive(csp, "default-src") == "default-src 'none'"
    # every inline block the page really has is allowed by hash; nothing else is
    for tag in ("script", "style"):
        for body in re.findall(rf"<{tag}>(.*?)</{tag}>", r.text, re.DOTALL):
            assert sha256_source(body) in directive(csp, f"{tag}-src"), (path, tag)
        assert "'unsafe-inline'" not in directive(csp, f"{tag}-src") or path == "/api/docs"


def test_stylesheet_and_form_target_are_allowed_by_the_policy(hostile: tuple[str, Path]) -> None:
    url, _ = hostile
    page = httpx.get(url + "/", headers=HTML, timeout=30)
    csp = page.headers["content-security-policy"]
    assert "'self'" in directive(csp, "style-src")
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text):
        assert href.startswith("/")  # same origin, so 'self' covers it
        css = httpx.get(url + href, timeout=30)
        assert css.status_code == 200 and css.headers["x-content-type-options"] == "nosniff"
    sparql = httpx.get(url + "/sparql", headers=HTML, timeout=30)
    assert "form-action 'self'" in sparql.headers["content-security-policy"]
    assert re.search(r'<form[^>]*action="/sparql"', sparql.text)


@pytest.mark.parametrize(
    ("path", "params"),
    [("/sparql", {"query": "ASK {}", "format": "json"}), ("/dumps/dataset.nq", None), ("/doc/state/qat.ttl", None), ("/health", None)],
)
def test_non_html_responses_are_nosniff(hostile: tuple[str, Path], path: str, params: dict | None) -> None:
    url, _ = hostile
    r = httpx.get(url + path, params=params, timeout=30)
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert [len(r.headers.get_list(n)) for n in ("x-content-type-options", "referrer-policy")] == [1, 1]


# --- path traversal -------------------------------------------------------------------------


def fetch_raw(url: str, target: bytes) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


TRAVERSALS = [
    b"../secret.txt", b"../../secret.txt", b"../release.json", b"%2e%2e/secret.txt", b"%2e%2e%2fsecret.txt",
    b"%2e%2e%2f%2e%2e%2fsecret.txt", b"%252e%252e%252fsecret.txt", b"..%2fsecret.txt", b"..%2f..%2fsecret.txt",
    b"..%5csecret.txt", b"..\\..\\secret.txt", b"%2fetc%2fpasswd", b"/etc/passwd", b"%00", b"dataset.nq%00",
    b"dataset.nq%00.txt", b"dataset.nq\x00", b".%2e/.%2e/secret.txt", b"%c0%ae%c0%ae/secret.txt", b"....//secret.txt",
    b"release.json", b"SHA256SUMS/../release.json", b"~/secret.txt", b"C:%5cwindows%5cwin.ini",
]


def traversal_targets(prefix: bytes, root: Path) -> list[bytes]:
    absolute = str(root / "secret.txt").encode()
    return [prefix + t for t in TRAVERSALS] + [prefix + absolute, prefix + absolute.replace(b"/", b"%2f")]


def leaked(data: bytes) -> bool:
    return SECRET.encode() in data or b"root:x:0:0" in data or b'"sha256"' in data


@pytest.mark.parametrize("prefix", [b"/dumps/", b"/static/", b"/types/", b"/"])
def test_path_traversal_is_404_or_400(hostile: tuple[str, Path], prefix: bytes) -> None:
    url, root = hostile
    for target in traversal_targets(prefix, root):
        status, data = fetch_raw(url, target)
        assert status in (400, 404), (target, status)
        assert not leaked(data), target


@pytest.mark.parametrize("prefix", [b"/doc/", b"/id/", b"/graph/"])
def test_path_traversal_on_resource_paths_never_serves_a_file(hostile: tuple[str, Path], prefix: bytes) -> None:
    """Resource paths name IRIs, never files; whatever the status, nothing from disk comes back."""
    url, root = hostile
    for target in traversal_targets(prefix, root):
        status, data = fetch_raw(url, target)
        assert not 200 <= status < 400, (target, status)
        assert not leaked(data), target


@pytest.mark.parametrize("prefix", [b"/doc/", b"/id/", b"/graph/"])
def test_resource_paths_that_are_not_iris_are_404(hostile: tuple[str, Path], prefix: bytes) -> None:
    url, root = hostile
    for target in traversal_targets(prefix, root) + [prefix + t for t in (b"a%20b", b"%22", b"%3Cx%3E", b"%FF")]:
        status, _ = fetch_raw(url, target)
        assert status in (400, 404), (target, status)


def test_dumps_serve_listed_files_only(hostile: tuple[str, Path]) -> None:
    url, _ = hostile
    assert httpx.get(f"{url}/dumps/dataset.nq", timeout=30).status_code == 200  # the control: listed files work
    assert httpx.get(f"{url}/dumps/SHA256SUMS", timeout=30).status_code == 200
    for name in ("release.json", "secret.txt", ".build.lock", "DATASET.NQ"):
        assert httpx.get(f"{url}/dumps/{name}", timeout=30).status_code == 404, name
