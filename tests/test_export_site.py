"""``kg export-site``: Debian's nginx serving the export answers as ``kg serve`` does.

A real uvicorn (``kg serve``'s app) and a real nginx (the generated
configuration, a temporary prefix, a free loopback port) side by side: for a
sample of resources — pages, documents, redirects, in each format and each
language — nginx gives the same status, body bytes and key headers. What
nginx can decide exactly is served from the files (seen from its header
names' spelling: proxied answers keep uvicorn's lower case); the rest — a
q-value list, an Accept-Language naming ours late, ``Accept-Datetime``,
SPARQL — is proxied to ``kg serve`` and is equal too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live import free_port, plain_client, serve_settings

from kg.cli import main
from kg.config import Settings
from kg.release.directory import Release
from kg.web.export_site import resource_paths

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
pytestmark = [pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx; .ci/run does)"),
              pytest.mark.slow]  # exports every page of the release (minutes on a busy 2-core machine)

KEY_HEADERS = ("content-type", "link", "vary", "content-language", "etag", "location", "content-location", "set-cookie",
               "cache-control", "last-modified", "content-security-policy", "x-frame-options", "x-content-type-options",
               "referrer-policy", "memento-datetime")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
STATIC_VARIANTS: list[dict[str, str]] = [
    {},
    {"Accept": "*/*"},
    {"Accept": BROWSER, "Accept-Language": "ar,en;q=0.5"},
    {"Accept": BROWSER, "Accept-Language": "en-US,en;q=0.9"},
    {"Accept": "text/html", "Cookie": "lang=ar"},
    {"Accept": "text/turtle"},
    {"Accept": "application/ld+json"},
    {"Accept": "application/json"},
    {"Accept": "application/n-triples"},
    {"Accept": "application/rdf+xml"},
]
PROXIED_VARIANTS: list[dict[str, str]] = [
    {"Accept": "text/turtle;q=0.5, application/rdf+xml"},
    {"Accept": "text/html", "Accept-Language": "fr, ar;q=0.8"},
    {"Accept": "image/png"},
    {"Accept-Datetime": "Thu, 01 Jan 2099 00:00:00 GMT"},
]


PAGE_SIZE = 200
"""Items a page (the default is 50), for both servers: the housekeeping graphs still take several
pages each, and the export has a quarter as many of their files to write and to compare."""


def wait_for(port: int, proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.stderr.read() if proc.stderr else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start")


@pytest.fixture(scope="module")
def sites(release: Release, release_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """(kg serve, nginx over the export, the export's directory)."""
    out = tmp_path_factory.mktemp("export")
    with serve_settings(release_settings.with_(query_workers=1, page_size=PAGE_SIZE)) as app_url, pytest.MonkeyPatch.context() as env:
        env.setenv("KG_PAGE_SIZE", str(PAGE_SIZE))  # kg export-site's settings, as kg serve's
        port = free_port()
        code = main(["--seeds", str(release_settings.seeds_dir), "--var", str(release_settings.var_dir), "export-site", str(out),
                     "--listen", f"127.0.0.1:{port}", "--upstream", app_url, "--quiet"])
        assert code == 0
        # as root, nginx's workers would run as nobody, who cannot read pytest's private temporary directory
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        proc = subprocess.Popen([str(NGINX), "-p", str(out / "nginx"), "-c", "nginx.conf", "-g", directives],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(port, proc)
            yield app_url, f"http://127.0.0.1:{port}", out
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def sample(release: Release) -> list[str]:
    docs = list(resource_paths(release))
    article = release.meta["articles"][0]["id"]
    picked = docs[:: max(1, len(docs) // 8)]
    return ["/", "/types/", "/types/foaf:Person", "/doc/state/qat", "/doc/state/qat.ttl", "/doc/state/qat.html",
            "/doc/state/qat?lang=ar", "/doc/state/qat?lang=en", "/id/state/qat", f"/doc/article/{article}",
            f"/id/article/{article}", "/ontology", "/ontology.nt", "/shapes", "/dataset", "/dataset.jsonld",
            "/.well-known/void", "/graph/entities", "/context.jsonld", "/robots.txt", "/sitemap.xml", "/static/style.css",
            *picked, *("/id/" + d[len("/doc/"):] for d in picked[:4])]


CLIENT = plain_client(**{"Accept-Encoding": "identity"})
"""Identity-coded: the export holds the identity representations (kg serve's gzip
ones, with their own ETags, are tested in test_compression.py)."""


def fetch(url: str, method: str = "GET", **headers: str) -> httpx.Response:
    return CLIENT.request(method, url, headers=headers)


def static(r: httpx.Response) -> bool:
    """Served from the files: nginx's own spelling of the repeated headers (a proxied answer keeps uvicorn's)."""
    names = {k for k, _ in r.headers.raw}
    return b"Vary" in names or b"Location" in names


def assert_same(served: httpx.Response, exported: httpx.Response, what: str) -> None:
    assert exported.status_code == served.status_code, what
    assert exported.content == served.content, what
    def own(r: httpx.Response, name: str) -> str | None:  # absolute links name the origin each was reached at
        value = r.headers.get(name)
        origin = f"{r.request.url.scheme}://{r.request.url.netloc.decode()}"
        return None if value is None else value.replace(origin, "ORIGIN")

    for name in KEY_HEADERS:
        if name == "last-modified" and name not in served.headers:
            continue  # nginx dates every file; kg serve does not date robots.txt
        assert own(exported, name) == own(served, name), f"{what}: {name}"


def test_nginx_serves_the_export_as_kg_serve_does(sites: tuple[str, str, Path], release: Release) -> None:
    app, nginx, _ = sites
    from_files = 0
    for path in sample(release):
        for n, headers in enumerate(STATIC_VARIANTS):
            for method in ("GET", "HEAD") if n in (0, 2) else ("GET",):
                served, exported = fetch(app + path, method, **headers), fetch(nginx + path, method, **headers)
                assert_same(served, exported, f"{method} {path} {headers}")
                # a browser's Accept is decided by nginx where the answer is a page; else (a document
                # without HTML, e.g. /.well-known/void) kg serve picks among */*'s types
                decided = headers.get("Accept") != BROWSER or served.headers.get("content-type", "").startswith("text/html")
                if served.status_code in (200, 303) and decided:
                    assert static(exported), f"{path} {headers} was not served from the files"
                    from_files += 1
    assert from_files > 100


def test_what_nginx_cannot_decide_goes_to_kg_serve(sites: tuple[str, str, Path]) -> None:
    app, nginx, _ = sites
    for path in ("/doc/state/qat", "/id/state/qat", "/.well-known/void"):
        for headers in PROXIED_VARIANTS:
            served, exported = fetch(app + path, **headers), fetch(nginx + path, **headers)
            assert_same(served, exported, f"{path} {headers}")
            if "Accept-Datetime" in headers or not path.startswith("/id/"):  # a 303 is the same whatever the Accept
                assert not static(exported), f"{path} {headers}"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    served = fetch(f"{app}/sparql?query={query}", Accept="application/sparql-results+json")
    exported = fetch(f"{nginx}/sparql?query={query}", Accept="application/sparql-results+json")
    assert exported.status_code == served.status_code == 200 and exported.json() == served.json()
    assert fetch(f"{nginx}/search?q=Qatar", Accept="application/json").json() == fetch(f"{app}/search?q=Qatar", Accept="application/json").json()


def test_conditional_requests_on_the_export(sites: tuple[str, str, Path]) -> None:
    _, nginx, _ = sites
    for path, headers in (("/doc/state/qat", {"Accept": "text/turtle"}), ("/doc/state/qat", {"Accept-Language": "ar"}),
                          ("/ontology.ttl", {})):
        first = fetch(nginx + path, **headers)
        etag = first.headers["etag"]
        assert first.status_code == 200 and not etag.startswith("W/")
        for inm in (etag, f'"other", {etag}', f"W/{etag}", "*"):
            again = fetch(nginx + path, **headers, **{"If-None-Match": inm})
            assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag, inm
        assert fetch(nginx + path, **headers, **{"If-None-Match": '"other"'}).status_code == 200
        assert fetch(nginx + path, **headers, **{"If-Modified-Since": first.headers["last-modified"]}).status_code == 304


def test_the_export_is_flat_files_and_maps(sites: tuple[str, str, Path]) -> None:
    _, _, out = sites
    conf = (out / "nginx" / "kg-site.conf").read_text()
    assert "proxy_pass" in conf and "text/turtle" in conf
    files = [p for p in (out / "_kg_export").rglob("*") if p.is_file()]
    assert len(files) == len((out / "nginx" / "files.map").read_text(encoding="utf-8").splitlines())
    assert any(p.name.startswith("qat@.html-ar.") for p in files) and any(p.name.startswith("qat@lang=ar.html-ar.") for p in files)
