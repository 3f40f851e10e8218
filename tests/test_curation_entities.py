"""kg entities search / kinds, and the JSON Schema offering shared keys (issue 14 item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import SEEDS

from kg.cli import main
from kg.curation.schema import generate, shared_keys
from kg.curation.yamlio import FastLoader

A = "000_35b9f4be7a1e8528.yaml"
B = "001_8ef1d1eb9683969b.yaml"


def search(capsys: pytest.CaptureFixture[str], term: str, *extra: str, seeds: Path = SEEDS) -> list[dict]:
    assert main(["--seeds", str(seeds), "entities", "search", term, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("term", ["ستولتنبرغ", "شتولتنبرغ", "Stoltenburg", "stoltenberg", "JENS"])
def test_spelling_variants_find_jens_stoltenberg_first(capsys: pytest.CaptureFixture[str], term: str) -> None:
    hits = search(capsys, term)
    assert hits and hits[0]["key"] == "person/jens-stoltenberg", hits[:3]
    top = hits[0]
    assert (top["type"], top["en"], top["ar"]) == ("Official", "Jens Stoltenberg", "ينس ستولتنبرغ")
    line = int(top["where"].split(":")[1])
    assert top["where"].startswith("entities.yaml:") and top["shared"] is True
    assert (SEEDS / "entities.yaml").read_text(encoding="utf-8").splitlines()[line - 1].strip() == "- key: person/jens-stoltenberg"


def test_text_output_prints_key_type_labels_and_where(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seeds", str(SEEDS), "entities", "search", "الدوحه"]) == 0  # taa marbuta typed as haa
    first = capsys.readouterr().out.splitlines()[0].split("\t")
    assert first[0] == "place/doha" and first[1] == "City" and "الدوحة" in first[2] and first[3].startswith("entities.yaml:")


def test_local_entities_are_found_with_their_article(capsys: pytest.CaptureFixture[str]) -> None:
    hits = search(capsys, "consultative group third meeting", "--kind", "event")
    assert hits[0]["key"] == "event/ici-cg-3" and hits[0]["where"].startswith(A + ":") and hits[0]["shared"] is False
    assert all(h["key"].startswith("event/") for h in hits)


def test_nothing_close_is_exit_1_with_advice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seeds", str(SEEDS), "entities", "search", "qwxzv"]) == 1
    assert "no entity matches 'qwxzv'" in capsys.readouterr().err


def test_search_works_while_an_article_is_broken(seeds_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A curator searches while their article does not validate yet."""
    text = (seeds_copy / B).read_text(encoding="utf-8")
    (seeds_copy / B).write_text(text.replace("kind: holds_post", "kind: nonsense", 1), encoding="utf-8")
    (seeds_copy / A).write_text("article: [unclosed\n", encoding="utf-8")
    hits = search(capsys, "Stoltenberg", seeds=seeds_copy)
    assert hits[0]["key"] == "person/jens-stoltenberg"
    assert any(h["where"].startswith(B + ":") for h in search(capsys, "2019 visit NATO headquarters", "--kind", "event", seeds=seeds_copy))


def test_kinds_lists_key_kinds_roles_event_types_areas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seeds", str(SEEDS), "entities", "kinds", "--json"]) == 0
    k = json.loads(capsys.readouterr().out)
    assert k["kinds"]["person"] == {"Official": 5} and "membership" in k["kinds"]  # 3 in articles A and B, 2 (fictional) in C
    assert "role/host" in {r["key"] for r in k["roles"]}
    assert all(e["key"].startswith("cameo/") and e["notation"] for e in k["event_types"])
    assert {a["key"] for a in k["areas"]} >= {"area/cyber-defence"} and k["challenges"]
    assert main(["--seeds", str(SEEDS), "entities", "kinds"]) == 0
    out = capsys.readouterr().out
    assert "person/" in out and "role/host" in out and "cooperation areas:" in out


def _validator(kind: str, seeds: Path = SEEDS) -> jsonschema.Draft202012Validator:
    schema = generate(kind, shared_keys(seeds))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_accepts_the_curated_files_as_written() -> None:
    for kind, names in (("article", [A, B]), ("entities", ["entities.yaml"]), ("links", ["links.yaml"])):
        v = _validator(kind)
        for name in names:
            data = yaml.load((SEEDS / name).read_text(encoding="utf-8"), Loader=FastLoader)  # noqa: S506 - a safe loader
            assert [e.message for e in v.iter_errors(data)] == [], name


def test_the_schema_offers_shared_keys_and_allows_new_local_ones() -> None:
    schema = generate("article", shared_keys(SEEDS))
    assert schema["$defs"]["SharedKey"]["enum"] == sorted(shared_keys(SEEDS))
    assert "person/jens-stoltenberg" in schema["$defs"]["SharedKey"]["enum"]
    assert "event/ici-cg-3" not in schema["$defs"]["SharedKey"]["enum"]  # article-local: not offered
    v = _validator("article")
    data = yaml.load((SEEDS / A).read_text(encoding="utf-8"), Loader=FastLoader)  # noqa: S506 - a safe loader
    data["facts"][0]["person"] = "person/someone-new"  # an article may mint its own key
    assert list(v.iter_errors(data)) == []
    data["facts"][0]["person"] = "nope/x"  # not a known kind
    assert list(v.iter_errors(data))
    data["facts"][0]["person"] = "person/jens-stoltenberg"
    data["facts"][0]["infered"] = True
    assert any("infered" in e.message for e in v.iter_errors(data))


def test_schema_write_writes_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seeds", str(SEEDS), "schema", "--write", str(tmp_path / "schema")]) == 0
    written = sorted(p.name for p in (tmp_path / "schema").iterdir())
    assert written == ["article.schema.json", "entities.schema.json", "links.schema.json"]
    assert main(["--seeds", str(SEEDS), "schema", "--kind", "links"]) == 0
    assert capsys.readouterr().out == (tmp_path / "schema" / "links.schema.json").read_text(encoding="utf-8")


def test_search_says_when_it_found_only_spelling_variants(capsys: pytest.CaptureFixture[str]) -> None:
    """«الحصار» (blockade) is nowhere in the test corpus; its nearest name is «الحوار» (dialogue), a
    different thing: the search says it found only spelling variants. A name it holds gets no such note."""

    assert main(["--seeds", str(SEEDS), "entities", "search", "الحصار"]) == 0
    out, err = capsys.readouterr()
    assert "area/political-dialogue" in out and "only spelling variants" in err
    assert main(["--seeds", str(SEEDS), "entities", "search", "ستولتنبرغ"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("person/jens-stoltenberg") and "spelling variants" not in err
    assert main(["--seeds", str(SEEDS), "entities", "search", "الحصار", "--json"]) == 0
    assert all(hit["variant_only"] for hit in json.loads(capsys.readouterr().out))  # for tools, the same in JSON


@pytest.mark.parametrize("term", ["مقر حلف الناتو", "مقر الناتو", "NATO HQ"])
def test_nato_headquarters_by_its_usual_names(capsys: pytest.CaptureFixture[str], term: str) -> None:
    """Issue 22: the shipped headquarters has the names articles use beside
    its label («مقر حلف الناتو», «مقر الناتو»), so they find it first."""
    from conftest import SHIPPED_SEEDS

    hits = search(capsys, term, seeds=SHIPPED_SEEDS)
    assert hits[0]["key"] == "place/nato-hq" and hits[0]["score"] == 1.0, hits[:3]


@pytest.mark.parametrize("seeds", ["corpus", "shipped"])
def test_the_arabic_article_is_no_difference_between_words(capsys: pytest.CaptureFixture[str], seeds: str) -> None:
    """«مقر قيادة الحلف» (the alliance's command headquarters) names no label,
    but «الحلف» is the word «حلف» of «مقر حلف شمال الأطلسي»: the headquarters is
    offered (as a variant: the curator decides whether the text means it), and
    is the first place."""
    from conftest import SHIPPED_SEEDS

    where = SEEDS if seeds == "corpus" else SHIPPED_SEEDS
    hits = search(capsys, "مقر قيادة الحلف", seeds=where)
    assert "place/nato-hq" in [h["key"] for h in hits], hits[:3]
    assert all(h["variant_only"] for h in hits)
    places = search(capsys, "مقر قيادة الحلف", "--kind", "place", seeds=where)
    assert places[0]["key"] == "place/nato-hq"
