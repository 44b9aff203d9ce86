"""tables.xlsx from a real run of corpus/: sheets, types, dates, names beside ids, dictionary."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from pipeline import report, schema, workbook


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def written(corpus_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tables.xlsx as the report stage writes it, into a copy of the corpus run."""
    folder = tmp_path_factory.mktemp("workbook")
    for path in [*corpus_output.glob("*.csv"), corpus_output / "run.json"]:
        shutil.copy2(path, folder / path.name)
    report.run(folder)
    return folder


@pytest.fixture(scope="module")
def book(written: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written / workbook.WORKBOOK_FILE)


def rows_of(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_one_sheet_per_table_in_schema_order_with_frozen_filtered_header(
    written: Path, book: openpyxl.Workbook
) -> None:
    tables = sorted(p.stem for p in written.glob("*.csv"))
    assert sorted(book.sheetnames) == sorted([*tables, "data_dictionary"])
    in_schema = [t for t in schema.tables() if t in tables]
    assert book.sheetnames[: len(in_schema)] == in_schema
    for table in tables:
        frame = read_csv(written / f"{table}.csv")
        sheet = book[table]
        header = [cell.value for cell in sheet[1]]
        added = [a for _, a, _ in workbook.ADDED_NAMES.get(table, [])]
        assert [c for c in header if c not in added] == list(frame.columns), table
        assert sheet.max_row == len(frame) + 1, table
        assert sheet.freeze_panes == "A2", table
        last = get_column_letter(len(header))
        assert sheet.auto_filter.ref == f"A1:{last}{len(frame) + 1}", table
        assert sheet["A1"].font.b, table
        assert sheet["A1"].fill.fgColor.rgb == "FFDDEBF7", table
        widths = [
            sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(header))
        ]
        assert all(6 <= w <= 61 for w in widths), (table, widths)


def test_names_and_titles_beside_ids(written: Path, book: openpyxl.Workbook) -> None:
    articles = read_csv(written / "articles.csv").set_index("article_id")
    entities = read_csv(written / "entities.csv").set_index("entity_id")
    header = [cell.value for cell in book["mentions"][1]]
    assert header[:5] == ["mention_id", "article_id", "article_title", "entity_id", "entity_name"]
    mentions = rows_of(book["mentions"])
    assert len(mentions) == len(read_csv(written / "mentions.csv"))
    for row in mentions:
        assert row["article_title"] == articles.loc[str(row["article_id"]), "title"]
        assert row["entity_name"] == entities.loc[str(row["entity_id"]), "name"]
    links = rows_of(book["article_entities"])
    assert list(links[0]) == [
        "article_id",
        "article_title",
        "entity_id",
        "entity_name",
        "entity_type",
        "n_mentions",
    ]
    assert all(row["entity_name"] and row["article_title"] for row in links)
    assert all(isinstance(row["n_mentions"], int) for row in links)
    roles = rows_of(book["roles"])
    okafor = next(row for row in roles if row["person"] == "Grace Okafor")
    assert okafor["article_title"] == articles.loc[str(okafor["article_id"]), "title"]
    assert okafor["role"] == "managing director"


def test_dates_are_date_cells_numbers_numbers_ids_text(
    written: Path, book: openpyxl.Workbook
) -> None:
    articles = read_csv(written / "articles.csv")
    sheet = book["articles"]
    column = [cell.value for cell in sheet[1]].index("published") + 1
    cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
    for cell, text in zip(cells, articles["published"], strict=True):
        assert isinstance(cell.value, dt.datetime), text
        assert cell.value.date().isoformat() == text
        assert cell.number_format == "yyyy-mm-dd"
    people = rows_of(book["people"])
    assert all(isinstance(p["first_published"], dt.datetime) for p in people)
    frame = read_csv(written / "cities.csv")
    first = rows_of(book["cities"])[0]
    expected = frame.iloc[0]
    assert first["entity_id"] == expected["entity_id"]
    assert first["n_articles"] == int(expected["n_articles"])
    assert first["latitude"] == pytest.approx(float(expected["latitude"]))
    assert isinstance(first["geonames_id"], int)
    assert isinstance(first["admin1"], str)  # a code, not a number, even when it is "18"
    scores = [row["language_score"] for row in rows_of(sheet)]
    assert scores and all(isinstance(s, int | float) and 0 <= s <= 1 for s in scores)


def test_not_a_date_stays_text() -> None:
    assert workbook.as_date("2025-03-04") == dt.datetime(2025, 3, 4)
    assert workbook.as_date("2025-02-30") is None
    assert workbook.as_date("März 2025") is None
    frame = pd.DataFrame({"article_id": ["a", "b"], "published": ["2025-13-01", "2025-01-02"]})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.build({"articles": frame})))["articles"]
    assert [sheet.cell(2, 2).value, sheet.cell(3, 2).value] == [
        "2025-13-01",
        dt.datetime(2025, 1, 2),
    ]


def test_data_dictionary_sheet_describes_every_column(
    written: Path, book: openpyxl.Workbook
) -> None:
    sheet = book["data_dictionary"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("table", "file", "sheet", "one_row_per", "column", "type", "meaning")
    described = {(r[0], r[4]): (r[5], r[6]) for r in rows[1:]}
    for path in written.glob("*.csv"):
        header = [cell.value for cell in book[path.stem][1]]
        for column in header:
            kind, meaning = described[(path.stem, column)]
            assert kind in {"text", "integer", "number", "date"}
            assert meaning and meaning != "(not documented)", (path.stem, column)
    assert described[("mentions", "start")][0] == "integer"
    assert described[("articles", "published")][0] == "date"
    assert described[("mentions", "entity_name")][0] == "text"
    assert "Unicode code points" in described[("mentions", "start")][1]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:G{len(rows)}"


def test_a_long_table_is_cut_to_its_most_frequent_rows(written: Path) -> None:
    """The workbook stays bounded at any corpus size: a sheet holds SHEET_MAX_ROWS rows, those
    of the most articles, and the dictionary says so; the CSV keeps every row."""
    tables = {p.stem: read_csv(p) for p in written.glob("*.csv")}
    n = workbook.SHEET_MAX_ROWS + 7
    pairs = tables["cooccurrence"].iloc[[0] * n].reset_index(drop=True)
    pairs["n_articles"] = [str(i) for i in range(n)]
    pairs["entity_id_a"] = [f"per_{i:012x}" for i in range(n)]
    tables["cooccurrence"] = pairs
    book = openpyxl.load_workbook(io.BytesIO(workbook.build(tables)), read_only=True)
    rows = list(book["cooccurrence"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == workbook.SHEET_MAX_ROWS
    counts = [row[header.index("n_articles")] for row in body]
    assert counts[0] == n - 1 and min(counts) == 7  # the most frequent pairs are kept
    notes = {r[0]: r[3] for r in book["data_dictionary"].iter_rows(values_only=True)}
    assert f"{workbook.SHEET_MAX_ROWS:,} of {n:,} rows here" in notes["cooccurrence"]
    assert "rows here" not in notes["entities"]
