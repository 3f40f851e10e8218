"""Every URL the Web layer builds: IRI ↔ local path ↔ document variants.

Cool URIs (https://www.w3.org/TR/cooluris/), the choice documented in
docs/linked-data.md:

* a thing ``{base}id/{path}`` is not a document: it answers ``303 See Other``
  with its description ``{base}doc/{path}`` (negotiated), whose explicit-format
  variants are ``{base}doc/{path}.{ttl,jsonld,nt,rdf,html}``;
* documents — ``{base}ontology``, ``{base}shapes``, ``{base}graph/{name}``,
  ``{base}dataset`` — answer ``200`` themselves, with the same variants;
* a fragment IRI ``{x}#part`` is resolved by the client against ``{x}``.

Paths are root-relative, so the same pages work on a local server and on a
deployment at the base IRI's host.
"""

from __future__ import annotations

from kg.rdf.formats import RESOURCE_FORMATS, Format

SUFFIXES: dict[str, Format] = {f.suffix: f for f in RESOURCE_FORMATS}
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


class Urls:
    def __init__(self, base: str, *, release: str | None = None) -> None:
        self.base = base
        self.release = release
        """Set for the pages of a past state (``/releases/{id}/doc/…``): links to
        our things stay in that release, as in a web archive."""

    # -- IRI → where a browser goes --------------------------------------------
    def page(self, iri: str) -> str:
        """The local URL that shows ``iri``: its document for ours (in the pinned
        release, for a past state's page), itself otherwise."""
        if not iri.startswith(self.base):
            return iri
        path, hash_, frag = iri[len(self.base):].partition("#")
        if path.startswith("id/"):
            path = "doc/" + path[3:]
            if self.release is not None:
                path = f"releases/{self.release}/{path}"
        return "/" + path + (hash_ + frag)

    def document_iri(self, iri: str) -> str:
        """The IRI of the document describing ``iri`` (the thing's, for a fragment)."""
        return self.base + self.page(iri.split("#", 1)[0])[1:]

    def variant(self, iri: str, suffix: str) -> str:
        return self.page(iri.split("#", 1)[0]) + "." + suffix

    def variants(self, iri: str) -> list[tuple[str, Format]]:
        return [(self.variant(iri, f.suffix), f) for f in RESOURCE_FORMATS]

    # -- request path → IRI ----------------------------------------------------
    def thing(self, rest: str) -> str:
        """``/id/{rest}`` and ``/doc/{rest}`` are both about ``{base}id/{rest}``."""
        return self.base + "id/" + rest

    @staticmethod
    def split_suffix(rest: str) -> tuple[str, Format | None]:
        """``state/qat.ttl`` → (``state/qat``, Turtle); no known suffix → (rest, None)."""
        stem, dot, suffix = rest.rpartition(".")
        if dot and stem and suffix in SUFFIXES and "/" not in suffix:
            return stem, SUFFIXES[suffix]
        return rest, None

    # -- fixed places ------------------------------------------------------------
    home = "/"
    sparql = "/sparql"
    dumps = "/dumps/"
    void = "/.well-known/void"
    ontology = "/ontology"
    shapes = "/shapes"
    types = "/types/"
    static = "/static/"

    def dump(self, name: str) -> str:
        return "/dumps/" + name

    def type_list(self, curie: str) -> str:
        return "/types/" + curie

    def article_span(self, article: str, start: int, end: int) -> str:
        return f"{self.page(article)}#span-{start}-{end}"
