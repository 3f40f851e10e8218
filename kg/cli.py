"""The ``kg`` command: build, validate, serve, publish, prune.

``main(argv) -> int`` so tests call it directly; errors from ``kg.errors``
map to exit codes here, once. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kg import __version__
from kg.config import Settings, from_environ
from kg.curation import cli as curation_cli
from kg.errors import KGError, ValidationFailed


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Publish hand-curated facts from news articles as linked data.")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    p.add_argument("--seeds", type=Path, help="seeds directory (texts + curated YAML)")
    p.add_argument("--var", type=Path, help="where releases are written (default ./var)")
    p.add_argument("--base-iri", help="base IRI of every minted IRI (default %(default)s)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="curate, map, validate and publish a release atomically")
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.add_argument("--full", action="store_true",
                   help="map, load and validate every article instead of reusing the current release's build cache")
    b.add_argument("--keep", type=_at_least_one, metavar="N",
                   help="after publishing, delete all but the N most recent releases (as 'kg prune')")

    pr = sub.add_parser("prune", help="delete old releases, keeping the current one and the most recent others")
    pr.add_argument("--keep", type=_at_least_one, default=2, metavar="N",
                    help="releases to keep, the current one included (default %(default)s: current and previous)")
    pr.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    d = sub.add_parser("diff", help="what changed between two releases (default: previous vs current)")
    d.add_argument("old", nargs="?", default="previous", help="release id, 'previous' (default), 'current' or a release directory")
    d.add_argument("new", nargs="?", default="current", help="release id, 'current' (default) or a release directory")
    d.add_argument("--format", choices=["text", "json", "patch"], default="text",
                   help="text: a readable summary; json: counts and every IRI; patch: the quads as RDF Patch (A/D rows)")

    v = sub.add_parser("validate", help="validate the curated graph against the shapes; exit 5 on violations")
    v.add_argument("--format", choices=["text", "turtle", "json"], default="text")

    curation_cli.add_parsers(sub)  # new, quote, schema, entities, preview

    s = sub.add_parser("serve", help="serve the current release (building it first if absent)")
    s.add_argument("--host")
    s.add_argument("--base-iri", dest="serve_base_iri", help="as the global --base-iri (builds the release under it if none exists)")
    s.add_argument("--port", type=int)
    s.add_argument("--store", dest="store_url", help="front a remote SPARQL endpoint instead of the embedded store")
    s.add_argument("--timeout", dest="query_timeout", type=float, help="per-query timeout in seconds")
    s.add_argument("--workers", dest="query_workers", type=int, help="worker processes that run SPARQL queries")
    s.add_argument("--max-rows", dest="max_rows", type=int, help="result rows returned before truncation")
    s.add_argument("--max-concurrent", dest="max_concurrent_queries", type=int, help="queries running at once; more wait in the queue")
    s.add_argument("--max-queued", dest="max_queued_queries", type=int, help="queries that may wait for a slot; more get 503")
    s.add_argument("--queue-timeout", dest="queue_timeout", type=float, help="seconds a query may wait for a slot before 503")
    s.add_argument("--max-query-length", dest="max_query_length", type=int, help="longest accepted query text, in characters")
    s.add_argument("--no-access-log", dest="access_log", action="store_false", default=None,
                   help="no line per request on stderr (when a proxy in front logs them)")
    s.add_argument("--no-warm", dest="warm", action="store_false", default=None,
                   help="no background warm-up of each release (its pages are made on their first request)")
    s.add_argument("--server", dest="server", choices=["uvicorn", "granian"],
                   help="HTTP server: uvicorn (default) or granian (Rust, 1.2-1.65x the kept pages a second)")

    ex = sub.add_parser("export-site", help="write every page and document of the current release as static files, with an nginx configuration")
    ex.add_argument("dir", type=Path, help="directory to write (its _kg_export/, _kg_blobs/ and nginx/ are replaced)")
    ex.add_argument("--listen", default="127.0.0.1:8080", help="nginx 'listen' address (default %(default)s)")
    ex.add_argument("--upstream", metavar="URL", help="kg serve, for everything not exported (default http://HOST:PORT of the settings)")
    ex.add_argument("--sparql", metavar="URL", help="send /sparql here instead (e.g. Virtuoso's http://host:8890/sparql)")
    ex.add_argument("--quiet", action="store_true", help="no progress count")
    ex.add_argument("--shards", type=int, default=os.cpu_count() or 1,
                    help="processes rendering the pages (default: one per core, %(default)s here)")

    pub = sub.add_parser("publish", help="load the current release into a SPARQL 1.1 Graph Store Protocol endpoint")
    pub.add_argument("--to", required=True, metavar="URL", help="Graph Store Protocol endpoint (user:password@ in the URL allowed)")
    pub.add_argument("--update", metavar="URL", help="the same store's SPARQL Update endpoint: switch releases in one request")
    pub.add_argument("--user", help="user name for the store (Digest or Basic, as the store asks)")
    pub.add_argument("--password-file", type=Path, help="file holding the password (first line)")
    pub.add_argument("--release", type=Path, help="release directory to publish (default: the current release)")
    pub.add_argument("--every", type=int, default=10, help="a progress line every N graphs (default %(default)s)")
    pub.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def _at_least_one(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1: the current release is never deleted")
    return n


def _settings(args: argparse.Namespace) -> Settings:
    return from_environ(
        base_iri=args.base_iri or getattr(args, "serve_base_iri", None),
        seeds_dir=args.seeds,
        var_dir=args.var,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        store_url=getattr(args, "store_url", None),
        query_timeout=getattr(args, "query_timeout", None),
        query_workers=getattr(args, "query_workers", None),
        max_rows=getattr(args, "max_rows", None),
        max_concurrent_queries=getattr(args, "max_concurrent_queries", None),
        max_queued_queries=getattr(args, "max_queued_queries", None),
        queue_timeout=getattr(args, "queue_timeout", None),
        max_query_length=getattr(args, "max_query_length", None),
        access_log=getattr(args, "access_log", None),
        warm=getattr(args, "warm", None),
        server=getattr(args, "server", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        return _COMMANDS[args.command](settings, args)
    except KGError as exc:  # each class knows its exit code and what to print (kg.errors)
        print(exc.cli_message(), file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `kg entities search … | head`: the reader left; stop quietly, as Unix tools do
        # Python's own advice (library/signal.html, "Note on SIGPIPE"): point stdout at devnull so
        # the interpreter's final flush does not fail again on the closed pipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it


def _build(settings: Settings, args: argparse.Namespace) -> int:
    from kg.release.arenas import cap_arenas
    from kg.release.build import build
    from kg.release.progress import for_stderr
    from kg.validation.engine import THREADS

    cap_arenas(THREADS)  # one malloc arena per validation thread (kg.release.arenas), before any thread starts
    progress = (lambda _l: None) if args.quiet else for_stderr()
    build(settings, progress=progress, full=args.full)
    if args.keep is not None:
        _report_pruned(settings, args.keep, dry_run=False, progress=progress)
    return 0


def _prune(settings: Settings, args: argparse.Namespace) -> int:
    _report_pruned(settings, args.keep, dry_run=args.dry_run, progress=_progress)
    return 0


def _report_pruned(settings: Settings, keep: int, *, dry_run: bool, progress: Callable[[str], None]) -> None:
    from kg.release import history
    from kg.release.directory import prune

    removed = prune(settings.var_dir, keep, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    lost = history.lost_states(settings.var_dir, [p.name for p in removed])
    for path in removed:
        progress(f"prune: {verb} {path}")
        info = history.get(settings.var_dir, path.name)
        if info is not None:  # its record stays: /releases, the TimeMaps and 410 answers still name it
            held = info.meta.get("held") or {k: info.meta.get(k) or 0 for k in ("facts", "claims", "entities", "articles")}
            progress(f"prune:   release {info.id} (published {info.published}): its dumps and the past states of its "
                     + ", ".join(f"{n} {kind}" for kind, n in held.items())
                     + f" {'would' if dry_run else 'will'} no longer be served; its record stays in /releases")
        gone = lost.get(path.name, [])
        shown = gone if dry_run else gone[:20]  # --dry-run lists every one
        for iri in shown:
            progress(f"prune:   {iri} is gone from the data and loses its last past state (its 410 will link none)")
        if len(gone) > len(shown):
            progress(f"prune:   … and {len(gone) - len(shown)} more such IRIs ('kg prune --dry-run' lists them all)")
    if not dry_run:
        history.mark_pruned(settings.var_dir, [p.name for p in removed], history.now())
    progress(f"prune: {verb} {len(removed)} release(s), kept {keep} at most")


def _diff(settings: Settings, args: argparse.Namespace) -> int:
    from kg.release.diff import diff, dumps, write_patch_line
    from kg.release.history import resolve

    old, new = resolve(settings.var_dir, args.old), resolve(settings.var_dir, args.new)
    out = sys.stdout.buffer
    on_quad = (lambda sign, line: out.write(write_patch_line(sign, line))) if args.format == "patch" else None
    changes = diff(old, new, on_quad=on_quad)
    if args.format == "json":
        sys.stdout.write(dumps(changes))
    elif args.format == "text":
        sys.stdout.write(changes.to_text())
    sys.stdout.flush()
    return 0


def _validate(settings: Settings, args: argparse.Namespace) -> int:
    from kg.release.check import check

    checked = check(settings, progress=_progress if args.format == "text" else lambda _l: None)
    report = checked.report
    if args.format == "turtle":
        sys.stdout.write(report.to_turtle())
    elif args.format == "json":
        sys.stdout.write(report.to_json(checked.origins()) + "\n")
    else:
        print(report.to_text(checked.origins()))
    return 0 if report.conforms else ValidationFailed.exit_code


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.server == "granian":
        from kg.web.granian_serve import serve as serve_granian

        return serve_granian(settings)
    from kg.web.server import serve

    return serve(settings)


def _publish(settings: Settings, args: argparse.Namespace) -> int:
    from kg.release.directory import open_release
    from kg.store.publish import Target, publish

    password = args.password_file.read_text(encoding="utf-8").splitlines()[0] if args.password_file else None
    target = Target.from_urls(args.to, args.update, user=args.user, password=password)
    release = open_release(args.release or settings.current_release)
    publish(release, target, progress=(lambda _l: None) if args.quiet else _progress, every=max(1, args.every))
    return 0


def _export_site(settings: Settings, args: argparse.Namespace) -> int:
    import shutil

    from kg.web.context import current
    from kg.web.export_site import Progress, export_site
    from kg.web.server import build_app

    for part in ("_kg_export", "_kg_blobs", "nginx"):
        shutil.rmtree(args.dir / part, ignore_errors=True)  # a new release's files only
    app = build_app(settings)
    ctx = current(app)
    tty = sys.stderr.isatty() and not args.quiet

    shown = [0.0]

    def count(p: Progress) -> None:  # a line a second on a terminal, one every 30 s in a log
        now = time.monotonic()
        if not args.quiet and now - shown[0] >= (1 if tty else 30):
            shown[0] = now
            print(("\r" if tty else "") + p.line(), end="" if tty else "\n", file=sys.stderr, flush=True)

    try:
        summary = export_site(app, ctx.release, args.dir, listen=args.listen,
                              upstream=args.upstream or f"http://{settings.host}:{settings.port}", sparql=args.sparql,
                              progress=count, settings=settings, shards=max(1, args.shards))
    finally:
        ctx.store.close()
    if not args.quiet:
        print(("\r" if tty else "") + f"export-site: release {ctx.release.id}: {summary.paths} paths, {summary.files} files "
              f"({summary.bytes} bytes), {summary.redirects} redirects, {summary.skipped} answers left to kg serve; "
              f"run: nginx -p {args.dir.resolve()}/nginx -c nginx.conf -g 'daemon off;'", file=sys.stderr)
    return 0


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


_COMMANDS = {**curation_cli.COMMANDS, "build": _build, "prune": _prune, "diff": _diff, "validate": _validate, "serve": _serve, "publish": _publish,
             "export-site": _export_site}


def run() -> None:
    sys.exit(main())
