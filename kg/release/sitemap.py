"""Sitemaps (https://www.sitemaps.org/protocol.html) of a release's pages, written at build time.

Why: a reader who searches the Web for «شتولتنبرغ» or "Qatar NATO 2018
agreement" finds our pages only if a search engine has crawled them, and a
crawler finds a fact's page only through links several hops deep. A sitemap
lists every page of a thing we mint (entities, articles, facts, claims), so
each can be indexed; ``robots.txt`` names it.

Streaming, like the rest of the build: the union's N-Triples are sorted, so
a subject's lines are adjacent; each new subject under ``{base}id/`` (not a
``#part``) is one URL, its page ``{base}doc/…``. The build keeps each block's
pages (``kg.release.blocks``) in its cache, so an incremental build reads only
the blocks that changed, and takes every file whose pages did not change from
the previous release. Files hold at most 50 000
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
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from kg.release.blocks import Block
from kg.release.incremental import PAGES, read_json

SITEMAP_DIR = "sitemaps"
MAX_URLS = 50_000
"""Per sitemap file (sitemaps.org: at most 50 000 URLs and 50 MB uncompressed)."""
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _pages(lines: Iterable[bytes], base: str) -> Iterator[str]:
    prefix = f"<{base}id/".encode()
    last = b""
    for line in lines:
        if not line.startswith(prefix):
            continue
        subject = line[1:line.index(b">")]
        if subject == last or b"#" in subject:
            continue
        last = subject
        yield base + "doc/" + subject.decode("utf-8")[len(base) + 3:]


def page_urls(sorted_ntriples: Path, base: str) -> Iterator[str]:
    """The page of every subject under ``{base}id/``, once each, in IRI order."""
    with open(sorted_ntriples, "rb") as fh:
        yield from _pages(fh, base)


def write_sitemaps(sorted_ntriples: Path, release_dir: Path, base: str, *, blocks: list[Block] | None = None,
                   work: Path | None = None, cache: Path | None = None, previous: Path | None = None) -> list[str]:
    """``sitemaps/1.xml.gz``, ``2.xml.gz`` … in ``release_dir``; their names.

    With ``blocks`` (``dataset.nt``'s) and ``work``, the pages of each block are kept in ``work/PAGES`` for the
    next build; with ``cache`` (the previous build's) and ``previous`` (its release directory), a block seen
    there is not read again, and a file whose pages are those of the previous release's file of that name is
    linked (or copied) from there instead of being compressed again. The same bytes either way."""
    out_dir = release_dir / SITEMAP_DIR
    out_dir.mkdir(exist_ok=True)
    if blocks is None or work is None:
        return _files(out_dir, page_urls(sorted_ntriples, base), {}, None)
    old: dict = {"blocks": {}, "files": []}
    if cache is not None and previous is not None:
        raw = read_json(cache / PAGES)
        old = {"blocks": {(b[0], b[1]): b[2] for b in raw["blocks"]}, "files": raw["files"]}
    rows, urls = [], []
    with open(sorted_ntriples, "rb") as fh:
        for b in blocks:
            pages = old["blocks"].get((b.start, b.digest))
            if pages is None:
                fh.seek(b.offset)
                pages = list(_pages(fh.read(b.length).splitlines(keepends=True), base))
            rows.append([b.start, b.digest, pages])
            urls.extend(pages)
    digests: list[str] = []
    names = _files(out_dir, iter(urls), dict(enumerate(old["files"], start=1)), previous, digests)
    (work / PAGES).write_text(json.dumps({"blocks": rows, "files": digests}), encoding="utf-8")
    return names


def _files(out_dir: Path, urls: Iterator[str], before: dict[int, str], previous: Path | None,
           digests: list[str] | None = None) -> list[str]:
    """Cut the URLs into files of ``MAX_URLS``; a file with the digest of the previous release's is taken from there."""
    names: list[str] = []
    batch: list[str] = []

    def flush() -> None:
        n = len(names) + 1
        digest = hashlib.sha1("\n".join(batch).encode("utf-8")).hexdigest()
        if digests is not None:
            digests.append(digest)
        source = previous / SITEMAP_DIR / f"{n}.xml.gz" if previous is not None else None
        if source is not None and before.get(n) == digest and source.is_file():
            names.append(_link(source, out_dir / source.name))
        else:
            names.append(_write(out_dir, n, batch))

    for url in urls:
        batch.append(url)
        if len(batch) == MAX_URLS:
            flush()
            batch = []
    if batch or not names:
        flush()
    return names


def _link(source: Path, target: Path) -> str:
    try:
        os.link(source, target)  # release directories are never changed once published: sharing the file is safe
    except OSError:
        shutil.copyfile(source, target)
    return target.name


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
