"""Stage 4, normalize: mentions into one entity per real-world thing, and the relational tables.

Input: Article records and Extractions. Output: pandas DataFrames keyed by table name, with a
fixed column order and sorted rows. Entity ids derive from type and normalized key (GeoNames id,
taxonomy id, normalized name), never from row order, so more articles keep the old ids.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from pipeline import gazetteer, taxonomy
from pipeline.lexicon import HONORIFICS, LEADING_ARTICLES, LEGAL_FORM_WORDS, TITLES
from pipeline.records import Article, Extraction, Mention

TYPE_PREFIX = {
    "person": "per",
    "organization": "org",
    "city": "cit",
    "country": "cty",
    "technology": "tec",
}
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

ENTITY_COLUMNS = [
    "entity_id",
    "entity_type",
    "name",
    "n_articles",
    "n_mentions",
    "aliases",
    "wikidata_id",
    "geonames_id",
    "country_code",
    "admin1",
    "latitude",
    "longitude",
    "population",
    "category",
    "name_de",
]
VIEW_COLUMNS = {
    "people": ["entity_id", "name", "n_articles", "n_mentions", "aliases", "roles"],
    "organizations": ["entity_id", "name", "n_articles", "n_mentions", "aliases"],
    "cities": [
        "entity_id",
        "name",
        "geonames_id",
        "country_code",
        "admin1",
        "latitude",
        "longitude",
        "population",
        "n_articles",
        "n_mentions",
        "aliases",
    ],
    "countries": ["entity_id", "name", "country_code", "n_articles", "n_mentions", "aliases"],
    "technologies": [
        "entity_id",
        "name",
        "name_de",
        "category",
        "wikidata_id",
        "n_articles",
        "n_mentions",
        "aliases",
    ],
}
VIEW_TYPES = {
    "people": "person",
    "organizations": "organization",
    "cities": "city",
    "countries": "country",
    "technologies": "technology",
}
MENTION_COLUMNS = [
    "mention_id",
    "article_id",
    "entity_id",
    "entity_type",
    "text",
    "start",
    "end",
    "sentence",
    "source",
]
ROLE_COLUMNS = [
    "article_id",
    "person_id",
    "person",
    "role",
    "affiliation_id",
    "affiliation",
    "start",
    "end",
]
CANDIDATE_COLUMNS = [
    "term",
    "n_articles",
    "n_mentions",
    "languages",
    "variants",
    "example_article_id",
    "example_sentence",
]
COOCCURRENCE_COLUMNS = [
    "entity_id_a",
    "entity_id_b",
    "name_a",
    "name_b",
    "type_a",
    "type_b",
    "n_articles",
    "article_ids",
]


def stable_id(*parts: str, length: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def entity_id(entity_type: str, key: str) -> str:
    return f"{TYPE_PREFIX[entity_type]}_{stable_id(entity_type, key)}"


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
    """Organization key: case, accents, punctuation, leading article and legal form ignored."""
    key = gazetteer.name_key(re.sub(r"[.,]", " ", name))
    words = key.split()
    while words and words[0] in LEADING_ARTICLES:
        words = words[1:]
    while len(words) > 1 and (
        words[-1] in LEGAL_FORM_WORDS or " ".join(words[-2:]) in LEGAL_FORM_WORDS
    ):
        words = words[:-2] if " ".join(words[-2:]) in LEGAL_FORM_WORDS else words[:-1]
    while len(words) > 1 and words[-1] in GENERIC_ORG_WORDS:
        words = words[:-1]
    return " ".join(words)


def acronym_of(name: str) -> str:
    """Initials of the capitalized words: "China Academy of Information ..." -> "CAIC..."."""
    return "".join(w[0] for w in re.split(r"[\s\-]+", name) if w[:1].isupper())


@dataclass
class Resolved:
    """Each mention's entity key, per article, and what is known about each key."""

    key_of: dict[tuple[str, int, int, str], tuple[str, str]] = field(default_factory=dict)
    display: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))


def resolve_article(mentions: list[Mention], resolved: Resolved, acronyms: dict[str, str]) -> None:
    """Assign an (entity_type, key) to each mention of one article."""
    people = [m for m in mentions if m.entity_type == "person"]
    orgs = [m for m in mentions if m.entity_type == "organization"]
    for m in mentions:
        if m.entity_type in ("city", "country", "technology"):
            kind = {"city": "geonames", "country": "iso", "technology": "tech"}[m.entity_type]
            resolved.key_of[mkey(m)] = (m.entity_type, f"{kind}:{m.key}")
            if m.entity_type == "city" and m.language == "en":
                resolved.display[("city", f"{kind}:{m.key}")].append(clean_surface(m.text))
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
    for m in people:
        name = canonical.get(person_name(m.text), person_name(m.text))
        resolved.key_of[mkey(m)] = ("person", gazetteer.name_key(name))
        resolved.display[("person", gazetteer.name_key(name))].append(name)
    # Organizations: legal form and articles ignored; acronyms and prefixes join the long form.
    keys = {org_key(org_name(m.text)): org_name(m.text) for m in orgs}
    local: dict[str, str] = {}
    for key, name in keys.items():
        acr = acronym_of(name)
        for other, other_name in keys.items():
            if (
                other != key
                and other_name.isupper()
                and other_name.replace("-", "") in (acr, acr.replace("A", "", 0))
            ):
                local[other] = key
                acronyms[other] = key
    for key, name in keys.items():
        # "Hangzhou City Brain-Premiere" is "Hangzhou City Brain" in a German compound.
        head = org_key(name.rsplit("-", 1)[0]) if "-" in name.split()[-1] else ""
        if head in keys and head != key:
            local[key] = head
    for key in keys:
        if key in local:
            continue
        longer = [k for k in keys if k != key and k.startswith(key + " ") and k not in local]
        if len(longer) == 1 and len(key) >= 4 and len(longer[0].split()) == len(key.split()) + 1:
            local[key] = longer[0]
    for m in orgs:
        name = org_name(m.text)
        key = org_key(name)
        key = local.get(key, key)
        resolved.key_of[mkey(m)] = ("organization", key)
        resolved.display[("organization", key)].append(name)


def contains_tokens(longer: list[str], shorter: list[str]) -> bool:
    """Whether `shorter` is a contiguous run of `longer`: a surname, or the family name first
    ("Park" in "Park Ji-hoon")."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1)) and (
        n > 1 or shorter[0] in (longer[0], longer[-1])
    )


def mkey(m: Mention) -> tuple[str, int, int, str]:
    return (m.article_id, m.start, m.end, m.entity_type)


def display_name(entity_type: str, key: str, forms: list[str]) -> str:
    _, _, value = key.partition(":")
    if entity_type == "city":
        english = [f for f in forms if gazetteer.find_country(f) is None and "'" not in f]
        return most_common(english) if english else gazetteer.cities_by_id()[int(value)].name
    if entity_type == "country":
        return gazetteer.country_name(value)
    if entity_type == "technology":
        return taxonomy.load().technologies[value].name_en
    # The most frequent of the longest forms; ties broken alphabetically for determinism.
    counts = Counter(forms)
    return sorted(counts, key=lambda f: (-len(f.split()), -counts[f], f != f.title(), f))[0]


def most_common(forms: list[str]) -> str:
    """The most frequent form, preferring forms not in capitals ("Bristol" over "BRISTOL")."""
    counts = Counter(forms)
    return sorted(counts, key=lambda f: (f.isupper(), -counts[f], f))[0]


def run(articles: list[Article], extractions: Iterable[Extraction]) -> dict[str, pd.DataFrame]:
    """Build every table from the articles and what was extracted from them."""
    extractions = sorted(extractions, key=lambda e: e.article_id)
    counted = {a.article_id for a in articles if not a.duplicate_of}
    resolved = Resolved()
    acronyms: dict[str, str] = {}
    for extraction in extractions:
        resolve_article(extraction.mentions, resolved, acronyms)
    # Across articles: an acronym introduced anywhere joins its long form everywhere, and a
    # surname alone joins the one full name in the batch that ends with it ("Sanz").
    people = {key for etype, key in resolved.display if etype == "person"}
    surnames: dict[str, list[str]] = defaultdict(list)
    for key in people:
        if " " in key:
            surnames[key.split()[-1]].append(key)
    joins = {("organization", short): ("organization", long) for short, long in acronyms.items()}
    joins.update(
        (("person", key), ("person", surnames[key][0]))
        for key in people
        if " " not in key and len(surnames.get(key, [])) == 1
    )
    for mention_key, target in list(resolved.key_of.items()):
        resolved.key_of[mention_key] = joins.get(target, target)
    for source, target in joins.items():
        if source in resolved.display:
            resolved.display[target].extend(resolved.display.pop(source))

    mention_rows = []
    for extraction in extractions:
        for m in extraction.mentions:
            etype, key = resolved.key_of[mkey(m)]
            mention_rows.append(
                {
                    "mention_id": "m_" + stable_id(m.article_id, str(m.start), str(m.end), etype),
                    "article_id": m.article_id,
                    "entity_id": entity_id(etype, key),
                    "entity_type": etype,
                    "text": m.text,
                    "start": m.start,
                    "end": m.end,
                    "sentence": m.sentence,
                    "source": m.source,
                    "_key": key,
                }
            )
    mentions = pd.DataFrame(mention_rows, columns=[*MENTION_COLUMNS, "_key"])
    mentions = mentions.sort_values(["article_id", "start", "end", "entity_id"], kind="stable")

    entities = build_entities(mentions, resolved, counted)
    article_entities = (
        mentions.groupby(["article_id", "entity_id"], as_index=False)
        .size()
        .rename(columns={"size": "mentions"})
        .sort_values(["article_id", "entity_id"])
    )
    names = dict(zip(entities["entity_id"], entities["name"], strict=True))
    roles = build_roles(extractions, resolved, mentions, names)
    tables: dict[str, pd.DataFrame] = {
        "entities": entities,
        "mentions": mentions[MENTION_COLUMNS].reset_index(drop=True),
        "article_entities": article_entities.reset_index(drop=True),
        "roles": roles,
        "cooccurrence": build_cooccurrence(article_entities, entities, counted),
        "technology_candidates": build_candidates(extractions, articles, counted),
    }
    for view, etype in VIEW_TYPES.items():
        subset = entities[entities["entity_type"] == etype].copy()
        if view == "people":
            by_person = roles.groupby("person_id")["role"].agg(
                lambda r: "|".join(sorted(set(r.str.lower())))
            )
            subset["roles"] = [by_person.get(eid, "") for eid in subset["entity_id"]]
        tables[view] = subset[VIEW_COLUMNS[view]].reset_index(drop=True)
    return tables


def build_entities(mentions: pd.DataFrame, resolved: Resolved, counted: set[str]) -> pd.DataFrame:
    tax = taxonomy.load()
    frame = mentions.assign(
        _live=mentions["article_id"].isin(counted),
        _alias=mentions["text"].map(lambda t: " ".join(t.split())),
    )
    frame["_live_article"] = frame["article_id"].where(frame["_live"])
    grouped = frame.groupby(["entity_id", "entity_type", "_key"]).agg(
        n_articles=("_live_article", "nunique"),
        n_mentions=("_live", "sum"),
        aliases=("_alias", lambda a: "|".join(sorted(set(a)))),
    )
    rows = []
    for (eid, etype, key), stats in grouped.iterrows():
        row: dict[str, object] = {
            "entity_id": eid,
            "entity_type": etype,
            "name": display_name(
                str(etype), str(key), resolved.display.get((str(etype), str(key)), [])
            ),
            "n_articles": int(stats["n_articles"]),
            "n_mentions": int(stats["n_mentions"]),
            "aliases": stats["aliases"],
        }
        _, _, value = str(key).partition(":")
        if etype == "city":
            city = gazetteer.cities_by_id()[int(value)]
            row.update(
                geonames_id=city.geonames_id,
                country_code=city.country_code,
                admin1=city.admin1,
                latitude=city.latitude,
                longitude=city.longitude,
                population=city.population,
            )
        elif etype == "country":
            row.update(country_code=value)
        elif etype == "technology":
            tech = tax.technologies[value]
            row.update(wikidata_id=tech.wikidata_id, category=tech.category, name_de=tech.name_de)
        rows.append(row)
    entities = pd.DataFrame(rows, columns=ENTITY_COLUMNS)
    entities["geonames_id"] = entities["geonames_id"].astype("Int64")
    entities["population"] = entities["population"].astype("Int64")
    return entities.sort_values(["entity_type", "name", "entity_id"]).reset_index(drop=True)


def build_roles(
    extractions: list[Extraction], resolved: Resolved, mentions: pd.DataFrame, names: dict[str, str]
) -> pd.DataFrame:
    by_span = {(r.article_id, r.start, r.end): r.entity_id for r in mentions.itertuples()}
    rows = []
    for extraction in extractions:
        for role in extraction.roles:
            pid = by_span.get((role.article_id, role.person_start, role.person_end))
            if pid is None or not pid.startswith("per_"):
                continue
            aid = by_span.get((role.article_id, role.affiliation_start, role.affiliation_end), "")
            rows.append(
                {
                    "article_id": role.article_id,
                    "person_id": pid,
                    "person": names.get(pid, ""),
                    "role": " ".join(role.role.split()),
                    "affiliation_id": aid,
                    "affiliation": names.get(aid, role.affiliation) if aid else role.affiliation,
                    "start": role.start,
                    "end": role.end,
                }
            )
    roles = pd.DataFrame(rows, columns=ROLE_COLUMNS).drop_duplicates()
    return roles.sort_values(["article_id", "start", "person_id"]).reset_index(drop=True)


def build_cooccurrence(
    article_entities: pd.DataFrame, entities: pd.DataFrame, counted: set[str]
) -> pd.DataFrame:
    name = dict(zip(entities["entity_id"], entities["name"], strict=True))
    etype = dict(zip(entities["entity_id"], entities["entity_type"], strict=True))
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    live = article_entities[article_entities["article_id"].isin(counted)]
    for article_id, group in live.groupby("article_id"):
        for a, b in itertools.combinations(sorted(group["entity_id"]), 2):
            pairs[(a, b)].append(str(article_id))
    rows = [
        {
            "entity_id_a": a,
            "entity_id_b": b,
            "name_a": name[a],
            "name_b": name[b],
            "type_a": etype[a],
            "type_b": etype[b],
            "n_articles": len(ids),
            "article_ids": "|".join(sorted(ids)),
        }
        for (a, b), ids in pairs.items()
    ]
    frame = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
    return frame.sort_values(
        ["n_articles", "entity_id_a", "entity_id_b"], ascending=[False, True, True]
    ).reset_index(drop=True)


def build_candidates(
    extractions: list[Extraction], articles: list[Article], counted: set[str]
) -> pd.DataFrame:
    """Technology-like phrases the taxonomy lacks, with counts and an example, for promotion."""
    language = {a.article_id: a.language for a in articles}
    rows = [
        {
            "key": gazetteer.name_key(term),
            "term": term,
            "article_id": e.article_id,
            "language": language.get(e.article_id, ""),
            "sentence": sentence,
        }
        for e in extractions
        if e.article_id in counted
        for _, _, term, sentence in e.candidates
    ]
    frame = pd.DataFrame(rows, columns=["key", "term", "article_id", "language", "sentence"])
    out = []
    for _, group in frame.groupby("key"):
        first = group.sort_values(["article_id", "sentence"]).iloc[0]
        out.append(
            {
                "term": most_common(list(group["term"])),
                "n_articles": group["article_id"].nunique(),
                "n_mentions": len(group),
                "languages": "|".join(sorted(set(group["language"]))),
                "variants": "|".join(sorted(set(group["term"]))),
                "example_article_id": first["article_id"],
                "example_sentence": first["sentence"],
            }
        )
    table = pd.DataFrame(out, columns=CANDIDATE_COLUMNS)
    return table.sort_values(
        ["n_articles", "n_mentions", "term"], ascending=[False, False, True]
    ).reset_index(drop=True)
