"""Every setting is documented, and the environment is read once into Settings."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from conftest import ROOT

from kg.config import Settings, from_environ
from kg.errors import ConfigError


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_setting_is_documented_with_help(name: str) -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert f"`{name}`" in doc and f"`KG_{name.upper()}`" in doc
    assert Settings.__dataclass_fields__[name].metadata.get("help")


def test_environment_and_overrides() -> None:
    s = from_environ({"KG_PORT": "9001", "KG_QUERY_TIMEOUT": "2.5", "KG_VAR_DIR": "/tmp/x"}, port=None, host="0.0.0.0")
    assert (s.port, s.query_timeout, s.var_dir, s.host) == (9001, 2.5, Path("/tmp/x"), "0.0.0.0")


def test_base_iri_must_end_with_slash() -> None:
    with pytest.raises(ValueError):
        Settings(base_iri="https://example.org/kg")
    with pytest.raises(ConfigError, match="must end with '/'"):
        Settings(base_iri="https://example.org/kg")


def test_config_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad setting is the user's input: ``kg`` says which and exits 2, no traceback."""
    from kg.cli import main

    assert main(["--base-iri", "https://example.org/kg", "validate"]) == 2
    assert capsys.readouterr().err == "kg: error: base IRI must end with '/': 'https://example.org/kg'\n"
    monkeypatch.setenv("KG_PORT", "eighty")
    assert main(["validate"]) == 2
    assert capsys.readouterr().err == "kg: error: KG_PORT must be a number: 'eighty'\n"
    with pytest.raises(ConfigError):
        from_environ({"KG_QUERY_TIMEOUT": "soon"})


@pytest.mark.parametrize("env, logged", [({}, True), ({"KG_ACCESS_LOG": "0"}, False)])
def test_the_access_log_is_on_by_default_and_can_be_turned_off(release, release_settings, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                               env: dict[str, str], logged: bool) -> None:
    """A real ``kg serve``: one line per request on stderr, unless ``KG_ACCESS_LOG=0``
    (``--no-access-log``), for deployments whose proxy already logs each request."""
    import httpx
    from security_fixtures import kg_serve_process

    out = tmp_path / "access.log"
    with kg_serve_process(release_settings.var_dir, env=env, log=tmp_path / "serve.log", out=out) as (url, _proc):
        assert httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o } # access-log-probe"}).status_code == 200
    assert ('"GET /sparql?query=' in out.read_text(encoding="utf-8")) is logged


def test_every_setting_goes_through_the_environment_and_back() -> None:
    """``to_environ`` is how ``kg serve --server granian`` hands its settings to
    Granian's worker process: ``from_environ`` must read back the same settings."""
    from kg.config import Settings, from_environ, to_environ

    odd = Settings(base_iri="https://example.net/kg/", port=9123, query_timeout=2.5, access_log=False,
                   inline_bounded=False, server="granian", store_url="http://127.0.0.1:1/sparql",
                   var_dir=Path("/tmp/x/var"), max_rows=7)
    assert from_environ(to_environ(odd)) == odd
    assert from_environ(to_environ(Settings())) == Settings()


def test_an_unknown_server_is_refused() -> None:
    from kg.config import Settings
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="server must be one of uvicorn, granian"):
        Settings(server="gunicorn")
