"""Property-based: malformed and adversarial curated files always give a
CurationError whose every problem is one clear line (file, line, field, what
to do), never a traceback, and never touch the published release."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kg.config import Settings
from kg.curation.loader import load_corpus
from kg.errors import CurationError, ValidationFailed
from kg.release.build import build

ARTICLE = "000_35b9f4be7a1e8528.yaml"

# odd Unicode a curator's clipboard brings: RTL/LTR marks and overrides,
# tatweel, combining marks, zero-width joiners, Arabic presentation forms
ODD = "\u200f\u200e\u202e\u202d\u0640\u064b\u0651\u0670\u200d\u200c\ufeff\ufe8d\u00a0"
weird_text = st.text(alphabet=st.sampled_from(list(ODD) + list("قطرaz09-:#{}[]\"'\n\t ")), max_size=60)
huge_text = st.integers(min_value=2_001, max_value=20_000).map(lambda n: "ب" * n)
scalars = st.one_of(
    weird_text, huge_text, st.integers(-10**6, 10**6), st.booleans(), st.none(),
    st.sampled_from(["2019-02-30", "1850", "2005-00", "state/QAT", "nope/x", "", "~", "null", "2016-11-21T00:00"]),
)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 4096
    return y


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, CommentedMap):
        for k, v in node.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, CommentedSeq):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(doc: object, path: tuple, op: str, value: object) -> None:
    parent = doc
    for part in path[:-1]:
        parent = parent[part]  # type: ignore[index]
    key = path[-1]
    if op == "set":
        parent[key] = value  # type: ignore[index]
    elif op == "delete":
        del parent[key]  # type: ignore[attr-defined]
    elif op == "duplicate" and isinstance(parent, CommentedSeq):
        parent.append(parent[key])


def _assert_clear(err: CurationError, seeds: Path) -> None:
    """Every problem is one clear line: file in the seeds, field, message, what to do."""
    assert err.problems and str(err) == "\n".join(str(p) for p in err.problems)
    for problem in err.problems:
        text = str(problem)
        assert "\n" not in text and text.strip() == text
        assert Path(problem.path).parent == seeds
        assert problem.field and problem.message and problem.fix
        assert "Traceback" not in text


@pytest.fixture(scope="module")
def template() -> str:
    return (SEEDS / ARTICLE).read_text(encoding="utf-8")


@settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_structural_mutations_give_one_clear_line(template: str, data: st.DataObject) -> None:
    doc = _yaml().load(template)
    paths = _paths(doc)
    path = data.draw(st.sampled_from(paths), label="path")
    op = data.draw(st.sampled_from(["set", "delete", "duplicate"]), label="op")
    value = data.draw(scalars, label="value")
    _mutate(doc, path, op, value)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(SEEDS, seeds)
        with (seeds / ARTICLE).open("w", encoding="utf-8") as fh:
            _yaml().dump(doc, fh)
        try:
            load_corpus(seeds)
        except CurationError as err:
            _assert_clear(err, seeds)


@settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "25")), deadline=None)
@given(cut=st.integers(min_value=0, max_value=20_000), junk=st.text(alphabet=st.sampled_from(list(ODD) + list(":-[]{}&*!|>'\"%@`\t ")), min_size=1, max_size=8))
def test_textual_corruption_gives_one_clear_line(template: str, cut: int, junk: str) -> None:
    raw = template.encode("utf-8")
    cut = cut % len(raw)
    corrupted = raw[:cut] + junk.encode("utf-8") + raw[cut:]
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(SEEDS, seeds)
        (seeds / ARTICLE).write_bytes(corrupted)
        try:
            load_corpus(seeds)
        except CurationError as err:
            _assert_clear(err, seeds)


def test_invalid_utf8_is_named(seeds_copy: Path) -> None:
    (seeds_copy / ARTICLE).write_bytes(b"article:\n  id: \xff\xfe\n")
    with pytest.raises(CurationError) as info:
        load_corpus(seeds_copy)
    assert "UTF-8" in str(info.value) or "utf-8" in str(info.value).lower()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=scalars)
def test_a_bad_build_never_touches_the_release(tmp_path_factory: pytest.TempPathFactory, value: object) -> None:
    root = tmp_path_factory.mktemp("gate")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    s = Settings(var_dir=root / "var", seeds_dir=seeds)
    build(s, progress=lambda _l: None)
    before = {p.name: p.read_bytes() for p in (root / "var" / "current").iterdir() if p.is_file()}
    link = os.readlink(root / "var" / "current")
    doc = _yaml().load((seeds / ARTICLE).read_text(encoding="utf-8"))
    doc["facts"][1]["since"] = value
    with (seeds / ARTICLE).open("w", encoding="utf-8") as fh:
        _yaml().dump(doc, fh)
    try:
        build(s, progress=lambda _l: None)
    except (CurationError, ValidationFailed):
        assert os.readlink(root / "var" / "current") == link
        assert {p.name: p.read_bytes() for p in (root / "var" / "current").iterdir() if p.is_file()} == before
