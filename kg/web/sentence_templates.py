"""The wording of the pages' sentences: one template per kind of fact in each
language, the claims' templates by stance, and each kind's heading. Data only;
``kg.web.sentences`` fills them (see its docstring for the template syntax)."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "holds_post": {"en": "{person} holds the post of {post}[, as of {date}]",
                   "ar": "{person} في منصب {post}[، بتاريخ {date}]"},
    "membership": {"en": "{member} is a member of {org}[ as {role}][, since {date}]",
                   "ar": "{member} عضو في {org}[ بصفة {role}][، منذ {date}]"},
    "cooperation": {"en": "{coop}: cooperation between {partners}",
                    "ar": "{coop}: تعاون بين {partners}"},
    "cooperation_area": {"en": "{area} is an area of {coop}",
                         "ar": "{area} من مجالات {coop}"},
    "discussed": {"en": "{topic} was discussed at {event}",
                  "ar": "من موضوعات {event}: {topic}"},
    "challenge": {"en": "{event} addressed {challenge}",
                  "ar": "من القضايا المطروحة في {event}: {challenge}"},
    "permission": {"en": "{agreement} permits {grantee} to {actions}[ {targets}]",
                   "ar": "بموجب {agreement} يُسمح لـ{grantee} بما يلي: {actions}[ في {targets}]"},
    "event": {"en": "{event}[ ({status})][: {when}][, in {place}][, part of {parent}][, signing {agreement}][, ratifying {ratified}][, under {under}][, with {actors}]",
              "ar": "{event}[ ({status})][: {when}][، في {place}][، ضمن {parent}][، لتوقيع {agreement}][، للمصادقة على {ratified}][، بموجب {under}][، بمشاركة {actors}]"},
    "participation": {"en": "{agent} took part in {event} as {role}[ on behalf of {party}]",
                      "ar": "مشاركة {agent} في {event} بصفة {role}[ نيابةً عن {party}]"},
    "rank": {"en": "{person} holds the rank of {rank}[, as of {date}]",
             "ar": "{person} برتبة {rank}[، بتاريخ {date}]"},
    "count": {"en": "{subject}: {value} {unit}[, as of {date}]",
              "ar": "{subject}: {value} {unit}[، بتاريخ {date}]"},
    "claim": {"en": "According to {speaker}[ (as cited by {via})][, on {date}][, at {occasion}]: {summary}",
              "ar": "بحسب {speaker}[ (نقلا عن {via})][، في {date}][، خلال {occasion}]: {summary}"},
    "other": {"en": "{subject}: {property} {value}",
              "ar": "{subject}: {property} {value}"},
}

STANCE_TEMPLATES: dict[str, dict[str, str]] = {
    # a claim with a stance (kg.mapping_patterns.STANCES) reads with its verb; the Arabic ones are
    # nominal ("a denial from X"), so no verb has to agree with a speaker of unknown gender
    "claim-denial": {"en": "{speaker} ruled out[ (as cited by {via})][, on {date}][, at {occasion}]: {summary}",
                     "ar": "نفيٌ من {speaker}[ (نقلا عن {via})][، في {date}][، خلال {occasion}]: {summary}"},
    "claim-hedge": {"en": "{speaker} said it may be so[ (as cited by {via})][, on {date}][, at {occasion}]: {summary}",
                    "ar": "احتمالٌ بحسب {speaker}[ (نقلا عن {via})][، في {date}][، خلال {occasion}]: {summary}"},
    "claim-aspiration": {"en": "{speaker} expressed the aspiration[ (as cited by {via})][, on {date}][, at {occasion}]: {summary}",
                         "ar": "تطلّعٌ بحسب {speaker}[ (نقلا عن {via})][، في {date}][، خلال {occasion}]: {summary}"},
    "claim-prescription": {"en": "{speaker} said what should be done[ (as cited by {via})][, on {date}][, at {occasion}]: {summary}",
                           "ar": "ما ينبغي فعله بحسب {speaker}[ (نقلا عن {via})][، في {date}][، خلال {occasion}]: {summary}"},
    "claim-plan": {"en": "{speaker} said it will be done[ (as cited by {via})][, on {date}][, at {occasion}]: {summary}",
                   "ar": "ما سيتم بحسب {speaker}[ (نقلا عن {via})][، في {date}][، خلال {occasion}]: {summary}"},
}
"""Claims' sentences by stance: the kind stays ``claim`` (one heading), the wording is the stance's."""

KIND_NAMES: dict[str, dict[str, str]] = {
    "holds_post": {"en": "Posts held", "ar": "المناصب"},
    "membership": {"en": "Memberships", "ar": "العضويات"},
    "cooperation": {"en": "Cooperation", "ar": "التعاون"},
    "cooperation_area": {"en": "Areas of cooperation", "ar": "مجالات التعاون"},
    "discussed": {"en": "Topics discussed", "ar": "موضوعات النقاش"},
    "challenge": {"en": "Challenges addressed", "ar": "القضايا المطروحة"},
    "permission": {"en": "Permissions", "ar": "الأذونات"},
    "event": {"en": "About events", "ar": "عن الأحداث"},
    "participation": {"en": "Taking part in events", "ar": "المشاركة في الأحداث"},
    "rank": {"en": "Ranks", "ar": "الرتب"},
    "count": {"en": "Counts", "ar": "الأعداد"},
    "claim": {"en": "What was said", "ar": "ما قيل"},
    "other": {"en": "Other facts", "ar": "حقائق أخرى"},
}
KIND_ORDER = list(KIND_NAMES)
