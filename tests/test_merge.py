"""kg.release.merge: tagged spool lines (the merge itself: tests/test_tagged.py)."""

from __future__ import annotations

from pathlib import Path

from kg.release.incremental import tag

A, B, C = tag("a.yaml"), tag("b.yaml"), tag("c.yaml")


def test_tagged_lines_sort_in_untagged_order(tmp_path: Path) -> None:
    """A quad whose text is a prefix of another's still sorts first with its tag appended."""
    lines = ['<s> <p> "a"', '<s> <p> "a"@en', '<s> <p> "a b"']
    tagged = sorted(f"{ln}\t{A}".encode() for ln in lines)
    assert [t[:-len(A) - 1] for t in tagged] == sorted(ln.encode() for ln in lines)
