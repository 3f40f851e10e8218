"""``seeds/retired.yaml``: entities that were merged into another, for the 410 answers.

When a curator merges two entities (one key kept, the other's uses moved to
it), the dropped key's IRI stops existing in the next release. Its IRI then
answers ``410 Gone``; an entry here adds where it went
(``dcterms:isReplacedBy``)::

    retired:
      - {key: person/stoltenberg, replaced_by: person/jens-stoltenberg, note: "merged: same person"}

The file is optional. Each entry is checked against the corpus being built:
``key`` must be a well-formed entity key that no file declares any more, and
``replaced_by`` one that is declared; a mistake names file, line and field.
Kept apart from the article loader on purpose: it concerns IRIs that left the
data, not the data.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from kg.errors import CurationError
from kg.rdf.iris import Iris, is_valid_key

RETIRED_FILE = "retired.yaml"


def load_retired(seeds_dir: Path, declared: Collection[str], iris: Iris) -> dict[str, str]:
    """IRI of each retired key → IRI of its replacement (empty without the file)."""
    path = Path(seeds_dir) / RETIRED_FILE
    if not path.is_file():
        return {}
    try:
        doc = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CurationError(path, mark.line + 1 if mark else None, "yaml", str(getattr(exc, "problem", exc))) from None
    except UnicodeDecodeError as exc:
        raise CurationError(path, None, "encoding", f"not valid UTF-8 at byte {exc.start}") from None
    if doc is None:
        return {}
    if not isinstance(doc, CommentedMap) or set(doc) != {"retired"} or not isinstance(doc["retired"], CommentedSeq):
        raise CurationError(path, 1, "retired", "expected a mapping with one key, 'retired', holding a list")
    out: dict[str, str] = {}
    for i, entry in enumerate(doc["retired"]):
        line = doc["retired"].lc.item(i)[0] + 1
        if not isinstance(entry, CommentedMap):
            raise CurationError(path, line, f"retired[{i}]", "expected a mapping with 'key' and 'replaced_by'")
        unknown = set(entry) - {"key", "replaced_by", "note"}
        if unknown:
            raise CurationError(path, line, f"retired[{i}].{sorted(unknown)[0]}", "unknown field (allowed: key, replaced_by, note)")
        key, target = entry.get("key"), entry.get("replaced_by")
        for name, value in (("key", key), ("replaced_by", target)):
            if not isinstance(value, str) or not is_valid_key(value):
                raise CurationError(path, line, f"retired[{i}].{name}", f"{value!r} is not an entity key (kind/slug)")
        if key in declared:
            raise CurationError(path, line, f"retired[{i}].key", f"{key} is still declared: only an entity no file declares is retired")
        if target not in declared:
            raise CurationError(path, line, f"retired[{i}].replaced_by", f"{target} is not declared in any curated file")
        if str(iris.entity(key)) in out:
            raise CurationError(path, line, f"retired[{i}].key", f"{key} is retired twice")
        out[str(iris.entity(key))] = str(iris.entity(target))
    return out
