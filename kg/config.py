"""Settings: one frozen object, read once at start-up and passed down.

Nothing else in the package reads the environment. Every setting has a
default and a help text; ``docs/settings.md`` lists them (a test checks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

DEFAULT_BASE_IRI = "https://qatar-nato.example.org/"
"""The canonical base of every IRI we mint. ``example.org`` is reserved
(RFC 2606): we do not squat a domain we do not own. A deployment sets the
real one with ``--base-iri`` / ``KG_BASE_IRI``; the build rewrites every IRI,
the ontology's included."""


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    base_iri: str = field(default=DEFAULT_BASE_IRI, metadata={"help": "Base IRI of every minted IRI (ends with '/')."})
    seeds_dir: Path = field(default_factory=lambda: _project_root() / "seeds", metadata={"help": "Seed texts and curated YAML files."})
    ontology_dir: Path = field(default_factory=lambda: _project_root() / "ontology", metadata={"help": "Ontology Turtle files."})
    shapes_dir: Path = field(default_factory=lambda: _project_root() / "shapes", metadata={"help": "SHACL shapes Turtle files."})
    var_dir: Path = field(default_factory=lambda: Path.cwd() / "var", metadata={"help": "Where releases are built (releases/<id>, current → symlink)."})
    host: str = field(default="127.0.0.1", metadata={"help": "Address kg serve binds to."})
    port: int = field(default=8000, metadata={"help": "Port kg serve listens on."})
    query_timeout: float = field(default=10.0, metadata={"help": "Seconds a SPARQL query may run before it is abandoned."})
    max_query_length: int = field(default=20_000, metadata={"help": "Longest accepted query text, in characters."})
    max_rows: int = field(default=10_000, metadata={"help": "Result rows (or triples) returned before truncation."})
    max_concurrent_queries: int = field(default=4, metadata={"help": "Queries running at once (queries bounded by their form take none); more wait in the queue."})
    max_queued_queries: int = field(default=16, metadata={"help": "Queries that may wait for a slot; beyond that, 503 with Retry-After."})
    queue_timeout: float = field(default=30.0, metadata={"help": "Seconds a query may wait for a slot before 503 with Retry-After."})
    query_workers: int = field(default=2, metadata={"help": "Worker processes that run SPARQL queries."})
    inline_bounded: bool = field(default=True, metadata={"help": "Answer queries bounded by their form (one triple pattern: kg.store.bounded) in the server process instead of a worker."})
    page_size: int = field(default=50, metadata={"help": (
        "Items on one page of a long list (a resource's events, facts, statements and links to it; a type's members;"
        " the articles); more are on ?page=2 …")})
    warm: bool = field(default=True, metadata={"help": (
        "Make each release's summary, search index, hub descriptions and busiest pages in the background when it is"
        " opened (kg.web.warm); off, each is made on its first request: a development server that starts idle.")})
    access_log: bool = field(default=True, metadata={"help": "Log a line per request (the HTTP server's access log); off when a proxy in front logs them."})
    server: str = field(default="uvicorn", metadata={"help": (
        "HTTP server kg serve runs the app on: uvicorn, or granian (Rust; 1.2-1.65x the kept pages a second,"
        " kg.web.granian_serve).")})
    examples_dir: Path = field(default_factory=lambda: _project_root() / "kg" / "competency",
                               metadata={"help": "Directory of *.rq example queries the /sparql page lists (default: the shipped competency questions)."})
    response_cache_bytes: int = field(default=128 * 1024 * 1024, metadata={
        "help": "Bytes of rendered pages and RDF documents kept in memory per release, least recently used out "
                "(kg.web.render_once); 0 keeps none (ETags and 304 still work). The busiest pages made at the release's "
                "start (kg.web.warm) are kept beside it, never evicted, in at most an eighth of this more."})
    store_url: str | None = field(default=None, metadata={"help": "Remote SPARQL endpoint to front instead of the embedded store."})

    def __post_init__(self) -> None:
        if not self.base_iri.endswith("/"):
            raise ConfigError(f"base IRI must end with '/': {self.base_iri!r}")
        if self.server not in SERVERS:
            raise ConfigError(f"server must be one of {', '.join(SERVERS)}: {self.server!r}")

    def with_(self, **changes: Any) -> Settings:  # Any: each field has its own type; replace() checks the names
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def current_release(self) -> Path:
        return self.var_dir / "current"

    @property
    def releases_dir(self) -> Path:
        return self.var_dir / "releases"


ENV_PREFIX = "KG_"
SERVERS = ("uvicorn", "granian")


def to_environ(settings: Settings) -> dict[str, str]:
    """The ``KG_*`` variables ``from_environ`` reads back as ``settings``: how a
    server's worker process (Granian's) gets the settings ``kg serve`` was given."""
    env = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if value is not None:
            env[ENV_PREFIX + f.name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def from_environ(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Read ``KG_*`` variables once; explicit overrides (CLI flags) win."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is None:
            continue
        default = Settings.__dataclass_fields__[f.name].default
        if isinstance(default, bool):
            values[f.name] = raw.lower() in {"1", "true", "yes"}
        elif isinstance(default, (int, float)):
            try:
                values[f.name] = type(default)(raw)
            except ValueError:
                raise ConfigError(f"{ENV_PREFIX}{f.name.upper()} must be a number: {raw!r}") from None
        elif f.name.endswith("_dir"):
            values[f.name] = Path(raw)
        else:
            values[f.name] = raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
