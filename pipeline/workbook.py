"""tables.xlsx: the run's tables as one Excel workbook, readable without lookups.

One sheet per CSV table in the schema's order (at most SHEET_MAX_ROWS rows: the workbook stays
small at any corpus size; bold header, frozen header row, autofilter,
column widths from the content), numbers as numbers, dates as real date cells, ids as text, and
a `data_dictionary` sheet with every column's type and meaning from `pipeline.schema`. Sheets
that hold only ids get the names beside them: `mentions` and `article_entities` show the
article's title and the entity's name, `roles` the article's title.

Same tables in, same bytes out (the creation time is fixed).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
from collections.abc import Iterable, Mapping

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline import schema
from pipeline.io import neutralize_cell

log = logging.getLogger(__name__)

WORKBOOK_FILE = "tables.xlsx"
DICTIONARY_SHEET = "data_dictionary"
#: Rows a sheet holds at most, so that the workbook stays an overview that opens quickly and
#: stays small at any corpus size (16 MB at 20,000 articles, `make bench`); the CSV
#: tables, tables.sqlite and Parquet hold every row. A cut sheet keeps the rows of the most
#: articles (or mentions) and says so in the data dictionary.
SHEET_MAX_ROWS = 25_000
RANK_COLUMNS = ("n_articles", "n_mentions")
XLSX_MAX_CELL = 32_767
XLSX_MAX_WIDTH, XLSX_MIN_WIDTH = 60, 6
DATE_WIDTH = 11
#: XlsxWriter stamps the creation time into the workbook; a fixed one keeps it reproducible.
XLSX_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

_INTEGER = re.compile(r"-?(0|[1-9]\d{0,14})")
_NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d+)?([eE][-+]?\d+)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

#: Name columns added beside id columns: table -> [(after column, new column, meaning)].
ADDED_NAMES: dict[str, list[tuple[str, str, str]]] = {
    "mentions": [
        ("article_id", "article_title", "title of the article (workbook only)"),
        ("entity_id", "entity_name", "canonical name of the entity (workbook only)"),
    ],
    "article_entities": [
        ("article_id", "article_title", "title of the article (workbook only)"),
        ("entity_id", "entity_name", "canonical name of the entity (workbook only)"),
        ("entity_name", "entity_type", "the entity's type (workbook only)"),
    ],
    "roles": [("article_id", "article_title", "title of the article (workbook only)")],
}
#: The columns names are looked up in, by table.
NAME_COLUMNS = {
    "articles": ("article_id", "title"),
    "entities": ("entity_id", "name", "entity_type"),
}


def with_names(
    tables: Mapping[str, pd.DataFrame], names: Mapping[str, pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """The tables with name and title columns beside their ids (ADDED_NAMES), looked up in
    the articles and entities of `names` (by default `tables`); tables without them stay as
    they are."""
    out = dict(tables)
    names = tables if names is None else names
    articles, entities = names.get("articles"), names.get("entities")
    lookups: dict[str, dict[str, str]] = {}
    if articles is not None and {"article_id", "title"} <= set(articles.columns):
        lookups["article_title"] = dict(zip(articles["article_id"], articles["title"], strict=True))
    if entities is not None and {"entity_id", "name", "entity_type"} <= set(entities.columns):
        lookups["entity_name"] = dict(zip(entities["entity_id"], entities["name"], strict=True))
        lookups["entity_type"] = dict(
            zip(entities["entity_id"], entities["entity_type"], strict=True)
        )
    key_of = {"article_title": "article_id", "entity_name": "entity_id", "entity_type": "entity_id"}
    for table, additions in ADDED_NAMES.items():
        frame = tables.get(table)
        if frame is None:
            continue
        frame = frame.copy()
        for after, column, _ in additions:
            key = key_of[column]
            if column in frame.columns or column not in lookups or key not in frame.columns:
                continue
            values = frame[key].map(lambda v, names=lookups[column]: names.get(v, ""))
            frame.insert(list(frame.columns).index(after) + 1, column, values)
        out[table] = frame
    return out


def column_entry(table: str, column: str) -> tuple[str, str] | None:
    """(type, meaning) of a column from the schema or the added name columns, else None."""
    known = schema.tables().get(table)
    if known is not None and column in known.column_names:
        entry = known.column(column)
        return entry.type, entry.meaning
    for _, added, meaning in ADDED_NAMES.get(table, []):
        if added == column:
            return "text", meaning
    return None


def column_types(table: str, frame: pd.DataFrame) -> dict[str, str]:
    """Each column's type: from the schema, else 'integer'/'number' when every value is one."""
    types: dict[str, str] = {}
    for column in frame.columns:
        entry = column_entry(table, column)
        if entry is not None:
            types[column] = entry[0]
            continue
        values = [v for v in frame[column] if v != ""]
        if values and all(_INTEGER.fullmatch(v) for v in values):
            types[column] = "integer"
        elif values and all(_NUMBER.fullmatch(v) for v in values):
            types[column] = "number"
        else:
            types[column] = "text"
    return types


def sheet_names(tables: Iterable[str]) -> dict[str, str]:
    """Table name -> a valid, unique Excel sheet name (at most 31 characters)."""
    names: dict[str, str] = {}
    used = {DICTIONARY_SHEET}
    for table in tables:
        base = re.sub(r"[\[\]:*?/\\]", "_", table)[:31] or "table"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        used.add(name.lower())
        names[table] = name
    return names


def ordered_tables(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The schema's tables in its order, then any other table by name."""
    order = [t for t in schema.tables() if t in tables]
    return order + sorted(t for t in tables if t not in order)


def build(
    tables: Mapping[str, pd.DataFrame],
    totals: Mapping[str, int] | None = None,
    names: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """tables.xlsx as bytes from the CSV tables (text cells): one sheet per table and a
    data_dictionary sheet. `totals` are the row counts of tables already cut while read
    (`keep_rows`), `names` the whole articles and entities tables to look names up in (by
    default `tables`)."""
    tables = with_names(tables, names)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {"title": "Press-release entity tables", "created": XLSX_CREATED.replace(tzinfo=None)}
    )
    formats = {
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": False}
        ),
        "integer": workbook.add_format({"num_format": "0"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    order = ordered_tables(tables)
    sheets = sheet_names(order)
    dictionary_rows: list[list[str]] = []
    for table in order:
        frame, cut_note = cut(table, tables[table], (totals or {}).get(table))
        types = column_types(table, frame)
        _write_sheet(workbook.add_worksheet(sheets[table]), table, frame, types, formats)
        known = schema.tables().get(table)
        for column in frame.columns:
            entry = column_entry(table, column)
            dictionary_rows.append(
                [
                    table,
                    f"{table}.csv",
                    sheets[table],
                    (known.one_row_per if known else "") + cut_note,
                    column,
                    types[column],
                    entry[1] if entry else "(not documented)",
                ]
            )
    columns = ["table", "file", "sheet", "one_row_per", "column", "type", "meaning"]
    frame = pd.DataFrame(dictionary_rows, columns=columns)
    _write_sheet(
        workbook.add_worksheet(DICTIONARY_SHEET),
        DICTIONARY_SHEET,
        frame,
        dict.fromkeys(columns, "text"),
        formats,
    )
    workbook.close()
    return buffer.getvalue()


def cut(table: str, frame: pd.DataFrame, total: int | None = None) -> tuple[pd.DataFrame, str]:
    """The rows of a table that its sheet holds (`kept_rows`), and a note for the data
    dictionary when some are left out; `total` is the table's row count when `frame` was
    already cut while it was read (`keep_rows`)."""
    total = len(frame) if total is None else total
    frame = kept_rows(frame)
    if total <= len(frame):
        return frame, ""
    rank = rank_column(frame)
    kept = f"those with the most {rank}" if rank else "the first"
    note = f" ({len(frame):,} of {total:,} rows here, {kept}; all in {table}.csv)"
    log.info("tables.xlsx: %s holds %d of %d rows (%s)", table, len(frame), total, kept)
    return frame, note


def rank_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in RANK_COLUMNS if c in frame.columns), None)


def kept_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """At most SHEET_MAX_ROWS rows: those of the most articles or mentions (ties in table
    order), else the first."""
    if len(frame) <= SHEET_MAX_ROWS:
        return frame
    rank = rank_column(frame)
    if rank is not None:
        order = (
            pd.to_numeric(frame[rank], errors="coerce")
            .fillna(0)
            .sort_values(ascending=False, kind="stable")
        )
        frame = frame.loc[order.index]
    return frame.head(SHEET_MAX_ROWS)


def keep_rows(chunks: Iterable[pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """The rows a sheet holds, from a table read in chunks (memory stays bounded however long
    the table), and the table's row count."""
    kept: pd.DataFrame | None = None
    total = 0
    for chunk in chunks:
        total += len(chunk)
        both = chunk if kept is None else pd.concat([kept, chunk], ignore_index=True)
        kept = kept_rows(both).reset_index(drop=True)
    return (kept if kept is not None else pd.DataFrame()), total


def _write_sheet(
    worksheet: Worksheet,
    table: str,
    frame: pd.DataFrame,
    types: Mapping[str, str],
    formats: Mapping[str, Format],
) -> None:
    for col, column in enumerate(frame.columns):
        worksheet.write_string(0, col, str(column), formats["header"])
        kind = types.get(column, "text")
        width = len(str(column)) + 3  # room for the filter button
        for row, value in enumerate(frame[column], start=1):
            if value == "":
                continue
            day = as_date(value) if kind == "date" else None
            if day is not None:
                worksheet.write_datetime(row, col, day, formats["date"])
                width = max(width, DATE_WIDTH)
                continue
            number = as_number(value, kind)
            if number is not None:
                cell_format = formats["integer"] if kind == "integer" else None
                worksheet.write_number(row, col, number, cell_format)
                width = max(width, len(value) + 1)
                continue
            text = neutralize_cell(value)
            if len(text) > XLSX_MAX_CELL:
                log.warning("%s: a %s cell is cut to %d characters", table, column, XLSX_MAX_CELL)
                text = text[: XLSX_MAX_CELL - 1] + "…"
            worksheet.write_string(row, col, text)
            width = max(width, len(text) + 1)
        worksheet.set_column(col, col, min(XLSX_MAX_WIDTH, max(XLSX_MIN_WIDTH, width)))
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))


def as_number(value: str, kind: str) -> float | int | None:
    if kind == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if kind in ("integer", "number") and _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def as_date(value: str) -> dt.datetime | None:
    """An ISO date ("2025-03-04", or the date part of a timestamp) as a datetime for a date
    cell; None for anything else, which stays text."""
    match = _DATE.match(value.strip())
    if match is None:
        return None
    try:
        year, month, day = (int(part) for part in match.groups())
        return dt.datetime(year, month, day)
    except ValueError:
        return None
