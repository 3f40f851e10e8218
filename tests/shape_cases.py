"""The table of SHACL test cases: for every shape, a conforming and a violating example.

Used by tests/test_shapes.py. Every snippet is Turtle (TriG where a fact's own
graph matters) added to ``BASE``, a small world that conforms on its own.
Each case names the shape expected as ``sh:sourceShape``, the expected
``sh:resultPath`` (a CURIE, an alternative path ``(a | b)``, or ``None``) and
the focus node. Good snippets use distinct IRIs, so all of them together form
one conforming graph; bad snippets likewise, so all of them together give one
report in which every case finds its own result.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from conftest import SEEDS
from rdflib import Graph

from kg.config import DEFAULT_BASE_IRI, Settings
from kg.rdf.turtledir import load_turtle_dir
from kg.rdf.vocab import prefixes

SETTINGS = Settings(seeds_dir=SEEDS)
"""The shipped shapes and ontology: what every case is validated against."""

@functools.cache
def shapes() -> Graph:
    return load_turtle_dir(SETTINGS.shapes_dir)


@functools.cache
def ontology() -> Graph:
    return load_turtle_dir(SETTINGS.ontology_dir)


B = DEFAULT_BASE_IRI + "id/"
TEXT = "قطر والناتو يوقعان اتفاقية"
SHA = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()

PREFIXES = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in sorted(prefixes().items())) + f"""
@prefix fa: <{B}fact/a/> .
@prefix ca: <{B}claim/a/> .
"""

L = 'rdfs:label "Name"@en , "اسم"@ar'
PL = 'skos:prefLabel "Name"@en , "اسم"@ar'
GROUP = "a qn:NonStateArmedGroup , org:Organization"
STATE = f"a qn:State , org:FormalOrganization , schema:Country ; {L}"
EVENT = f"a qn:Mediation , sem:Event ; {L}"


def iri(path: str) -> str:
    return f"<{B}{path}>"


def evidence(fact: str, *, n: int = 1, start: int = 0, end: int = 3, exact: str = "قطر",
             source: str = "article:a", quote: bool = True, position: bool = True) -> str:
    """An evidence chain (annotation → passage → selectors) for ``fact``, a path under id/."""
    ann, tgt, q, p = (iri(f"{fact}#{part}-{n}") for part in ("evidence", "target", "quote", "position"))
    out = f"""
{iri(fact)} qn:evidence {ann} .
{ann} a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody {iri(fact)} ; oa:hasTarget {tgt} .
{tgt} a oa:SpecificResource ; oa:hasSource {source} .
"""
    if quote:
        out += f'{tgt} oa:hasSelector {q} . {q} a oa:TextQuoteSelector ; oa:exact "{exact}"@ar ; oa:prefix ""@ar ; oa:suffix " والناتو"@ar .\n'
    if position:
        out += f'{tgt} oa:hasSelector {p} . {p} a oa:TextPositionSelector ; oa:start "{start}"^^xsd:nonNegativeInteger ; oa:end "{end}"^^xsd:nonNegativeInteger .\n'
    return out


def fact(path: str, *, article: str = "article:a", body: str = "", ev: bool = True, **ev_args: object) -> str:
    """A qn:Fact with its provenance; ``body`` goes into its own named graph."""
    f = iri(path)
    out = f"""
{f} a qn:Fact , prov:Entity ; qn:article {article} ; prov:wasDerivedFrom {article} ;
    dcterms:identifier "{path.rsplit('/', 1)[-1]}" ; qn:isInferred false .
"""
    if ev:
        out += evidence(path, **ev_args)  # type: ignore[arg-type]
    if body:
        out += f"{f} {{ {body} }}\n"
    return out


def claim(path: str, extra: str = "", *, speaker: bool = True, text: str = '"قطر"@ar') -> str:
    c = iri(path)
    out = f"""
{c} a qn:AttributedStatement , prov:Entity ; qn:article article:a ; prov:wasDerivedFrom article:a ;
    dcterms:identifier "c" ; qn:isInferred false ; {L} ; schema:text {text} {extra} .
"""
    if speaker:
        out += f"{c} prov:wasAttributedTo person:p .\n"
    return out + evidence(path)


def article(slug: str, **over: str) -> str:
    fields = {
        "rdfs:label": '"An article"@en , "مقالة"@ar',
        "schema:datePublished": '"2019-03-13"^^xsd:date',
        "dcterms:issued": '"2019-03-13"^^xsd:date',
        "schema:text": f'"{TEXT}"@ar',
        "qn:sha256": f'"{SHA}"',
        "schema:publisher": "publisher:p",
        "schema:inLanguage": '"ar"',
    }
    fields.update(over)
    body = " ;\n    ".join(f"{k} {v}" for k, v in fields.items() if v)
    return f"article:{slug} a qn:Article , schema:NewsArticle , prov:Entity ;\n    {body} .\n"


BASE = PREFIXES + article("a") + article("other") + f"""
publisher:p a schema:Organization , foaf:Organization ; rdfs:label "Publisher"@en , "ناشر"@ar .
state:qat {STATE} .
alliance:nato a qn:Alliance , org:FormalOrganization ; {L} .
person:p a qn:Official , foaf:Person , schema:Person ; {L} .
post:p a org:Post ; {L} ; org:postIn state:qat .
place:doha a qn:Place , schema:City ; {L} ; schema:containedInPlace state:qat .
scheme:role-types a skos:ConceptScheme ; {L} ; skos:hasTopConcept role:host .
scheme:other a skos:ConceptScheme ; {L} ; skos:hasTopConcept role:host .
role:host a qn:RoleType , sem:RoleType , skos:Concept ; {L} ; {PL} ; skos:inScheme scheme:role-types .
event:meet a qn:Meeting , sem:Event , schema:Event ; {L} ;
    sem:hasTimeStamp "2019-03-13"^^xsd:date ; schema:startDate "2019-03-13"^^xsd:date ;
    sem:hasPlace place:doha ; schema:location place:doha .
action:use a qn:Action ; {L} .
programme:ipcp a qn:PartnershipProgramme , schema:CreativeWork ; {L} .
agreement:ag a qn:Agreement , schema:CreativeWork ; {L} .
""" + fact("fact/a/base", body="event:meet sem:hasActor <" + B + "event/meet#actor> .") + f"""
{iri('event/meet#actor')} a sem:Role ; rdf:value state:qat ; sem:roleType role:host .
"""


@dataclass(frozen=True)
class Case:
    id: str
    shape: str                   # local name in qnsh:
    path: str | None             # CURIE, "(a | b)", or None
    focus: str                   # CURIE or <IRI>
    good: str
    bad: str
    via: tuple[str, ...] = field(default=())   # node shapes this case reaches the shape through
    good_focus: str | None = None              # when the good example's node differs from the bad one's


def _membership(slug: str, body: str) -> str:
    return f"membership:{slug} a org:Membership ; {body} ."


def _holding(slug: str, *, member: str = "person:p", post: str = "post:p", as_of: str = '"2019-03-13"^^xsd:date') -> str:
    return (f"membership:{slug} a qn:PostHolding ; qn:holder {member} ; "
            f"qn:post {post} ; qn:asOf {as_of} .")


def _instant(slug: str, body: str) -> str:
    return f"{iri('membership/' + slug + '#start')} a time:Instant ; {body} ."


def _concept(slug: str, cls: str = "skos:Concept", *, scheme: str = "scheme:role-types", labels: str = f"{L} ; {PL}",
             extra: str = "") -> str:
    return f"area:{slug} a {cls} , skos:Concept ; {labels} ; skos:inScheme {scheme} {extra} ."


_Q = "qn:Meeting , sem:Event , schema:Event"

CASES: list[Case] = [
    # --- labels -----------------------------------------------------------
    Case("label-missing-ar", "LabelBothLanguages", "rdfs:label", "group:l1",
         f"group:l1 {GROUP} ; {L} .", f'group:l1 {GROUP} ; rdfs:label "G"@en .', via=("OrganisationShape",)),
    Case("label-french", "LabelLanguage", "rdfs:label", "group:l2",
         f"group:l2 {GROUP} ; {L} .", f'group:l2 {GROUP} ; {L} , "Nom"@fr .'),
    Case("label-untagged", "LabelLanguage", "rdfs:label", "group:l3",
         f"group:l3 {GROUP} ; {L} .", f'group:l3 {GROUP} ; rdfs:label "Name" , "Name"@en , "اسم"@ar .'),
    Case("label-two-english", "LabelUniqueLanguage", "rdfs:label", "group:l4",
         f"group:l4 {GROUP} ; {L} .", f'group:l4 {GROUP} ; {L} , "Other"@en .'),
    Case("alt-label-french", "AltLabelLanguage", "skos:altLabel", "group:l5",
         f'group:l5 {GROUP} ; {L} ; skos:altLabel "G"@en , "ج"@ar .', f'group:l5 {GROUP} ; {L} ; skos:altLabel "G"@fr .'),
    # --- organisations ------------------------------------------------------
    Case("state-not-country", "StateShape", None, "state:s1",
         f"state:s1 {STATE} .", f"state:s1 a qn:State , org:FormalOrganization ; {L} ."),
    Case("ministry-of-alliance", "MinistryOfState", "org:subOrganizationOf", "ministry:m1",
         f"ministry:m1 a qn:Ministry , org:FormalOrganization ; {L} ; org:subOrganizationOf state:qat .",
         f"ministry:m1 a qn:Ministry , org:FormalOrganization ; {L} ; org:subOrganizationOf alliance:nato .",
         via=("MinistryShape",)),
    Case("body-without-parent", "BodyUnitOf", "org:subOrganizationOf", "body:b1",
         f"body:b1 a qn:Body , org:Organization ; {L} ; org:subOrganizationOf alliance:nato .",
         f"body:b1 a qn:Body , org:Organization ; {L} .", via=("BodyShape",)),
    Case("initiative-two-parents", "InitiativeParent", "org:subOrganizationOf", "initiative:i1",
         f"initiative:i1 a qn:PartnershipInitiative , org:OrganizationalCollaboration ; {L} ; org:subOrganizationOf alliance:nato .",
         f"initiative:i1 a qn:PartnershipInitiative , org:OrganizationalCollaboration ; {L} ; org:subOrganizationOf alliance:nato , state:qat .",
         via=("InitiativeShape",)),
    Case("publisher-unnamed", "LabelBothLanguages", "rdfs:label", "publisher:p2",
         f"publisher:p2 a schema:Organization ; {L} .", "publisher:p2 a schema:Organization .", via=("PublisherShape",)),
    Case("host-of-non-event", "HostOfEvent", "qn:hostOf", "state:h1",
         f"state:h1 {STATE} ; qn:hostOf event:meet .", f"state:h1 {STATE} ; qn:hostOf state:qat .", via=("HostShape",)),
    # --- people and posts -------------------------------------------------------
    Case("official-holds-non-post", "OfficialHolds", "org:holds", "person:o1",
         f"person:o1 a qn:Official , foaf:Person ; {L} ; org:holds post:p .",
         f"person:o1 a qn:Official , foaf:Person ; {L} ; org:holds state:qat .", via=("OfficialShape",)),
    Case("official-two-english-honorifics", "OfficialHonorific", "schema:honorificPrefix", "person:o2",
         f'person:o2 a qn:Official , foaf:Person ; {L} ; schema:honorificPrefix "H.E."@en , "سعادة"@ar .',
         f'person:o2 a qn:Official , foaf:Person ; {L} ; schema:honorificPrefix "H.E."@en , "Dr"@en .'),
    Case("post-without-organisation", "PostIn", "org:postIn", "post:p1",
         f"post:p1 a org:Post ; {L} ; org:postIn state:qat .", f"post:p1 a org:Post ; {L} .", via=("PostShape",)),
    Case("holding-by-a-state", "PostHoldingMember", "qn:holder", "membership:h1",
         _holding("h1"), _holding("h1", member="state:qat"), via=("PostHoldingShape",)),
    Case("holding-of-non-post", "PostHoldingPost", "qn:post", "membership:h2",
         _holding("h2"), _holding("h2", post="state:qat")),
    Case("holding-month-date", "PostHoldingAsOf", "qn:asOf", "membership:h3",
         _holding("h3"), _holding("h3", as_of='"2019-03"^^xsd:gYearMonth')),
    # --- memberships, time ----------------------------------------------------------
    Case("membership-without-member", "MembershipMember", "org:member", "membership:m1",
         _membership("m1", "org:member state:qat ; org:organization alliance:nato ; org:role role:host"),
         _membership("m1", "org:organization alliance:nato ; org:role role:host"), via=("MembershipShape",)),
    Case("membership-in-a-person", "MembershipOrganisation", "org:organization", "membership:m2",
         _membership("m2", "org:member state:qat ; org:organization alliance:nato ; org:role role:host"),
         _membership("m2", "org:member state:qat ; org:organization person:p ; org:role role:host")),
    Case("membership-without-capacity", "MembershipCapacity", "org:role", "membership:m3",
         _membership("m3", "org:member state:qat ; org:organization alliance:nato ; org:role role:host"),
         _membership("m3", "org:member state:qat ; org:organization alliance:nato")),
    Case("membership-role-not-role-type", "MembershipRole", "org:role", "membership:m4",
         _membership("m4", "org:member state:qat ; org:organization alliance:nato ; org:role role:host"),
         _membership("m4", "org:member state:qat ; org:organization alliance:nato ; org:role state:qat")),
    Case("membership-during-not-interval", "MembershipDuring", "org:memberDuring", "membership:m5",
         _membership("m5", f"org:member state:qat ; org:organization alliance:nato ; org:role role:host ; org:memberDuring {iri('membership/m5#during')}")
         + f" {iri('membership/m5#during')} a time:Interval .",
         _membership("m5", "org:member state:qat ; org:organization alliance:nato ; org:role role:host ; org:memberDuring state:qat")),
    Case("interval-begins-with-non-instant", "IntervalBeginning", "time:hasBeginning", iri("membership/i1#during"),
         f"{iri('membership/i1#during')} a time:Interval ; time:hasBeginning {iri('membership/i1#start')} . "
         + _instant("i1", 'time:inXSDgYearMonth "2005-02"^^xsd:gYearMonth'),
         f"{iri('membership/i1#during')} a time:Interval ; time:hasBeginning state:qat .", via=("IntervalShape",)),
    Case("interval-two-inside", "IntervalInside", "time:inside", iri("membership/i2#during"),
         f"{iri('membership/i2#during')} a time:Interval ; time:inside {iri('membership/i2#start')} . "
         + _instant("i2", 'time:inXSDDate "2019-03-13"^^xsd:date'),
         f"{iri('membership/i2#during')} a time:Interval ; time:inside {iri('membership/i2#start')} , {iri('membership/i2#other')} . "
         + _instant("i2", 'time:inXSDDate "2019-03-13"^^xsd:date')
         + f" {iri('membership/i2#other')} a time:Instant ; time:inXSDgYear \"2019\"^^xsd:gYear ."),
    Case("instant-two-positions", "InstantPosition", "(time:inXSDDate | time:inXSDgYearMonth | time:inXSDgYear)",
         iri("membership/t1#start"),
         _instant("t1", 'time:inXSDgYear "2005"^^xsd:gYear'),
         _instant("t1", 'time:inXSDgYear "2005"^^xsd:gYear ; time:inXSDDate "2005-02-01"^^xsd:date'), via=("InstantShape",)),
    Case("instant-without-position", "InstantPosition", "(time:inXSDDate | time:inXSDgYearMonth | time:inXSDgYear)",
         iri("membership/t2#start"),
         _instant("t2", 'time:inXSDgYearMonth "2005-02"^^xsd:gYearMonth'), f"{iri('membership/t2#start')} a time:Instant ."),
    Case("instant-date-is-year", "InstantDate", "time:inXSDDate", iri("membership/t3#start"),
         _instant("t3", 'time:inXSDDate "2005-02-01"^^xsd:date'), _instant("t3", 'time:inXSDDate "2005"^^xsd:gYear')),
    Case("instant-month-is-date", "InstantYearMonth", "time:inXSDgYearMonth", iri("membership/t4#start"),
         _instant("t4", 'time:inXSDgYearMonth "2005-02"^^xsd:gYearMonth'), _instant("t4", 'time:inXSDgYearMonth "2005-02-01"^^xsd:date')),
    Case("instant-year-is-month", "InstantYear", "time:inXSDgYear", iri("membership/t5#start"),
         _instant("t5", 'time:inXSDgYear "2005"^^xsd:gYear'), _instant("t5", 'time:inXSDgYear "2005-02"^^xsd:gYearMonth')),
    Case("place-within-alliance", "PlaceContainedIn", "schema:containedInPlace", "place:x1",
         f"place:x1 a qn:Place , schema:Place ; {L} ; schema:containedInPlace state:qat .",
         f"place:x1 a qn:Place , schema:Place ; {L} ; schema:containedInPlace alliance:nato .", via=("PlaceShape",)),
    # --- events -----------------------------------------------------------------------
    Case("event-date-as-text", "EventTimeStamp", "sem:hasTimeStamp", "event:e1",
         f'event:e1 {EVENT} ; sem:hasTimeStamp "2019-03"^^xsd:gYearMonth ; schema:startDate "2019-03"^^xsd:gYearMonth .',
         f'event:e1 {EVENT} ; sem:hasTimeStamp "13 March 2019" ; schema:startDate "13 March 2019" .',
         via=("EventShape", "XsdDate", "XsdGYearMonth", "XsdGYear")),
    Case("event-date-ill-formed", "EventTimeStamp", "sem:hasTimeStamp", "event:e1b",
         f'event:e1b {EVENT} ; sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear .',
         f'event:e1b {EVENT} ; sem:hasTimeStamp "2019-13-45"^^xsd:date ; schema:startDate "2019-13-45"^^xsd:date .'),
    Case("event-start-date-differs", "EventStartDateEquals", "schema:startDate", "event:e2",
         f'event:e2 {EVENT} ; sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear .',
         f'event:e2 {EVENT} ; sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2018"^^xsd:gYear .',
         via=("DatedEventShape",)),
    Case("event-two-start-dates", "EventStartDate", "schema:startDate", "event:e2a",
         f'event:e2a {EVENT} ; schema:startDate "2019"^^xsd:gYear .',
         f'event:e2a {EVENT} ; schema:startDate "2019"^^xsd:gYear , "2018"^^xsd:gYear .'),
    Case("event-began-as-text", "EventBeginTimeStamp", "sem:hasBeginTimeStamp", "event:e2b",
         f'event:e2b {EVENT} ; sem:hasBeginTimeStamp "2017"^^xsd:gYear ; schema:startDate "2017"^^xsd:gYear .',
         f'event:e2b {EVENT} ; sem:hasBeginTimeStamp "about 2017" ; schema:startDate "about 2017" .',
         via=("BegunEventShape",)),
    Case("event-start-date-not-beginning", "EventStartDateBegan", "schema:startDate", "event:e2c",
         f'event:e2c {EVENT} ; sem:hasBeginTimeStamp "2017"^^xsd:gYear ; schema:startDate "2017"^^xsd:gYear .',
         f'event:e2c {EVENT} ; sem:hasBeginTimeStamp "2017"^^xsd:gYear ; schema:startDate "2018"^^xsd:gYear .'),
    Case("event-began-and-dated", "EventBeganNoDate", "sem:hasTimeStamp", "event:e2d",
         f'event:e2d {EVENT} ; sem:hasBeginTimeStamp "2017"^^xsd:gYear ; schema:startDate "2017"^^xsd:gYear .',
         f'event:e2d {EVENT} ; sem:hasBeginTimeStamp "2017"^^xsd:gYear ; sem:hasTimeStamp "2017"^^xsd:gYear ; '
         'schema:startDate "2017"^^xsd:gYear .'),
    Case("event-in-an-alliance", "EventPlace", "sem:hasPlace", "event:e3",
         f"event:e3 {EVENT} ; sem:hasPlace state:qat ; schema:location state:qat .",
         f"event:e3 {EVENT} ; sem:hasPlace alliance:nato ; schema:location alliance:nato ."),
    Case("event-location-without-place", "EventLocation", "schema:location", "event:e4",
         f"event:e4 {EVENT} ; sem:hasPlace place:doha ; schema:location place:doha .",
         f"event:e4 {EVENT} ; schema:location place:doha ."),
    Case("event-actor-without-role", "EventActor", "sem:hasActor", "event:e5",
         f"event:e5 {EVENT} ; sem:hasActor {iri('event/meet#actor')} .", f"event:e5 {EVENT} ; sem:hasActor person:p ."),
    Case("event-type-not-event-type", "EventTypeOfEvent", "sem:eventType", "event:e6",
         f"event:e6 {EVENT} ; sem:eventType cameo:043 . cameo:043 a qn:EventType , sem:EventType , skos:Concept ; {L} ; {PL} ; "
         'skos:inScheme scheme:cameo ; skos:notation "043" . scheme:cameo a skos:ConceptScheme ; ' + L + " ; skos:hasTopConcept cameo:043 .",
         f"event:e6 {EVENT} ; sem:eventType role:host ."),
    Case("event-part-of-a-state", "EventSubEventOf", "sem:subEventOf", "event:e7",
         f"event:e7 {EVENT} ; sem:subEventOf event:meet ; schema:superEvent event:meet .",
         f"event:e7 {EVENT} ; sem:subEventOf state:qat ; schema:superEvent state:qat ."),
    Case("event-super-event-only", "EventSuperEvent", "schema:superEvent", "event:e8",
         f"event:e8 {EVENT} ; sem:subEventOf event:meet ; schema:superEvent event:meet .",
         f"event:e8 {EVENT} ; schema:superEvent event:meet ."),
    Case("event-not-after-as-text", "EventNotAfter", "qn:notAfter", "event:e9",
         f'event:e9 {EVENT} ; qn:notAfter "2019-03-13"^^xsd:date .', f'event:e9 {EVENT} ; qn:notAfter "before 2019" .'),
    Case("event-as-of-year", "EventAsOf", "qn:asOf", "event:e10",
         f'event:e10 {EVENT} ; qn:asOf "2019-03-13"^^xsd:date .', f'event:e10 {EVENT} ; qn:asOf "2019"^^xsd:gYear .'),
    Case("event-approximate-as-text", "EventApproximate", "qn:approximate", "event:e11",
         f"event:e11 {EVENT} ; qn:approximate true .", f'event:e11 {EVENT} ; qn:approximate "yes" .'),
    Case("event-framework-a-state", "EventFramework", "qn:framework", "event:e12",
         f"event:e12 {EVENT} ; qn:framework programme:ipcp .", f"event:e12 {EVENT} ; qn:framework state:qat ."),
    Case("event-challenge-a-state", "EventChallenge", "qn:addressedChallenge", "event:e13",
         f"event:e13 {EVENT} ; qn:addressedChallenge challenge:c13 . challenge:c13 a qn:Challenge , skos:Concept ; {L} ; {PL} ; "
         f"skos:inScheme scheme:challenges . scheme:challenges a skos:ConceptScheme ; {L} ; skos:hasTopConcept challenge:c13 .",
         f"event:e13 {EVENT} ; qn:addressedChallenge state:qat ."),
    Case("event-cooperation-a-state", "EventCooperation", "qn:discussedCooperation", "event:e14",
         f"event:e14 {EVENT} ; qn:discussedCooperation cooperation:c14 . cooperation:c14 a qn:Cooperation ; {L} ; qn:partner state:qat , alliance:nato .",
         f"event:e14 {EVENT} ; qn:discussedCooperation state:qat ."),
    Case("visit-without-date", "MeetingDate", "sem:hasTimeStamp", "event:v1",
         f'event:v1 a qn:Visit , sem:Event ; {L} ; sem:hasPlace place:doha ; schema:location place:doha ; '
         'sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear .',
         f"event:v1 a qn:Visit , sem:Event ; {L} ; sem:hasPlace place:doha ; schema:location place:doha .",
         via=("MeetingShape",)),
    Case("briefing-without-place", "MeetingPlace", "sem:hasPlace", "event:v2",
         f'event:v2 a qn:Briefing , sem:Event ; {L} ; sem:hasPlace state:qat ; schema:location state:qat ; '
         'sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear .',
         f'event:v2 a qn:Briefing , sem:Event ; {L} ; sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear .'),
    Case("session-without-meeting", "SessionPartOf", "sem:subEventOf", "event:s1",
         f'event:s1 a qn:Session , {_Q} ; {L} ; sem:hasPlace place:doha ; schema:location place:doha ; '
         'sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear ; sem:subEventOf event:meet ; schema:superEvent event:meet .',
         f'event:s1 a qn:Session , {_Q} ; {L} ; sem:hasPlace place:doha ; schema:location place:doha ; '
         'sem:hasTimeStamp "2019"^^xsd:gYear ; schema:startDate "2019"^^xsd:gYear .', via=("SessionShape",)),
    Case("role-agent-a-string", "RoleAgent", "rdf:value", iri("event/meet#actor-r1"),
         f"{iri('event/meet#actor-r1')} a sem:Role ; rdf:value state:qat ; sem:roleType role:host .",
         f'{iri("event/meet#actor-r1")} a sem:Role ; rdf:value "Qatar" ; sem:roleType role:host .', via=("RoleShape",)),
    Case("role-type-a-state", "RoleTypeOfRole", "sem:roleType", iri("event/meet#actor-r2"),
         f"{iri('event/meet#actor-r2')} a sem:Role ; rdf:value state:qat ; sem:roleType role:host .",
         f"{iri('event/meet#actor-r2')} a sem:Role ; rdf:value state:qat ; sem:roleType state:qat ."),
    Case("signing-without-agreement", "SigningAgreement", "qn:signedAgreement", "event:g1",
         f"event:g1 a qn:Signing , sem:Event ; {L} ; qn:signedAgreement agreement:ag .",
         f"event:g1 a qn:Signing , sem:Event ; {L} .", via=("SigningShape",)),
    Case("ratification-of-a-state", "RatificationObject", "qn:ratified", "event:r1",
         f"event:r1 a qn:Ratification , sem:Event ; {L} ; qn:ratified programme:ipcp .",
         f"event:r1 a qn:Ratification , sem:Event ; {L} ; qn:ratified state:qat .", via=("RatificationShape",)),
    Case("ratification-of-an-initiative", "RatificationObject", "qn:ratified", "event:r2",
         f"event:r2 a qn:Ratification , sem:Event ; {L} ; qn:ratified agreement:ag .",
         f"event:r2 a qn:Ratification , sem:Event ; {L} ; qn:ratified initiative:r2 . "
         f"initiative:r2 a qn:PartnershipInitiative , org:OrganizationalCollaboration ; {L} .", via=("RatificationShape",)),
    Case("agreement-permits-a-state", "AgreementPermits", "qn:permits", "agreement:a1",
         f"agreement:a1 a qn:Agreement ; {L} .", f"agreement:a1 a qn:Agreement ; {L} ; qn:permits state:qat .",
         via=("AgreementShape",)),
    Case("programme-unnamed", "LabelBothLanguages", "rdfs:label", "programme:p1",
         f"programme:p1 a qn:PartnershipProgramme ; {L} .", "programme:p1 a qn:PartnershipProgramme .", via=("ProgrammeShape",)),
    Case("permission-without-grantee", "PermissionGrantee", "qn:grantee", "permission:p1",
         f"permission:p1 a qn:Permission ; {L} ; qn:grantee alliance:nato ; qn:permittedAction action:use ; qn:permissionTarget state:qat .",
         f"permission:p1 a qn:Permission ; {L} ; qn:permittedAction action:use ; qn:permissionTarget state:qat .", via=("PermissionShape",)),
    Case("permission-action-a-state", "PermissionAction", "qn:permittedAction", "permission:p2",
         f"permission:p2 a qn:Permission ; {L} ; qn:grantee alliance:nato ; qn:permittedAction action:use ; qn:permissionTarget state:qat .",
         f"permission:p2 a qn:Permission ; {L} ; qn:grantee alliance:nato ; qn:permittedAction state:qat ; qn:permissionTarget state:qat ."),
    Case("permission-target-a-string", "PermissionTarget", "qn:permissionTarget", "permission:p3",
         f"permission:p3 a qn:Permission ; {L} ; qn:grantee alliance:nato ; qn:permittedAction action:use ; qn:permissionTarget state:qat .",
         f'permission:p3 a qn:Permission ; {L} ; qn:grantee alliance:nato ; qn:permittedAction action:use ; qn:permissionTarget "Qatar" .'),
    Case("action-unnamed", "LabelBothLanguages", "rdfs:label", "action:a1",
         f"action:a1 a qn:Action ; {L} .", "action:a1 a qn:Action .", via=("ActionShape",)),
    Case("cooperation-one-partner", "CooperationPartner", "qn:partner", "cooperation:c1",
         f"cooperation:c1 a qn:Cooperation ; {L} ; qn:partner state:qat , alliance:nato .",
         f"cooperation:c1 a qn:Cooperation ; {L} ; qn:partner state:qat .", via=("CooperationShape",)),
    Case("cooperation-partner-not-an-agent", "CooperationPartner", "qn:partner", "cooperation:c3",
         f"cooperation:c3 a qn:Cooperation ; {L} ; qn:partner state:qat , person:p .",
         f"cooperation:c3 a qn:Cooperation ; {L} ; qn:partner state:qat , role:host ."),
    Case("cooperation-area-a-state", "CooperationAreaOf", "qn:cooperationArea", "cooperation:c2",
         f"cooperation:c2 a qn:Cooperation ; {L} ; qn:partner state:qat , alliance:nato ; qn:cooperationArea area:c2 . "
         f"area:c2 a qn:CooperationArea , skos:Concept ; {L} ; {PL} ; skos:inScheme scheme:cooperation-areas . "
         f"scheme:cooperation-areas a skos:ConceptScheme ; {L} ; skos:hasTopConcept area:c2 .",
         f"cooperation:c2 a qn:Cooperation ; {L} ; qn:partner state:qat , alliance:nato ; qn:cooperationArea state:qat ."),
    # --- concepts ---------------------------------------------------------------------------
    Case("concept-without-scheme", "ConceptInScheme", "skos:inScheme", "area:k1",
         _concept("k1"), f"area:k1 a skos:Concept ; {L} ; {PL} .", via=("ConceptShape",)),
    Case("concept-pref-label-english-only", "PrefLabelBothLanguages", "skos:prefLabel", "area:k2",
         _concept("k2"), _concept("k2", labels=f'{L} ; skos:prefLabel "Name"@en')),
    Case("concept-pref-label-french", "PrefLabelLanguage", "skos:prefLabel", "area:k3",
         _concept("k3"), _concept("k3", labels=f'{L} ; {PL} , "Nom"@fr')),
    Case("concept-two-english-pref-labels", "PrefLabelUniqueLanguage", "skos:prefLabel", "area:k4",
         _concept("k4"), _concept("k4", labels=f'{L} ; {PL} , "Other"@en')),
    Case("concept-broader-a-state", "ConceptBroader", "skos:broader", "area:k5",
         _concept("k5", extra="; skos:broader role:host"), _concept("k5", extra="; skos:broader state:qat")),
    Case("close-match-in-one-scheme", "CloseMatchShape", "skos:closeMatch", "area:k5b",
         _concept("k5b", extra="; skos:related role:host ; skos:closeMatch area:k5c") + " " + _concept("k5c", scheme="scheme:other"),
         _concept("k5b", extra="; skos:closeMatch role:host")),
    Case("area-in-wrong-scheme", "CooperationAreaScheme", "skos:inScheme", "area:k6",
         _concept("k6", "qn:CooperationArea", scheme="scheme:cooperation-areas")
         + f" scheme:cooperation-areas a skos:ConceptScheme ; {L} ; skos:hasTopConcept area:k6 .",
         _concept("k6", "qn:CooperationArea", scheme="scheme:other"), via=("CooperationAreaShape",)),
    Case("challenge-in-wrong-scheme", "ChallengeScheme", "skos:inScheme", "area:k7",
         _concept("k7", "qn:Challenge", scheme="scheme:challenges")
         + f" scheme:challenges a skos:ConceptScheme ; {L} ; skos:hasTopConcept area:k7 .",
         _concept("k7", "qn:Challenge", scheme="scheme:other"), via=("ChallengeShape",)),
    Case("role-type-in-wrong-scheme", "RoleTypeScheme", "skos:inScheme", "area:k8",
         _concept("k8", "qn:RoleType"), _concept("k8", "qn:RoleType", scheme="scheme:other"), via=("RoleTypeShape",)),
    Case("event-type-in-wrong-scheme", "EventTypeScheme", "skos:inScheme", "area:k9",
         _concept("k9", "qn:EventType", scheme="scheme:cameo", extra='; skos:notation "043"')
         + f" scheme:cameo a skos:ConceptScheme ; {L} ; skos:hasTopConcept area:k9 .",
         _concept("k9", "qn:EventType", scheme="scheme:other", extra='; skos:notation "043"'), via=("EventTypeShape",)),
    Case("event-type-without-code", "EventTypeNotation", "skos:notation", "area:k10",
         _concept("k10", "qn:EventType", scheme="scheme:cameo", extra='; skos:notation "0431"')
         + f" scheme:cameo a skos:ConceptScheme ; {L} ; skos:hasTopConcept area:k10 .",
         _concept("k10", "qn:EventType", scheme="scheme:other", extra='; skos:notation "four-three"')),
    Case("scheme-without-top-concept", "SchemeTopConcept", "skos:hasTopConcept", "scheme:empty",
         f"scheme:empty a skos:ConceptScheme ; {L} ; skos:hasTopConcept role:host .",
         f"scheme:empty a skos:ConceptScheme ; {L} .", via=("ConceptSchemeShape",)),
    # --- provenance ------------------------------------------------------------------------
    Case("fact-without-article", "FactArticle", "qn:article", "fa:f1",
         fact("fact/a/f1"),
         'fa:f1 a qn:Fact ; dcterms:identifier "f1" ; qn:isInferred false .' + evidence("fact/a/f1"), via=("FactShape",)),
    Case("fact-derived-from-two", "FactDerivedFrom", "prov:wasDerivedFrom", "fa:f2",
         fact("fact/a/f2"), fact("fact/a/f2") + "fa:f2 prov:wasDerivedFrom article:other ."),
    Case("fact-without-evidence", "FactEvidence", "qn:evidence", "fa:f3", fact("fact/a/f3"), fact("fact/a/f3", ev=False)),
    Case("fact-identifier-a-number", "FactIdentifier", "dcterms:identifier", "fa:f4",
         fact("fact/a/f4"), fact("fact/a/f4").replace('dcterms:identifier "f4"', "dcterms:identifier 4")),
    Case("fact-inferred-as-text", "FactIsInferred", "qn:isInferred", "fa:f5",
         fact("fact/a/f5"), fact("fact/a/f5").replace("qn:isInferred false", 'qn:isInferred "no"')),
    Case("claim-without-speaker", "StatementSpeaker", "prov:wasAttributedTo", "ca:c1",
         claim("claim/a/c1"), claim("claim/a/c1", speaker=False), via=("AttributedStatementShape",)),
    Case("claim-text-untagged", "StatementText", "schema:text", "ca:c2",
         claim("claim/a/c2"), claim("claim/a/c2", text='"Qatar"')),
    Case("claim-about-a-string", "StatementAbout", "schema:about", "ca:c3",
         claim("claim/a/c3", "; schema:about state:qat"), claim("claim/a/c3", '; schema:about "Qatar"')),
    Case("annotation-without-target", "AnnotationTarget", "oa:hasTarget", iri("fact/a/base#evidence-9"),
         f"{iri('fact/a/base#evidence-9')} a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody {iri('fact/a/base')} ; "
         f"oa:hasTarget {iri('fact/a/base#target-1')} .",
         f"{iri('fact/a/base#evidence-9')} a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody {iri('fact/a/base')} .",
         via=("AnnotationShape",)),
    Case("annotation-body-a-string", "AnnotationBody", "oa:hasBody", iri("fact/a/base#evidence-8"),
         f"{iri('fact/a/base#evidence-8')} a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody {iri('fact/a/base')} ; "
         f"oa:hasTarget {iri('fact/a/base#target-1')} .",
         f'{iri("fact/a/base#evidence-8")} a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody "the fact" ; '
         f"oa:hasTarget {iri('fact/a/base#target-1')} ."),
    Case("annotation-commenting", "AnnotationMotivation", "oa:motivatedBy", iri("fact/a/base#evidence-7"),
         f"{iri('fact/a/base#evidence-7')} a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody {iri('fact/a/base')} ; "
         f"oa:hasTarget {iri('fact/a/base#target-1')} .",
         f"{iri('fact/a/base#evidence-7')} a oa:Annotation ; oa:motivatedBy oa:commenting ; oa:hasBody {iri('fact/a/base')} ; "
         f"oa:hasTarget {iri('fact/a/base#target-1')} ."),
    Case("passage-from-a-publisher", "TargetSource", "oa:hasSource", iri("fact/a/p1#target-1"),
         fact("fact/a/p1"), fact("fact/a/p1", source="publisher:p"), via=("EvidenceTargetShape",)),
    Case("passage-without-quote", "TargetQuoteSelector", "oa:hasSelector", iri("fact/a/p2#target-1"),
         fact("fact/a/p2"), fact("fact/a/p2", quote=False), via=("IsQuoteSelector",)),
    Case("passage-without-position", "TargetPositionSelector", "oa:hasSelector", iri("fact/a/p3#target-1"),
         fact("fact/a/p3"), fact("fact/a/p3", position=False), via=("IsPositionSelector",)),
    Case("quote-empty", "QuoteExact", "oa:exact", iri("fact/a/q1#quote-1"),
         f'{iri("fact/a/q1#quote-1")} a oa:TextQuoteSelector ; oa:exact "قطر"@ar .',
         f'{iri("fact/a/q1#quote-1")} a oa:TextQuoteSelector ; oa:exact ""@ar .', via=("QuoteSelectorShape",)),
    Case("quote-two-prefixes", "QuotePrefix", "oa:prefix", iri("fact/a/q2#quote-1"),
         f'{iri("fact/a/q2#quote-1")} a oa:TextQuoteSelector ; oa:exact "قطر"@ar ; oa:prefix ""@ar .',
         f'{iri("fact/a/q2#quote-1")} a oa:TextQuoteSelector ; oa:exact "قطر"@ar ; oa:prefix ""@ar , " "@ar .'),
    Case("quote-suffix-untagged", "QuoteSuffix", "oa:suffix", iri("fact/a/q3#quote-1"),
         f'{iri("fact/a/q3#quote-1")} a oa:TextQuoteSelector ; oa:exact "قطر"@ar ; oa:suffix " و"@ar .',
         f'{iri("fact/a/q3#quote-1")} a oa:TextQuoteSelector ; oa:exact "قطر"@ar ; oa:suffix " و" .'),
    Case("position-start-integer", "PositionStart", "oa:start", iri("fact/a/o1#position-1"),
         f'{iri("fact/a/o1#position-1")} a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger ; oa:end "3"^^xsd:nonNegativeInteger .',
         f'{iri("fact/a/o1#position-1")} a oa:TextPositionSelector ; oa:start "0"^^xsd:string ; oa:end "3"^^xsd:nonNegativeInteger .',
         via=("PositionSelectorShape",)),
    Case("position-without-end", "PositionEnd", "oa:end", iri("fact/a/o2#position-1"),
         f'{iri("fact/a/o2#position-1")} a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger ; oa:end "3"^^xsd:nonNegativeInteger .',
         f'{iri("fact/a/o2#position-1")} a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger .'),
    Case("position-reversed", "PositionOrder", "oa:start", iri("fact/a/o3#position-1"),
         f'{iri("fact/a/o3#position-1")} a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger ; oa:end "3"^^xsd:nonNegativeInteger .',
         f'{iri("fact/a/o3#position-1")} a oa:TextPositionSelector ; oa:start "3"^^xsd:nonNegativeInteger ; oa:end "3"^^xsd:nonNegativeInteger .'),
    Case("article-date-as-text", "ArticleDatePublished", "schema:datePublished", "article:x1",
         article("x1"), article("x1", **{"schema:datePublished": '"13 March 2019"', "dcterms:issued": '"13 March 2019"'}),
         via=("ArticleShape",)),
    Case("article-issued-differs", "ArticleIssued", "dcterms:issued", "article:x2",
         article("x2"), article("x2", **{"dcterms:issued": '"2019-03-14"^^xsd:date'})),
    Case("article-without-text", "ArticleText", "schema:text", "article:x3",
         article("x3"), article("x3", **{"schema:text": ""})),
    Case("article-checksum-uppercase", "ArticleSha256", "qn:sha256", "article:x4",
         article("x4"), article("x4", **{"qn:sha256": f'"{SHA.upper()}"'})),
    Case("article-published-by-a-state", "ArticlePublisher", "schema:publisher", "article:x5",
         article("x5"), article("x5", **{"schema:publisher": "state:qat"})),
    Case("article-language-a-word", "ArticleLanguage", "schema:inLanguage", "article:x6",
         article("x6"), article("x6", **{"schema:inLanguage": '"Arabic"'})),
    # --- SHACL-SPARQL ---------------------------------------------------------------------
    Case("quote-past-the-end", "QuoteInsideArticleShape", "oa:hasSelector", iri("fact/a/s1#target-1"),
         fact("fact/a/s1"), fact("fact/a/s1", end=300)),
    Case("quote-not-verbatim", "QuoteMatchesArticleShape", "oa:hasSelector", iri("fact/a/s2#target-1"),
         fact("fact/a/s2", start=5, end=11, exact="الناتو"), fact("fact/a/s2", start=0, end=3, exact="الناتو")),
    Case("evidence-from-another-article", "EvidenceFromOwnArticleShape", "qn:evidence", "fa:s3",
         fact("fact/a/s3"), fact("fact/a/s3", source="article:other")),
    Case("article-text-altered", "ArticleChecksumShape", "qn:sha256", "article:x7",
         article("x7"), article("x7", **{"qn:sha256": '"' + "0" * 64 + '"'})),
    Case("event-dated-after-article", "FactDateNotAfterArticleShape", "sem:hasTimeStamp", "fa:s4",
         fact("fact/a/s4", body='event:s4 sem:hasTimeStamp "2019-03"^^xsd:gYearMonth ; schema:startDate "2019-03"^^xsd:gYearMonth .')
         + f"event:s4 {EVENT} .",
         fact("fact/a/s4", body='event:s4 sem:hasTimeStamp "2019-04"^^xsd:gYearMonth ; schema:startDate "2019-04"^^xsd:gYearMonth .')
         + f"event:s4 {EVENT} ."),
    Case("membership-begins-after-article", "FactDateNotAfterArticleShape", "time:inXSDgYear", "fa:s5",
         fact("fact/a/s5", body=_instant("s5", 'time:inXSDgYear "2019"^^xsd:gYear')),
         fact("fact/a/s5", body=_instant("s5", 'time:inXSDgYear "2020"^^xsd:gYear'))),
    # --- IRIs --------------------------------------------------------------------------------
    Case("foreign-iri", "MintedIRIShape", None, "<http://example.com/cooperation>",
         f"cooperation:i1 a qn:Cooperation ; {L} ; qn:partner state:qat , alliance:nato .",
         f"<http://example.com/cooperation> a qn:Cooperation ; {L} ; qn:partner state:qat , alliance:nato .",
         good_focus="cooperation:i1"),
    Case("same-as-page-url", "SameAsLink", "owl:sameAs", "state:w1",
         f"state:w1 {STATE} ; owl:sameAs <http://www.wikidata.org/entity/Q846> , <http://dbpedia.org/resource/Qatar> , "
         "<http://sws.geonames.org/290030/> .",
         f"state:w1 {STATE} ; owl:sameAs <https://www.wikidata.org/wiki/Q846> .", via=("SameAsShape",)),
    Case("same-as-geonames-without-slash", "SameAsLink", "owl:sameAs", "state:w2",
         f"state:w2 {STATE} ; owl:sameAs <http://sws.geonames.org/290030/> .",
         f"state:w2 {STATE} ; owl:sameAs <http://sws.geonames.org/290030> ."),
]

# --- issue 22 patterns: helpers ------------------------------------------------------------
RANK = f"rank:rk a qn:MilitaryRank , skos:Concept ; {L} ; {PL} ; skos:inScheme scheme:role-types ."
MISSION = f"a qn:Mission , org:OrganizationalUnit ; {L}"
OFFICE = f"a qn:Office , org:OrganizationalUnit ; {L}"
PROVISION = f"a qn:Provision , schema:CreativeWork ; {L}"
PLANNED = f"{EVENT} ; qn:planned true ; qn:asOf \"2019-03-13\"^^xsd:date ; schema:eventStatus schema:EventScheduled"


def _cited(claim_path: str, body: str = "prov:agent publisher:p ; prov:hadRole role:host") -> str:
    node = iri(claim_path + "#cited-source")
    return claim(claim_path, f"; prov:qualifiedAttribution {node}") + f"{node} a prov:Attribution ; {body} .\n"


def _source(claim_path: str, body: str = L) -> str:
    node = iri(claim_path + "#source")
    return claim(claim_path, f"; prov:wasAttributedTo {node}", speaker=False) + \
        f"{node} a qn:UnnamedSource , prov:Agent , foaf:Agent ; {body} .\n"


def _dated_claim(claim_path: str, date: str) -> str:
    c = iri(claim_path)
    return claim(claim_path, f"; schema:dateCreated {date}") + f"{c} {{ {c} schema:dateCreated {date} . }}\n"


def _rank(slug: str, body: str = 'qn:rankHolder person:p ; qn:rank rank:rk ; qn:asOf "2019-03-13"^^xsd:date') -> str:
    return RANK + f"\n{iri('fact/a/' + slug + '#rank')} a qn:RankHolding ; {body} ."


def _count(slug: str, **over: str) -> str:
    fields = {"qn:countOf": "alliance:nato", "schema:value": '"29"^^xsd:integer',
              "schema:unitText": '"member countries"@en , "دولة عضوا"@ar', "qn:asOf": '"2019-03-13"^^xsd:date'}
    fields.update(over)
    body = " ; ".join(f"{k} {v}" for k, v in fields.items() if v)
    return f"{iri('fact/a/' + slug + '#count')} a qn:Count , schema:QuantitativeValue ; {body} ."


PATTERN_CASES: list[Case] = [
    # --- claims: when, where, stance, reporting chain, unnamed sources ------------------------
    Case("claim-two-dates", "ClaimDate", "schema:dateCreated", "ca:p1",
         claim("claim/a/p1", '; schema:dateCreated "2019-03-13"^^xsd:date'),
         claim("claim/a/p1", '; schema:dateCreated "2019-03-13"^^xsd:date , "2019-03-12"^^xsd:date'), via=("ClaimContextShape",)),
    Case("claim-occasion-not-an-event", "ClaimOccasion", "qn:occasion", "ca:p2",
         claim("claim/a/p2", "; qn:occasion event:meet"), claim("claim/a/p2", "; qn:occasion state:qat")),
    Case("claim-stance-unknown", "ClaimStance", "qn:stance", "ca:p3",
         claim("claim/a/p3", "; qn:stance qn:Denial"), claim("claim/a/p3", "; qn:stance qn:Hope")),
    Case("claim-inferred-twice", "ClaimInferred", "qn:isInferred", "ca:p4",
         claim("claim/a/p4"), claim("claim/a/p4", "; qn:isInferred true")),
    Case("claim-cited-source-not-attribution", "ClaimCitedSource", "prov:qualifiedAttribution", "ca:p5",
         _cited("claim/a/p5"), claim("claim/a/p5", "; prov:qualifiedAttribution publisher:p")),
    Case("cited-source-without-agent", "AttributionAgent", "prov:agent", iri("claim/a/p6#cited-source"),
         _cited("claim/a/p6"), _cited("claim/a/p6", "prov:hadRole role:host"), via=("AttributionShape",)),
    Case("cited-source-role-a-state", "AttributionRole", "prov:hadRole", iri("claim/a/p7#cited-source"),
         _cited("claim/a/p7"), _cited("claim/a/p7", "prov:agent publisher:p ; prov:hadRole state:qat")),
    Case("unnamed-source-english-only", "LabelBothLanguages", "rdfs:label", iri("claim/a/p8#source"),
         _source("claim/a/p8"), _source("claim/a/p8", 'rdfs:label "an unnamed official"@en'), via=("UnnamedSourceShape",)),
    Case("unnamed-source-affiliation-text", "Affiliation", "schema:affiliation", iri("claim/a/p9#source"),
         _source("claim/a/p9", f"{L} ; schema:affiliation alliance:nato"), _source("claim/a/p9", f'{L} ; schema:affiliation "NATO"')),
    Case("unnamed-group-affiliation-text", "Affiliation", "schema:affiliation", iri("event/meet#group-g1"),
         f"{iri('event/meet#group-g1')} a qn:UnnamedGroup , foaf:Group , foaf:Agent ; {L} ; schema:affiliation alliance:nato .",
         f'{iri("event/meet#group-g1")} a qn:UnnamedGroup , foaf:Group , foaf:Agent ; {L} ; schema:affiliation "NATO" .',
         via=("UnnamedGroupShape",)),
    Case("claim-dated-after-article", "ClaimDateNotAfterArticleShape", "schema:dateCreated", "ca:q1",
         _dated_claim("claim/a/q1", '"2019-03"^^xsd:gYearMonth'), _dated_claim("claim/a/q1", '"2019-04"^^xsd:gYearMonth')),
    Case("claim-dated-apart-from-occasion", "ClaimDateMatchesOccasionShape", "schema:dateCreated", "ca:q2",
         claim("claim/a/q2", '; qn:occasion event:meet ; schema:dateCreated "2019-03"^^xsd:gYearMonth'),
         claim("claim/a/q2", '; qn:occasion event:meet ; schema:dateCreated "2019-02"^^xsd:gYearMonth')),
    # --- events: on behalf of, planned, under an agreement ---------------------------------
    Case("on-behalf-of-text", "OnBehalfOfParty", "qn:onBehalfOf", iri("event/meet#actor-b1"),
         f"{iri('event/meet#actor-b1')} a sem:Role ; rdf:value person:p ; sem:roleType role:host ; qn:onBehalfOf state:qat .",
         f'{iri("event/meet#actor-b1")} a sem:Role ; rdf:value person:p ; sem:roleType role:host ; qn:onBehalfOf "Qatar" .',
         via=("OnBehalfOfShape",)),
    Case("planned-false", "PlannedFlag", "qn:planned", "event:pl1",
         f"event:pl1 {PLANNED} .", f"event:pl1 {PLANNED.replace('qn:planned true', 'qn:planned false')} .",
         via=("PlannedEventShape",)),
    Case("planned-without-as-of", "PlannedAsOf", "qn:asOf", "event:pl2",
         f"event:pl2 {PLANNED} .", f"event:pl2 {PLANNED.replace(' ; qn:asOf', ' ; rdfs:comment').replace('^^xsd:date', '')} ."),
    Case("planned-without-status", "PlannedStatus", "schema:eventStatus", "event:pl3",
         f"event:pl3 {PLANNED} .", f"event:pl3 {EVENT} ; qn:planned true ; qn:asOf \"2019-03-13\"^^xsd:date ."),
    Case("unplanned-event-dated-after-article", "FactDateNotAfterArticleShape", "sem:hasTimeStamp", "fa:pl4",
         fact("fact/a/pl4", body='event:pl4 qn:planned true ; sem:hasTimeStamp "2020"^^xsd:gYear ; schema:startDate "2020"^^xsd:gYear .')
         + f"event:pl4 {PLANNED} .",
         fact("fact/a/pl4", body='event:pl4 sem:hasTimeStamp "2020"^^xsd:gYear ; schema:startDate "2020"^^xsd:gYear .')
         + f"event:pl4 {EVENT} ."),
    Case("fact-that-is-a-claim", "FactIsNotClaimShape", "rdf:type", "fa:fc1",
         fact("fact/a/fc1"), fact("fact/a/fc1") + f"{iri('fact/a/fc1')} a qn:AttributedStatement ; {L} ; "
         'schema:text "قطر"@ar ; prov:wasAttributedTo person:p .'),
    Case("under-a-programme", "EventUnderAgreement", "qn:underAgreement", "event:ua1",
         f"event:ua1 {EVENT} ; qn:underAgreement agreement:ag .", f"event:ua1 {EVENT} ; qn:underAgreement programme:ipcp .",
         via=("EventUnderAgreementShape",)),
    # --- missions, offices, accreditation, ranks ----------------------------------------------
    Case("mission-of-an-alliance", "MissionOfState", "org:unitOf", "mission:m1",
         f"mission:m1 {MISSION} ; org:unitOf state:qat ; qn:accreditedTo alliance:nato .",
         f"mission:m1 {MISSION} ; org:unitOf alliance:nato ; qn:accreditedTo alliance:nato .", via=("MissionShape",)),
    Case("mission-unaccredited", "MissionAccreditedTo", "qn:accreditedTo", "mission:m2",
         f"mission:m2 {MISSION} ; org:unitOf state:qat ; qn:accreditedTo alliance:nato .",
         f"mission:m2 {MISSION} ; org:unitOf state:qat ."),
    Case("post-accredited-to-text", "AccreditedToAgent", "qn:accreditedTo", "post:ac1",
         f"post:ac1 a org:Post ; {L} ; org:postIn state:qat ; qn:accreditedTo state:qat .",
         f'post:ac1 a org:Post ; {L} ; org:postIn state:qat ; qn:accreditedTo "Belgium" .', via=("AccreditedToShape",)),
    Case("office-of-a-city", "OfficeOf", "org:unitOf", "office:o1",
         f"office:o1 {OFFICE} ; org:unitOf alliance:nato .", f"office:o1 {OFFICE} ; org:unitOf place:doha .", via=("OfficeShape",)),
    Case("rank-english-only", "LabelBothLanguages", "rdfs:label", "rank:r1",
         f"rank:r1 a qn:MilitaryRank , skos:Concept ; {L} ; {PL} ; skos:inScheme scheme:role-types .",
         f'rank:r1 a qn:MilitaryRank , skos:Concept ; rdfs:label "Rank"@en ; {PL} ; skos:inScheme scheme:role-types .',
         via=("MilitaryRankShape",)),
    Case("rank-held-by-a-state", "RankHolder", "qn:rankHolder", iri("fact/a/rk1#rank"),
         _rank("rk1"), _rank("rk1", 'qn:rankHolder state:qat ; qn:rank rank:rk ; qn:asOf "2019-03-13"^^xsd:date'), via=("RankHoldingShape",)),
    Case("rank-a-role", "RankOf", "qn:rank", iri("fact/a/rk2#rank"),
         _rank("rk2"), _rank("rk2", 'qn:rankHolder person:p ; qn:rank role:host ; qn:asOf "2019-03-13"^^xsd:date')),
    Case("rank-as-of-a-year", "RankAsOf", "qn:asOf", iri("fact/a/rk3#rank"),
         _rank("rk3"), _rank("rk3", 'qn:rankHolder person:p ; qn:rank rank:rk ; qn:asOf "2019"^^xsd:gYear')),
    # --- provisions and counts --------------------------------------------------------------
    Case("provision-of-a-state", "ProvisionOf", "schema:isPartOf", "provision:v1",
         f'provision:v1 {PROVISION} ; schema:isPartOf agreement:ag ; skos:notation "10" .',
         f'provision:v1 {PROVISION} ; schema:isPartOf state:qat ; skos:notation "10" .', via=("ProvisionShape",)),
    Case("provision-unnumbered", "ProvisionNumber", "skos:notation", "provision:v2",
         f'provision:v2 {PROVISION} ; schema:isPartOf agreement:ag ; skos:notation "10" .',
         f"provision:v2 {PROVISION} ; schema:isPartOf agreement:ag ."),
    Case("count-of-nothing", "CountSubject", "qn:countOf", iri("fact/a/n1#count"),
         _count("n1"), _count("n1", **{"qn:countOf": ""}), via=("CountShape",)),
    Case("count-as-text", "CountValue", "schema:value", iri("fact/a/n2#count"),
         _count("n2"), _count("n2", **{"schema:value": '"29"'})),
    Case("count-unit-english-only", "CountUnit", "schema:unitText", iri("fact/a/n3#count"),
         _count("n3"), _count("n3", **{"schema:unitText": '"member countries"@en'})),
    Case("count-unit-french", "CountUnitLanguage", "schema:unitText", iri("fact/a/n4#count"),
         _count("n4"), _count("n4", **{"schema:unitText": '"member countries"@en , "دولة عضوا"@ar , "pays membres"@fr'})),
    Case("count-as-of-twice", "CountAsOf", "qn:asOf", iri("fact/a/n5#count"),
         _count("n5"), _count("n5", **{"qn:asOf": '"2019-03-13"^^xsd:date , "2019-03-12"^^xsd:date'})),
]
CASES += PATTERN_CASES


# Shapes that only gather property shapes: reached through the cases listed in ``via``.
# Value shapes used by sh:or / sh:qualifiedValueShape: tested directly with sh:targetNode.
VALUE_SHAPE_CASES: list[tuple[str, str, str]] = [
    # (shape, a conforming node, a violating node) in Turtle
    ("XsdDate", '"2019-03-13"^^xsd:date', '"2019-03"^^xsd:gYearMonth'),
    ("XsdGYearMonth", '"2019-03"^^xsd:gYearMonth', '"2019"^^xsd:gYear'),
    ("XsdGYear", '"2019"^^xsd:gYear', '"2019-03-13"^^xsd:date'),
    ("IsQuoteSelector", iri("fact/a/base#quote-1"), iri("fact/a/base#position-1")),
    ("IsPositionSelector", iri("fact/a/base#position-1"), iri("fact/a/base#quote-1")),
    ("IsProgramme", iri("programme/ipcp"), iri("agreement/ag")),
    ("IsAgreement", iri("agreement/ag"), iri("programme/ipcp")),
]
