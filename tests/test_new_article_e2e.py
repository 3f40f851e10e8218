"""A curator's path end to end, on a private copy of the shipped seeds:
``kg new`` a text, see the skeleton refused, curate one fact with a quote
found by ``kg quote``, and ``kg build`` publishes it, evidence anchored.

The text is article B's with its first line (the page title) changed, so it
is a new file with new bytes; it is not presented as a real article."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import SHIPPED_SEEDS
from rdflib import Dataset, Namespace

from kg.cli import main
from kg.release.directory import open_release

OA = Namespace("http://www.w3.org/ns/oa#")
SOURCE = SHIPPED_SEEDS / "001_8ef1d1eb9683969b.txt"


def snapshot(seeds: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(seeds.iterdir())}


def test_new_quote_curate_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds, var = tmp_path / "seeds", tmp_path / "var"
    shutil.copytree(SHIPPED_SEEDS, seeds)
    n_before = len(list(seeds.glob("*.txt")))
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    lines[0] = "الأمين العام لحلف الناتو يستقبل وزير الخارجية في بروكسل"
    incoming = tmp_path / "incoming.txt"
    incoming.write_bytes("\n".join(lines).encode("utf-8"))

    # refusals first: the same text with a BOM, with a NUL, not UTF-8 — the seeds do not change
    before = snapshot(seeds)
    col = f"1:{lines[0].index('بروكسل') + 1}"
    for bad, where in ((b"\xef\xbb\xbf" + incoming.read_bytes(), "1:1"),
                       (incoming.read_bytes().replace("بروكسل".encode(), b"\x00", 1), col),
                       (incoming.read_bytes().replace("بروكسل".encode(), b"\xe9", 1), col)):
        (tmp_path / "bad.txt").write_bytes(bad)
        assert main(["--seeds", str(seeds), "new", str(tmp_path / "bad.txt")]) == 3
        assert f"bad.txt:{where}: text: refused" in capsys.readouterr().err
        assert snapshot(seeds) == before

    assert main(["--seeds", str(seeds), "new", str(incoming), "--publisher", "publisher/information-office",
                 "--published", "2019-03-13"]) == 0
    out = capsys.readouterr().out
    digest = hashlib.sha256(incoming.read_bytes()).hexdigest()
    stem = f"{n_before:03d}_{digest[:16]}"
    assert f"{stem}.txt" in out
    skeleton = seeds / f"{stem}.yaml"
    assert yaml.safe_load(skeleton.read_text(encoding="utf-8"))["article"]["title"]["ar"] == lines[0]

    assert main(["--seeds", str(seeds), "--var", str(var), "build", "--quiet"]) == 3  # not curated yet
    assert "not curated yet" in capsys.readouterr().err
    assert not (var / "current").exists()

    # the curator types the words loosely; kg quote gives the exact ones
    assert main(["--seeds", str(seeds), "quote", f"{stem}.txt", "ينس ستولتنبرغ الامين العام لحلف شمال الاطلسي الناتو"]) == 0
    hits = capsys.readouterr().out
    paste = next(ln for ln in hits.splitlines() if ln.strip().startswith("paste:")).split("paste:", 1)[1].strip()
    exact = yaml.safe_load(paste)["quote"]
    exact_text = exact if isinstance(exact, str) else exact["text"]
    assert exact_text != "ينس ستولتنبرغ الامين العام لحلف شمال الاطلسي الناتو" and "الأطلسي" in exact_text

    text = skeleton.read_text(encoding="utf-8")
    todo = [ln for ln in text.splitlines() if "TODO(kg new)" in ln and not ln.startswith("#")]
    assert len(todo) == 3  # id, English title, note
    text = (text.replace(todo[0], "  id: test-2019-03-13-e2e")
                .replace(todo[1], "    en: NATO Secretary General receives the Foreign Minister in Brussels")
                .replace(todo[2], "  note: Test copy of article B with another page title; one fact curated.")
                .replace("facts: []", "facts:\n  - id: stoltenberg-secretary-general\n    kind: holds_post\n"
                                      "    person: person/jens-stoltenberg\n    post: post/nato-secretary-general\n"
                                      f"    {paste}\n"))
    skeleton.write_text(text, encoding="utf-8")

    assert main(["--seeds", str(seeds), "--var", str(var), "build", "--quiet"]) == 0, capsys.readouterr().err
    release = open_release(var / "current")
    assert "test-2019-03-13-e2e" in [a["id"] for a in release.meta["articles"]]
    assert {"id": "test-2019-03-13-e2e", "sha256": digest} in [{"id": a["id"], "sha256": a["sha256"]} for a in release.meta["articles"]]
    ds = Dataset()
    ds.parse(release.file("dataset.nq"), format="nquads")
    assert exact_text in {str(o) for _s, _p, o, _g in ds.quads((None, OA.exact, None, None))}
