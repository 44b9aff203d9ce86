"""Stage 5, export: write the tables as CSV, the article texts and the run manifest.

Input: articles, problems, normalized tables, manifest. Output: files in the output folder,
each written atomically; text cells that a spreadsheet would run as formulas are neutralized.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Config
from pipeline.errors import OutputError
from pipeline.io import write_csv_atomic, write_json_atomic, write_text_atomic
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
    """Write everything; returns the row count of each table."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {output}: {exc}") from exc
    options: dict[str, Any] = {"delimiter": config.csv_delimiter, "bom": config.csv_bom}
    counts: dict[str, int] = {}
    ordered = sorted(articles, key=lambda a: a.article_id)
    counts["articles"] = write_csv_atomic(
        output / "articles.csv", ARTICLE_COLUMNS, (article_row(a) for a in ordered), **options
    )
    problem_rows = sorted(
        ([p.source_path, p.stage, p.reason, p.detail] for p in problems),
        key=lambda r: (r[0], r[1], r[2]),
    )
    counts["problems"] = write_csv_atomic(
        output / "problems.csv", PROBLEM_COLUMNS, problem_rows, **options
    )
    for name, frame in tables.items():
        counts[name] = write_csv_atomic(
            output / f"{name}.csv",
            list(frame.columns),
            frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None),
            **options,
        )
    write_texts(output / TEXTS_DIR, ordered)
    write_json_atomic(output / "run.json", {**manifest, "tables": counts})
    return counts


def write_texts(folder: Path, articles: list[Article]) -> None:
    """texts/<article_id>.txt, the text every offset indexes into; stale texts are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{a.article_id}.txt" for a in articles}
    for article in articles:
        path = folder / f"{article.article_id}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != article.text:
            write_text_atomic(path, article.text)
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
