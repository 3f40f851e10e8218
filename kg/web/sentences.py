"""Human titles of facts: one sentence, in Arabic and in English, from the
fact's kind and the labels of what it is about.

The kind is read from what the fact's graph asserts (``qn:post`` → a post
held, ``org:organization`` → a membership, ``sem:hasActor`` alone → taking part
in an event, …); each kind has a template per language in ``TEMPLATES``.
Slots are filled with labels (role types by their ``skos:prefLabel``), dates
are written out ("13 March 2019", "13 مارس 2019"), and an IRI is never shown
as text: a term without any label is shown by its other-language label, and
only as a last resort by its IRI (the SHACL shapes require labels, so this
does not happen in a release).

The Arabic templates avoid verbs that must agree in gender with a subject
they cannot know (a person, a state, a meeting): they are nominal ("مشاركة
X في Y بصفة Z") or put the entity after a colon.

A template is a string with ``{slot}``s; ``[ … ]`` marks an optional part,
dropped when a slot inside it has no value. The result is a list of
``Piece``s, so a page can link each entity and isolate its direction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.folding import fold_words
from kg.query.reference import FactRecord, Labels, is_true
from kg.rdf.vocab import ORG, PROV, RDFS, SCHEMA, SEM, TIME, Vocabulary
from kg.web.sentence_templates import KIND_NAMES, KIND_ORDER, STANCE_TEMPLATES, TEMPLATES

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"


@dataclass(frozen=True)
class Piece:
    """Text, or a term to link (``iri``) shown by ``text``; ``lang`` of the text."""

    text: str
    iri: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Title:
    kind: str
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
           "أكتوبر", "نوفمبر", "ديسمبر"],
}
AND = {"en": " and ", "ar": " و"}
COMMA = {"en": ", ", "ar": "، "}


Slot = list[Piece]


def format_date(lit: ox.Literal, lang: str) -> str:
    """A (partial) xsd date as words: '13 March 2019', 'February 2005', '2018'."""
    m = re.fullmatch(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", lit.value[:10])
    if not m:
        return lit.value
    year, month, day = m.groups()
    if month is None:
        return year
    name = MONTHS[lang][int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


APPROXIMATELY = {"en": "about ", "ar": "نحو "}
"""Before a date marked ``qn:approximate``: the text gives it only roughly ("nearly two years ago")."""


def date_words(date: ox.Literal, lang: str, approximate: bool = False) -> str:
    """``format_date``, said to be approximate when the data says so (never shown as a firm date)."""
    return (APPROXIMATELY[lang] if approximate else "") + format_date(date, lang)


def when_phrase(date: ox.Literal | None, not_after: ox.Literal | None, lang: str, approximate: bool = False,
                began: ox.Literal | None = None, as_of: ox.Literal | None = None) -> str | None:
    """When an event happened; for an ongoing one, since when and as of when it was known to go on."""
    ongoing = (", ongoing as of " if lang == "en" else "، وحتى ") + format_date(as_of, lang) if as_of is not None else ""
    if ongoing and lang == "ar":
        ongoing += " على الأقل"  # "until at least": no verb to agree with the event's gender
    if date is not None:
        return date_words(date, lang, approximate)
    if began is not None:
        return ("since " if lang == "en" else "منذ ") + date_words(began, lang, approximate) + ongoing
    if not_after is not None:
        return ("no later than " if lang == "en" else "في موعد أقصاه ") + format_date(not_after, lang)
    if as_of is not None:
        return "ongoing as of " + format_date(as_of, lang) if lang == "en" else "حتى " + format_date(as_of, lang) + " على الأقل"
    return None


class Wording:
    """Fills templates for one page: labels, language, the page's own subject."""

    def __init__(self, labels: Labels, lang: str) -> None:
        self.labels = labels
        self.lang = lang
        self.other = "ar" if lang == "en" else "en"

    def name(self, iri: str) -> Piece:
        found = self.labels.get(iri, {})
        for lang in (self.lang, self.other, ""):
            if found.get(lang):
                return Piece(found[lang], iri=iri, lang=lang or None)
        return Piece(iri, iri=iri)

    def names(self, iris: list[str]) -> Slot:
        out: Slot = []
        for n, iri in enumerate(iris):
            if n:
                out.append(Piece(AND[self.lang] if n == len(iris) - 1 else COMMA[self.lang]))
            out.append(self.name(iri))
        return out

    def fill(self, kind: str, slots: dict[str, Slot | None]) -> Title:
        template = (TEMPLATES.get(kind) or STANCE_TEMPLATES[kind])[self.lang]
        pieces: list[Piece] = []
        for optional, required in re.findall(r"\[([^\]]*)\]|([^\[]+)", template):
            part = optional or required
            names = re.findall(r"\{(\w+)\}", part)
            if optional and any(not slots.get(n) for n in names):
                continue
            for text, slot in re.findall(r"([^{]*)(?:\{(\w+)\})?", part):
                if text:
                    pieces.append(Piece(text))
                if slot:
                    pieces.extend(slots.get(slot) or [])
        return Title(kind, tuple(pieces))


def title(rec: FactRecord, labels: Labels, lang: str, qn: Vocabulary) -> Title:
    """The sentence naming what ``rec`` says, in ``lang`` (``en`` or ``ar``); our terms are
    ``qn``'s, minted under the release's base (``kg.rdf.vocab.vocabulary``)."""
    w = Wording(labels, lang)
    g = _Graph(rec, qn)
    if rec.claim:
        return _claim(w, g, rec.iri, lang)
    if g.pairs(g.qn.post.value):  # a post holding: a qn:PostHolding node with qn:holder and qn:post (docs/modelling.md)
        _holding, post = g.pairs(g.qn.post.value)[0]
        person = g.objects(g.qn.holder.value)
        date = g.literal(g.qn.asOf.value)
        return w.fill("holds_post", {"person": w.names(person), "post": [w.name(post.value)],
                                     "date": _text(date, lang)})
    if g.pairs(str(ORG.organization)):
        member, org = g.objects(str(ORG.member)), g.objects(str(ORG.organization))
        since = next((o for s, p, o in g.triples if p.startswith(str(TIME)) and p.split("#")[-1].startswith("inXSD")), None)
        return w.fill("membership", {"member": w.names(member), "org": w.names(org),
                                     "role": [p if p.iri is None else _without_org(p, [w.name(o).text for o in org])
                                              for p in w.names(g.objects(str(ORG.role)))],
                                     "date": _text(since if isinstance(since, ox.Literal) else None, lang)})
    if g.pairs(g.qn.partner.value):
        pairs = g.pairs(g.qn.partner.value)
        return w.fill("cooperation", {"coop": [w.name(pairs[0][0].value)], "partners": w.names([o.value for _, o in pairs])})
    if g.pairs(g.qn.cooperationArea.value):
        coop, area = g.pairs(g.qn.cooperationArea.value)[0]
        return w.fill("cooperation_area", {"coop": [w.name(coop.value)], "area": [w.name(area.value)]})
    if g.pairs(g.qn.discussedCooperation.value):
        event, topic = g.pairs(g.qn.discussedCooperation.value)[0]
        return w.fill("discussed", {"event": [w.name(event.value)], "topic": [w.name(topic.value)]})
    if g.pairs(g.qn.addressedChallenge.value):
        event, challenge = g.pairs(g.qn.addressedChallenge.value)[0]
        return w.fill("challenge", {"event": [w.name(event.value)], "challenge": [w.name(challenge.value)]})
    if g.pairs(g.qn.rank.value):
        holding = g.pairs(g.qn.rank.value)[0][0].value
        return w.fill("rank", {"person": w.names(g.objects(g.qn.rankHolder.value, subject=holding)),
                               "rank": w.names(g.objects(g.qn.rank.value, subject=holding)),
                               "date": _text(g.literal(g.qn.asOf.value, subject=holding), lang)})
    if g.pairs(g.qn.countOf.value):
        count, subject = g.pairs(g.qn.countOf.value)[0]
        value = g.literal(str(SCHEMA.value), subject=count.value)
        units = [o for s, p, o in g.triples if p == str(SCHEMA.unitText) and isinstance(o, ox.Literal)]
        unit = next((o.value for o in units if o.language == lang), units[0].value if units else "")
        return w.fill("count", {"subject": [w.name(subject.value)], "value": [Piece(value.value)] if value else None,
                                "unit": [Piece(unit, lang=lang)] if unit else None,
                                "date": _text(g.literal(g.qn.asOf.value, subject=count.value), lang)})
    if g.pairs(g.qn.permits.value):
        agreement, _perm = g.pairs(g.qn.permits.value)[0]
        return w.fill("permission", {
            "agreement": [w.name(agreement.value)], "grantee": w.names(g.objects(g.qn.grantee.value)),
            "actions": w.names(g.objects(g.qn.permittedAction.value)), "targets": w.names(g.objects(g.qn.permissionTarget.value)),
        })
    event_level = {str(SEM.hasTimeStamp), str(SEM.hasBeginTimeStamp), str(SEM.hasPlace), g.qn.notAfter.value, g.qn.approximate.value, str(SEM.subEventOf),
                   g.qn.signedAgreement.value, g.qn.ratified.value, str(SEM.eventType), g.qn.asOf.value,
                   g.qn.planned.value, g.qn.underAgreement.value}
    actors = g.actors()
    event_subjects = sorted({s.value for s, p, _ in g.triples if p in event_level or p == str(SEM.hasActor)})
    if event_subjects and (any(p in event_level for _, p, _ in g.triples) or len(actors) != 1):
        ev = event_subjects[0]
        date = g.literal(str(SEM.hasTimeStamp), subject=ev)
        not_after = g.literal(g.qn.notAfter.value, subject=ev)
        approximate = g.literal(g.qn.approximate.value, subject=ev)
        planned = is_true(g.literal(g.qn.planned.value, subject=ev))
        as_of = g.literal(g.qn.asOf.value, subject=ev)  # a planned event is planned, not ongoing, as of then
        when = when_phrase(date, not_after, lang, is_true(approximate),
                           g.literal(str(SEM.hasBeginTimeStamp), subject=ev), None if planned else as_of)
        said = _Said(w.name(ev).text)  # what the event's own name (or its parent's) says is not said again
        parent = said.unsaid(w, g.objects(str(SEM.subEventOf), subject=ev))
        said.add("".join(p.text for p in parent))
        documents = {k: said.unsaid(w, g.objects(getattr(g.qn, k).value, subject=ev)) for k in ("signedAgreement", "ratified", "underAgreement")}
        for slot in documents.values():  # an agreement's name may name its parties: they are not said again
            said.add("".join(p.text for p in slot))
        places = [i for i in g.objects(str(SEM.hasPlace), subject=ev) if not said.names(w.name(i).text)]
        place_slot: Slot = []
        actor_slot: Slot = []
        for agent, roles in _by_agent(actors):  # one mention per agent, with all its roles
            if said.names(w.name(agent).text):
                continue
            mention = [w.name(agent), Piece(" (")]
            for n, (role, party) in enumerate(roles):
                mention += ([Piece(COMMA[lang])] if n else []) + [w.name(role)]
                mention += [Piece(FOR[lang]), w.name(party)] if party else []  # who signed for whom
            mention.append(Piece(")"))
            slot = place_slot if agent in places else actor_slot  # "in Qatar (host)", not "in Qatar, with Qatar (host)"
            slot += ([Piece(COMMA[lang])] if slot else []) + mention
        for i in places:
            if not any(p.iri == i for p in place_slot):
                place_slot += ([Piece(AND[lang])] if place_slot else []) + [w.name(i)]
        status = PLANNED[lang] + (PLANNED_AS_OF[lang] + format_date(as_of, lang) if as_of is not None else "")
        return w.fill("event", {
            "event": [w.name(ev)], "when": [Piece(when)] if when and not said.names(when) else None,
            "place": place_slot,
            "parent": parent,
            "agreement": documents["signedAgreement"],
            "ratified": documents["ratified"],
            "under": documents["underAgreement"],
            "status": [Piece(status)] if planned else None,
            "actors": actor_slot,
        })
    if len(actors) == 1:
        agent, role, party = actors[0]
        return w.fill("participation", {"agent": [w.name(agent)], "role": [w.name(role)],
                                        "party": [w.name(party)] if party else None,
                                        "event": [w.name(event_subjects[0])] if event_subjects else None})
    return _other(w, g)


def _other(w: Wording, g: _Graph) -> Title:
    """A fact of a kind without a template: its first statement, by labels."""
    for s, p, o in g.triples:
        if p in (str(RDFS.label),) or p.endswith("#type") or not isinstance(s, ox.NamedNode) or "#" in s.value:
            continue
        value = [w.name(o.value)] if isinstance(o, ox.NamedNode) else [Piece(o.value, lang=getattr(o, "language", None) or None)]
        return w.fill("other", {"subject": [w.name(s.value)], "property": [Piece(w.name(p).text)], "value": value})
    return Title("other", ())


FOR = {"en": ", for ", "ar": "، نيابةً عن "}
"""Between an actor's role and the party it represented: "X (signatory, for Qatar)"."""
PLANNED = {"en": "planned", "ar": "مخطط له"}
PLANNED_AS_OF = {"en": " as of ", "ar": " بتاريخ "}


def _claim(w: Wording, g: _Graph, claim: str, lang: str) -> Title:
    """A claim as said: by whom (named, or an unnamed source by its description),
    through which agency, when, at which event, with the stance its words mark."""
    summary = [o for s, p, o in g.triples if p == str(RDFS.label) and s.value == claim and isinstance(o, ox.Literal)]
    text = next((o.value for o in summary if o.language == lang), summary[0].value if summary else "")
    stance = g.objects(g.qn.stance.value, subject=claim)
    kind = "claim-" + stance[0].rsplit("#", 1)[-1].lower() if stance else "claim"
    filled = w.fill(kind if kind in STANCE_TEMPLATES else "claim", {
        "speaker": w.names(g.objects(str(PROV.wasAttributedTo), subject=claim)),
        "via": w.names(g.objects(str(PROV.agent))),
        "date": _text(g.literal(str(SCHEMA.dateCreated), subject=claim), lang),
        "occasion": w.names(g.objects(g.qn.occasion.value, subject=claim)),
        "summary": [Piece(text, lang=lang)] if text else None,
    })
    pieces = filled.pieces
    if lang == "en" and pieces and pieces[0].text[:1].islower():  # "an unnamed NATO official ruled out …"
        first = pieces[0]
        pieces = (Piece(first.text[0].upper() + first.text[1:], first.iri, first.lang), *pieces[1:])
    return Title("claim", pieces)


class _Said:
    """What a name already says, for leaving it out of the rest of a sentence:
    "Signing of the agreement on information security (2018)" needs no
    ", signing Agreement on information security, 2018". Compared folded
    (hamza, case, punctuation), whole words only."""

    def __init__(self, name: str) -> None:
        self.folded = f" {_bare(name)} "

    def add(self, text: str) -> None:
        self.folded += f"{_bare(text)} "

    def names(self, text: str) -> bool:
        folded = _bare(text)
        return bool(folded) and f" {folded} " in self.folded

    def unsaid(self, w: Wording, iris: list[str]) -> Slot:
        return w.names([i for i in iris if not self.names(w.name(i).text)])


_CLITICS = re.compile(r"^(?:[وف])?(?:[بلك])?(?:ال|ل)?(?=\w{3})")


def _bare(text: str) -> str:
    """Folded words without Arabic clitics (و ب ل ك ال): «للمجموعة» and
    «المجموعة», «وحركة» and «حركة» are the same word to compare."""
    return " ".join(_CLITICS.sub("", w) for w in fold_words(text).split(" ") if w)


def _by_agent(actors: list[tuple[str, str, str | None]]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """(agent, its roles with the party it acted for in each), in order of first mention: "Qatar (facilitator, host)"."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for agent, role, party in actors:
        roles = out.setdefault(agent, [])
        if (role, party) not in roles:
            roles.append((role, party))
    return list(out.items())


ROLE_OF = re.compile(r"(.+?)\s+(?:في|لدى|of|in|to)\s+(.+)")


def _without_org(role: Piece, orgs: list[str]) -> Piece:
    """A role's label without the organisation the sentence has just named:
    «دولة شريكة في مبادرة إسطنبول» after «عضو في مبادرة إسطنبول للتعاون» is «دولة شريكة»."""
    m = ROLE_OF.fullmatch(role.text)
    if m is None:
        return role
    tail = fold_words(m.group(2))
    for org in orgs:
        folded = fold_words(org)
        if tail and (f" {tail} " in f" {folded} " or f" {folded} " in f" {tail} "):
            return Piece(m.group(1), iri=role.iri, lang=role.lang)
    return role


def _text(lit: ox.Literal | None, lang: str) -> Slot | None:
    return [Piece(format_date(lit, lang))] if lit is not None else None


class _Graph:
    """The statements of one fact graph, for looking things up by predicate."""

    def __init__(self, rec: FactRecord, qn: Vocabulary) -> None:
        self.triples = [(s, p.value, o) for s, p, o in rec.triples]
        self.qn = qn

    def pairs(self, predicate: str) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        return [(s, o) for s, p, o in self.triples if p == predicate
                and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)]

    def objects(self, predicate: str, subject: str | None = None) -> list[str]:
        return sorted({o.value for s, p, o in self.triples
                       if p == predicate and isinstance(o, ox.NamedNode) and (subject is None or s.value == subject)})

    def literal(self, predicate: str, subject: str | None = None) -> ox.Literal | None:
        return next((o for s, p, o in self.triples if p == predicate and isinstance(o, ox.Literal)
                     and (subject is None or s.value == subject)), None)

    def actors(self) -> list[tuple[str, str, str | None]]:
        """(agent, role type, the party it acted for or None) of every sem:Role in the graph."""
        nodes = {o.value for _, p, o in self.triples if p == str(SEM.hasActor)}
        out = []
        for node in sorted(nodes):
            agent = self.objects(RDF_VALUE, subject=node)
            role = self.objects(str(SEM.roleType), subject=node)
            party = self.objects(self.qn.onBehalfOf.value, subject=node)
            if agent and role:
                out.append((agent[0], role[0], party[0] if party else None))
        return out


__all__ = ["KIND_NAMES", "KIND_ORDER", "STANCE_TEMPLATES", "TEMPLATES", "Piece", "Title", "format_date", "title", "when_phrase"]
