"""Sitemaps (https://www.sitemaps.org/protocol.html) of a release's pages, written at build time.

Why: a reader who searches the Web for «شتولتنبرغ» or "Qatar NATO 2018
agreement" finds our pages only if a search engine has crawled them, and a
crawler finds a fact's page only through links several hops deep. A sitemap
lists every page of a thing we mint (entities, articles, facts, claims), so
each can be indexed; ``robots.txt`` names it.

Streaming, like the rest of the build: the union's N-Triples are sorted, so
a subject's lines are adjacent; each new subject under ``{base}id/`` (not a
``#part``) is one URL, its page ``{base}doc/…``. Files hold at most 50 000
URLs (the protocol's limit) and are gzipped with a fixed mtime, so the same
release gives the same bytes. They live in the release's ``sitemaps/``
directory, outside ``release.json``'s files: they are derived from the dump
and are not data anyone downloads.

The URLs are absolute, at the base IRI's host: the deployment that serves
the IRIs is the site a search engine should index (a local server's
sitemap names the same canonical pages).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

SITEMAP_DIR = "sitemaps"
MAX_URLS = 50_000
"""Per sitemap file (sitemaps.org: at most 50 000 URLs and 50 MB uncompressed)."""
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def page_urls(sorted_ntriples: Path, base: str) -> Iterator[str]:
    """The page of every subject under ``{base}id/``, once each, in IRI order."""
    prefix = f"<{base}id/".encode()
    last = b""
    with open(sorted_ntriples, "rb") as fh:
        for line in fh:
            if not line.startswith(prefix):
                continue
            subject = line[1:line.index(b">")]
            if subject == last or b"#" in subject:
                continue
            last = subject
            yield base + "doc/" + subject.decode("utf-8")[len(base) + 3:]


def write_sitemaps(sorted_ntriples: Path, release_dir: Path, base: str) -> list[str]:
    """``sitemaps/1.xml.gz``, ``2.xml.gz`` … in ``release_dir``; their names."""
    out_dir = release_dir / SITEMAP_DIR
    out_dir.mkdir(exist_ok=True)
    names: list[str] = []
    batch: list[str] = []
    for url in page_urls(sorted_ntriples, base):
        batch.append(url)
        if len(batch) == MAX_URLS:
            names.append(_write(out_dir, len(names) + 1, batch))
            batch = []
    if batch or not names:
        names.append(_write(out_dir, len(names) + 1, batch))
    return names


def _write(out_dir: Path, n: int, urls: list[str]) -> str:
    name = f"{n}.xml.gz"
    body = "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in urls)
    data = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NS}">\n{body}</urlset>\n'.encode()
    with open(out_dir / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)
    return name


def sitemap_names(release_dir: Path) -> list[str]:
    """The sitemap files a release has, in order (none for releases built before sitemaps)."""
    directory = release_dir / SITEMAP_DIR
    if not directory.is_dir():
        return []
    return sorted((p.name for p in directory.glob("*.xml.gz")), key=lambda name: int(name.split(".", 1)[0]))


def index_xml(base: str, names: list[str]) -> bytes:
    """The sitemap index (``/sitemap.xml``) naming every file of the release."""
    body = "".join(f"<sitemap><loc>{escape(base + SITEMAP_DIR + '/' + n)}</loc></sitemap>\n" for n in names)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NS}">\n{body}</sitemapindex>\n'.encode()


def robots_txt(base: str) -> str:
    """What crawlers may fetch: the pages; not the query services, whose answers
    are unbounded and change with every query, nor past states (Memento)."""
    return (
        "# The pages of every entity, article, fact and claim are listed in the sitemap.\n"
        "User-agent: *\n"
        "Disallow: /sparql\n"
        "Disallow: /search\n"
        "Disallow: /reconcile\n"
        "Disallow: /timemap/\n"
        "Disallow: /releases/*/doc/\n"
        f"Sitemap: {base}sitemap.xml\n"
    )


__all__ = ["MAX_URLS", "SITEMAP_DIR", "index_xml", "page_urls", "robots_txt", "sitemap_names", "write_sitemaps"]
