"""``kg quote SEED_FILE "words"``: the article's exact words for what a curator typed.

Arabic is hard to retype verbatim (hamza forms, taa marbuta, harakat,
tatweel, guillemets against straight quotes), and the build accepts only
verbatim quotes. So the curator types the words however they come, and this
prints, for each place they occur once folded (``kg.curation.quote.folded``), the exact
text as a YAML value ready to paste, with ``occurrence: N`` when the exact
text occurs more than once (N counts verbatim occurrences, as the build does)
and its line:column in the article.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from kg.curation.quote.folded import find_folded, nearest
from kg.curation.quote.verbatim import QuoteNotFound
from kg.errors import CurationError


def resolve_seed(seeds_dir: Path, seed: str) -> Path:
    """The text for ``seed``: a path, else a name in the seeds directory; a
    ``.yaml`` stands for the text its ``article.file`` names."""
    path = Path(seed)
    if not path.exists() and (Path(seeds_dir) / seed).exists():
        path = Path(seeds_dir) / seed
    if not path.is_file():
        raise CurationError(seed, None, "SEED_FILE", f"no such file (nor in {seeds_dir})")
    if path.suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            name = data["article"]["file"]
        except (yaml.YAMLError, UnicodeDecodeError, TypeError, KeyError):
            raise CurationError(path, None, "article.file", "cannot read which text this file curates") from None
        path = path.parent / str(name)
        if not path.is_file():
            raise CurationError(path, None, "article.file", "no such text beside the YAML file")
    return path


def yaml_value(text: str, *, flow: bool = False) -> str:
    """``text`` as a YAML scalar: plain when it reads back unchanged (inside
    ``{…}`` if ``flow``), else double-quoted (a JSON string is valid YAML)."""
    doc = f"{{k: {text}}}" if flow else f"k: {text}"
    try:
        if "\n" not in text and yaml.safe_load(doc) == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def find_quote(seeds_dir: Path, seed: str, words: str) -> str:
    """The report printed by ``kg quote``; ``CurationError`` when the words are nowhere, even folded."""
    path = resolve_seed(seeds_dir, seed)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CurationError(path, None, "encoding", f"not UTF-8 at byte {exc.start}") from None
    if len(words.strip()) < 2:
        raise CurationError(path, None, "words", "type at least two characters")
    matches = find_folded(text, words)
    if not matches:
        missing = QuoteNotFound("not found, even with Arabic variants, harakat, tatweel, quote marks and spaces folded",
                                quote=words, text=text, near=nearest(text, words))
        raise CurationError(path, None, "words", str(missing))
    out = [f"{path.name}: {len(matches)} place(s) match {words!r} once folded"]
    for n, m in enumerate(matches, start=1):
        how = "verbatim" if m.exact == words else "typed differently; the article's words are below"
        if m.occurrences == 1:
            paste = f"quote: {yaml_value(m.exact)}"
        else:
            paste = f"quote: {{text: {yaml_value(m.exact, flow=True)}, occurrence: {m.occurrence}}}"
        out += [
            f"[{n}] line {m.line}, column {m.column} (characters {m.start}–{m.end}); {how}",
            f"    exact:  {m.exact}",
            f"    occurrence {m.occurrence} of {m.occurrences} verbatim",
            f"    paste:  {paste}",
        ]
    return "\n".join(out) + "\n"


__all__ = ["find_quote", "resolve_seed", "yaml_value"]
