"""A deterministic synthetic corpus of the same shape as ``seeds/``.

Why: the benchmarks must run the *real* pipeline (``kg.curation`` →
``kg.rdf.mapping`` → validation → dumps → store → server) at 10 … 100 000
articles, and we have two real articles. This writes, for N articles:

* ``NNNNNN_bench.txt``  a synthetic Arabic-like text holding every quote verbatim;
* ``NNNNNN_bench.yaml`` the article in the schema of ``seeds/*.yaml`` (article
  metadata, article-local entities, facts of every kind the real seeds use,
  claims), written as block YAML with JSON-style flow items;
* ``SHA256SUMS`` listing every text, as ``kg new`` would;
* ``entities.yaml`` / ``links.yaml`` with a pool of shared entities (states,
  officials, posts, cities, cooperation areas, challenges, publishers) that
  grows with N.

Same (N, seed) → byte-identical files: each article draws from its own
``random.Random(f"{seed}:{i}")``, so any article can be regenerated alone.

    python -m benchmarks.generate 1000 /tmp/bench/seeds-1000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

# Arabic word stock for filler text and quotes (no digits, no punctuation that
# the curation hint folds, so every quote is matched verbatim and only once).
WORDS = (
    "التعاون الأمن الدفاع الحوار السياسي المنطقة الخليج الشراكة الحلف المبادرة "
    "الاجتماع الوزير الأمين العام الخارجية الدولة العلاقات تعزيز تطوير دعم "
    "الاستقرار السلام التدريب التعليم الأزمات الإرهاب الطاقة الطوارئ المدنية "
    "الشبكات الرقمية المعلومات الخبرات التحديات الناشئة القدرات المؤسسات الإصلاح "
    "المشاورات الإقليمية الدولية العملي الفعلي الجانبين المستويات الزيارة المتبادلة "
    "البرنامج الاتفاقية التوقيع المصادقة القوات الأفراد العبور الدخول القاعدة الجوية "
    "الوساطة الأطراف المجتمع الدولي اللاجئين المهجرين الشرق الأوسط البحرية الحدود "
    "الموانئ الاقتصاد التنمية الصحة المياه الغذاء المناخ البيئة الثقافة الشباب "
    "الإعلام الاتصالات النقل الصناعة الزراعة التجارة الاستثمار المالية الرقابة "
    "الشفافية القانون القضاء البرلمان المجلس اللجنة الوفد السفير القنصلية المكتب"
).split()

GIVEN = "أحمد محمد خالد سعيد عبدالله علي حسن يوسف إبراهيم عمر فهد ناصر سلمان راشد حمد جاسم ماجد طارق وليد سالم".split()
FAMILY = "الحمادي العطية المري الكواري النعيمي السليطي المهندي الخليفي الهاجري الدوسري الكعبي البوعينين الشمري العبيدلي".split()
PLACE_AR = "مدينة ميناء واحة جزيرة ساحل وادي جبل سهل".split()
AREA_AR = "مجال برنامج ملف قطاع محور".split()


@dataclass(frozen=True)
class Pool:
    """How many shared entities of each kind a corpus of ``n`` articles has."""

    states: int
    officials: int
    cities: int
    areas: int
    challenges: int
    publishers: int

    @classmethod
    def for_size(cls, n: int) -> Pool:
        return cls(
            states=min(n, 10) + n // 200,  # every state gets an article (its cooperation's partners); ≥ 10 articles: as before
            officials=20 + n // 10,
            cities=10 + n // 100,
            areas=15 + n // 500,
            challenges=7 + n // 1000,
            publishers=2 + n // 2000,
        )


ROLES = ("host", "visitor", "participant", "speaker", "signatory", "contributor", "ici-partner")
ROLE_AR = ("مضيف", "زائر", "مشارك", "متحدث", "طرف موقع", "مساهم", "دولة شريكة")
CAMEO = (("040", "Consult", "تشاور"), ("042", "Make a visit", "القيام بزيارة"), ("057", "Sign formal agreement", "توقيع اتفاق رسمي"))
ACTIONS = (("enter", "الدخول"), ("transit", "العبور"), ("use", "الاستخدام"))


def _ar_name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} بن {rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def _flow(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def entities_yaml(pool: Pool, seed: int) -> str:
    """The shared entities: fixed frameworks and schemes plus the growing pool."""
    rng = random.Random(f"{seed}:entities")
    items: list[dict] = [
        {"key": "scheme/cooperation-areas", "type": "ConceptScheme", "label": {"en": "Cooperation areas", "ar": "مجالات التعاون"}},
        {"key": "scheme/challenges", "type": "ConceptScheme", "label": {"en": "Security challenges", "ar": "التحديات الأمنية"}},
        {"key": "scheme/role-types", "type": "ConceptScheme", "label": {"en": "Roles of actors in events", "ar": "أدوار الفاعلين في الفعاليات"}},
        {"key": "scheme/cameo", "type": "ConceptScheme", "label": {"en": "CAMEO event codes (subset)", "ar": "رموز أحداث كاميو"}},
        {"key": "alliance/nato", "type": "Alliance", "label": {"en": "North Atlantic Treaty Organization (NATO)", "ar": "حلف شمال الأطلسي"}, "alt": {"en": ["NATO"], "ar": ["الناتو"]}},
        {"key": "initiative/ici", "type": "PartnershipInitiative", "label": {"en": "Istanbul Cooperation Initiative", "ar": "مبادرة إسطنبول للتعاون"}},
    ]
    items += [{"key": f"role/{r}", "type": "RoleType", "label": {"en": r, "ar": ar}} for r, ar in zip(ROLES, ROLE_AR, strict=True)]
    items += [{"key": f"cameo/{c}", "type": "EventType", "notation": c, "label": {"en": en, "ar": ar}} for c, en, ar in CAMEO]
    items += [{"key": f"action/{a}", "type": "Action", "label": {"en": a, "ar": ar}} for a, ar in ACTIONS]
    for s in range(pool.states):
        ar = f"دولة {rng.choice(WORDS)} {rng.choice(WORDS)}"
        items.append({"key": f"state/s{s:04d}", "type": "State", "label": {"en": f"State {s}", "ar": ar}})
        items.append({"key": f"ministry/s{s:04d}-mfa", "type": "Ministry", "label": {"en": f"Ministry of Foreign Affairs of State {s}", "ar": f"وزارة الخارجية في {ar}"}, "within": f"state/s{s:04d}"})
        items.append({"key": f"cooperation/s{s:04d}-nato", "type": "Cooperation", "label": {"en": f"State {s}–NATO cooperation", "ar": f"التعاون بين {ar} وحلف الناتو"}})
    for c in range(pool.cities):
        items.append({"key": f"place/c{c:05d}", "type": "City", "label": {"en": f"City {c}", "ar": f"{rng.choice(PLACE_AR)} {rng.choice(WORDS)}"}})
    for p in range(pool.officials):
        state = p % pool.states
        items.append({"key": f"person/p{p:06d}", "type": "Official", "label": {"en": f"Official {p}", "ar": _ar_name(rng)}})
        items.append({"key": f"post/p{p:06d}", "type": "Post", "label": {"en": f"Post {p} of State {state}", "ar": f"وزير {rng.choice(WORDS)}"}, "within": f"ministry/s{state:04d}-mfa"})
    for a in range(pool.areas):
        items.append({"key": f"area/a{a:04d}", "type": "CooperationArea", "label": {"en": f"Cooperation area {a}", "ar": f"{rng.choice(AREA_AR)} {rng.choice(WORDS)} {rng.choice(WORDS)}"}})
    for c in range(pool.challenges):
        items.append({"key": f"challenge/c{c:04d}", "type": "Challenge", "label": {"en": f"Challenge {c}", "ar": f"أزمة {rng.choice(WORDS)}"}})
    for p in range(pool.publishers):
        items.append({"key": f"publisher/pub{p:03d}", "type": "Publisher", "label": {"en": f"Publisher {p}", "ar": f"وكالة {rng.choice(WORDS)}"}})
    return "# Synthetic shared entities (benchmarks/generate.py).\nentities:\n" + "".join(f"  - {_flow(e)}\n" for e in items)


def links_yaml(pool: Pool) -> str:
    links = [
        {"entity": f"state/s{s:04d}", "target": f"http://www.wikidata.org/entity/Q{900000 + s}", "source": "synthetic benchmark link (not a real identifier)"}
        for s in range(pool.states)
    ]
    return "links:\n" + "".join(f"  - {_flow(x)}\n" for x in links)


class _Text:
    """Builds an article text, returning quotes that occur in it exactly once."""

    def __init__(self, rng: random.Random, title: str) -> None:
        self.rng = rng
        self.parts: list[str] = [title, ""]
        self.used: set[str] = set()

    def filler(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def quote(self, lead: str = "") -> str:
        while True:
            q = (lead + " " if lead else "") + self.filler(self.rng.randint(5, 9))
            if q not in self.used:
                self.used.add(q)
                self.parts.append(f"{self.filler(self.rng.randint(3, 8))}، {q}، {self.filler(self.rng.randint(3, 8))}.")
                return q

    def render(self) -> str:
        return "\n".join(self.parts) + "\n"


def article(i: int, pool: Pool, seed: int) -> tuple[str, str]:
    """(text, yaml) of article ``i``: about 10 facts and 1–2 claims."""
    rng = random.Random(f"{seed}:{i}")
    aid = f"bench-{i:06d}"
    state = i if i < pool.states else rng.randrange(pool.states)  # every state's cooperation gets its partners
    s = f"state/s{state:04d}"
    coop = f"cooperation/s{state:04d}-nato"
    p1, p2 = rng.sample(range(pool.officials), 2)
    year, month, day = rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28)
    published = f"{year}-{month:02d}-{day:02d}"
    city = f"place/c{rng.randrange(pool.cities):05d}"
    title_ar = f"اجتماع حول {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
    text = _Text(rng, title_ar)
    meeting, session = f"event/{aid}-meeting", f"event/{aid}-opening"
    ents: list[dict] = [
        {"key": meeting, "type": "Meeting", "label": {"en": f"Meeting reported in article {i}", "ar": f"الاجتماع {text.filler(3)}"}},
        {"key": session, "type": "Session", "label": {"en": f"Opening session of the meeting of article {i}", "ar": f"الجلسة الافتتاحية {text.filler(2)}"}},
    ]
    facts: list[dict] = [
        {"id": "holds-post-1", "kind": "holds_post", "person": f"person/p{p1:06d}", "post": f"post/p{p1:06d}", "quote": text.quote("الوزير")},
        {"id": "holds-post-2", "kind": "holds_post", "person": f"person/p{p2:06d}", "post": f"post/p{p2:06d}", "quote": text.quote("الأمين")},
        {"id": "meeting", "kind": "event", "event": meeting, "date": published[: rng.choice((7, 10))], "place": city,
         "framework": "initiative/ici", "event_types": ["cameo/040"],
         "actors": [{"agent": s, "role": "role/host"}, {"agent": f"person/p{p1:06d}", "role": "role/participant"}, {"agent": f"person/p{p2:06d}", "role": "role/participant"}],
         "quote": [text.quote("الاجتماع"), text.quote("استضافة")]},
        {"id": "opening-session", "kind": "event", "event": session, "date": published[:7], "place": city, "part_of": meeting,
         "actors": [{"agent": f"person/p{p1:06d}", "role": "role/speaker"}], "quote": text.quote("الجلسة")},
        {"id": "discussed", "kind": "discussed", "event": meeting, "cooperation": coop, "quote": text.quote("بحث")},
        {"id": "challenge", "kind": "challenge", "event": session, "challenge": f"challenge/c{rng.randrange(pool.challenges):04d}", "quote": text.quote("أزمة")},
    ]
    for a in sorted(rng.sample(range(pool.areas), 3)):
        facts.append({"id": f"area-{a:04d}", "kind": "cooperation_area", "cooperation": coop, "area": f"area/a{a:04d}", "quote": text.quote()})
    facts.append({"id": "cooperation", "kind": "cooperation", "cooperation": coop, "partners": [s, "alliance/nato"], "quote": text.quote("التعاون")})
    # one joining date per state: articles must agree, and no article (2005 or later)
    # may report a date after its own publication (SHACL checks both)
    if rng.random() < 0.2:
        facts.append({"id": "membership", "kind": "membership", "membership": f"membership/s{state:04d}-ici", "member": s,
                      "organization": "initiative/ici", "role": "role/ici-partner", "since": f"2004-{1 + state % 12:02d}", "quote": text.quote("انضمامها")})
    if rng.random() < 0.25:
        agr, sign, perm = f"agreement/{aid}", f"event/{aid}-signing", f"permission/{aid}"
        ents += [
            {"key": agr, "type": "Agreement", "label": {"en": f"Agreement of article {i}", "ar": f"اتفاقية {text.filler(2)}"}},
            {"key": sign, "type": "Signing", "label": {"en": f"Signing of the agreement of article {i}", "ar": f"توقيع اتفاقية {text.filler(2)}"}},
            {"key": perm, "type": "Permission", "label": {"en": f"Permission granted by the agreement of article {i}", "ar": f"السماح {text.filler(2)}"}},
        ]
        facts.append({"id": "signing", "kind": "event", "event": sign, "date": str(year), "agreement": agr, "event_types": ["cameo/057"],
                      "actors": [{"agent": s, "role": "role/signatory"}, {"agent": "alliance/nato", "role": "role/signatory"}], "quote": text.quote("توقيع"), "inferred": True})
        facts.append({"id": "permission", "kind": "permission", "agreement": agr, "permission": perm, "grantee": "alliance/nato",
                      "actions": ["action/enter", "action/transit"], "targets": [s], "quote": text.quote("تسمح")})
    if rng.random() < 0.3:
        facts.append({"id": "participation", "kind": "participation", "event": meeting, "agent": "alliance/nato", "role": "role/contributor", "quote": text.quote("مشاركة")})
    claims = [{"id": f"claim-{c + 1}", "speaker": f"person/p{p1:06d}", "quote": text.quote("وقال"),
               "summary": {"en": f"Synthetic claim {c + 1} of article {i}.", "ar": f"تصريح {text.filler(3)}"}, "about": [s]}
              for c in range(rng.randint(1, 2))]
    meta = {"id": aid, "file": f"{i:06d}_bench.txt", "title": {"ar": title_ar, "en": f"Synthetic article {i}"},
            "publisher": f"publisher/pub{rng.randrange(pool.publishers):03d}", "published": published, "dateline": city, "language": "ar"}
    lines = ["# Synthetic article (benchmarks/generate.py).", "article:"]
    lines += [f"  {k}: {_flow(v)}" for k, v in meta.items()]
    for section, items in (("entities", ents), ("facts", facts), ("claims", claims)):
        lines.append(f"{section}:")
        lines += [f"  - {_flow(x)}" for x in items]
    return text.render(), "\n".join(lines) + "\n"


def generate(n: int, out: Path, *, seed: int = 20250601) -> Path:
    """Write a seeds-like directory for ``n`` articles to ``out`` (replaced)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pool = Pool.for_size(n)
    (out / "entities.yaml").write_text(entities_yaml(pool, seed), encoding="utf-8")
    (out / "links.yaml").write_text(links_yaml(pool), encoding="utf-8")
    with open(out / "SHA256SUMS", "w", encoding="ascii") as sums:  # the build refuses texts it does not list
        for i in range(n):
            text, yaml = article(i, pool, seed)
            data = text.encode("utf-8")
            (out / f"{i:06d}_bench.txt").write_bytes(data)
            (out / f"{i:06d}_bench.yaml").write_text(yaml, encoding="utf-8")
            sums.write(f"{hashlib.sha256(data).hexdigest()}  {i:06d}_bench.txt\n")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("articles", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=20250601)
    args = p.parse_args(argv)
    generate(args.articles, args.out, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
