"""Stage 4, normalize: mentions into one entity per real-world thing, and the relational tables.

Input: Article records and Extractions. Output: pandas DataFrames keyed by table name, with a
fixed column order and sorted rows. Entity ids derive from type and normalized key (GeoNames id,
taxonomy id, normalized name), never from row order, so more articles keep the old ids.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

import numpy as np
import pandas as pd

from pipeline import entity_types, gazetteer, known_organizations, schema, taxonomy
from pipeline.lexicon import HONORIFICS, LEADING_ARTICLES, LEGAL_FORM_WORDS, TITLES
from pipeline.records import Article, Extraction, Mention

#: Generic trailing words: "Dahua Technology" and "Dahua" are one organization.
GENERIC_ORG_WORDS = {
    "technologies",
    "technology",
    "group",
    "gruppe",
    "holding",
    "holdings",
    "company",
    "corporation",
    "international",
    "industries",
    "konzern",
}
POSSESSIVE = re.compile(r"(?:['’]s|['’])$")

ENTITY_COLUMNS = schema.columns("entities")
MENTION_COLUMNS = schema.columns("mentions")
ARTICLE_ENTITY_COLUMNS = schema.columns("article_entities")
ROLE_COLUMNS = schema.columns("roles")
CANDIDATE_COLUMNS = schema.columns("technology_candidates")
COOCCURRENCE_COLUMNS = schema.columns("cooccurrence")
#: Tables written chunk by chunk, as the articles come.
STREAMED = ("mentions", "article_entities", "roles", "article_overview")


def stable_id(*parts: str, length: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def entity_id(entity_type: str, key: str) -> str:
    """`<prefix>_<hash>`; raises entity_types.UnknownEntityType for a type not in the registry."""
    return f"{entity_types.get(entity_type).prefix}_{stable_id(entity_type, key)}"


def clean_surface(text: str) -> str:
    """Whitespace folded, possessive and edge punctuation stripped."""
    text = " ".join(text.split()).strip(" ,;:\"'“”„‚‘’()[]")
    return POSSESSIVE.sub("", text).strip()


def person_name(text: str) -> str:
    """A person's name without honorifics and titles ("Herr Sanz" -> "Sanz")."""
    words = clean_surface(text).split()
    while len(words) > 1 and words[0].lower() in HONORIFICS | TITLES:
        words = words[1:]
    return " ".join(words)


def org_name(text: str) -> str:
    words = clean_surface(text).split()
    while len(words) > 1 and words[0].lower() in LEADING_ARTICLES:
        words = words[1:]
    return " ".join(words)


def org_key(name: str) -> str:
    """Organization key: case, accents, punctuation, leading article and legal form ignored;
    every form of a known organization has the key of its name ("DLR", "Deutsches Zentrum
    für Luft- und Raumfahrt")."""
    key = plain_org_key(name)
    return known_org_keys().get(key, key)


@cache
def known_org_keys() -> dict[str, str]:
    """The keys of the known organizations' forms -> the key of their name."""
    keys: dict[str, str] = {}
    for org in known_organizations.load().values():
        for form in org.safe_forms():
            keys.setdefault(plain_org_key(form), plain_org_key(org.name))
    return keys


def plain_org_key(name: str) -> str:
    key = gazetteer.name_key(re.sub(r"[.,]", " ", name))
    words = key.split()
    while words and words[0] in LEADING_ARTICLES:
        words = words[1:]
    while len(words) > 1:  # "s p a" (S.p.A.), "co kg", "gmbh": the longest legal form first
        size = next(
            (n for n in (3, 2, 1) if len(words) > n and " ".join(words[-n:]) in LEGAL_FORM_WORDS),
            0,
        )
        if not size:
            break
        words = words[:-size]
    while len(words) > 1 and words[-1] in GENERIC_ORG_WORDS:
        words = words[:-1]
    return " ".join(words)


def is_acronym_of(short: str, long: str) -> bool:
    """Whether `short` abbreviates `long`, in either order of introduction: initials of its
    capitalized words ("BSI" = "Bundesamt für Sicherheit in der Informationstechnik"), of all
    its words ("DfT" = "Department for Transport"), without a trailing place ("CSH" =
    "Complexity Science Hub Vienna"), or of its first words with the rest written out ("TU
    Dortmund" = "Technische Universität Dortmund")."""
    first, _, rest = short.partition(" ")
    letters = first.replace("-", "").replace(".", "")
    if len(letters) < 2 or sum(ch.isupper() for ch in letters) < 2 or len(letters) > 8:
        return False
    words = [w for w in re.split(r"[\s\-]+", long) if w]
    while len(words) > 1 and words[-1].lower().replace(".", "").strip(",") in LEGAL_FORM_WORDS:
        words = words[:-1]  # "Apple Inc." is no "AI"
    if rest:  # "TU Dortmund": the rest must end the long form
        tail = rest.split()
        if [w.lower() for w in words[-len(tail) :]] != [w.lower() for w in tail]:
            return False
        words = words[: -len(tail)]
    capital = "".join(w[0] for w in words if w[:1].isupper())
    every = "".join(w[0] for w in words)
    forms = {capital, capital.replace("A", "", 0), every}
    if not rest and len(words) > 2 and gazetteer.resolve_city(words[-1]) is not None:
        forms.add("".join(w[0] for w in words[:-1] if w[:1].isupper()))
    return letters.lower() in {f.lower() for f in forms if len(f) >= 2}


def resolve_article(
    mentions: list[Mention], acronyms: dict[str, Counter[str]]
) -> list[tuple[str, str, str | None]]:
    """(entity_type, key, display form) of each mention of one article, in order; the
    display form is None where the mention's words do not name the entity. Acronyms
    introduced here are counted in `acronyms` (short key -> long keys)."""
    out: list[tuple[str, str, str | None]] = []
    people = [m for m in mentions if m.entity_type == "person"]
    orgs = [m for m in mentions if m.entity_type == "organization"]
    # People: the fullest form in the article is canonical; shorter forms attach to it.
    names = sorted(
        {person_name(m.text) for m in people if person_name(m.text)},
        key=lambda n: (-len(n.split()), -len(n), n),
    )
    canonical: dict[str, str] = {}
    for name in names:
        tokens = name.split()
        longer = [
            c
            for c in dict.fromkeys(canonical.values())
            if len(c.split()) > len(tokens) and contains_tokens(c.split(), tokens)
        ]
        canonical[name] = longer[0] if len(longer) == 1 else name
    # Organizations: legal form and articles ignored; acronyms and prefixes join the long form.
    keys = {org_key(org_name(m.text)): org_name(m.text) for m in orgs}
    local: dict[str, str] = {}
    for key, name in keys.items():
        for other, other_name in keys.items():
            if other != key and len(other) < len(key) and is_acronym_of(other_name, name):
                local[other] = key
                acronyms.setdefault(other, Counter())[key] += 1
    for key, name in keys.items():
        # "Hangzhou City Brain-Premiere" is "Hangzhou City Brain" in a German compound.
        head = org_key(name.rsplit("-", 1)[0]) if "-" in name.split()[-1] else ""
        if head in keys and head != key:
            local[key] = head
    # A name with its own legal form ("Siemens AG", "Orange SA") is a company of its own, not
    # a short form of its subsidiary ("Siemens Mobility Ltd", "Orange Business").
    formal = {org_key(org_name(m.text)) for m in orgs if has_legal_form(org_name(m.text))}
    for key in keys:
        if key in local or key in formal:
            continue
        longer = [k for k in keys if k != key and k.startswith(key + " ") and k not in local]
        if len(longer) == 1 and len(key) >= 4 and len(longer[0].split()) == len(key.split()) + 1:
            local[key] = longer[0]
    for m in mentions:
        rule = entity_types.get(m.entity_type).key_rule
        if rule == "person":
            name = canonical.get(person_name(m.text), person_name(m.text))
            out.append((m.entity_type, gazetteer.name_key(name), name))
        elif rule == "organization":
            name = org_name(m.text)
            key = org_key(name)
            out.append((m.entity_type, local.get(key, key), name))
        elif rule.startswith("linked:"):
            out.append((m.entity_type, f"{rule.partition(':')[2]}:{m.key}", linked_form(m)))
        else:  # "name": the normalized surface form
            name = clean_surface(m.text)
            out.append((m.entity_type, "name:" + gazetteer.name_key(name), name))
    return out


def has_legal_form(name: str) -> bool:
    """Whether a name ends with a legal form ("Siemens AG", "Nuvola Dati S.p.A.")."""
    words = gazetteer.name_key(re.sub(r"[.,]", " ", name)).split()
    return len(words) > 1 and any(" ".join(words[-n:]) in LEGAL_FORM_WORDS for n in (1, 2, 3))


def linked_form(m: Mention) -> str | None:
    """The form a linked mention contributes to its entity's name: only English city names
    do (the gazetteer's names are English; German mentions of a city would be inflected)."""
    if entity_types.get(m.entity_type).display_rule == "city" and m.language == "en":
        return clean_surface(m.text)
    return None


def contains_tokens(longer: list[str], shorter: list[str]) -> bool:
    """Whether `shorter` is a contiguous run of `longer`: a surname, or the family name first
    ("Park" in "Park Ji-hoon")."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1)) and (
        n > 1 or shorter[0] in (longer[0], longer[-1])
    )


def display_name(entity_type: str, key: str, forms: Counter[str]) -> str:
    """The entity's name, by its type's display rule (entity_types)."""
    return DISPLAY_RULES[entity_types.get(entity_type).display_rule](key, forms)


def longest_form(key: str, forms: Counter[str]) -> str:
    """The most frequent of the longest forms; ties broken alphabetically for determinism."""
    if not forms:
        return key.partition(":")[2] or key
    return sorted(forms, key=lambda f: (-len(f.split()), -forms[f], f != f.title(), f))[0]


def city_name(key: str, forms: Counter[str]) -> str:
    """The most frequent English form that is not a country's name, else GeoNames' name."""
    english = Counter(
        {f: n for f, n in forms.items() if gazetteer.find_country(f) is None and "'" not in f}
    )
    return most_common(english) if english else gazetteer.cities_by_id()[int(key_value(key))].name


def country_name(key: str, forms: Counter[str]) -> str:
    return gazetteer.country_name(key_value(key))


def technology_name(key: str, forms: Counter[str]) -> str:
    return taxonomy.load().technologies[key_value(key)].name_en


def key_value(key: str) -> str:
    """The linked identifier of a "namespace:value" key."""
    return key.partition(":")[2]


#: The registry's display rules: (key, forms seen) -> display name.
DISPLAY_RULES: dict[str, Callable[[str, Counter[str]], str]] = {
    "longest_form": longest_form,
    "most_common": lambda key, forms: most_common(forms) if forms else key_value(key),
    "city": city_name,
    "country": country_name,
    "technology": technology_name,
}
#: The registry's key rules, carried out by resolve_article; "linked:<namespace>" also works
#: for any namespace (the key is the extractor's linked identifier).
KEY_RULES = ("person", "organization", "name")


def most_common(forms: Counter[str]) -> str:
    """The most frequent form, preferring forms not in capitals ("Bristol" over "BRISTOL")."""
    return sorted(forms, key=lambda f: (f.isupper(), -forms[f], f))[0]


#: A chunk of analysed articles with their extractions, in article-id order.
Chunk = list[tuple[Article, Extraction]]


class Sink(Protocol):
    """Where the tables go: rows appended table by table, or whole frames."""

    def rows(self, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None: ...

    def frame(self, name: str, frame: pd.DataFrame) -> None: ...


@dataclass
class Totals:
    """What the tables hold, for the run summary."""

    entities: dict[str, int] = field(default_factory=dict)
    entities_by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    mentions: int = 0


@dataclass
class EntityStats:
    entity_type: str
    key: str
    n_articles: int = 0
    n_mentions: int = 0
    aliases: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    first_published: str = ""
    last_published: str = ""

    def seen_in(self, article: Article) -> None:
        """Note an article it is mentioned in: its language and date."""
        if article.language:
            self.languages.add(article.language)
        day = article.published[:10]
        if day:
            self.first_published = min(self.first_published or day, day)
            self.last_published = max(self.last_published, day)


@dataclass
class PersonRoles:
    """What the roles say about one person: roles (forms as written) and affiliations."""

    forms: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    affiliations: Counter[tuple[str, str]] = field(default_factory=Counter)

    def summary(self) -> tuple[str, str, str]:
        """(roles, main affiliation id, its name): each role as most often written (ties
        alphabetical), |-joined in order of the normalized role; the affiliation named most
        often with the person's roles (ties: a recognized entity first, then by name)."""
        roles = "|".join(most_common(self.forms[k]) for k in sorted(self.forms))
        if not self.affiliations:
            return roles, "", ""
        aid, name = min(
            self.affiliations, key=lambda a: (-self.affiliations[a], a[0] == "", a[1], a[0])
        )
        return roles, aid, name


def run(chunks: Callable[[], Iterable[Chunk]], sink: Sink) -> Totals:
    """Build every table from the analysed articles, streaming.

    `chunks()` is read twice: once to learn every entity key and name form (cross-article
    joins and display names need all of them), once to write the per-mention tables chunk by
    chunk. What stays in memory grows with the number of distinct entities, by one id per
    article and by 12 bytes per co-occurring pair of entities in an article, not with the
    number of mentions."""
    forms, joins = learn_entities(chunks())
    names = {
        ek: display_name(ek[0], ek[1], counts) for ek, counts in forms.items() if ek not in joins
    }
    name_of = {entity_id(*ek): name for ek, name in names.items()}
    eids = sorted(name_of)
    code = {eid: i for i, eid in enumerate(eids)}  # co-occurrence codes, in id order
    stats: dict[str, EntityStats] = {}
    person_roles: dict[str, PersonRoles] = defaultdict(PersonRoles)
    seen_in_language: set[tuple[str, str, str]] = set()
    pairs: list[np.ndarray[Any, np.dtype[np.int32]]] = []
    counted_ids: list[str] = []
    candidates = Candidates()
    totals = Totals()
    for name in STREAMED:
        sink.rows(name, schema.columns(name), [])
    for chunk in chunks():
        out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in STREAMED}
        for article, extraction in chunk:
            counted = not article.duplicate_of
            aid = article.article_id
            rows = []
            for m, (etype, key, _) in zip(
                extraction.mentions, resolve_article(extraction.mentions, {}), strict=True
            ):
                etype, key = joins.get((etype, key), (etype, key))
                eid = entity_id(etype, key)
                rows.append((m, etype, eid))
                entity = stats.get(eid)
                if entity is None:
                    entity = stats[eid] = EntityStats(etype, key)
                entity.n_mentions += counted
                entity.aliases.add(" ".join(m.text.split()))
                seen_in_language.add((article.language, etype, eid))
            rows.sort(key=lambda r: (r[0].start, r[0].end, r[2]))
            out["mentions"] += [
                (
                    "m_" + stable_id(aid, str(m.start), str(m.end), etype),
                    aid,
                    eid,
                    etype,
                    m.text,
                    m.start,
                    m.end,
                    m.sentence,
                    m.source,
                )
                for m, etype, eid in rows
            ]
            in_article = Counter(eid for _, _, eid in rows)
            for eid in in_article:
                stats[eid].seen_in(article)
            out["article_entities"] += [(aid, eid, n) for eid, n in sorted(in_article.items())]
            out["roles"] += article_roles(extraction, rows, name_of, person_roles)
            out["article_overview"].append(overview_row(article, in_article, stats, name_of))
            if counted:
                for eid in in_article:
                    stats[eid].n_articles += 1
                present = sorted(code[eid] for eid in in_article)
                if len(present) > 1:
                    a, b = np.triu_indices(len(present), k=1)
                    codes = np.asarray(present, dtype=np.int32)
                    owner = np.full(len(a), len(counted_ids), dtype=np.int32)
                    pairs.append(np.stack([codes[a], codes[b], owner], axis=1))
                counted_ids.append(aid)
                candidates.add(extraction, article.language)
        for name in STREAMED:
            sink.rows(name, schema.columns(name), out[name])
        totals.mentions += len(out["mentions"])
    entities = entity_frame(stats, name_of)
    sink.frame("entities", entities)
    write_cooccurrence(sink, pairs, eids, counted_ids, name_of, stats)
    sink.frame("technology_candidates", candidates.frame())
    for registered in entity_types.ENTITY_TYPES:
        subset = entities[entities["entity_type"] == registered.name].copy()
        if registered.has_roles:
            summaries = [person_roles[eid].summary() for eid in subset["entity_id"]]
            for i, column in enumerate(("roles", "affiliation_id", "affiliation")):
                subset[column] = [summary[i] for summary in summaries]
        view = schema.entity_view(registered)
        sink.frame(view.name, subset[view.column_names].reset_index(drop=True))
    totals.entities = dict(sorted(Counter(s.entity_type for s in stats.values()).items()))
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    for lang, type_name, _ in seen_in_language:
        by_language[lang][type_name] += 1
    totals.entities_by_language = {
        lang: dict(sorted(counts.items())) for lang, counts in sorted(by_language.items())
    }
    return totals


def overview_row(
    article: Article,
    in_article: Counter[str],
    stats: dict[str, EntityStats],
    name_of: dict[str, str],
) -> tuple[Any, ...]:
    """The article_overview row of one article: counts and main entities per type."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for eid in sorted(in_article, key=lambda e: (-in_article[e], name_of[e], e)):
        by_type[stats[eid].entity_type].append(eid)
    types = entity_types.ENTITY_TYPES
    return (
        article.article_id,
        article.title,
        article.published,
        article.language,
        len(in_article),
        *(len(by_type[t.name]) for t in types),
        *("|".join(name_of[e] for e in by_type[t.name][: schema.MAIN_ENTITIES]) for t in types),
    )


def learn_entities(
    chunks: Iterable[Chunk],
) -> tuple[dict[tuple[str, str], Counter[str]], dict[tuple[str, str], tuple[str, str]]]:
    """Every entity key with the forms it is named by, and the joins across articles: an
    acronym introduced anywhere joins its long form everywhere, and a surname alone joins the
    one full name in the batch that ends with it ("Sanz")."""
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    acronyms: dict[str, Counter[str]] = {}
    for chunk in chunks:
        for _, extraction in chunk:
            for etype, key, form in resolve_article(extraction.mentions, acronyms):
                named = forms[(etype, key)]
                if form is not None:
                    named[form] += 1
    people = {key for etype, key in forms if etype == "person"}
    surnames: dict[str, list[str]] = defaultdict(list)
    for key in people:
        if " " in key:
            surnames[key.split()[-1]].append(key)
    # An acronym joins the long form it abbreviates most often (then the first in key order),
    # whatever order the articles come in.
    joins = {
        ("organization", short): ("organization", min(longs, key=lambda k: (-longs[k], k)))
        for short, longs in acronyms.items()
    }
    joins.update(majority_types(forms))
    joins.update(
        (("person", key), ("person", surnames[key][0]))
        for key in people
        if " " not in key and len(surnames.get(key, [])) == 1
    )
    for source in list(joins):  # "AC" -> "AB-CD" -> "Alpha Beta Charlie Delta": to the end
        seen = {source}
        while joins[source] in joins and joins[source] not in seen:
            seen.add(joins[source])
            joins[source] = joins[joins[source]]
    joins = {source: target for source, target in joins.items() if source != target}
    for source, target in joins.items():
        if source in forms:
            forms[target].update(forms.pop(source))
    return forms, joins


def majority_types(
    forms: dict[tuple[str, str], Counter[str]],
) -> dict[tuple[str, str], tuple[str, str]]:
    """One type per name across the store: a name that is a person in some articles and an
    organization in more (or the reverse) takes the type of the majority of its mentions."""
    joins: dict[tuple[str, str], tuple[str, str]] = {}
    orgs = {
        key: sum(counts.values())
        for (etype, key), counts in forms.items()
        if etype == "organization"
    }
    for (etype, key), counts in forms.items():
        if etype != "person":
            continue
        as_org = org_key(key)
        n_person, n_org = sum(counts.values()), orgs.get(as_org, 0)
        if n_org > n_person:
            joins[("person", key)] = ("organization", as_org)
        elif n_org and n_person > n_org and " " in key:
            joins[("organization", as_org)] = ("person", key)
    return joins


def article_roles(
    extraction: Extraction,
    rows: list[tuple[Mention, str, str]],
    name_of: dict[str, str],
    person_roles: dict[str, PersonRoles],
) -> list[tuple[Any, ...]]:
    """Role rows of one article (roles keyed to the entities of types with roles), sorted;
    each row counts once towards its person's roles and affiliations."""
    by_span = {(m.start, m.end): eid for m, _, eid in rows}  # the last entity of a span wins
    out: dict[tuple[Any, ...], None] = {}  # in the order found, without repeats
    for role in extraction.roles:
        pid = by_span.get((role.person_start, role.person_end))
        owner = entity_types.by_prefix(pid) if pid else None
        if pid is None or owner is None or not owner.has_roles:
            continue
        aid = by_span.get((role.affiliation_start, role.affiliation_end), "")
        text = " ".join(role.role.split())
        row = (
            role.article_id,
            pid,
            name_of.get(pid, ""),
            text,
            normalized_role(text),
            aid,
            name_of.get(aid, role.affiliation) if aid else role.affiliation,
            role.start,
            role.end,
        )
        out[row] = None
    for row in out:
        summary = person_roles[row[1]]
        summary.forms[row[4]][row[3]] += 1
        if row[6]:
            summary.affiliations[(row[5], row[6])] += 1
    return sorted(out, key=lambda r: (r[7], r[1]))  # stable: ties keep the order found


def normalized_role(text: str) -> str:
    """A role for grouping: lower case, whitespace folded ("Vice  President" -> "vice
    president")."""
    return " ".join(text.split()).lower()


def city_attributes(value: str) -> dict[str, object]:
    city = gazetteer.cities_by_id()[int(value)]
    return {
        "geonames_id": city.geonames_id,
        "country_code": city.country_code,
        "admin1": city.admin1,
        "latitude": city.latitude,
        "longitude": city.longitude,
        "population": city.population,
    }


def technology_attributes(value: str) -> dict[str, object]:
    tech = taxonomy.load().technologies[value]
    return {"wikidata_id": tech.wikidata_id, "category": tech.category, "name_de": tech.name_de}


#: Attribute columns of linked entities, by the namespace of their key (registry key_rule
#: "linked:<namespace>"): linked id -> column values.
ATTRIBUTE_RULES: dict[str, Callable[[str], dict[str, object]]] = {
    "geonames": city_attributes,
    "iso": lambda value: {"country_code": value},
    "tech": technology_attributes,
}


def entity_frame(stats: dict[str, EntityStats], name_of: dict[str, str]) -> pd.DataFrame:
    rows = []
    for eid, entity in stats.items():
        row: dict[str, object] = {
            "entity_id": eid,
            "entity_type": entity.entity_type,
            "name": name_of[eid],
            "n_articles": entity.n_articles,
            "n_mentions": entity.n_mentions,
            "aliases": "|".join(sorted(entity.aliases)),
            "languages": "|".join(sorted(entity.languages)),
            "first_published": entity.first_published,
            "last_published": entity.last_published,
        }
        etype = entity_types.get(entity.entity_type)
        namespace, _, value = entity.key.partition(":")
        rule = ATTRIBUTE_RULES.get(namespace) if etype.key_rule.startswith("linked:") else None
        if rule is not None:
            attributes = rule(value)
            row.update((a, attributes[a]) for a in etype.attributes)
        rows.append(row)
    entities = pd.DataFrame(rows, columns=ENTITY_COLUMNS)
    entities["geonames_id"] = entities["geonames_id"].astype("Int64")
    entities["population"] = entities["population"].astype("Int64")
    return entities.sort_values(["entity_type", "name", "entity_id"]).reset_index(drop=True)


def write_cooccurrence(
    sink: Sink,
    pairs: list[np.ndarray[Any, np.dtype[np.int32]]],
    eids: list[str],
    article_ids: list[str],
    name_of: dict[str, str],
    stats: dict[str, EntityStats],
    batch: int = 50_000,
) -> None:
    """Pairs of entities named in the same (counted) article, most articles first. Entities
    and articles are integer codes in id order, so sorting codes sorts ids."""
    sink.rows("cooccurrence", COOCCURRENCE_COLUMNS, [])
    if not pairs:
        return
    table = np.concatenate(pairs)
    pairs.clear()
    table = table[np.lexsort((table[:, 2], table[:, 1], table[:, 0]))]
    starts = np.flatnonzero(
        np.r_[True, (table[1:, 0] != table[:-1, 0]) | (table[1:, 1] != table[:-1, 1])]
    )
    sizes = np.diff(np.r_[starts, len(table)])
    order = np.lexsort((table[starts, 1], table[starts, 0], -sizes))
    for first in range(0, len(order), batch):
        rows = []
        for group in order[first : first + batch]:
            start, size = starts[group], sizes[group]
            a, b = eids[table[start, 0]], eids[table[start, 1]]
            members = table[start : start + size, 2]
            rows.append(
                (
                    a,
                    b,
                    name_of[a],
                    name_of[b],
                    stats[a].entity_type,
                    stats[b].entity_type,
                    int(size),
                    "|".join(article_ids[i] for i in members),
                )
            )
        sink.rows("cooccurrence", COOCCURRENCE_COLUMNS, rows)


class Candidates:
    """Technology-like phrases the taxonomy lacks, with counts and an example, for promotion."""

    def __init__(self) -> None:
        self.terms: dict[str, Counter[str]] = defaultdict(Counter)
        self.articles: dict[str, set[str]] = defaultdict(set)
        self.languages: dict[str, set[str]] = defaultdict(set)
        self.example: dict[str, tuple[str, str]] = {}

    def add(self, extraction: Extraction, language: str) -> None:
        for _, _, term, sentence in extraction.candidates:
            key = gazetteer.name_key(term)
            self.terms[key][term] += 1
            self.articles[key].add(extraction.article_id)
            self.languages[key].add(language)
            example = (extraction.article_id, sentence)
            self.example[key] = min(self.example.get(key, example), example)

    def frame(self) -> pd.DataFrame:
        rows = [
            {
                "term": most_common(terms),
                "n_articles": len(self.articles[key]),
                "n_mentions": terms.total(),
                "languages": "|".join(sorted(self.languages[key])),
                "variants": "|".join(sorted(terms)),
                "example_article_id": self.example[key][0],
                "example_sentence": self.example[key][1],
            }
            for key, terms in sorted(self.terms.items())
        ]
        table = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
        return table.sort_values(
            ["n_articles", "n_mentions", "term"], ascending=[False, False, True]
        ).reset_index(drop=True)


class MemorySink:
    """Every table as a DataFrame in memory: for tests and small batches."""

    def __init__(self) -> None:
        self.columns: dict[str, list[str]] = {}
        self.rows_of: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.tables: dict[str, pd.DataFrame] = {}

    def rows(self, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        self.columns[name] = columns
        self.rows_of[name] += rows

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        self.tables[name] = frame


def build(chunk: Chunk) -> dict[str, pd.DataFrame]:
    """Every table of one in-memory chunk, as DataFrames."""
    sink = MemorySink()
    run(lambda: [sorted(chunk, key=lambda pair: pair[0].article_id)], sink)
    for name, columns in sink.columns.items():
        sink.tables[name] = pd.DataFrame(sink.rows_of[name], columns=columns)
    return sink.tables
