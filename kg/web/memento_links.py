"""Where a Memento, a TimeMap and a TimeGate live (RFC 7089), and how ``Link``
values are joined: shared by ``kg.web.memento`` and ``kg.web.gone`` (a ``410`` links
the last Memento and the TimeMap), so neither imports the other."""

from __future__ import annotations

from email.utils import formatdate

from kg.release import history

LINK_FORMAT = "application/link-format"


def http_date(published: str) -> str:
    return formatdate(history.parse_time(published).timestamp(), usegmt=True)


def timemap_path(rest: str) -> str:
    return "/timemap/id/" + rest


def memento_path(release_id: str, rest: str) -> str:
    return f"/releases/{release_id}/doc/{rest}"


def links(*parts: str) -> str:
    return ", ".join(p for p in parts if p)
