"""The release history as RDF: DCAT 3 versions (https://www.w3.org/TR/vocab-dcat-3/#dataset-versions).

``{base}dataset`` is the dataset across its releases: ``dcat:version`` is the
current release's id, ``dcterms:issued`` the first publication,
``dcterms:modified`` the current release's; ``dcat:hasVersion`` names every
release and ``dcat:hasCurrentVersion`` the current one. Each release
``{base}releases/{id}`` is a ``dcat:Dataset`` of its own with ``dcat:version``,
``dcterms:issued``, ``dcat:previousVersion`` (the release it replaced),
``adms:versionNotes`` (what changed, in words) and its own distributions at
release-specific, immutable URLs. A pruned release keeps its description and
says so; its distributions are gone and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.rdf.iris import Iris
from kg.rdf.vocab import DCAT, DCT, RDF, RDFS, SPDX, VOID, XSD
from kg.release.history import ReleaseInfo
from kg.release.void import CC_BY, IANA, MEDIA  # the same term helpers as the release's own description
from kg.release.void import lit as _lit
from kg.release.void import node as _n

ADMS = "http://www.w3.org/ns/adms#"
SUPERSEDED = {str(DCAT.version), str(DCT.issued), str(DCT.modified), "http://www.w3.org/2002/07/owl#versionInfo"}
"""What a release's own void.ttl says of ``{base}dataset`` that the history says better."""


def release_iri(base: str, release_id: str) -> str:
    return str(Iris(base).release(release_id))


def notes(info: ReleaseInfo) -> str:
    """``adms:versionNotes``: the change summary in one English sentence."""
    s = info.summary
    if not info.previous:
        return (f"First release: {s['facts']['added']} facts, {s['claims']['added']} claims, "
                f"{s['entities']['added']} entities, {s['triples']['added']} triples.")
    if not s["quads"]["added"] and not s["quads"]["removed"]:
        return f"No change in the data since release {info.previous}."
    parts = [f"{c}: {s[c]['added']} added, {s[c]['removed']} removed, {s[c]['changed']} changed"
             for c in ("facts", "claims", "entities", "articles") if any(s[c].values())]
    return (f"Since release {info.previous}: " + "; ".join(parts or ["no facts, claims or entities changed"])
            + f"; triples +{s['triples']['added']} -{s['triples']['removed']}.")


def ordered(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """De-duplicated, by subject: stable bytes, and Turtle groups each subject once."""
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def release_triples(base: str, info: ReleaseInfo) -> list[ox.Triple]:
    """One release as a DCAT dataset version, with its distributions if it is kept."""
    return ordered(_release(base, info))


def _release(base: str, info: ReleaseInfo) -> list[ox.Triple]:
    node, ds = _n(release_iri(base, info.id)), _n(Iris(base).dataset)
    t = [
        ox.Triple(node, _n(RDF.type), _n(DCAT.Dataset)),
        ox.Triple(node, _n(RDF.type), _n(VOID.Dataset)),
        ox.Triple(node, _n(DCT.title), _lit(f"Release {info.id}", lang="en")),
        ox.Triple(node, _n(DCT.identifier), _lit(info.id)),
        ox.Triple(node, _n(DCAT.version), _lit(info.id)),
        ox.Triple(node, _n(DCT.issued), _lit(info.published, XSD.dateTime)),
        ox.Triple(node, _n(DCT.isVersionOf), ds),
        ox.Triple(node, _n(ADMS + "versionNotes"), _lit(notes(info), lang="en")),
        ox.Triple(node, _n(DCT.license), _n(CC_BY)),
    ]
    if info.previous:
        t.append(ox.Triple(node, _n(DCAT.previousVersion), _n(release_iri(base, info.previous))))
    for key in ("triples",):
        if isinstance(info.meta.get(key), int):
            t.append(ox.Triple(node, _n(VOID.triples), _lit(info.meta[key], XSD.integer)))
    if info.pruned:
        t.append(ox.Triple(node, _n(RDFS.comment), _lit(
            f"Pruned on {info.pruned}: this release's dumps and past states are no longer served; its metadata is kept.", lang="en")))
        return t
    for i, (name, f) in enumerate(sorted(info.meta.get("files", {}).items()), start=1):
        dist = _n(Iris(base).release_dump(info.id, name))
        stem, _, ext = name.removesuffix(".gz").rpartition(".")
        media = MEDIA[ext][0] if stem == "dataset" and ext in MEDIA else "text/turtle"
        if stem == "dataset":
            t.append(ox.Triple(node, _n(DCAT.distribution), dist))
            t.append(ox.Triple(node, _n(VOID.dataDump), dist))
        else:
            t.append(ox.Triple(node, _n(RDFS.seeAlso), dist))
        t += [
            ox.Triple(dist, _n(RDF.type), _n(DCAT.Distribution)),
            ox.Triple(dist, _n(DCAT.downloadURL), dist),
            ox.Triple(dist, _n(DCAT.mediaType), _n(IANA + media)),
            ox.Triple(dist, _n(DCAT.byteSize), _lit(f["bytes"], XSD.nonNegativeInteger)),
        ]
        if name.endswith(".gz"):
            t.append(ox.Triple(dist, _n(DCAT.compressFormat), _n(IANA + "application/gzip")))
        checksum = ox.BlankNode(f"r{info.id}c{i}")
        t += [
            ox.Triple(dist, _n(SPDX.checksum), checksum),
            ox.Triple(checksum, _n(SPDX.algorithm), _n(SPDX.checksumAlgorithm_sha256)),
            ox.Triple(checksum, _n(SPDX.checksumValue), _lit(f["sha256"], XSD.hexBinary)),
        ]
    return t


def versions_triples(base: str, infos: list[ReleaseInfo], current: str) -> list[ox.Triple]:
    """``{base}dataset`` across its releases, and every release."""
    ds = _n(Iris(base).dataset)
    by_id = {i.id: i for i in infos}
    t: list[ox.Triple] = []
    if current in by_id:
        t += [
            ox.Triple(ds, _n(DCAT.version), _lit(current)),
            ox.Triple(ds, _n(DCAT.hasCurrentVersion), _n(release_iri(base, current))),
            ox.Triple(ds, _n(DCT.modified), _lit(by_id[current].published, XSD.dateTime)),
        ]
    if infos:
        t.append(ox.Triple(ds, _n(DCT.issued), _lit(min(i.published for i in infos), XSD.dateTime)))
    for info in infos:
        t.append(ox.Triple(ds, _n(DCAT.hasVersion), _n(release_iri(base, info.id))))
        t += _release(base, info)
    return ordered(t)


def catalogue_triples(base: str, infos: list[ReleaseInfo], current: str) -> list[ox.Triple]:
    """``{base}releases``: a catalogue of the versions (what ``/releases`` serves as RDF)."""
    cat = _n(Iris(base).releases)
    t = [
        ox.Triple(cat, _n(RDF.type), _n(DCAT.Catalog)),
        ox.Triple(cat, _n(DCT.title), _lit("Releases of the Qatar–NATO knowledge graph", lang="en")),
        ox.Triple(cat, _n(DCT.title), _lit("إصدارات الرسم المعرفي للتعاون بين قطر وحلف شمال الأطلسي", lang="ar")),
        ox.Triple(cat, _n(DCT.license), _n(CC_BY)),
    ]
    t += [ox.Triple(cat, _n(DCAT.dataset), _n(release_iri(base, i.id))) for i in infos]
    return ordered(t + versions_triples(base, infos, current))


def merge_description(void: Iterable[ox.Triple], base: str, infos: list[ReleaseInfo], current: str) -> list[ox.Triple]:
    """The served dataset description: the release's void.ttl with its version
    statements about ``{base}dataset`` replaced by the history's."""
    ds = str(Iris(base).dataset)
    kept = [t for t in void if not (isinstance(t.subject, ox.NamedNode) and t.subject.value == ds and t.predicate.value in SUPERSEDED)]
    if not infos:
        return list(void)
    return ordered(kept + versions_triples(base, infos, current))
