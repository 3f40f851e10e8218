"""The one exception tree of the project.

Every error a user can cause has its own class, so the CLI maps them to exit
codes once (``kg.cli``) and the HTTP layer maps them to statuses once
(``kg.web``). Anything else is our bug and stays a traceback / 500.

    KGError
    ├── CurationError        curated files are wrong: every Problem of the run (file, line, column, field, what to do)
    ├── BuildError           the pipeline could not produce a release
    │   ├── ValidationFailed the graph does not conform to the shapes
    │   └── UnsupportedShape a shape uses SHACL the SPARQL engine (kg.shacl) cannot evaluate
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
                 column: int | None = None, fix: str | None = None, *, problems: "list[Problem] | None" = None) -> None:
        self.problems: list[Problem] = list(problems) if problems else [Problem(path, line, field, message, column, fix)]
        first = self.problems[0]
        self.path, self.line, self.field, self.message = first.path, first.line, first.field, first.message
        self.column, self.fix = first.column, first.fix
        super().__init__(str(self))

    @classmethod
    def of(cls, problems: "list[Problem]") -> "CurationError":
        if not problems:
            raise ValueError("a CurationError needs at least one problem")
        p = problems[0]
        return cls(p.path, p.line, p.field, p.message, p.column, p.fix, problems=problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class BuildError(KGError):
    exit_code = 4


class ValidationFailed(BuildError):
    """Raised by the gate; carries the report so callers can print or save it."""

    exit_code = 5

    def __init__(self, message: str, report_text: str = "") -> None:
        super().__init__(message)
        self.report_text = report_text


class UnsupportedShape(BuildError):
    """A shape uses a SHACL feature ``kg.shacl`` does not compile: validating
    without it would silently pass, so the engine refuses instead."""


class ReleaseNotFound(KGError):
    exit_code = 6


class BadQuery(KGError):
    """Malformed SPARQL: the message is the parser's, position included."""

    exit_code = 2


class QueryRefused(BadQuery):
    pass


class QueryTooLarge(KGError):
    pass


class QueryTimeout(KGError):
    pass


class Overloaded(KGError):
    pass


class StoreUnavailable(KGError):
    """Not the user's fault and not our bug: the store behind us failed (502)."""


class NotFound(KGError):
    pass


class NotAcceptable(KGError):
    def __init__(self, offered: list[str]) -> None:
        super().__init__("no acceptable representation; offered: " + ", ".join(offered))
        self.offered = offered
