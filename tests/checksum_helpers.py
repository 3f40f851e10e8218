"""Checking a seeds directory against its SHA256SUMS alone, raising as the build would."""

from __future__ import annotations

from pathlib import Path

from kg.curation.checksums import checksum_problems
from kg.errors import CurationError


def verify(seeds_dir: Path) -> None:
    """Raise one ``CurationError`` holding every problem ``checksum_problems`` finds
    (the build reports them with the run's other curation problems)."""
    if found := checksum_problems(seeds_dir):
        raise CurationError.of(found)
