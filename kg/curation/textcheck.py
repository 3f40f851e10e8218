"""Is this file fit to be a seed text? Checked before ``kg new`` copies it.

A seed is quoted by character offsets for ever (W3C Web Annotation
TextPositionSelector, ``kg.curation.quote.verbatim``), so it must decode the same way
everywhere: UTF-8 (RFC 3629) with no byte-order mark (which would count as a
character at offset 0 in some readers and none in others, RFC 3629 §6) and no
NUL (which truncates the text in C-based tools). Problems that do not change
what a character offset means (CRLF line ends, text not in NFC, other control
characters) are warnings: the copy stays byte-identical, but the curator
learns why a quote typed from the screen may not match.

Every finding says where: line and column, both 1-based, the column counting
characters (code points) as the quote offsets do.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_BOMS = (
    (b"\xef\xbb\xbf", "a UTF-8 byte-order mark (EF BB BF)"),
    (b"\xff\xfe", "a UTF-16 little-endian byte-order mark (FF FE): the file is UTF-16, not UTF-8"),
    (b"\xfe\xff", "a UTF-16 big-endian byte-order mark (FE FF): the file is UTF-16, not UTF-8"),
)
_ALLOWED_CONTROLS = "\t\n\r"


@dataclass(frozen=True)
class Finding:
    """One problem with a text: ``fatal`` ones refuse it."""

    fatal: bool
    line: int | None
    column: int | None
    message: str

    def where(self) -> str:
        return f"{self.line}:{self.column}" if self.line is not None else ""


@dataclass(frozen=True)
class Checked:
    text: str | None
    """The decoded text, or None when it does not decode."""
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.fatal]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.fatal]


def position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based, the column in characters) of byte ``offset``;
    the line's bytes before it are valid UTF-8 up to there, or counted as bytes."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset]
    try:
        column = len(before.decode("utf-8")) + 1
    except UnicodeDecodeError:
        column = len(before) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _text_position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def check_text(data: bytes) -> Checked:
    """Every finding about ``data`` as a seed text, errors first by position."""
    findings: list[Finding] = []
    if not data.strip():
        return Checked(None, (Finding(True, None, None, "the file is empty (or only whitespace)"),))
    for bom, what in _BOMS:
        if data.startswith(bom):
            findings.append(Finding(True, 1, 1, f"starts with {what}; save it as UTF-8 without BOM"))
            break
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = None
        line, col = position(data, exc.start)
        bad = data[exc.start:exc.end].hex(" ").upper()
        findings.append(Finding(True, line, col, f"not valid UTF-8: byte(s) {bad} at byte offset {exc.start} ({exc.reason}); "
                                                 "convert the file to UTF-8 first (e.g. iconv -f WINDOWS-1256 -t UTF-8)"))
    nul = data.find(b"\x00")
    if nul != -1:
        line, col = position(data, nul)
        n = data.count(b"\x00")
        findings.append(Finding(True, line, col, f"contains a NUL byte ({n} in all): not a text file, or UTF-16"))
    if text is not None:
        findings.extend(_warnings(text))
    return Checked(text, tuple(sorted(findings, key=lambda f: (not f.fatal, f.line or 0, f.column or 0))))


def _warnings(text: str) -> list[Finding]:
    out: list[Finding] = []
    crlf = text.count("\r\n")
    if crlf:
        line, col = _text_position(text, text.index("\r\n"))
        out.append(Finding(False, line, col, f"{crlf} line(s) end with CRLF (Windows): kept byte-identical, and each CR "
                                             "counts as a character in quote offsets"))
    lone_cr = text.replace("\r\n", "").count("\r")
    if lone_cr:
        i = next(i for i, ch in enumerate(text) if ch == "\r" and text[i + 1:i + 2] != "\n")
        line, col = _text_position(text, i)
        out.append(Finding(False, line, col, f"{lone_cr} carriage return(s) not followed by a line feed: most tools show "
                                             "them as line breaks, the line numbers here do not"))
    control = next((i for i, ch in enumerate(text)
                    if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS and ch != "\x00"), None)
    if control is not None:
        line, col = _text_position(text, control)
        out.append(Finding(False, line, col, f"control character U+{ord(text[control]):04X}: invisible, yet quotes must include it"))
    if "\ufeff" in text[1:]:  # at 0 it is the byte-order mark, refused above
        line, col = _text_position(text, text.index("\ufeff", 1))
        out.append(Finding(False, line, col, "U+FEFF (zero-width no-break space) inside the text: invisible, yet quotes must include it"))
    if not unicodedata.is_normalized("NFC", text):
        i = next(i for i, ch in enumerate(text) if not unicodedata.is_normalized("NFC", text[max(0, i - 1):i + 2]))
        line, col = _text_position(text, i)
        out.append(Finding(False, line, col, "not in Unicode NFC: an editor may save a quote typed from it differently; "
                                             "copy quotes with 'kg quote'"))
    return out


__all__ = ["Checked", "Finding", "check_text", "position"]
