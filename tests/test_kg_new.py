"""``kg new``: a text is checked, then copied byte-identical and listed with
its skeleton, or refused with line:column and nothing added."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS

from kg.cli import main
from kg.curation.skeleton import guess_headline
from kg.curation.textcheck import check_text

# A short text written for these tests (not a real article): a site line, the
# headline twice, a byline, two paragraphs.
TEXT = (
    "تسجيل الدخول\n\n"
    "وزير الخارجية يستقبل وفدا من مبادرة اسطنبول للتعاون\n\n"
    "الدوحة - 2 يناير 2020\n"
    "وزير الخارجية يستقبل وفدا من مبادرة اسطنبول للتعاون\n\n"
    "استقبل وزير الخارجية اليوم وفدا من مبادرة اسطنبول للتعاون، وبحث الجانبان «آفاق التعاون» في إدارة الأزمات.\n"
    "وأكد الوزير أهمية الحوار السياسي.\n"
)


def snapshot(seeds: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(seeds.iterdir())}


def new(seeds: Path, *args: str) -> int:
    return main(["--seeds", str(seeds), "new", *args])


def write(tmp_path: Path, data: bytes, name: str = "article.txt") -> Path:
    path = tmp_path / "incoming" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def test_adds_text_byte_identical_listed_and_a_skeleton(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = TEXT.encode("utf-8")
    src = write(tmp_path, data)
    assert new(seeds_copy, str(src), "--publisher", "publisher/zajel-news", "--published", "2020-01-02",
               "--url", "https://example.org/a?id=1") == 0
    digest = hashlib.sha256(data).hexdigest()
    stem = f"003_{digest[:16]}"  # the corpus holds 000, 001 and 002
    assert (seeds_copy / f"{stem}.txt").read_bytes() == data
    assert f"{digest}  {stem}.txt" in (seeds_copy / "SHA256SUMS").read_text().splitlines()
    skeleton_text = (seeds_copy / f"{stem}.yaml").read_text(encoding="utf-8")
    assert skeleton_text.splitlines()[0] == (seeds_copy / "000_35b9f4be7a1e8528.yaml").read_text().splitlines()[0]
    assert "CHECK title.ar" in skeleton_text
    doc = yaml.safe_load(skeleton_text)
    assert doc["article"]["file"] == f"{stem}.txt"
    assert doc["article"]["title"]["ar"] == "وزير الخارجية يستقبل وفدا من مبادرة اسطنبول للتعاون"
    assert doc["article"]["publisher"] == "publisher/zajel-news"
    assert str(doc["article"]["published"]) == "2020-01-02"
    assert doc["article"]["url"] == "https://example.org/a?id=1"
    assert doc["facts"] == [] and doc["claims"] == []
    out = capsys.readouterr().out
    assert f"{stem}.txt" in out and "headline" in out
    if shutil.which("sha256sum"):  # the list is what coreutils checks
        subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=seeds_copy, check=True, capture_output=True)


def test_next_number_follows_the_highest(seeds_copy: Path, tmp_path: Path) -> None:
    assert new(seeds_copy, str(write(tmp_path, TEXT.encode()))) == 0
    second = TEXT.replace("اليوم", "أمس").encode()
    assert new(seeds_copy, str(write(tmp_path, second, "b.txt"))) == 0
    assert (seeds_copy / f"004_{hashlib.sha256(second).hexdigest()[:16]}.txt").is_file()


def test_skeleton_is_refused_by_validate_with_a_clear_message(seeds_copy: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert new(seeds_copy, str(write(tmp_path, TEXT.encode()))) == 0
    capsys.readouterr()
    assert main(["--seeds", str(seeds_copy), "validate"]) == 3
    err = capsys.readouterr().err
    assert re.search(r"003_[0-9a-f]{16}\.yaml:\d+:\d+: article\.id: not curated yet", err), err
    assert "Traceback" not in err and "facts: no fact and no claim curated yet" in err
    # one line per placeholder (id, English title, publisher, date, note) and the missing facts; no type errors about them
    assert err.count("not curated yet: still the 'kg new' placeholder") == 5
    assert "lowercase slug" not in err and "expected YYYY" not in err


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (b"\xef\xbb\xbf" + TEXT.encode(), "1:1", "byte-order mark"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "1:1", "UTF-16"),
        ("سطر أول\nقطر ".encode() + b"\xff" + " الناتو\n".encode(), "2:5", "not valid UTF-8: byte(s) FF"),
        ("سطر أول\nقطر \u0627".encode()[:-1] + b"\n", "2:5", "not valid UTF-8"),  # a truncated sequence
        (TEXT.encode().replace("الدوحة".encode(), "الد\x00وحة".encode()), "5:4", "NUL byte"),
        (b"  \n\n", None, "empty"),
    ],
    ids=["utf8-bom", "utf16-bom", "invalid-byte", "truncated-sequence", "nul", "empty"],
)
def test_refusals_name_line_and_column_and_add_nothing(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       data: bytes, where: str | None, words: str) -> None:
    before = snapshot(seeds_copy)
    src = write(tmp_path, data)
    assert new(seeds_copy, str(src)) == 3
    err = capsys.readouterr().err
    assert words in err
    if where:
        assert f"{src}:{where}: text: refused, nothing added" in err
    assert snapshot(seeds_copy) == before


def test_crlf_is_a_warning_and_kept_byte_identical(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = TEXT.replace("\n", "\r\n").encode()
    src = write(tmp_path, data)
    assert new(seeds_copy, str(src)) == 0
    err = capsys.readouterr().err
    assert f"kg: warning: {src}:1:13: " in err and "CRLF" in err  # the first CR ends line 1 after 12 characters
    assert (seeds_copy / f"003_{hashlib.sha256(data).hexdigest()[:16]}.txt").read_bytes() == data


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--published", "2020-02-30"], "2020-02-30"),
        (["--published", "January 2020"], "expected YYYY"),
        (["--publisher", "zajel"], "publisher/<slug>"),
        (["--publisher", "person/someone"], "publisher/<slug>"),
        (["--url", "ftp://example.org/x"], "http(s) URL"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            args: list[str], words: str) -> None:
    before = snapshot(seeds_copy)
    assert new(seeds_copy, str(write(tmp_path, TEXT.encode())), *args) == 3
    assert words in capsys.readouterr().err
    assert snapshot(seeds_copy) == before


def test_the_same_text_twice_is_refused(seeds_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(seeds_copy)
    shipped = SEEDS / "000_35b9f4be7a1e8528.txt"
    assert new(seeds_copy, str(shipped)) == 3
    assert "already in the seeds as 000_35b9f4be7a1e8528.txt" in capsys.readouterr().err
    assert snapshot(seeds_copy) == before


def test_a_text_already_inside_the_seeds_is_refused(seeds_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (seeds_copy / "dropped.txt").write_text(TEXT, encoding="utf-8")
    before = snapshot(seeds_copy)
    assert new(seeds_copy, str(seeds_copy / "dropped.txt")) == 3
    assert "inside the seeds directory" in capsys.readouterr().err
    assert snapshot(seeds_copy) == before


def test_an_undeclared_publisher_is_a_warning(seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(seeds_copy, str(write(tmp_path, TEXT.encode())), "--publisher", "publisher/al-sharq") == 0
    assert "publisher/al-sharq is not declared in entities.yaml" in capsys.readouterr().err


def test_headline_guess_matches_the_curated_titles() -> None:
    """On the two curated articles the guess is the title a curator chose."""
    for name in ("000_35b9f4be7a1e8528", "001_8ef1d1eb9683969b"):
        text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
        title = yaml.safe_load((SEEDS / f"{name}.yaml").read_text(encoding="utf-8"))["article"]["title"]["ar"]
        guess = guess_headline(text)
        assert guess is not None and guess.text == title


def test_headline_without_repetition_falls_back_to_the_first_long_line() -> None:
    guess = guess_headline("دخول\n\nقطر تستضيف مؤتمرا دوليا حول الأمن\n\nنص الخبر هنا بكلمات كثيرة جدا.\n")
    assert guess is not None and guess.text == "قطر تستضيف مؤتمرا دوليا حول الأمن" and guess.line == 3


def test_text_warnings_point_at_the_character() -> None:
    """Lines are split at LF only (as the quote offsets and 'kg quote' count them)."""
    checked = check_text("أ\nب\rج\x07د\n\u0627\u0653\n".encode())
    assert not checked.errors
    found = {f.where(): f.message for f in checked.warnings}
    assert "carriage return" in found["2:2"]
    assert "U+0007" in found["2:4"]
    assert "NFC" in found["3:1"] or "NFC" in found["3:2"], found


def test_curators_adding_at_once_get_distinct_numbers_and_every_line(seeds_copy: Path, tmp_path: Path) -> None:
    """Four 'kg new' processes started together: the lock on the seeds
    directory serialises them, so no number is taken twice and no line of
    SHA256SUMS is lost."""

    texts = [write(tmp_path, TEXT.replace("اليوم", f"اليوم {'و' * (i + 1)}").encode(), f"t{i}.txt") for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-m", "kg", "--seeds", str(seeds_copy), "new", str(t)],
                              cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for t in texts]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    added = sorted(p.name for p in seeds_copy.glob("00[3-9]_*.txt"))  # the corpus holds 000 to 002
    assert [name[:3] for name in added] == ["003", "004", "005", "006"]
    listed = (seeds_copy / "SHA256SUMS").read_text().split()
    assert all(name in listed for name in added)
    from checksum_helpers import verify

    verify(seeds_copy)


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX")
def test_kg_new_waits_for_the_lock_on_the_seeds_directory(seeds_copy: Path, tmp_path: Path) -> None:
    """While another process holds the seeds directory's lock, 'kg new' writes
    nothing; once it is released, it adds the text."""
    import fcntl

    before = snapshot(seeds_copy)
    fd = os.open(seeds_copy, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "kg", "--seeds", str(seeds_copy), "new", str(write(tmp_path, TEXT.encode()))],
                                cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=3)  # blocked on the lock, however long we wait
        assert snapshot(seeds_copy) == before
    finally:
        os.close(fd)
    assert proc.wait(timeout=120) == 0
    assert len(snapshot(seeds_copy)) == len(before) + 2


NO_HEADLINE = ("الدوحة - اليمن اليوم\n\n"
               "أكد مسؤول في حلف شمال الأطلسي أن دولة قطر شريك مهم، وقال إن التعاون بين الجانبين يتطور "
               "في مجالات عديدة منها التدريب والتعليم والدفاع السيبراني وأمن الطاقة.\n")


@pytest.mark.parametrize("byline", ["الدوحة - اليمن اليوم", "بروكسل - المكتب الإعلامي - 13 مارس 2019",
                                    "الدوحة – قنا", "الأربعاء 13 مارس 2019"])
def test_a_byline_or_a_date_is_never_the_headline(byline: str) -> None:
    """Issue 22: a text without a headline starts with its byline, which has
    four words; it was taken as the headline."""
    assert guess_headline(byline + "\n\n" + NO_HEADLINE.split("\n\n", 1)[1]) is None
    guess = guess_headline(byline + "\nقطر والناتو يبحثان آفاق التعاون الدفاعي\n\nنص الخبر.\n")
    assert guess is not None and guess.text == "قطر والناتو يبحثان آفاق التعاون الدفاعي" and guess.line == 2


def test_a_headline_with_a_dash_is_still_a_headline() -> None:
    text = "قطر - الناتو: تعاون في مجالات الدفاع السيبراني والتدريب\n\nنص الخبر هنا.\n"
    guess = guess_headline(text)
    assert guess is not None and guess.line == 1


def test_a_text_without_a_headline_gets_no_guess_and_language_is_written(seeds_copy: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The skeleton then says no line looked like a headline (the title stays a
    TODO), and, as for every text, it writes the article's language."""
    src = write(tmp_path, NO_HEADLINE.encode("utf-8"))
    assert new(seeds_copy, str(src), "--publisher", "publisher/zajel-news", "--published", "2021-05-04") == 0
    stem = f"003_{hashlib.sha256(NO_HEADLINE.encode('utf-8')).hexdigest()[:16]}"  # the corpus holds 000 to 002
    skeleton_text = (seeds_copy / f"{stem}.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(skeleton_text)
    assert doc["article"]["title"]["ar"].startswith("TODO(kg new)")
    assert "no line looked like a headline" in skeleton_text
    assert doc["article"]["language"] == "ar"


def test_the_skeleton_writes_the_language(seeds_copy: Path, tmp_path: Path) -> None:
    assert new(seeds_copy, str(write(tmp_path, TEXT.encode("utf-8")))) == 0
    stem = f"003_{hashlib.sha256(TEXT.encode('utf-8')).hexdigest()[:16]}"
    doc = yaml.safe_load((seeds_copy / f"{stem}.yaml").read_text(encoding="utf-8"))
    assert doc["article"]["language"] == "ar"
