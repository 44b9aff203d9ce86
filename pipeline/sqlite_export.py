"""tables.sqlite: every final table in one SQLite file, for SQL, DuckDB and `datasette`.

Built with sqlite-utils from the schema (`pipeline.schema`): one table per output table with
its primary key, foreign keys and indexes; `article_texts` with every article's text; views that
put names and titles beside the ids (`mentions_named`, `roles_named`,
`article_entities_named`); and full-text search (FTS5) over article texts, titles and entity
names and aliases. Rows come as the tables are written (values as the pipeline made them, not
the spreadsheet-safe CSV cells); the file is written under a temporary name and renamed into
place by `close()`, so a reader never sees a half-built database.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from pipeline import schema
from pipeline.io import temporary_beside

SQLITE_FILE = "tables.sqlite"
SQL_TYPES: dict[str, type] = {"text": str, "date": str, "integer": int, "number": float}


class SqliteTables:
    """tables.sqlite being written: every schema table created up front (so that foreign
    keys resolve), rows added table by table, indexes, full-text search and views at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, self._tmp = temporary_beside(path)
        os.close(fd)
        self.db = sqlite_utils.Database(self._tmp)
        self.db.conn.execute("PRAGMA journal_mode = OFF")  # a temporary file: renamed when done
        self.db.conn.execute("PRAGMA synchronous = OFF")
        self.tables = schema.tables()
        for table in self.tables.values():
            self.db.create_table(
                table.name,
                {c.name: SQL_TYPES[c.type] for c in table.columns},
                pk=list(table.primary_key) or None,
                foreign_keys=[(fk.column, fk.table, fk.other_column) for fk in table.foreign_keys],
                column_order=table.column_names,
            )

    def rows(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Append rows to a schema table (columns in the schema's order); tables that are not
        in the schema are not part of the database."""
        table = self.tables.get(name)
        if table is None:
            return
        if list(columns) != table.column_names:
            raise ValueError(
                f"{name}: columns {list(columns)} differ from the schema's {table.column_names}"
            )
        kinds = [SQL_TYPES[c.type] for c in table.columns]
        # One prepared statement for the rows (sqlite-utils' insert_all builds one per batch
        # and inspects every value: 3x slower here); the table itself is sqlite-utils'.
        names = ", ".join(f'"{c}"' for c in columns)
        self.db.conn.executemany(
            f'INSERT INTO "{name}" ({names}) VALUES ({", ".join("?" * len(kinds))})',
            ([typed(v, kind) for v, kind in zip(row, kinds, strict=True)] for row in rows),
        )

    def text(self, article_id: str, text: str) -> None:
        self.rows("article_texts", ["article_id", "text"], [(article_id, text)])

    def close(self) -> None:
        """Indexes, full-text search and views; then the file is renamed into place."""
        for table in self.tables.values():
            handle = self.db.table(table.name)
            for index in table.indexes:
                handle.create_index(list(index), if_not_exists=True)
            if table.full_text:
                handle.enable_fts(list(table.full_text), fts_version="FTS5")
        for view in schema.VIEWS.values():
            self.db.create_view(view.name, view.sql.strip())
        self.db.conn.commit()
        self.db.conn.execute("ANALYZE")
        self.db.conn.commit()
        self.db.close()
        with self._tmp.open("rb+") as written:
            os.fsync(written.fileno())
        self._tmp.replace(self.path)

    def abort(self) -> None:
        self.db.close()
        self._tmp.unlink(missing_ok=True)


def typed(value: Any, kind: type) -> Any:
    """A cell as SQLite stores it: empty cells NULL, numbers as numbers, the rest as text."""
    if value is None or value == "":
        return None
    if kind is str:
        return str(value)
    return kind(value)
