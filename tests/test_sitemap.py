"""Sitemaps and robots.txt: every page of a thing we mint is listed once, files
split at the protocol's limit and byte-stable, and a real server answers them
(and every page they list)."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import SEEDS
from live import serve_settings

from kg.config import DEFAULT_BASE_IRI, Settings
from kg.release import sitemap
from kg.release.build import build
from kg.release.directory import Release

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def quiet(_line: str) -> None:
    pass


def locs(data: bytes, tag: str = "url") -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{{{NS['s']}}}{'urlset' if tag == 'url' else 'sitemapindex'}"
    return [el.text or "" for el in root.findall(f"s:{tag}/s:loc", NS)]


def listed(release: Release) -> list[str]:
    return [u for name in sitemap.sitemap_names(release.path)
            for u in locs(gzip.decompress((release.path / sitemap.SITEMAP_DIR / name).read_bytes()))]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    return build(Settings(var_dir=tmp_path_factory.mktemp("sm") / "var", seeds_dir=SEEDS), progress=quiet)


def test_every_minted_subject_has_its_page_listed_once(release: Release) -> None:
    """Compared with the subjects a real N-Triples parser reads from the release's dump."""
    subjects = {t.subject.value for t in ox.parse(path=str(release.file("dataset.nt")), format=ox.RdfFormat.N_TRIPLES)
                if isinstance(t.subject, ox.NamedNode)}
    ours = {s for s in subjects if s.startswith(DEFAULT_BASE_IRI + "id/") and "#" not in s}
    urls = listed(release)
    assert len(urls) == len(set(urls))
    assert set(urls) == {DEFAULT_BASE_IRI + "doc/" + s[len(DEFAULT_BASE_IRI) + 3:] for s in ours}
    for page in ("doc/person/jens-stoltenberg", "doc/state/qat", "doc/article/zajel-2016-11-21-qatar-ici"):
        assert DEFAULT_BASE_IRI + page in urls
    assert any("/doc/fact/" in u for u in urls) and any("/doc/claim/" in u for u in urls)


def test_files_split_at_the_limit_and_are_byte_stable(release: Release, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    whole = listed(release)
    monkeypatch.setattr(sitemap, "MAX_URLS", 40)
    names = sitemap.write_sitemaps(release.file("dataset.nt"), tmp_path, DEFAULT_BASE_IRI)
    assert len(names) == -(-len(whole) // 40) >= 2
    parts = [locs(gzip.decompress((tmp_path / sitemap.SITEMAP_DIR / n).read_bytes())) for n in names]
    assert all(len(p) <= 40 for p in parts) and [u for p in parts for u in p] == whole
    again = tmp_path / "again"
    again.mkdir()
    sitemap.write_sitemaps(release.file("dataset.nt"), again, DEFAULT_BASE_IRI)
    for n in names:
        assert (again / sitemap.SITEMAP_DIR / n).read_bytes() == (tmp_path / sitemap.SITEMAP_DIR / n).read_bytes()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_settings(Settings(var_dir=tmp_path_factory.mktemp("sm-live") / "var", seeds_dir=SEEDS)) as base:
        yield base


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_the_query_services(url: str) -> None:
    r = httpx.get(url + "/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert f"Sitemap: {DEFAULT_BASE_IRI}sitemap.xml" in lines
    assert {"Disallow: /sparql", "Disallow: /search", "Disallow: /reconcile"} <= set(lines)
    assert not any(line.startswith("Disallow: /doc") or line == "Disallow: /" for line in lines)


def test_the_index_and_its_files_are_served_and_every_listed_page_answers(url: str) -> None:
    r = httpx.get(url + "/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    files = locs(r.content, "sitemap")
    assert files == [f"{DEFAULT_BASE_IRI}sitemaps/1.xml.gz"]
    assert httpx.get(url + "/sitemap.xml", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    got = httpx.get(url + "/" + files[0][len(DEFAULT_BASE_IRI):])
    assert got.status_code == 200 and got.headers["content-type"] == "application/gzip"
    again = httpx.get(url + "/" + files[0][len(DEFAULT_BASE_IRI):], headers={"If-None-Match": got.headers["etag"]})
    assert again.status_code == 304 and not again.content
    pages = locs(gzip.decompress(got.content))
    assert pages
    with httpx.Client(base_url=url, headers={"Accept": "text/html"}, timeout=30) as client:
        for page in pages:
            assert client.get("/" + page[len(DEFAULT_BASE_IRI):]).status_code == 200, page


@pytest.mark.parametrize("path", ["/sitemaps/2.xml.gz", "/sitemaps/..%2Frelease.json", "/sitemaps/1.xml", "/sitemaps/01.xml.gz"])
def test_nothing_else_is_served_under_sitemaps(url: str, path: str) -> None:
    assert httpx.get(url + path).status_code == 404
