"""Every setting is documented, and the environment is read once into Settings."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from conftest import ROOT
from kg.config import Settings, from_environ


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
