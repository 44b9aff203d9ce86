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
from typing import Any, Protocol

import numpy as np
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
ARTICLE_ENTITY_COLUMNS = ["article_id", "entity_id", "mentions"]
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


def resolve_article(
    mentions: list[Mention], acronyms: dict[str, str]
) -> list[tuple[str, str, str | None]]:
    """(entity_type, key, display form) of each mention of one article, in order; the
    display form is None where the mention's words do not name the entity. Acronyms
    introduced here go into `acronyms` (short key -> long key)."""
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
    for m in mentions:
        if m.entity_type == "person":
            name = canonical.get(person_name(m.text), person_name(m.text))
            out.append(("person", gazetteer.name_key(name), name))
        elif m.entity_type == "organization":
            name = org_name(m.text)
            key = org_key(name)
            out.append(("organization", local.get(key, key), name))
        else:
            kind = {"city": "geonames", "country": "iso", "technology": "tech"}[m.entity_type]
            english_city = m.entity_type == "city" and m.language == "en"
            out.append(
                (m.entity_type, f"{kind}:{m.key}", clean_surface(m.text) if english_city else None)
            )
    return out


def contains_tokens(longer: list[str], shorter: list[str]) -> bool:
    """Whether `shorter` is a contiguous run of `longer`: a surname, or the family name first
    ("Park" in "Park Ji-hoon")."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1)) and (
        n > 1 or shorter[0] in (longer[0], longer[-1])
    )


def display_name(entity_type: str, key: str, forms: Counter[str]) -> str:
    _, _, value = key.partition(":")
    if entity_type == "city":
        english = Counter(
            {f: n for f, n in forms.items() if gazetteer.find_country(f) is None and "'" not in f}
        )
        return most_common(english) if english else gazetteer.cities_by_id()[int(value)].name
    if entity_type == "country":
        return gazetteer.country_name(value)
    if entity_type == "technology":
        return taxonomy.load().technologies[value].name_en
    # The most frequent of the longest forms; ties broken alphabetically for determinism.
    return sorted(forms, key=lambda f: (-len(f.split()), -forms[f], f != f.title(), f))[0]


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
    person_roles: dict[str, set[str]] = defaultdict(set)
    seen_in_language: set[tuple[str, str, str]] = set()
    pairs: list[np.ndarray[Any, np.dtype[np.int32]]] = []
    counted_ids: list[str] = []
    candidates = Candidates()
    totals = Totals()
    for name, columns in (
        ("mentions", MENTION_COLUMNS),
        ("article_entities", ARTICLE_ENTITY_COLUMNS),
        ("roles", ROLE_COLUMNS),
    ):
        sink.rows(name, columns, [])
    for chunk in chunks():
        mention_rows: list[tuple[Any, ...]] = []
        link_rows: list[tuple[Any, ...]] = []
        role_rows: list[tuple[Any, ...]] = []
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
            mention_rows += [
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
            link_rows += [(aid, eid, n) for eid, n in sorted(in_article.items())]
            role_rows += article_roles(extraction, rows, name_of, person_roles)
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
        sink.rows("mentions", MENTION_COLUMNS, mention_rows)
        sink.rows("article_entities", ARTICLE_ENTITY_COLUMNS, link_rows)
        sink.rows("roles", ROLE_COLUMNS, role_rows)
        totals.mentions += len(mention_rows)
    entities = entity_frame(stats, name_of)
    sink.frame("entities", entities)
    write_cooccurrence(sink, pairs, eids, counted_ids, name_of, stats)
    sink.frame("technology_candidates", candidates.frame())
    for view, etype in VIEW_TYPES.items():
        subset = entities[entities["entity_type"] == etype].copy()
        if view == "people":
            subset["roles"] = ["|".join(sorted(person_roles[eid])) for eid in subset["entity_id"]]
        sink.frame(view, subset[VIEW_COLUMNS[view]].reset_index(drop=True))
    totals.entities = dict(sorted(Counter(s.entity_type for s in stats.values()).items()))
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    for lang, etype, _ in seen_in_language:
        by_language[lang][etype] += 1
    totals.entities_by_language = {
        lang: dict(sorted(counts.items())) for lang, counts in sorted(by_language.items())
    }
    return totals


def learn_entities(
    chunks: Iterable[Chunk],
) -> tuple[dict[tuple[str, str], Counter[str]], dict[tuple[str, str], tuple[str, str]]]:
    """Every entity key with the forms it is named by, and the joins across articles: an
    acronym introduced anywhere joins its long form everywhere, and a surname alone joins the
    one full name in the batch that ends with it ("Sanz")."""
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    acronyms: dict[str, str] = {}
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
    joins = {("organization", short): ("organization", long) for short, long in acronyms.items()}
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


def article_roles(
    extraction: Extraction,
    rows: list[tuple[Mention, str, str]],
    name_of: dict[str, str],
    person_roles: dict[str, set[str]],
) -> list[tuple[Any, ...]]:
    """Role rows of one article (people's roles keyed to their entities), sorted."""
    by_span = {(m.start, m.end): eid for m, _, eid in rows}  # the last entity of a span wins
    out: dict[tuple[Any, ...], None] = {}  # in the order found, without repeats
    for role in extraction.roles:
        pid = by_span.get((role.person_start, role.person_end))
        if pid is None or not pid.startswith("per_"):
            continue
        aid = by_span.get((role.affiliation_start, role.affiliation_end), "")
        text = " ".join(role.role.split())
        person_roles[pid].add(text.lower())
        row = (
            role.article_id,
            pid,
            name_of.get(pid, ""),
            text,
            aid,
            name_of.get(aid, role.affiliation) if aid else role.affiliation,
            role.start,
            role.end,
        )
        out[row] = None
    return sorted(out, key=lambda r: (r[6], r[1]))  # stable: ties keep the order found


def entity_frame(stats: dict[str, EntityStats], name_of: dict[str, str]) -> pd.DataFrame:
    tax = taxonomy.load()
    rows = []
    for eid, entity in stats.items():
        row: dict[str, object] = {
            "entity_id": eid,
            "entity_type": entity.entity_type,
            "name": name_of[eid],
            "n_articles": entity.n_articles,
            "n_mentions": entity.n_mentions,
            "aliases": "|".join(sorted(entity.aliases)),
        }
        _, _, value = entity.key.partition(":")
        if entity.entity_type == "city":
            city = gazetteer.cities_by_id()[int(value)]
            row.update(
                geonames_id=city.geonames_id,
                country_code=city.country_code,
                admin1=city.admin1,
                latitude=city.latitude,
                longitude=city.longitude,
                population=city.population,
            )
        elif entity.entity_type == "country":
            row.update(country_code=value)
        elif entity.entity_type == "technology":
            tech = tax.technologies[value]
            row.update(wikidata_id=tech.wikidata_id, category=tech.category, name_de=tech.name_de)
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
