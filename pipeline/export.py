"""Stage 5, export: write the tables as CSV, the article texts and the run manifest.

Input: articles, problems, normalized tables, manifest. Output: files in the output folder,
each written atomically; text cells that a spreadsheet would run as formulas are neutralized.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Config
from pipeline.errors import OutputError
from pipeline.io import FILE_MODE, write_csv_atomic, write_json_atomic, write_text_atomic
from pipeline.records import Article, Problem

log = logging.getLogger(__name__)

ARTICLE_COLUMNS = [
    "article_id",
    "source_path",
    "title",
    "published",
    "language",
    "language_score",
    "status",
    "n_words",
    "duplicate_of",
    "source_format",
    "encoding",
    "author",
    "site_name",
    "url",
    "description",
]
PROBLEM_COLUMNS = ["source_path", "stage", "reason", "detail"]
TEXTS_DIR = "texts"
GENERATIONS_DIR = ".generations"
PARQUET_DIR = "parquet"
CURRENT = "current"


def article_row(article: Article) -> list[Any]:
    return [
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
    ]


def run(
    output: Path,
    articles: list[Article],
    problems: list[Problem],
    tables: dict[str, pd.DataFrame],
    manifest: dict[str, Any],
    config: Config,
) -> dict[str, int]:
    """Write every table as a new generation, then switch to it at once; returns row counts.

    The tables of a run live in `.generations/<id>/`; `current` is a link to the newest
    complete generation and `<table>.csv` and `run.json` link through it. Switching is one
    atomic rename of `current`, so a reader (or a killed run) never sees tables of two runs.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
        generation = Path(tempfile.mkdtemp(prefix="gen-", dir=generations_dir(output)))
        generation.chmod(0o777 & ~(FILE_MODE ^ 0o666))  # mkdtemp makes it private
    except OSError as exc:
        raise OutputError(f"cannot write the output folder {output}: {exc}") from exc
    options: dict[str, Any] = {"delimiter": config.csv_delimiter, "bom": config.csv_bom}
    counts: dict[str, int] = {}
    ordered = sorted(articles, key=lambda a: a.article_id)
    counts["articles"] = write_csv_atomic(
        generation / "articles.csv", ARTICLE_COLUMNS, (article_row(a) for a in ordered), **options
    )
    problem_rows = sorted(
        ([p.source_path, p.stage, p.reason, p.detail] for p in problems),
        key=lambda r: (r[0], r[1], r[2]),
    )
    counts["problems"] = write_csv_atomic(
        generation / "problems.csv", PROBLEM_COLUMNS, problem_rows, **options
    )
    for name, frame in tables.items():
        counts[name] = write_csv_atomic(
            generation / f"{name}.csv",
            list(frame.columns),
            frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None),
            **options,
        )
    if config.parquet:
        write_parquet(generation / PARQUET_DIR, ordered, tables["mentions"])
    write_texts(output / TEXTS_DIR, ordered)
    write_json_atomic(generation / "run.json", {**manifest, "tables": counts})
    switch_generation(output, generation)
    remove_stale_texts(output / TEXTS_DIR, ordered)
    return counts


def write_parquet(folder: Path, articles: list[Article], mentions: pd.DataFrame) -> None:
    """articles/ partitioned by language and mentions/ by entity type, as Parquet datasets
    (Hive-style folders) that DuckDB, pandas, Dask and Spark read directly."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    frames = {
        "articles": (
            pd.DataFrame([article_row(a) for a in articles], columns=ARTICLE_COLUMNS).astype(
                {"language_score": float, "n_words": int}
            ),
            "language",
        ),
        "mentions": (mentions.astype({"start": int, "end": int}), "entity_type"),
    }
    for name, (frame, partition) in frames.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        ds.write_dataset(
            table,
            folder / name,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([(partition, pa.string())]), flavor="hive"),
            basename_template="part-{i}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )


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


def switch_generation(output: Path, generation: Path) -> None:
    """Make `generation` current in one rename, link the tables through it, drop older ones."""
    replace_link(output / CURRENT, f"{GENERATIONS_DIR}/{generation.name}")
    for path in sorted(generation.iterdir()):
        replace_link(output / path.name, f"{CURRENT}/{path.name}")
    for old in generations_dir(output).iterdir():
        if old.name != generation.name:
            shutil.rmtree(old, ignore_errors=True)


def write_texts(folder: Path, articles: list[Article]) -> None:
    """texts/<article_id>.txt, the text every offset indexes into. A text's name derives from
    its content, so an existing file never changes and new ones can be added at any time."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        path = folder / f"{article.article_id}.txt"
        if not path.exists():
            write_text_atomic(path, article.text)


def remove_stale_texts(folder: Path, articles: list[Article]) -> None:
    wanted = {f"{a.article_id}.txt" for a in articles}
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
