"""Stage 5, export: write the tables as CSV and SQLite, the article texts and the manifest.

Input: table rows (streamed) and frames, article texts, the manifest. Output: files in the
output folder, each written atomically: one CSV per table (columns as `pipeline.schema` defines
them; text cells that a spreadsheet would run as formulas are neutralized), `tables.sqlite`
(`sqlite_export`), optional Parquet datasets, `texts/` and `run.json`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import locking, schema
from pipeline.config import Config
from pipeline.errors import OutputError
from pipeline.io import FILE_MODE, CsvTable, write_json_atomic, write_text_atomic
from pipeline.records import Article
from pipeline.sqlite_export import SQLITE_FILE, SqliteTables

log = logging.getLogger(__name__)

ARTICLE_COLUMNS = schema.columns("articles")
PROBLEM_COLUMNS = schema.columns("problems")
#: Changes when a table's definition changes, so that older tables are rebuilt.
SCHEMA_FINGERPRINT = schema.fingerprint()
TEXTS_DIR = "texts"
GENERATIONS_DIR = ".generations"
PARQUET_DIR = "parquet"
CURRENT = "current"


def article_row(article: Article) -> tuple[Any, ...]:
    return (
        article.article_id,
        "|".join(article.source_paths),
        article.title,
        article.published,
        article.language,
        f"{article.language_score:.4f}",
        article.status,
        article.n_words,
        article.duplicate_of,
        article.source_format,
        article.encoding,
        article.author,
        article.site_name,
        article.url,
        article.description,
    )


#: Tables also written as Parquet datasets with --parquet, and the column they are split by.
PARQUET_PARTITIONS = {"articles": "language", "mentions": "entity_type"}


class Generation:
    """One run's tables, written into a new generation folder and made current at the end.

    The tables of a run live in `.generations/<id>/`; `current` is a link to the newest
    complete generation and `<table>.csv` and `run.json` link through it. Switching is one
    atomic rename of `current`, so a reader (or a killed run) never sees tables of two runs.
    Tables come row chunk by row chunk (`rows`) or whole (`frame`); article texts go to
    `texts/`, shared by all generations."""

    def __init__(self, output: Path, config: Config) -> None:
        self.output = output
        self.config = config
        self.tables: dict[str, CsvTable] = {}
        self.parquet_parts: dict[str, int] = {}
        self.texts: set[str] = set()
        self.switched = False
        try:
            output.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix="gen-", dir=generations_dir(output)))
            self.folder.chmod(0o777 & ~(FILE_MODE ^ 0o666))  # mkdtemp makes it private
            (output / TEXTS_DIR).mkdir(exist_ok=True)
            self.sqlite = SqliteTables(self.folder / SQLITE_FILE)
        except OSError as exc:
            raise OutputError(f"cannot write the output folder {output}: {exc}") from exc

    def rows(self, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Append rows to a table (the first call writes its header). The columns of a
        schema table must be the schema's, in its order."""
        table = self.tables.get(name)
        if table is None:
            expected = schema.tables().get(name)
            if expected is not None and list(columns) != expected.column_names:
                raise ValueError(
                    f"{name}.csv: columns {list(columns)} differ from the schema's "
                    f"{expected.column_names} (pipeline/schema.py)"
                )
            table = self.tables[name] = CsvTable(
                self.folder / f"{name}.csv",
                columns,
                delimiter=self.config.csv_delimiter,
                bom=self.config.csv_bom,
            )
        table.write(rows)
        self.sqlite.rows(name, columns, rows)
        if self.config.parquet and name in PARQUET_PARTITIONS and rows:
            self.write_parquet_part(name, pd.DataFrame(rows, columns=columns))

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        """A whole table from a DataFrame (missing values as empty cells)."""
        self.rows(
            name,
            list(frame.columns),
            list(frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None)),
        )

    def write_parquet_part(self, name: str, frame: pd.DataFrame) -> None:
        """One more part of a Parquet dataset (Hive-style folders by PARQUET_PARTITIONS) that
        DuckDB, pandas, Dask and Spark read directly."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        part = self.parquet_parts[name] = self.parquet_parts.get(name, -1) + 1
        partition = PARQUET_PARTITIONS[name]
        types = {"integer": int, "number": float}
        frame = frame.astype(
            {c.name: types[c.type] for c in schema.get(name).columns if c.type in types}
        )
        ds.write_dataset(
            pa.Table.from_pandas(frame, schema=schema.parquet_schema(name), preserve_index=False),
            self.folder / PARQUET_DIR / name,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([(partition, pa.string())]), flavor="hive"),
            basename_template=f"part-{part:05d}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )

    def text(self, article: Article) -> None:
        """texts/<article_id>.txt, the text every offset indexes into. A text's name derives
        from its content, so an existing file never changes and new ones are simply added."""
        self.texts.add(article.article_id)
        self.sqlite.text(article.article_id, article.text)
        path = self.output / TEXTS_DIR / f"{article.article_id}.txt"
        if not path.exists():
            write_text_atomic(path, article.text)

    def finish(self, manifest: dict[str, Any]) -> dict[str, int]:
        """Close every table, write run.json, make this generation current; returns the row
        count of each table."""
        counts = {}
        for name, table in self.tables.items():
            table.close()
            counts[name] = table.rows
        self.sqlite.close()
        write_json_atomic(self.folder / "run.json", {**manifest, "tables": counts})
        replace_link(self.output / CURRENT, f"{GENERATIONS_DIR}/{self.folder.name}")
        self.switched = True  # from here on, this generation is the current one
        if not link_tables(self.output, self.folder):
            return counts  # a reader holds an older generation: its texts stay too
        for stale in (self.output / TEXTS_DIR).glob("*.txt"):
            if stale.stem not in self.texts:
                stale.unlink(missing_ok=True)
        return counts

    def abort(self) -> None:
        """Drop a generation that will not be finished (the current one stays); once it is
        current, it stays."""
        if self.switched:
            return
        for table in self.tables.values():
            table.abort()
        self.sqlite.abort()
        shutil.rmtree(self.folder, ignore_errors=True)


def generations_dir(output: Path) -> Path:
    folder = output / GENERATIONS_DIR
    folder.mkdir(exist_ok=True)
    return folder


def replace_link(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old one or a file)."""
    if link.is_symlink() and str(link.readlink()) == target:
        return
    temporary = link.with_name(f".{link.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    temporary.replace(link)


def link_tables(output: Path, generation: Path) -> bool:
    """Link the tables through `current` (which points at `generation`); drop older ones that
    no reader holds. True when none is left."""
    for path in sorted(generation.iterdir()):
        replace_link(output / path.name, f"{CURRENT}/{path.name}")
    return locking.remove_generations(generations_dir(output), keep=generation.name)
