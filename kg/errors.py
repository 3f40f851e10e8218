"""The one exception tree of the project.

Every error a user can cause has its own class, and the class says what it
means at each edge: ``exit_code`` for the CLI (``kg.cli`` has one ``except``)
and ``http_status`` for the HTTP layer (``kg.web.app`` has one handler).
Anything else is our bug and stays a traceback / 500.

    KGError
    ├── ConfigError          a setting is invalid (a base IRI without '/', KG_PORT=abc)
    ├── CurationError        curated files are wrong: every Problem of the run (file, line, column, field, what to do)
    ├── BuildError           the pipeline could not produce a release
    │   ├── ValidationFailed the graph does not conform to the shapes
    │   └── UnsupportedShape a shape uses SHACL the SPARQL engine (kg.validation) cannot evaluate
    ├── ReleaseNotFound      nothing has been built where we looked
    ├── BadQuery             a SPARQL query is malformed or not allowed
    │   └── QueryRefused     well-formed but forbidden (update, LOAD, SERVICE)
    ├── QueryTooLarge        the query text exceeds the configured limit
    ├── QueryTimeout         the query ran past its time limit
    ├── Overloaded           too many queries are running at once
    ├── StoreUnavailable     the (remote) store is down or answered 5xx
    ├── NotFound             no such resource
    └── NotAcceptable        no representation matches the Accept header
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KGError(Exception):
    """Base of every error a user can cause."""

    exit_code = 1
    http_status = 500
    """A user error the HTTP layer has no better status for (a build error in a request) is still a 500."""

    def cli_message(self) -> str:
        """What ``kg`` prints on stderr for this error."""
        return f"kg: error: {self}"


class ConfigError(KGError, ValueError):
    """A setting is invalid. Also a ``ValueError``: it is a bad value, and
    code that checks settings with ``except ValueError`` keeps working."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One curation mistake: where it is (file, line, column), which field,
    what is wrong and what to do about it. ``severity`` is ``"error"`` (the
    run fails) or ``"warning"`` (printed, the run goes on)."""

    path: Path | str
    line: int | None
    field: str
    message: str
    column: int | None = None
    fix: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = str(self.path)
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        text = f"{where}: {self.field}: {self.message}" + (f" \u2014 {self.fix}" if self.fix else "")
        # one line, always: a value with a newline or a bidi control must not
        # break or reorder the terminal line a curator reads
        return "".join(" " if ch in "\r\n\v\f\u2028\u2029" else ch for ch in text)


class CurationError(KGError):
    """Curated files are malformed. Carries every problem found in the run
    (``problems``, in file and line order), so a curator fixes them all in
    one pass; ``path``/``line``/``field``/``message`` are the first one's.
    ``str()`` is one line per problem."""

    exit_code = 3

    def __init__(self, path: Path | str, line: int | None, field: str, message: str,
                 column: int | None = None, fix: str | None = None, *, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems) if problems else [Problem(path, line, field, message, column, fix)]
        first = self.problems[0]
        self.path, self.line, self.field, self.message = first.path, first.line, first.field, first.message
        self.column, self.fix = first.column, first.fix
        super().__init__(str(self))

    @classmethod
    def of(cls, problems: list[Problem]) -> CurationError:
        if not problems:
            raise ValueError("a CurationError needs at least one problem")
        p = problems[0]
        return cls(p.path, p.line, p.field, p.message, p.column, p.fix, problems=problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def cli_message(self) -> str:
        """One ``kg: error:`` line per problem; with several, how many and in how many files."""
        lines = [f"kg: error: {p}" for p in self.problems]
        if len(self.problems) > 1:
            files = len({str(p.path) for p in self.problems})
            lines.append(f"kg: {len(self.problems)} curation problems in {files} file(s); nothing was built")
        return "\n".join(lines)


class BuildError(KGError):
    exit_code = 4


class ValidationFailed(BuildError):
    """Raised by the gate; carries the report so callers can print or save it."""

    exit_code = 5

    def __init__(self, message: str, report_text: str = "") -> None:
        super().__init__(message)
        self.report_text = report_text

    def cli_message(self) -> str:
        """The summary, then the report grouped by focus node."""
        return f"kg: {self}" + (f"\n{self.report_text}" if self.report_text else "")


class UnsupportedShape(BuildError):
    """A shape uses a SHACL feature ``kg.validation`` does not compile: validating
    without it would silently pass, so the engine refuses instead."""


class ReleaseNotFound(KGError):
    exit_code = 6
    http_status = 503  # a server between releases: try again


class BadQuery(KGError):
    """Malformed SPARQL: the message is the parser's, position included."""

    exit_code = 2
    http_status = 400


class QueryRefused(BadQuery):
    pass


class QueryTooLarge(KGError):
    http_status = 413


class QueryTimeout(KGError):
    http_status = 503


class Overloaded(KGError):
    http_status = 503


class StoreUnavailable(KGError):
    """Not the user's fault and not our bug: the store behind us failed (502)."""

    http_status = 502


class NotFound(KGError):
    http_status = 404


class NotAcceptable(KGError):
    http_status = 406

    def __init__(self, offered: list[str]) -> None:
        super().__init__("no acceptable representation; offered: " + ", ".join(offered))
        self.offered = offered
