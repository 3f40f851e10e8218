"""The README's numbers and commands stay true (issue 23, item 10): the counts
it states are those a build of ``seeds/`` publishes, and its ``curl``
examples run, with the real curl, against a real server (a non-ASCII query
sent raw in a URL is refused by the server: the example URL-encodes it)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED_SEEDS
from ld_fixtures import ld_url  # noqa: F401  (fixture)

from kg.config import Settings
from kg.curation.loader import load_corpus
from kg.release.build import build

README = (ROOT / "README.md").read_text(encoding="utf-8")
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def test_the_counts_it_states_are_those_of_a_build_of_the_seeds(tmp_path: Path) -> None:
    m = re.search(r"The first dataset is (\w+) articles.*?:\s+(\d+) facts and (\d+) attributed claims", README, re.S)
    assert m, "the README no longer states the dataset's counts where this test looks"
    articles, facts, claims = WORDS.get(m.group(1), m.group(1)), int(m.group(2)), int(m.group(3))
    release = build(Settings(var_dir=tmp_path / "var", seeds_dir=SHIPPED_SEEDS), progress=lambda _line: None)
    assert (len(release.meta["articles"]), release.meta["facts"], release.meta["claims"]) == (articles, facts, claims), (
        "README.md states counts seeds/ no longer has: update the first paragraph")
    assert len(load_corpus(SHIPPED_SEEDS).articles) == articles


def examples(start: str) -> list[str]:
    """The README's shell commands that begin with ``start`` (continuation lines joined)."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    text = "\n".join(blocks).replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip().startswith(start)]


def run_curl(command: str, url: str) -> str:
    args = shlex.split(command.replace("http://127.0.0.1:8000", url))
    assert args[0] == "curl"
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_search_and_reconcile_examples_run(ld_url: str) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl not installed")
    search = [c for c in examples("curl") if "/search" in c]
    assert search and all("--data-urlencode" in c and "-G" in c.split() for c in search)
    body = json.loads(run_curl(search[0], ld_url))
    assert body["results"][0]["id"].endswith("/id/place/doha")
    reconcile = [c for c in examples("curl") if "/reconcile" in c and "queries=" in c]
    assert reconcile
    answer = json.loads(run_curl(reconcile[0], ld_url))
    assert answer["q0"]["result"][0]["id"] == "person/jens-stoltenberg"
