from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.io import CsvTable, neutralize_cell


def write_csv_atomic(
    path: Path, columns: list[str], rows: list[Sequence[Any]], **options: Any
) -> int:
    """A table written through CsvTable, as the export writes them."""
    table = CsvTable(path, columns, **options)
    table.write(rows)
    table.close()
    return table.rows


def test_formula_cells_are_neutralized_numbers_are_not() -> None:
    assert neutralize_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralize_cell("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize_cell("-2+3") == "'-2+3"
    assert neutralize_cell(-8.61) == -8.61
    assert neutralize_cell("Seville") == "Seville"


def test_csv_is_written_atomically_with_header_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    count = write_csv_atomic(path, ["a", "b"], [["Köln", 1], ["+x", -2.5]], bom=True, delimiter=";")
    assert count == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows == [["a", "b"], ["Köln", "1"], ["'+x", "-2.5"]]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    import os
    import stat

    path = tmp_path / "t.csv"
    write_csv_atomic(path, ["a"], [["x"]])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
