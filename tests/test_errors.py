"""Each error class carries what it means at both edges: the CLI's exit code
and the HTTP status, so neither edge keeps a table of classes (kg/errors.py)."""

from __future__ import annotations

import pytest

from kg import errors as E

STATUSES = [
    (E.BadQuery("x"), 400), (E.QueryRefused("x"), 400), (E.NotFound("x"), 404), (E.NotAcceptable(["text/turtle"]), 406),
    (E.QueryTooLarge("x"), 413), (E.QueryTimeout("x"), 503), (E.Overloaded("x"), 503), (E.ReleaseNotFound("x"), 503),
    (E.StoreUnavailable("x"), 502), (E.BuildError("x"), 500), (E.ValidationFailed("x"), 500),
    (E.CurationError("a.yaml", 3, "facts[0]", "bad"), 500), (E.ConfigError("x"), 500), (E.KGError("x"), 500),
]


@pytest.mark.parametrize("error, status", STATUSES, ids=[type(e).__name__ for e, _ in STATUSES])
def test_every_error_has_its_status(error: E.KGError, status: int) -> None:
    assert error.http_status == status


def test_exit_codes_and_messages() -> None:
    assert (E.ConfigError("x").exit_code, E.BadQuery("x").exit_code, E.CurationError("a", 1, "f", "m").exit_code) == (2, 2, 3)
    assert E.NotFound("nothing here").cli_message() == "kg: error: nothing here"
    failed = E.ValidationFailed("the graph does not conform", "report line 1\nreport line 2")
    assert failed.cli_message() == "kg: the graph does not conform\nreport line 1\nreport line 2"
    assert E.ValidationFailed("no report").cli_message() == "kg: no report"


def test_curation_errors_print_every_problem_and_a_count() -> None:
    problems = [E.Problem("a.yaml", 3, "facts[0].since", "month out of range", 12, "write 2016-11"),
                E.Problem("b.yaml", 7, "claims[1]", "no quote")]
    assert E.CurationError.of(problems).cli_message() == (
        "kg: error: a.yaml:3:12: facts[0].since: month out of range \u2014 write 2016-11\n"
        "kg: error: b.yaml:7: claims[1]: no quote\n"
        "kg: 2 curation problems in 2 file(s); nothing was built")
    assert E.CurationError.of(problems[:1]).cli_message() == "kg: error: " + str(problems[0])
