"""kg.release.merge: tagged spool lines → dumps, merged with a previous build's, and the delta between them."""

from __future__ import annotations

from pathlib import Path

from kg.release.incremental import tag
from kg.release.merge import quad_line, triple_line, write_dump
from kg.release.spool import DumpWriter

A, B, C = tag("a.yaml"), tag("b.yaml"), tag("c.yaml")


def _file(path: Path, lines: list[str]) -> Path:
    path.write_bytes("".join(sorted(f"{ln}\n" for ln in lines)).encode())
    return path


def _dump(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_full_dump_drops_tags_and_duplicates_across_inputs(tmp_path: Path) -> None:
    new = _file(tmp_path / "new", [f"<g1>\t<s> <p> <o>\t{A}", f"<g1>\t<s> <p> <o>\t{B}", f"<g2>\t<s> <p> \"x\"\t{A}"])
    dump = DumpWriter(tmp_path, "d.nq", gz=False)
    done = write_dump(new, dump, quad_line, graphs=True)
    dump.close()
    assert _dump(tmp_path / "d.nq") == ["<s> <p> <o> <g1> .", '<s> <p> "x" <g2> .']
    assert (done.lines, done.graphs, done.delta) == (2, 2, None)


def test_merge_keeps_what_another_input_still_states(tmp_path: Path) -> None:
    """Article a is edited (its lines replaced), c removed: a quad b also states survives a's
    removal; the delta lists only what really appeared or went."""
    old = _file(tmp_path / "old", [
        f"<s> <p> <shared> .\t{A}", f"<s> <p> <shared> .\t{B}",  # also stated by b: stays
        f"<s> <p> <only-a> .\t{A}",                               # a no longer says it: removed
        f"<s> <p> <only-b> .\t{B}",                               # untouched input
        f"<s> <p> <only-c> .\t{C}",                               # c removed: removed
        f"<s> <p> <again> .\t{A}",                                # a says it again: unchanged
    ])
    new = _file(tmp_path / "new", [f"<s> <p> <shared> .\t{A}", f"<s> <p> <again> .\t{A}", f"<s> <p> <new> .\t{A}"])
    out = tmp_path / "merged"
    dump = DumpWriter(tmp_path, "d.nt", gz=False)
    done = write_dump(new, dump, triple_line, old=old, changed=frozenset({A.encode(), C.encode()}), out=out)
    dump.close()
    assert _dump(tmp_path / "d.nt") == ["<s> <p> <again> .", "<s> <p> <new> .", "<s> <p> <only-b> .", "<s> <p> <shared> ."]
    assert done.delta is not None
    assert done.delta.added == [b"<s> <p> <new> .\n"]
    assert done.delta.removed == [b"<s> <p> <only-a> .\n", b"<s> <p> <only-c> .\n"]
    # the merged tagged file is what a full build would have sorted: the next build's input
    assert out.read_bytes() == _file(tmp_path / "expected", [
        f"<s> <p> <again> .\t{A}", f"<s> <p> <new> .\t{A}", f"<s> <p> <only-b> .\t{B}",
        f"<s> <p> <shared> .\t{A}", f"<s> <p> <shared> .\t{B}"]).read_bytes()


def test_tagged_lines_sort_in_untagged_order(tmp_path: Path) -> None:
    """A quad whose text is a prefix of another's still sorts first with its tag appended."""
    lines = ['<s> <p> "a"', '<s> <p> "a"@en', '<s> <p> "a b"']
    tagged = sorted(f"{ln}\t{A}".encode() for ln in lines)
    assert [t[:-len(A) - 1] for t in tagged] == sorted(ln.encode() for ln in lines)
