"""``kg serve --server granian`` answers on the wire as ``kg serve`` on uvicorn does.

Both servers run as real ``kg serve`` processes on loopback on the test corpus's
release; a sample of requests of every kind (pages, documents, redirects,
conditional requests, gzip, HEAD, SPARQL in each results format, errors) must get
the same status, bytes and headers from each, but ``date`` and ``server``. Then
the two things Granian does differently: the app lives in a worker process, so
``SIGHUP`` must still switch to a new release, and ``SIGTERM`` must stop the
worker and its query processes. ``KG_TEST_SERVER=granian`` runs every in-thread
wire test on Granian too (README, "Run the tests").
"""

from __future__ import annotations

import gzip
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from security_fixtures import kg_serve_process
from test_reload import alive, relabel

from kg.config import Settings
from kg.release.build import build

pytestmark = pytest.mark.slow  # two kg serve processes, a build and a worker respawn

QUERY = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label LIMIT 20"
SAME_BUT = {"date", "server"}

REQUESTS: list[tuple[str, str, dict[str, str], dict[str, str] | None]] = [
    ("GET", "/", {"Accept": "text/html"}, None),
    ("GET", "/doc/alliance/nato", {"Accept": "text/html"}, None),
    ("GET", "/doc/alliance/nato", {"Accept": "text/html", "Accept-Encoding": "gzip"}, None),
    ("GET", "/doc/alliance/nato?lang=ar", {"Accept": "text/html"}, None),
    ("HEAD", "/doc/alliance/nato", {"Accept": "text/html"}, None),
    ("GET", "/id/alliance/nato", {"Accept": "text/turtle"}, None),
    ("GET", "/doc/alliance/nato.ttl", {}, None),
    ("GET", "/doc/alliance/nato", {"Accept": "application/ld+json"}, None),
    ("GET", "/.well-known/void", {"Accept": "text/turtle"}, None),
    ("GET", "/robots.txt", {}, None),
    ("GET", "/no/such/page", {"Accept": "text/html"}, None),
    ("GET", "/sparql?" + str(httpx.QueryParams({"query": QUERY})), {"Accept": "application/sparql-results+json"}, None),
    ("POST", "/sparql", {"Accept": "text/csv"}, {"query": QUERY}),
    ("POST", "/sparql", {"Accept": "application/sparql-results+xml", "Accept-Encoding": "gzip"}, {"query": QUERY}),
    ("POST", "/sparql", {"Accept": "text/tab-separated-values"}, {"query": QUERY}),
    ("POST", "/sparql", {"Accept": "application/sparql-results+json"}, {"query": "SELECT * WHERE { ?s ?p"}),
    ("GET", "/sparql", {"Accept": "text/turtle"}, None),
]


def _answer(client: httpx.Client, url: str, method: str, path: str, headers: dict[str, str],
            form: dict[str, str] | None) -> tuple[int, dict[str, str], bytes]:
    r = client.request(method, url + path, headers=headers, data=form)
    body = r.content
    kept = {k: v.replace(url, "URL") for k, v in r.headers.items() if k not in SAME_BUT}
    if url.encode() in body:  # a document naming the server's own URL (the service description): its ETag is of those bytes
        kept.pop("etag", None)
    return r.status_code, kept, body.replace(url.encode(), b"URL")


def _client() -> httpx.Client:
    """Identity unless a request asks gzip; ``content`` is then the decoded body, and
    the gzip test below reads the coded bytes."""
    return httpx.Client(timeout=60, follow_redirects=False, headers={"Accept-Encoding": "identity"})


def test_granian_answers_every_kind_of_request_as_uvicorn_does(release_settings: Settings) -> None:
    env = {"KG_SEEDS_DIR": str(release_settings.seeds_dir), "KG_QUERY_WORKERS": "1"}
    var = release_settings.var_dir
    with kg_serve_process(var, env=env) as (uv, _), kg_serve_process(var, env={**env, "KG_SERVER": "granian"}) as (gr, _):
        assert httpx.get(gr + "/robots.txt").headers["server"] == "granian"
        with _client() as client:
            for method, path, headers, form in REQUESTS:
                a = _answer(client, uv, method, path, headers, form)
                b = _answer(client, gr, method, path, headers, form)
                assert a[0] == b[0], (method, path, a[0], b[0])
                assert a[1] == b[1], (method, path)
                assert a[2] == b[2], (method, path)
            with client.stream("GET", gr + "/doc/alliance/nato", headers={"Accept": "text/html", "Accept-Encoding": "gzip"}) as nato:
                coded = b"".join(nato.iter_raw())  # the bytes on the wire
            assert nato.headers["content-encoding"] == "gzip" and b"NATO" in gzip.decompress(coded)
            assert int(nato.headers["content-length"]) == len(coded)
            again = client.get(gr + "/doc/alliance/nato", headers={"Accept": "text/html", "If-None-Match": nato.headers["etag"],
                                                                   "Accept-Encoding": "gzip"})
            assert again.status_code == 304 and again.content == b""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _descendants(pid: int) -> set[int]:
    """Every process under ``pid`` (from /proc: Granian's worker, its query processes)."""
    parents = {int(d.name): _parent(int(d.name)) for d in Path("/proc").iterdir() if d.name.isdigit()}
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _all_gone(pids: set[int], what: str) -> None:
    """Wait (30 s at most) until none of ``pids`` is alive (a zombie counts as gone: ``alive``)."""
    deadline = time.monotonic() + 30
    while [p for p in pids if alive(p)]:
        assert time.monotonic() < deadline, f"{what}: {[p for p in pids if alive(p)]}"
        time.sleep(0.2)


def test_granian_switches_on_sighup_and_stops_its_worker_on_sigterm(seeds_copy: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    settings = Settings(seeds_dir=seeds_copy, var_dir=var)
    first = build(settings, progress=lambda _: None)
    env = {"KG_SEEDS_DIR": str(seeds_copy), "KG_QUERY_WORKERS": "1", "KG_SERVER": "granian"}
    with kg_serve_process(var, env=env) as (url, proc):
        assert httpx.get(f"{url}/health", timeout=30).json()["release"] == first.id
        relabel(seeds_copy, "Qatar hup")
        second = build(settings, progress=lambda _: None)
        proc.send_signal(signal.SIGHUP)  # Granian starts a new worker, which opens var/current
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=30).json()["release"] == second.id:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "kg serve died on SIGHUP"
            assert time.monotonic() < deadline, "kg serve never switched"
            time.sleep(0.1)
        children = _descendants(proc.pid)
        assert children, "Granian's worker runs under kg serve"
        proc.terminate()
        assert proc.wait(timeout=60) is not None
    _all_gone(children, "left running after SIGTERM")


def test_a_second_server_on_the_same_port_is_refused(release_settings: Settings) -> None:
    """Granian binds with SO_REUSEPORT: without kg's check a second ``kg serve
    --server granian`` would share the port with the first and split its clients."""
    import subprocess
    import sys

    env = {"KG_SEEDS_DIR": str(release_settings.seeds_dir), "KG_QUERY_WORKERS": "1", "KG_SERVER": "granian"}
    with kg_serve_process(release_settings.var_dir, env=env) as (url, _):
        port = url.rsplit(":", 1)[1]
        second = subprocess.run([sys.executable, "-m", "kg", "--var", str(release_settings.var_dir), "serve", "--port", port],
                                env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
        assert second.returncode == 1, second.stderr[-500:]
        assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in second.stderr
        assert httpx.get(url + "/health", timeout=30).status_code == 200  # the first one still serves


def test_a_worker_that_will_not_stop_is_killed(release_settings: Settings) -> None:
    """A stopped (``SIGSTOP``) worker cannot act on ``SIGTERM``: Granian would join it
    for ever, and ``kg serve`` would never exit. It is killed ``stop_seconds`` later."""
    from kg.web.granian_serve import stop_seconds

    env = {"KG_SEEDS_DIR": str(release_settings.seeds_dir), "KG_QUERY_WORKERS": "1", "KG_SERVER": "granian",
           "KG_QUERY_TIMEOUT": "1"}
    with kg_serve_process(release_settings.var_dir, env=env) as (url, proc):
        assert httpx.get(url + "/health", timeout=30).status_code == 200
        below = _descendants(proc.pid)  # the worker and its query processes
        workers = {p for p in below if _parent(p) == proc.pid}
        assert workers, "Granian's worker runs under kg serve"
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        try:
            proc.terminate()
            started = time.monotonic()
            assert proc.wait(timeout=60) is not None
            assert time.monotonic() - started >= stop_seconds(Settings(query_timeout=1)) - 1  # it waited, then killed
        finally:
            for pid in workers:
                if alive(pid):
                    os.kill(pid, signal.SIGCONT)
    _all_gone(below, "left running")
