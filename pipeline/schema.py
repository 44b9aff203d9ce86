"""Every output table defined once: its columns (name, type, meaning), keys and indexes.

The CSV headers (normalize, export), the Parquet schemas, the SQLite schema (`sqlite_export`),
the workbook's column types and its data dictionary sheet, `report_assets/data_dictionary.json`
and `docs/data-dictionary.md` all come from here. The per-type tables (`people.csv`, ...) and
the per-type columns of `article_overview.csv` follow the entity-type registry, so a new type
gets its table and columns without an edit here.

`python -m pipeline.schema` rewrites the two generated files; `--check` exits 1 when a
committed one is out of date (a test runs the check).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline import entity_types

ColumnType = Literal["text", "integer", "number", "date"]

ROOT = Path(__file__).resolve().parent.parent
DICTIONARY_FILE = Path(__file__).resolve().parent / "report_assets" / "data_dictionary.json"
MARKDOWN_FILE = ROOT / "docs" / "data-dictionary.md"
#: Main entities of each type listed per article in article_overview.csv.
MAIN_ENTITIES = 5


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    meaning: str


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    other_column: str


@dataclass(frozen=True)
class Table:
    """One output table: its file is `<name>.csv` unless `csv` is False (SQLite only)."""

    name: str
    one_row_per: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    #: Columns searchable with SQLite full-text search (FTS5) in tables.sqlite.
    full_text: tuple[str, ...] = ()
    csv: bool = True
    notes: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update((c.name, c) for c in self.columns)
        named = set(self._by_name)
        keyed = {*self.primary_key, *(fk.column for fk in self.foreign_keys), *self.full_text}
        keyed |= {c for index in self.indexes for c in index}
        if len(named) != len(self.columns) or not keyed <= named:
            raise ValueError(f"table {self.name}: repeated or unknown columns in its keys")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return self._by_name[name]


def _fk(column: str, table: str, other: str | None = None) -> ForeignKey:
    return ForeignKey(column, table, other or column)


def _col(name: str, kind: ColumnType, meaning: str) -> Column:
    return Column(name, kind, meaning)


ARTICLE_ID = _col("article_id", "text", "the article (articles.article_id)")
ENTITY_ID = _col("entity_id", "text", "the entity (entities.entity_id)")

ARTICLES = Table(
    "articles",
    "distinct article (exact duplicates merged)",
    (
        _col("article_id", "text", "16 hex digits, hash of the normalized text"),
        _col(
            "source_path",
            "text",
            "path(s) relative to the corpus folder, |-separated when the same text is in "
            "several files",
        ),
        _col("title", "text", "HTML title (trafilatura) or first line of a text file"),
        _col("published", "date", "ISO 8601 date from the page metadata or a dateline, or empty"),
        _col("language", "text", "ISO 639-1 code, or und"),
        _col(
            "language_score", "number", "langdetect probability of that language (1.0 when forced)"
        ),
        _col("status", "text", "ok, unsupported_language or undetermined_language"),
        _col("n_words", "integer", "whitespace-separated words in the text"),
        _col(
            "duplicate_of",
            "text",
            "the article this one nearly duplicates (see near duplicates), or empty",
        ),
        _col("source_format", "text", "html, txt or md"),
        _col("encoding", "text", "the encoding the bytes were decoded with"),
        _col("author", "text", "HTML metadata where present"),
        _col("site_name", "text", "HTML metadata where present"),
        _col("url", "text", "HTML metadata where present"),
        _col("description", "text", "HTML metadata where present"),
    ),
    primary_key=("article_id",),
    indexes=(("published",), ("language",)),
    full_text=("title", "description"),
)

#: Columns every entity has, in the order of entities.csv.
ENTITY_COMMON = (
    _col(
        "entity_id",
        "text",
        "type prefix ("
        + ", ".join(t.id_prefix for t in entity_types.ENTITY_TYPES)
        + ") + 12 hex digits of the type and key",
    ),
    _col("entity_type", "text", ", ".join(entity_types.names())),
    _col("name", "text", "canonical display name"),
    _col("n_articles", "integer", "articles the entity appears in (near duplicates not counted)"),
    _col("n_mentions", "integer", "mentions in all articles (near duplicates not counted)"),
    _col("aliases", "text", "every surface form seen, |-separated"),
    _col("languages", "text", "languages of the articles it is mentioned in, |-separated"),
    _col("first_published", "date", "earliest publication date of those articles, or empty"),
    _col("last_published", "date", "latest publication date of those articles, or empty"),
)
#: Columns that apply to some types only (named by the registry's `attributes`).
ENTITY_ATTRIBUTES = (
    _col("wikidata_id", "text", "Wikidata id (technologies, where known)"),
    _col("geonames_id", "integer", "GeoNames id (cities)"),
    _col("country_code", "text", "ISO 3166 alpha-2 (cities, countries)"),
    _col("admin1", "text", "GeoNames first-level administrative code (cities)"),
    _col("latitude", "number", "WGS84 latitude (cities)"),
    _col("longitude", "number", "WGS84 longitude (cities)"),
    _col("population", "integer", "GeoNames population (cities)"),
    _col("category", "text", "taxonomy category (technologies)"),
    _col("name_de", "text", "German canonical name (technologies)"),
)
#: Columns of the per-type tables of types with roles (people.csv).
ROLE_SUMMARY = (
    _col(
        "roles",
        "text",
        "roles seen for the person, as most often written, |-separated",
    ),
    _col(
        "affiliation_id",
        "text",
        "main affiliation: the entity most often named with the person's roles, or empty",
    ),
    _col("affiliation", "text", "name of the main affiliation (as written when not recognized)"),
)

ENTITIES = Table(
    "entities",
    "entity (" + ", ".join(entity_types.names()) + ")",
    ENTITY_COMMON + ENTITY_ATTRIBUTES,
    primary_key=("entity_id",),
    indexes=(("entity_type",), ("name",)),
    full_text=("name", "aliases"),
)

MENTIONS = Table(
    "mentions",
    "occurrence of an entity in an article",
    (
        _col("mention_id", "text", "m_ + hash of article, offsets and type"),
        ARTICLE_ID,
        ENTITY_ID,
        _col("entity_type", "text", "the entity's type"),
        _col("text", "text", "the mention as written"),
        _col(
            "start",
            "integer",
            "character offset (Unicode code points) into texts/<article_id>.txt",
        ),
        _col("end", "integer", "character offset just after the mention"),
        _col("sentence", "text", "the sentence the mention is in"),
        _col(
            "found_by",
            "text",
            "the component that found it: model, rule, gazetteer, taxonomy, propagation",
        ),
    ),
    primary_key=("mention_id",),
    foreign_keys=(_fk("article_id", "articles"), _fk("entity_id", "entities")),
    indexes=(("article_id",), ("entity_id",), ("entity_type",)),
)

ARTICLE_ENTITIES = Table(
    "article_entities",
    "(article, entity) pair",
    (
        ARTICLE_ID,
        ENTITY_ID,
        _col("n_mentions", "integer", "mentions of the entity in that article"),
    ),
    primary_key=("article_id", "entity_id"),
    foreign_keys=(_fk("article_id", "articles"), _fk("entity_id", "entities")),
    indexes=(("entity_id",),),
)

ROLES = Table(
    "roles",
    "role stated for a person in an article",
    (
        ARTICLE_ID,
        _col("entity_id", "text", "the person (entities.entity_id)"),
        _col("person", "text", "canonical name of the person"),
        _col(
            "role",
            "text",
            'the role as written ("Mayor", "vice president", "Geschäftsführerin")',
        ),
        _col(
            "role_normalized",
            "text",
            "the role in lower case with whitespace folded, for grouping",
        ),
        _col(
            "affiliation_id",
            "text",
            "organization, city or country entity when stated and recognized, or empty",
        ),
        _col("affiliation", "text", "the affiliation as written"),
        _col("start", "integer", "character offset of the role words in texts/<article_id>.txt"),
        _col("end", "integer", "character offset just after the role words"),
    ),
    foreign_keys=(
        _fk("article_id", "articles"),
        _fk("entity_id", "entities"),
        _fk("affiliation_id", "entities", "entity_id"),
    ),
    indexes=(("article_id",), ("entity_id",), ("affiliation_id",), ("role_normalized",)),
)

COOCCURRENCE = Table(
    "cooccurrence",
    "pair of entities that appear in the same article",
    (
        _col("entity_id_a", "text", "first entity (entity_id_a < entity_id_b)"),
        _col("entity_id_b", "text", "second entity"),
        _col("name_a", "text", "canonical name of the first entity"),
        _col("name_b", "text", "canonical name of the second entity"),
        _col("type_a", "text", "entity type of the first entity"),
        _col("type_b", "text", "entity type of the second entity"),
        _col("n_articles", "integer", "articles both entities appear in"),
        _col("article_ids", "text", "those articles, |-separated"),
    ),
    primary_key=("entity_id_a", "entity_id_b"),
    foreign_keys=(
        _fk("entity_id_a", "entities", "entity_id"),
        _fk("entity_id_b", "entities", "entity_id"),
    ),
    indexes=(("entity_id_b",), ("n_articles",)),
)

TECHNOLOGY_CANDIDATES = Table(
    "technology_candidates",
    "technology-like phrase that the taxonomy lacks, for an analyst to promote",
    (
        _col("term", "text", "most frequent form of the phrase"),
        _col("n_articles", "integer", "articles the phrase appears in"),
        _col("n_mentions", "integer", "occurrences in all articles"),
        _col("languages", "text", "languages of those articles, |-separated"),
        _col("variants", "text", "every form seen, |-separated"),
        _col("example_article_id", "text", "an article with the phrase"),
        _col("example_sentence", "text", "the sentence it is in there"),
    ),
    foreign_keys=(_fk("example_article_id", "articles", "article_id"),),
)

PROBLEMS = Table(
    "problems",
    "file or article that was skipped or failed",
    (
        _col("source_path", "text", "path relative to the corpus folder"),
        _col("stage", "text", "ingest or language"),
        _col("reason", "text", "why it was skipped (see README, Problem reasons)"),
        _col("detail", "text", "details of the problem"),
    ),
    indexes=(("reason",),),
)

ARTICLE_TEXTS = Table(
    "article_texts",
    "analysed or not, every distinct article's text (tables.sqlite only; as texts/<id>.txt)",
    (
        _col("article_id", "text", "the article (articles.article_id)"),
        _col("text", "text", "the extracted text every offset indexes into"),
    ),
    primary_key=("article_id",),
    foreign_keys=(_fk("article_id", "articles"),),
    full_text=("text",),
    csv=False,
)


def entity_view(entity_type: entity_types.EntityType) -> Table:
    """The per-type table of entities.csv (people.csv, cities.csv...)."""
    attributes = {c.name: c for c in ENTITY_ATTRIBUTES}
    unknown = [a for a in entity_type.attributes if a not in attributes]
    if unknown:
        raise ValueError(
            f"entity type {entity_type.name!r} names unknown attribute column(s) {unknown}; "
            f"valid: {', '.join(attributes)}"
        )
    common = {c.name: c for c in ENTITY_COMMON}
    columns = [
        common["entity_id"],
        common["name"],
        *(attributes[a] for a in entity_type.attributes),
        *(common[c] for c in ("n_articles", "n_mentions", "aliases")),
        *(common[c] for c in ("languages", "first_published", "last_published")),
    ]
    if entity_type.has_roles:
        columns += ROLE_SUMMARY
    return Table(
        entity_type.view,
        f"{entity_type.name} (the {entity_type.name} rows of entities.csv)",
        tuple(columns),
        primary_key=("entity_id",),
        foreign_keys=(_fk("entity_id", "entities"),),
        indexes=(("name",),),
    )


def article_overview() -> Table:
    """One row per analysed article with its entity counts and main entities per type."""
    types = entity_types.ENTITY_TYPES
    return Table(
        "article_overview",
        "analysed article, with its entities per type",
        (
            ARTICLE_ID,
            _col("title", "text", "the article's title"),
            _col("published", "date", "publication date, or empty"),
            _col("language", "text", "ISO 639-1 code"),
            _col("n_entities", "integer", "distinct entities named in the article"),
            *(
                _col(f"n_{t.view}", "integer", f"distinct {t.label} named in the article")
                for t in types
            ),
            *(
                _col(
                    t.view,
                    "text",
                    f"its {t.label}, most mentioned first (at most {MAIN_ENTITIES}), |-separated",
                )
                for t in types
            ),
        ),
        primary_key=("article_id",),
        foreign_keys=(_fk("article_id", "articles"),),
        indexes=(("published",),),
    )


def tables() -> dict[str, Table]:
    """Every output table by name, in the order of the workbook's sheets."""
    out = [
        ARTICLES,
        article_overview(),
        ENTITIES,
        MENTIONS,
        ARTICLE_ENTITIES,
        ROLES,
        COOCCURRENCE,
        TECHNOLOGY_CANDIDATES,
        *(entity_view(t) for t in entity_types.ENTITY_TYPES),
        PROBLEMS,
        ARTICLE_TEXTS,
    ]
    return {t.name: t for t in out}


def get(name: str) -> Table:
    """A table by name; raises KeyError naming the valid ones."""
    known = tables()
    if name not in known:
        raise KeyError(f"no table {name!r} in the schema; tables: {', '.join(known)}")
    return known[name]


def columns(name: str) -> list[str]:
    """The header of `<name>.csv`, in order."""
    return get(name).column_names


# --------------------------------------------------------------------------- generated formats


def parquet_schema(name: str) -> Any:
    """The pyarrow schema of a table (dates stay ISO text: empty where unknown)."""
    import pyarrow as pa

    kinds = {
        "text": pa.string(),
        "date": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
    }
    return pa.schema([(c.name, kinds[c.type]) for c in get(name).columns])


def data_dictionary() -> dict[str, Any]:
    """The content of report_assets/data_dictionary.json."""
    return {
        "_comment": "Generated from pipeline/schema.py by `python -m pipeline.schema`; "
        "do not edit.",
        "tables": {
            table.name: {
                "one_row_per": table.one_row_per,
                "file": f"{table.name}.csv" if table.csv else "tables.sqlite",
                "primary_key": list(table.primary_key),
                "columns": {c.name: {"type": c.type, "meaning": c.meaning} for c in table.columns},
            }
            for table in tables().values()
        },
    }


def markdown() -> str:
    """The content of docs/data-dictionary.md."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from pipeline/schema.py by `python -m pipeline.schema`; do not edit. -->",
        "",
        "Every table of the output folder: one CSV file each (UTF-8, header row, fixed column",
        "order, rows sorted, multi-valued cells joined with `|`), one sheet each in",
        "`tables.xlsx`, and one table each in `tables.sqlite` with the keys below.",
        "",
        "| table | file | one row per | primary key |",
        "| --- | --- | --- | --- |",
    ]
    for table in tables().values():
        file = f"`{table.name}.csv`" if table.csv else "`tables.sqlite` only"
        key = ", ".join(f"`{c}`" for c in table.primary_key) or "(none)"
        lines.append(f"| `{table.name}` | {file} | {table.one_row_per} | {key} |")
    for table in tables().values():
        lines += ["", f"## {table.name}", "", f"One row per {table.one_row_per}.", ""]
        lines += ["| column | type | meaning |", "| --- | --- | --- |"]
        lines += [
            f"| `{c.name}` | {c.type} | {c.meaning.replace('|', '&#124;')} |" for c in table.columns
        ]
        if table.foreign_keys:
            refs = ", ".join(
                f"`{fk.column}` → `{fk.table}.{fk.other_column}`" for fk in table.foreign_keys
            )
            lines += ["", f"References: {refs}."]
        if table.full_text:
            lines += ["", f"Full-text search (tables.sqlite): {', '.join(table.full_text)}."]
    return "\n".join(lines) + "\n"


def generated_files() -> dict[Path, str]:
    return {
        DICTIONARY_FILE: json.dumps(data_dictionary(), ensure_ascii=False, indent=2) + "\n",
        MARKDOWN_FILE: markdown(),
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.schema [--check]`: exit 0 written or up to date, 1 out of date."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.schema", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="only check that the generated files are current"
    )
    args = parser.parse_args(argv)
    stale = [
        path
        for path, text in generated_files().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run python -m pipeline.schema)", file=sys.stderr)
        return 1 if stale else 0
    from pipeline.io import write_text_atomic

    for path, text in generated_files().items():
        write_text_atomic(path, text)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
