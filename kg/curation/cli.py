"""The curator's subcommands of ``kg``: ``new``, ``quote``, ``schema``, ``entities``, ``preview`` and ``check``.

Kept apart from ``kg.cli`` (which maps errors to exit codes once) so the
curation tools grow here; ``add_parsers`` and ``COMMANDS`` plug them in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.config import Settings


def add_parsers(sub: Any) -> None:
    n = sub.add_parser("new", help="check an article text, copy it into the seeds, list its SHA-256, write a YAML skeleton")
    n.add_argument("text", type=Path, metavar="PATH.txt", help="the article, UTF-8, exactly as published")
    n.add_argument("--publisher", metavar="KEY", help="publisher/<slug> (declared in entities.yaml)")
    n.add_argument("--published", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD: the precision the text gives")
    n.add_argument("--url", help="where the text was published (only a URL you have seen)")

    q = sub.add_parser("quote", help="find words in a seed text as typed (Arabic variants folded); print the exact text to paste")
    q.add_argument("seed", metavar="SEED_FILE", help="the seed's .txt (or its .yaml), a path or a name in the seeds directory")
    q.add_argument("words", help="the words as you would type them")

    sc = sub.add_parser("schema", help="print (or --write) the JSON Schema of curated files, shared keys offered for completion")
    sc.add_argument("--kind", choices=["article", "entities", "links"], default="article")
    sc.add_argument("--write", type=Path, metavar="DIR",
                    help="write every <kind>.schema.json into DIR (the published ones: docs/schema) instead of printing")

    en = sub.add_parser("entities", help="find declared entities (reuse a key, don't mint a duplicate); list key kinds")
    ens = en.add_subparsers(dest="entities_command", required=True)
    se = ens.add_parser("search", help="entities whose labels match TERM, spelling variants and typos included")
    se.add_argument("term", metavar="TERM")
    se.add_argument("--limit", type=int, default=10, help="at most N results (default %(default)s)")
    se.add_argument("--kind", help="only keys of this kind (e.g. person, event)")
    se.add_argument("--json", action="store_true", help="one JSON array (key, type, en, ar, where, shared, score)")
    ki = ens.add_parser("kinds", help="key kinds, roles, event types, cooperation areas and challenges")
    ki.add_argument("--json", action="store_true")

    ck = sub.add_parser("check", help="the data checks in seconds: curation, SHACL and the tests that read the seeds; no release")
    ck.add_argument("--no-tests", action="store_true", help="curation and SHACL only (what 'kg validate' checks)")

    pv = sub.add_parser("preview", help="live preview of an article being curated: quotes highlighted, errors inline")
    pv.add_argument("article", nargs="?", type=Path, metavar="ARTICLE.yaml", help="the article to open first (default: the list)")
    pv.add_argument("--host", default="127.0.0.1", help="listen address (default %(default)s: this machine only)")
    pv.add_argument("--port", type=int, default=8765, help="port (default %(default)s)")


def _new(settings: Settings, args: argparse.Namespace) -> int:
    from kg.curation.newarticle import add_article

    added = add_article(settings.seeds_dir, args.text, publisher=args.publisher, published=args.published, url=args.url)
    for w in added.warnings:
        print(f"kg: warning: {args.text}:{w.where()}: {w.message}", file=sys.stderr)
    for note in added.notes:
        print(f"kg: warning: {note}", file=sys.stderr)
    print(f"added    {added.text}  (sha256 {added.digest}, listed in SHA256SUMS)")
    print(f"skeleton {added.yaml}")
    if added.headline:
        print(f"headline {added.headline.reason} (check it): {added.headline.text}")
    else:
        print("headline not guessed: copy it into title.ar from the text")
    print(f"next     fill in the TODO(kg new) values, then: kg quote {added.text.name} \"words\" for each fact; kg validate")
    return 0


def _quote(settings: Settings, args: argparse.Namespace) -> int:
    from kg.curation.quote.command import find_quote

    sys.stdout.write(find_quote(settings.seeds_dir, args.seed, args.words))
    return 0


def _schema(settings: Settings, args: argparse.Namespace) -> int:
    from kg.curation.schema import render, shared_keys, write

    keys = shared_keys(settings.seeds_dir)
    if args.write:
        for path in write(args.write, keys):
            print(f"wrote {path}", file=sys.stderr)
        return 0
    sys.stdout.write(render(args.kind, keys))
    return 0


def _entities(settings: Settings, args: argparse.Namespace) -> int:
    from kg.curation import entities

    if args.entities_command == "search":
        hits = entities.search(settings.seeds_dir, args.term, limit=max(1, args.limit), kind=args.kind)
        if args.json:
            print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
            return 0
        if not hits:
            print(f"no entity matches {args.term!r}; if it is new, declare it ('kg entities kinds' lists the key kinds)", file=sys.stderr)
            return 1
        if hits[0].score < entities.CONTAINS:
            print(f"no name holds {args.term!r}; only spelling variants (below): reuse a key only if it is the same "
                  "thing, else declare a new entity ('kg entities kinds' lists the key kinds)", file=sys.stderr)
        for h in hits:
            e, d = h.declaration.entity, h.declaration
            scope = "shared" if d.shared else "local"
            print(f"{e.key}\t{e.type}\t{e.label.en} | {e.label.ar}\t{d.where} ({scope})\t{h.score:.2f}")
        return 0
    k = entities.kinds(settings.seeds_dir)
    if args.json:
        vocab = lambda ds: [{"key": d.entity.key, "en": d.entity.label.en, "ar": d.entity.label.ar,  # noqa: E731
                             "notation": d.entity.notation, "where": d.where} for d in ds]
        print(json.dumps({"kinds": {kind: dict(types) for kind, types in k.kinds.items()}, "roles": vocab(k.roles),
                          "event_types": vocab(k.event_types), "areas": vocab(k.areas), "challenges": vocab(k.challenges)},
                         ensure_ascii=False, indent=2))
        return 0
    print("key kinds (kind/slug), with the entity types declared under each:")
    for kind, types in k.kinds.items():
        used = ", ".join(f"{t} ×{n}" for t, n in sorted(types.items())) or "(none yet)"
        print(f"  {kind + '/':<14} {used}")
    for title, items in (("roles", k.roles), ("event types (CAMEO)", k.event_types),
                         ("cooperation areas", k.areas), ("challenges", k.challenges)):
        print(f"\n{title}:")
        for d in items:
            code = f" [{d.entity.notation}]" if d.entity.notation else ""
            print(f"  {d.entity.key}{code}\t{d.entity.label.en} | {d.entity.label.ar}\t{d.where}")
    return 0


def _preview(settings: Settings, args: argparse.Namespace) -> int:
    from kg.curation.preview import serve

    # an article given without --seeds: its directory is the seeds directory
    seeds = args.article.resolve().parent if args.article and args.seeds is None else settings.seeds_dir
    return serve(seeds, host=args.host, port=args.port, article=args.article)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from kg.curation.checkcmd import check

    return check(settings, tests=not args.no_tests, progress=lambda line: print(line, file=sys.stderr, flush=True))


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "new": _new, "quote": _quote, "schema": _schema, "entities": _entities, "preview": _preview, "check": _check,
}
