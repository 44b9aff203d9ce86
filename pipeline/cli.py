"""Command line: `python -m pipeline run CORPUS --output OUTPUT`.

Exit codes: 0 the run completed (per-file problems are in problems.csv); 1 --strict and at
least one problem was recorded; 2 bad usage or configuration; 3 the corpus folder cannot be
read; 4 the output folder cannot be written.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.config import load_config
from pipeline.errors import ConfigError, InputError, LockedError, OutputError

if TYPE_CHECKING:
    from pipeline.runner import Summary

EXIT_OK, EXIT_STRICT, EXIT_CONFIG, EXIT_INPUT, EXIT_OUTPUT, EXIT_LOCKED = 0, 1, 2, 3, 4, 5


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Press-release intelligence: article folders in, entity tables out.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="process a folder of articles into CSV tables",
        description="Ingest CORPUS recursively (.html, .htm, .txt, .md), detect languages, "
        "extract entities and write the tables into OUTPUT.",
    )
    run.add_argument("corpus", type=Path, help="folder of articles (read-only, recursive)")
    run.add_argument(
        "--output", "-o", type=Path, default=None, help="output folder (default: outputs)"
    )
    run.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML file with settings; command-line options override it",
    )
    run.add_argument(
        "--language",
        default=None,
        help="force this ISO 639-1 language for every article instead of detecting",
    )
    run.add_argument("--batch-size", type=int, default=None, help="texts per nlp.pipe batch")
    run.add_argument(
        "--max-file-bytes",
        type=int,
        default=None,
        help="larger files are recorded as too_large (default 20000000)",
    )
    run.add_argument(
        "--csv-delimiter",
        default=None,
        choices=[",", ";", "\t"],
        help="CSV field delimiter (';' for locales where Excel expects it)",
    )
    run.add_argument(
        "--csv-bom",
        action="store_const",
        const=True,
        default=None,
        help="start CSV files with a UTF-8 byte-order mark (for Excel)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes for extraction (default: one per core; small jobs use one)",
    )
    run.add_argument(
        "--executor",
        default=None,
        choices=["local", "dask"],
        help="where extraction runs: this machine (default) or a Dask cluster",
    )
    run.add_argument("--scheduler", default=None, help="Dask scheduler address for --executor dask")
    run.add_argument(
        "--parquet",
        action="store_const",
        const=True,
        default=None,
        help="also write articles and mentions as partitioned Parquet datasets",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="reprocess every article, ignoring the extractions the store already holds",
    )
    run.add_argument(
        "--wait",
        action="store_const",
        const=True,
        default=None,
        help="when another run holds the output folder, wait for it (default: exit 5 at once)",
    )
    run.add_argument(
        "--verify",
        action="store_const",
        const=True,
        default=None,
        help="compare files by content hash, not by size and modification time (slower)",
    )
    run.add_argument(
        "--strict", action="store_true", help="exit with status 1 when any problem was recorded"
    )
    run.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from pipeline import runner  # heavy imports (spaCy) only once the arguments are valid

    try:
        config = load_config(
            args.config,
            corpus=args.corpus,
            output=args.output,
            language=args.language,
            batch_size=args.batch_size,
            max_file_bytes=args.max_file_bytes,
            csv_delimiter=args.csv_delimiter,
            csv_bom=args.csv_bom,
            workers=args.workers,
            executor=args.executor,
            scheduler=args.scheduler,
            parquet=args.parquet,
            wait=args.wait,
            verify=args.verify,
        )
        summary = runner.run(config, rebuild=args.rebuild)
    except ConfigError as exc:
        print(f"error: bad configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except LockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    print_summary(summary, config.output)
    if args.strict and (summary.problems or summary.no_articles):
        return EXIT_STRICT
    return EXIT_OK


def print_summary(summary: Summary, output: Path) -> None:
    languages = ", ".join(f"{k}={v}" for k, v in summary.languages.items()) or "none"
    entities = ", ".join(f"{k}={v}" for k, v in summary.entities.items()) or "none"
    reasons = ", ".join(f"{k}={v}" for k, v in summary.problem_reasons.items())
    unchanged = f", {summary.files_unchanged} unchanged" if summary.files_unchanged else ""
    print(f"files seen:      {summary.files_seen} ({summary.files_read} read{unchanged})")
    print(f"corpora:         {', '.join(summary.corpora) or 'none'}")
    print(
        f"articles:        {summary.articles} ({summary.duplicates} exact duplicate files merged, "
        f"{summary.near_duplicates} near duplicates)"
    )
    print(f"languages:       {languages}")
    print(f"problems:        {summary.problems}" + (f" ({reasons})" if reasons else ""))
    print(f"entities:        {entities}")
    for lang, counts in summary.entities_by_language.items():
        print(f"  in {lang}:         " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"mentions:        {summary.mentions}")
    for lang, info in sorted(summary.pipelines.items()):
        name = info.get("name") or info.get("candidate") or "rules only"
        print(f"pipeline {lang}:     {name} {info.get('version', '')}".rstrip())
    for warning in summary.warnings:
        print(f"warning:         {warning}")
    print(
        f"extracted:       {summary.articles_extracted} articles in {summary.seconds:.1f} s "
        f"({summary.articles_per_second:.1f} articles/s)"
    )
    print(f"tables in:       {output}" + ("" if summary.tables_rebuilt else " (unchanged)"))
