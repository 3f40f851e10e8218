"""Switching a running server to a new release (kg.web.reload).

Over the wire: a server built as ``kg serve`` builds it answers a steady
stream of mixed requests while ``kg build`` writes a different release into
the same var dir; the server switches (``/health``, the data and the dumps
all change) with zero failed requests, and the old store's worker processes
are stopped. A broken release is not switched to. ``kg serve`` survives
SIGHUP. In-process: the old store is closed only when the last request that
started on it ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from fastapi import FastAPI
from live import serve
from security_fixtures import LIMITS, MARGIN, kg_serve_process

from kg.config import Settings
from kg.release.build import build
from kg.web.context import ReleaseContext, current, make_current
from kg.web.reload import Reloader, Watcher
from kg.web.server import build_app, make_store

BASE = "https://qatar-nato.example.org/"
LABEL_QUERY = f'SELECT ?l WHERE {{ <{BASE}id/state/qat> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en") }}'


def quiet(_line: str) -> None:
    pass


def relabel(seeds: Path, new: str) -> None:
    entities = seeds / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    old = "    label: {en: Qatar, ar: قطر}"
    assert text.count(old) == 1
    entities.write_text(text.replace(old, "    label: {en: %s, ar: قطر}" % new), encoding="utf-8")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_switches_to_a_new_release_without_a_failed_request(seeds_copy: Path, tmp_path: Path) -> None:
    # room for the stream's six clients: pages run queries too, and 503 for overload is not what is tested here
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var").with_(**{**LIMITS, "max_concurrent_queries": 16})
    first = build(settings, progress=quiet)
    app = build_app(settings)
    old_pids = list(app.state.store.backend.pids)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    seen_releases: list[str] = []
    stop = threading.Event()

    def stream(url: str, worker: int) -> None:
        paths = [
            ("/health", None), ("/sparql", {"query": LABEL_QUERY, "format": "json"}),
            ("/doc/state/qat", None), ("/dumps/SHA256SUMS", None), ("/", None),
        ]
        with httpx.Client(base_url=url, timeout=LIMITS["query_timeout"] + MARGIN) as client:
            i = worker
            while not stop.is_set():
                path, params = paths[i % len(paths)]
                i += 1
                try:
                    r = client.get(path, params=params)
                except httpx.HTTPError as exc:
                    failures.append(f"{path}: {exc!r}")
                    continue
                outcomes[str(r.status_code)] += 1
                if r.status_code != 200:
                    failures.append(f"{path}: {r.status_code} {r.text[:200]}")
                elif path == "/health":
                    seen_releases.append(r.json()["release"])
                stop.wait(0.01)  # six clients keep requests in flight; flat out, they starved the build of the CPU

    try:
        with serve(app) as url:
            threads = [threading.Thread(target=stream, args=(url, w)) for w in range(6)]
            for t in threads:
                t.start()
            try:
                while outcomes.total() < 50:
                    time.sleep(0.05)
                relabel(seeds_copy, "Qatar (reloaded)")
                second = build(settings, progress=quiet)  # the same var dir, while the stream runs
                assert second.id != first.id
                deadline = time.monotonic() + 120
                while httpx.get(f"{url}/health", timeout=30).json()["release"] != second.id:
                    assert time.monotonic() < deadline, "the server never switched"
                    time.sleep(0.1)
                switched_at = outcomes.total()
                while outcomes.total() < switched_at + 50:  # keep the stream going on the new release
                    time.sleep(0.05)
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=60)
            assert failures == [], failures[:10]
            assert seen_releases[0] == first.id and seen_releases[-1] == second.id
            assert set(seen_releases) == {first.id, second.id}
            # the data, the dumps and the pages are the new release's
            r = httpx.get(f"{url}/sparql", params={"query": LABEL_QUERY, "format": "json"}, timeout=30)
            assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == ["Qatar (reloaded)"]
            sums = httpx.get(f"{url}/dumps/SHA256SUMS", timeout=30).text
            assert sums == (second.path / "SHA256SUMS").read_text()
            assert "Qatar (reloaded)" in httpx.get(f"{url}/doc/state/qat", headers={"Accept": "text/html"}, timeout=30).text
            # the old store's query workers were stopped once nothing used them
            deadline = time.monotonic() + 60
            while any(alive(p) for p in old_pids):
                assert time.monotonic() < deadline, "old query workers still running"
                time.sleep(0.1)
            assert not set(old_pids) & set(app.state.store.backend.pids)
    finally:
        app.state.store.close()


def test_a_broken_release_is_not_switched_to(seeds_copy: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var").with_(**LIMITS)
    first = build(settings, progress=quiet)
    app = build_app(settings)
    watcher = Watcher(app, settings, make_store, interval=3600)
    try:
        # a release directory that claims to be complete but lost its data
        bogus = settings.releases_dir / "bogus"
        shutil.copytree(first.path, bogus)
        for name in ("dataset.nq", "dataset.nt"):
            (bogus / name).unlink()
        shutil.rmtree(bogus / "store", ignore_errors=True)  # the on-disk store is data too
        meta = json.loads((bogus / "release.json").read_text())
        (bogus / "release.json").write_text(json.dumps({**meta, "id": "bogus"}))
        tmp_link = settings.var_dir / ".current-test"
        os.symlink("releases/bogus", tmp_link)
        os.replace(tmp_link, settings.current_release)
        assert watcher.check() is False
        assert app.state.release.id == first.id
        with serve(app) as url:
            r = httpx.get(f"{url}/sparql", params={"query": LABEL_QUERY, "format": "json"}, timeout=30)
            assert r.status_code == 200 and httpx.get(f"{url}/health", timeout=30).json()["release"] == first.id
        # a good release afterwards is picked up
        relabel(seeds_copy, "Qatar again")
        second = build(settings, progress=quiet)
        assert watcher.check() is True and app.state.release.id == second.id
    finally:
        watcher.stop()
        app.state.store.close()


def test_poke_switches_at_once(seeds_copy: Path, tmp_path: Path) -> None:
    """What SIGHUP does in kg serve: check now, not at the next tick (the interval here is an hour)."""
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var").with_(**LIMITS, query_workers=1)
    build(settings, progress=quiet)
    app = build_app(settings)
    watcher = Watcher(app, settings, make_store, interval=3600)
    watcher.start()
    try:
        relabel(seeds_copy, "Qatar poked")
        second = build(settings, progress=quiet)
        watcher.poke()
        deadline = time.monotonic() + 120
        while app.state.release.id != second.id:
            assert time.monotonic() < deadline, "poke did not switch"
            time.sleep(0.05)
    finally:
        watcher.stop()
        app.state.store.close()


def test_kg_serve_survives_sighup_and_switches(seeds_copy: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    settings = Settings(seeds_dir=seeds_copy, var_dir=var)
    first = build(settings, progress=quiet)
    with kg_serve_process(var, env={"KG_SEEDS_DIR": str(seeds_copy), "KG_QUERY_WORKERS": "1"}) as (url, proc):
        assert httpx.get(f"{url}/health", timeout=30).json()["release"] == first.id
        relabel(seeds_copy, "Qatar hup")
        second = build(settings, progress=quiet)
        proc.send_signal(signal.SIGHUP)  # without kg serve's handler, SIGHUP would end the process
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/health", timeout=30).json()["release"] != second.id:
            assert proc.poll() is None, "kg serve died on SIGHUP"
            assert time.monotonic() < deadline, "kg serve never switched"
            time.sleep(0.1)
        assert proc.poll() is None


# --- in-process: the old store lives as long as the requests that use it -----------------------


class FakeStore:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakeRelease:
    def __init__(self, rid: str) -> None:
        self.id = rid


def test_old_store_is_closed_only_after_its_last_request() -> None:
    app = FastAPI()
    old_store, new_store = FakeStore(), FakeStore()
    make_current(app, ReleaseContext("settings", old_store, FakeRelease("a")))  # type: ignore[arg-type]
    reloader = Reloader(app)
    first = reloader.enter()  # a request in flight on the old release
    assert first.state.store is old_store
    reloader.swap(new_store, FakeRelease("b"))  # type: ignore[arg-type]
    assert app.state.store is new_store and app.state.settings == "settings"
    assert first.state.store is old_store and first.state.release.id == "a"  # its view did not change
    assert old_store.closed is False
    later = reloader.enter()
    assert later.state.store is new_store
    reloader.leave(later)
    assert old_store.closed is False
    reloader.leave(first)
    assert old_store.closed is True and new_store.closed is False


def test_caches_made_by_handlers_do_not_survive_a_switch() -> None:
    app = FastAPI()
    make_current(app, ReleaseContext("settings", FakeStore(), FakeRelease("a")))  # type: ignore[arg-type]
    reloader = Reloader(app)
    gen = reloader.enter()
    gen.state.dump_catalogue = {"dataset.nq": {"of": "release a"}}  # what a handler caches on first use
    gen.state.descriptions["x"] = None
    reloader.leave(gen)
    reloader.swap(FakeStore(), FakeRelease("b"))  # type: ignore[arg-type]
    now = current(app)
    assert isinstance(now, ReleaseContext) and now.release.id == "b"
    assert now.dump_catalogue is None and not now.descriptions and now.urls is None
    assert now.sparql_cache is gen.state.sparql_cache and now.pasts is gen.state.pasts  # what outlives a release


def test_swap_with_no_request_in_flight_closes_at_once() -> None:
    app = FastAPI()
    old = FakeStore()
    make_current(app, ReleaseContext("settings", old, FakeRelease("a")))  # type: ignore[arg-type]
    Reloader(app).swap(FakeStore(), FakeRelease("b"))  # type: ignore[arg-type]
    assert old.closed is True
