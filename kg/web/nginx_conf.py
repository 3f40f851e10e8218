"""The exported site's files and its nginx configuration (``kg export-site``).

Layout of ``DIR``:

* ``_kg_export/{path}@{query}.{variant}.{type}`` — one answer's body.
  ``variant`` is the Accept class (``star``, ``html``, ``ttl``, ``jsonld``,
  ``json``, ``nt``, ``rdf``; ``any`` for an answer that is not negotiated by
  Accept) and, for answers that vary by language, ``-en``/``-ar``;
  ``type`` (``t0``, ``t1`` …) names its exact Content-Type in the ``types``
  table. Identical bodies are one file, hard-linked (``_kg_blobs/``).
* ``nginx/files.map`` (``{path}@{query}.{variant}`` → type), ``redirects.map``
  (``{path}@{query}`` → Location of a ``303``), and one ``h-{name}.map`` per
  response header (ETag, Link, Vary, Content-Location, Content-Language,
  Set-Cookie, Cache-Control, the security headers …), keyed by the same name.
* ``nginx/kg-site.conf`` — the ``server`` (and its maps), to include in an
  ``http`` block; ``nginx/nginx.conf`` — a complete configuration around it
  (``nginx -p DIR/nginx -c nginx.conf``).

How nginx answers (all in the server's rewrite phase, before any location):
the Accept header is mapped to its class and the language chosen as
``kg serve`` does (``?lang=``, then the ``lang`` cookie, then Accept-Language
when its first tag is ``ar`` or ``en``); the most specific exported variant
of ``{uri}@{args}`` wins; a request nginx cannot decide exactly (a q-value
list, an unknown query, ``Accept-Datetime``, a method other than GET/HEAD)
matches nothing and is proxied to ``kg serve`` (or ``/sparql`` to the
endpoint given), which answers it exactly. ``If-None-Match`` is answered
with ``304`` against the exported ETag (nginx's own ETag is off: it would
not be the app's); ``If-Modified-Since`` by nginx against the file's date,
which is the answer's Last-Modified.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO

import httpx

EXPORT = "_kg_export"
BLOBS = "_kg_blobs"
ACCEPT_CLASSES = [  # (regex on the whole Accept header, class); kg.web.export_site.CLASSES asks the app
    (r"^\s*text/html\s*(,|$)", "html"),
    (r"^\s*text/turtle\s*$", "ttl"),
    (r"^\s*application/ld\+json\s*$", "jsonld"),
    (r"^\s*application/json\s*$", "json"),
    (r"^\s*application/n-triples\s*$", "nt"),
    (r"^\s*application/rdf\+xml\s*$", "rdf"),
]
NOT_REPEATED = {"date", "server", "content-length", "content-type", "last-modified", "transfer-encoding",
                "connection", "keep-alive", "location", "accept-ranges"}
"""Headers nginx makes itself: from the file, its date and the type table (Location: the redirect map)."""
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
KNOWN_TYPES = ("text/html", "text/turtle", "application/ld+json", "application/json", "application/n-triples",
               "application/rdf+xml", "application/n-quads", "application/trig", "text/plain", "text/css",
               "text/javascript", "application/javascript", "image/svg+xml", "application/xml", "image/x-icon")
"""Media types whose code (``t0`` …) is fixed, so a file's name does not depend on the
order answers arrived in (``kg export-site --shards`` writes them as shards send them)."""


@dataclass
class Summary:
    files: int = 0
    redirects: int = 0
    skipped: int = 0
    paths: int = 0
    derived: int = 0
    """Answers made from another answer instead of asked (``kg.web.export_crawl.Exporter``)."""
    bytes: int = 0
    types: dict[str, str] = field(default_factory=dict)


def set_mtime(path: Path, last_modified: str | None) -> None:
    """The file dated as the answer was, so nginx's Last-Modified is the app's."""
    if not last_modified:
        return
    try:
        when = parsedate_to_datetime(last_modified).timestamp()
    except (TypeError, ValueError, IndexError):
        return
    os.utime(path, (when, when))


EXPORT_ORIGIN = "http://kg.export"
"""The origin the export asks the app at; in the maps it becomes the origin nginx was reached at."""


def quoted(value: str) -> str | None:
    """``value`` as an nginx string; None if it cannot be one (a ``$`` would be read as a variable)."""
    if "$" in value or "\n" in value or "\r" in value:
        return None
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def var(name: str) -> str:
    return "$kg_h_" + name.replace("-", "_")


class Site:
    """Writes the files and the maps as answers come, and the configuration at the end."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.root = self.out / EXPORT
        self.blobs = self.out / BLOBS
        self.conf = self.out / "nginx"
        for d in (self.root, self.blobs, self.conf):
            d.mkdir(parents=True, exist_ok=True)
        (self.blobs / "empty").write_bytes(b"")  # the body of every 303, as the app sends it
        self.summary = Summary(types={media: f"t{n}" for n, media in enumerate(KNOWN_TYPES)})
        self._files = open(self.conf / "files.map", "w", encoding="utf-8")  # noqa: SIM115 - written across the export, closed by close()
        self._redirects = open(self.conf / "redirects.map", "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._maps: dict[str, IO[str]] = {}
        self._charset: dict[str, bool] = {}  # media type → served with "; charset=utf-8"
        self.longest_key = 0

    # -- answers -------------------------------------------------------------------------
    def _headers(self, key: str, response: httpx.Response, *, etag: bool) -> list[tuple[str, str]] | None:
        """The headers to repeat for ``key``, as (name, nginx string); None if one cannot be."""
        out: dict[str, list[str]] = {}
        for name, value in response.headers.multi_items():
            name = name.lower()
            if name in NOT_REPEATED or (name == "etag" and not etag) or not _NAME.match(name):
                continue
            out.setdefault(name, []).append(value)
        rows = []
        for name, values in out.items():
            text = quoted(", ".join(values) if name != "set-cookie" else values[-1])
            if text is not None and EXPORT_ORIGIN in text:  # absolute links name the origin nginx is reached at
                text = text.replace(EXPORT_ORIGIN, "$scheme://$http_host")
            if text is None:
                return None
            rows.append((name, text))
        return rows

    def _map_lines(self, key: str, rows: list[tuple[str, str]]) -> None:
        self.longest_key = max(self.longest_key, len(key) + 8)
        for name, text in rows:
            fh = self._maps.get(name)
            if fh is None:
                fh = self._maps[name] = open(self.conf / f"h-{name}.map", "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
            fh.write(f'"{key}" {text};\n')

    def _type(self, content_type: str) -> str | None:
        """The type code of an exact Content-Type, registering it; None if nginx cannot send it exactly."""
        media, _, params = (p.strip() for p in content_type.partition(";"))
        charset = params.lower().replace(" ", "") == "charset=utf-8"
        if (params and not charset) or not re.match(r"^[a-z0-9.+-]+/[a-z0-9.+-]+$", media):
            return None
        if self._charset.setdefault(media, charset) != charset:
            return None  # the same type with and without a charset: nginx has one table
        codes = self.summary.types
        if media not in codes:
            codes[media] = f"t{len(codes)}"
        return codes[media]

    def file(self, path: str, query: str, variant: str, response: httpx.Response) -> None:
        code = self._type(response.headers.get("content-type", "application/octet-stream"))
        key = f"{path}@{query}.{variant}"
        rows = self._headers(key, response, etag=True)
        if code is None or rows is None:
            self.summary.skipped += 1
            return
        body = response.content
        digest = hashlib.sha256(body).hexdigest()
        blob = self.blobs / digest[:2] / digest
        if not blob.exists():
            blob.parent.mkdir(exist_ok=True)
            blob.write_bytes(body)
            self.summary.bytes += len(body)
        target = self.root / (key.lstrip("/") + "." + code)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        try:
            os.link(blob, target)
        except OSError:
            target.write_bytes(body)
        set_mtime(blob, response.headers.get("last-modified"))
        self._files.write(f'"{key}" "{key}.{code}";\n')
        self._map_lines(key, rows)
        self.summary.files += 1

    def redirect(self, path: str, query: str, response: httpx.Response) -> None:
        location = quoted(response.headers["location"])
        key = f"{path}@{query}.303"
        rows = self._headers(key, response, etag=False)
        if location is None or rows is None or response.content or response.status_code != 303:
            self.summary.skipped += 1
            return
        self._redirects.write(f'"{path}@{query}" {location};\n')
        self._map_lines(key, rows)
        self.summary.redirects += 1

    # -- the configuration ---------------------------------------------------------------------
    def close(self, release: object, *, listen: str, upstream: str, sparql: str | None, cors: httpx.Headers) -> None:
        self._files.close()
        self._redirects.close()
        for fh in self._maps.values():
            fh.close()
        names = sorted(self._maps)
        site = site_conf(self, names, listen=listen, upstream=upstream, sparql=sparql,
                         expose=cors.get("access-control-expose-headers", ""))
        (self.conf / "kg-site.conf").write_text(site, encoding="utf-8")
        (self.conf / "nginx.conf").write_text(main_conf(self), encoding="utf-8")


def _bucket(longest: int) -> int:
    size = 64
    while size < longest + 16:
        size *= 2
    return size


def main_conf(site: Site) -> str:
    c = site.conf
    return f"""# Generated by kg export-site: a complete nginx configuration around kg-site.conf.
# Run: nginx -p {c} -c {c}/nginx.conf -g 'daemon off;'
pid {c}/nginx.pid;
error_log {c}/error.log warn;
worker_processes auto;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {c}/tmp-body;
    proxy_temp_path {c}/tmp-proxy;
    fastcgi_temp_path {c}/tmp-fastcgi;
    uwsgi_temp_path {c}/tmp-uwsgi;
    scgi_temp_path {c}/tmp-scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    map_hash_max_size {max(2048, 8 * (site.summary.files + site.summary.redirects))};
    map_hash_bucket_size {2 * _bucket(site.longest_key)};
    include {c}/kg-site.conf;
}}
"""


def site_conf(site: Site, names: list[str], *, listen: str, upstream: str, sparql: str | None, expose: str) -> str:
    c, root = site.conf, site.out
    accept = "\n".join(f'    "~{rx}" {cls};' for rx, cls in ACCEPT_CLASSES)
    header_maps = "\n".join(f"map $kg_key {var(n)} {{ default \"\"; include {c}/h-{n}.map; }}" for n in names)
    add = "\n".join(f"        add_header {n.title() if n != 'etag' else 'ETag'} {var(n)};" for n in names if n != "etag")
    types = "\n".join(f"        {media} {code};" for media, code in site.summary.types.items())
    charset_types = " ".join(m for m, cs in site._charset.items() if cs and m != "text/html") or "text/plain"
    expose_text = quoted(expose) or '""'
    sparql_block = f"""
    location = /sparql {{
        proxy_pass {sparql};
        proxy_buffering off;
    }}""" if sparql else ""
    etag = var("etag")
    return f"""# Generated by kg export-site; see docs/deploy.md. The static answers of one release,
# negotiated as kg serve negotiates; everything else goes to kg serve.
map $http_accept $kg_class {{
    default "";
    "" star;
    "*/*" star;
{accept}
}}
map $http_accept_language $kg_al {{
    default en;
    "" en;
    "~*^\\s*(?<first>ar|en)(-[a-z0-9-]+)?\\s*(,|$)" $first;
    "~*(^|,)\\s*(ar|en)(\\s|-|;|,|$)" "";
}}
map $arg_lang $kg_arg_lang {{ default ""; ar ar; en en; }}
map $cookie_lang $kg_cookie_lang {{ default ""; ar ar; en en; }}
map "$kg_arg_lang:$kg_cookie_lang:$kg_al" $kg_lang {{
    default "";
    "~^(?<a>ar|en):" $a;
    "~^:(?<c>ar|en):" $c;
    "~^::(?<h>ar|en)$" $h;
}}
map $kg_try $kg_found {{ volatile; default ""; include {c}/files.map; }}
map "$uri@$args" $kg_location {{ default ""; include {c}/redirects.map; }}
{header_maps}
map "$http_if_none_match|{etag}" $kg_fresh {{
    default 0;
    "~^\\*\\|." 1;
    "~^(.*,)?\\s*(W/)?(?<tag>\\"[^\\"]*\\")\\s*(,[^|]*)?\\|\\k<tag>$" 1;
}}
map $http_origin $kg_cors_origin {{ default "*"; "" ""; }}
map $http_origin $kg_cors_expose {{ default {expose_text}; "" ""; }}

server {{
    listen {listen};
    absolute_redirect off;
    server_tokens off;

    if ($uri ~ "^/_kg_") {{ break; }}  # an internal redirect (the 303's empty body) is not chosen again
    set $kg_key "";
    set $kg_file "";
    set $kg_base "$uri@$args";
    set $kg_try "$kg_base.any";
    if ($kg_found) {{ set $kg_key $kg_try; set $kg_file $kg_found; }}
    set $kg_try "$kg_base.any-$kg_lang";
    if ($kg_found) {{ set $kg_key $kg_try; set $kg_file $kg_found; }}
    set $kg_try "$kg_base.$kg_class";
    if ($kg_found) {{ set $kg_key $kg_try; set $kg_file $kg_found; }}
    set $kg_try "$kg_base.$kg_class-$kg_lang";
    if ($kg_found) {{ set $kg_key $kg_try; set $kg_file $kg_found; }}
    set $kg_redirect $kg_location;
    if ($http_accept_datetime) {{ set $kg_file ""; set $kg_redirect ""; }}
    if ($request_method !~ ^(GET|HEAD)$) {{ set $kg_file ""; set $kg_redirect ""; }}
    if ($kg_redirect) {{ set $kg_key "$kg_base.303"; rewrite ^ /_kg_see_other last; }}
    if ($kg_file) {{ rewrite ^ /{EXPORT}$kg_file last; }}

    location ^~ /{EXPORT}/ {{
        internal;
        root {root};
        etag off;
        if_modified_since before;
        charset utf-8;
        charset_types {charset_types};
        types {{
{types}
        }}
        default_type application/octet-stream;
        if ($kg_fresh) {{ return 304; }}
        add_header ETag {etag};
{add}
        add_header Access-Control-Allow-Origin $kg_cors_origin;
        add_header Access-Control-Expose-Headers $kg_cors_expose;
    }}

    location = /_kg_see_other {{
        internal;
        error_page 418 =303 /_kg_empty;  # a return 303 would send nginx's own HTML body; the app's is empty
        return 418;
    }}

    location = /_kg_empty {{
        internal;
        root {root};
        try_files /{BLOBS}/empty =404;
        etag off;
        default_type "";
        add_header Location $kg_redirect;
{add}
        add_header Access-Control-Allow-Origin $kg_cors_origin;
        add_header Access-Control-Expose-Headers $kg_cors_expose;
    }}
{sparql_block}
    location / {{
        proxy_pass {upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_buffering off;
    }}
}}
"""
