"""The command line: `pressintel COMMAND` (the installed command) or `python -m pipeline COMMAND`.

Commands: `run` (corpus folder in, tables and report out), the stages it chains, each on its
own (`ingest`, `language`, `extract`, `link`, `tables`; then `report`), `eval`, `bench`, `info`,
`show` and `entities`. Every `Config` field is an option of `run`, generated from the dataclass
(its `#:` comment is the help), so a new setting needs no code here; a stage command takes the
settings its stage reads (`STAGE_SETTINGS`).

Library code raises the exceptions of `pipeline.errors`; this module alone turns them into one
line on stderr and an exit code:

| code | meaning |
| --- | --- |
| 0 | done; files that could not be processed are rows of `problems.csv` |
| 1 | a negative answer: `run --strict` recorded problems, `eval` scored below a floor, |
|   | `show` found nothing |
| 2 | bad usage or configuration: unknown option, bad value, language not analysed |
|   | (the message names the value and what is valid) |
| 3 | an input cannot be read: corpus folder, tables of the output folder, gold file, |
|   | benchmark script |
| 4 | the output folder cannot be written, or its store has another schema version |
| 5 | another run holds the output folder (`run --wait` waits for it instead) |
| 6 | the report could not be built from the tables (report.html says so; the tables stand) |
| 70 | an unexpected error (a bug: `--verbose` shows the traceback) |
| 130 | interrupted (Ctrl-C) |
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import inspect
import logging
import os
import subprocess
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline import config as config_module
from pipeline.config import Config, load_config
from pipeline.errors import (
    ConfigError,
    InputError,
    LockedError,
    NotFoundError,
    OutputError,
    PipelineError,
    ReportError,
)

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.runner import Summary

log = logging.getLogger(__name__)

EXIT_OK, EXIT_NEGATIVE, EXIT_CONFIG, EXIT_INPUT, EXIT_OUTPUT = 0, 1, 2, 3, 4
EXIT_STRICT = EXIT_NEGATIVE  # `run --strict` with problems recorded
EXIT_LOCKED, EXIT_REPORT = 5, 6
EXIT_BUG, EXIT_INTERRUPTED = 70, 130

#: Exceptions and their exit codes and message prefixes; the first class that matches wins.
EXIT_CODES: tuple[tuple[type[PipelineError], int, str], ...] = (
    (ConfigError, EXIT_CONFIG, "error: bad configuration: "),
    (NotFoundError, EXIT_NEGATIVE, "not found: "),
    (LockedError, EXIT_LOCKED, "error: "),
    (InputError, EXIT_INPUT, "error: "),
    (OutputError, EXIT_OUTPUT, "error: "),
    (ReportError, EXIT_REPORT, "error: report not built: "),
    (PipelineError, EXIT_BUG, "error: "),
)

#: Config fields given as positional arguments of `run` rather than as options.
POSITIONAL_FIELDS = {"corpus"}
#: Short forms of generated options.
SHORT_OPTIONS = {"output": "-o"}
#: The settings each stage command takes (None: every setting). The others can still come
#: from the --config file; the stage does not read them.
COMMON_STAGE_SETTINGS = ("output", "wait", "progress")
LANGUAGE_SETTINGS = (
    "language",
    "languages",
    "language_min_words",
    "language_min_score",
    "language_sample_chars",
    "seed",
    "since",
)
STAGE_SETTINGS: dict[str, tuple[str, ...] | None] = {
    "ingest": None,  # reads files, and detects the languages of new articles as it goes
    "language": (*COMMON_STAGE_SETTINGS, *LANGUAGE_SETTINGS),
    "extract": (
        *COMMON_STAGE_SETTINGS,
        "languages",
        "pipelines",
        "batch_size",
        "workers",
        "chunk_size",
        "executor",
        "scheduler",
        "max_text_chars",
        "gazetteer_min_population",
        "gazetteer_evidence_min_population",
        "gazetteer_known_city_population",
        "gazetteer_common_word_zipf",
    ),
    "link": COMMON_STAGE_SETTINGS,
    "tables": (
        *COMMON_STAGE_SETTINGS,
        "languages",
        "pipelines",
        "csv_delimiter",
        "csv_bom",
        "parquet",
        "since",
    ),
}
#: What each stage command does, for its help.
STAGE_HELP = {
    "ingest": (
        "read new and changed files of a corpus folder into the output folder's store",
        "Stage 1: scan CORPUS (read-only), read new and changed files into OUTPUT/store.sqlite "
        "(their languages detected in the same batches), forget files that are gone, and group "
        "near duplicates.",
    ),
    "language": (
        "detect the languages of the stored articles again where the settings changed",
        "Stage 2: detect (or with --language force, for the articles of CORPUS) the language of "
        "every stored article whose result was made under other language settings. Reads and "
        "writes the store; the corpus folder is not read.",
    ),
    "extract": (
        "extract entities from the stored articles whose extraction is missing or stale",
        "Stage 3: run the spaCy pipelines over every analysed article whose stored extraction "
        "is missing or has another fingerprint (code, model, taxonomy, settings). Reads and "
        "writes the store.",
    ),
    "link": (
        "find names confident in one article in every other article",
        "Stage 4: collect the confident names of all extractions (multi-word people, "
        "organizations with a legal form or of several words) and find them in every analysed "
        "article; redone only for articles whose link fingerprint changed. Reads and writes "
        "the store.",
    ),
    "tables": (
        "write the tables of the output folder from its store",
        "Stage 5: normalize the store's extractions and links into entities and write every "
        "table (CSV, SQLite, optionally Parquet), texts/ and run.json as one new generation; "
        "left as they are when the store did not change.",
    ),
}
#: Stage commands that take the corpus folder (ingest reads it; language forces its articles).
CORPUS_STAGES = ("ingest", "language")
DEFAULT_SHOW_LIMIT = 20
DEFAULT_LIST_LIMIT = 25


# --------------------------------------------------------------------------- Config options


@dataclasses.dataclass(frozen=True)
class ConfigOption:
    """One command-line option generated from one Config field."""

    name: str  # the field
    flag: str  # --batch-size
    kind: str  # bool, int, float, str, path, list, mapping
    help: str


def field_comments() -> dict[str, str]:
    """The `#:` comment above each field of Config, as one line per field."""
    source = textwrap.dedent(inspect.getsource(Config))
    lines = source.splitlines()
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ClassDef)
    comments: dict[str, str] = {}
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            above: list[str] = []
            index = item.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                above.insert(0, lines[index].strip()[2:].strip())
                index -= 1
            comments[item.target.id] = " ".join(above)
    return comments


def option_kind(hint: Any) -> str:
    """The option kind of a Config field's type; a type this module cannot parse is an error
    of the programmer who added the field (the CLI test catches it)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"Config field type {hint} has no command-line form")
        hint = inner[0]
    kinds = {bool: "bool", int: "int", float: "float", str: "str", Path: "path"}
    if hint in kinds:
        return kinds[hint]
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        return "list"
    if origin is dict:
        return "mapping"
    raise TypeError(f"Config field type {hint} has no command-line form")


def config_options() -> list[ConfigOption]:
    """One option per Config field, in the dataclass's order."""
    hints = typing.get_type_hints(Config, vars(config_module))
    comments = field_comments()
    return [
        ConfigOption(
            field.name,
            "--" + field.name.replace("_", "-"),
            option_kind(hints[field.name]),
            comments.get(field.name) or field.name.replace("_", " "),
        )
        for field in dataclasses.fields(Config)
    ]


def default_text(option: ConfigOption) -> str:
    """The field's default as the help shows it ("" for the long pipeline lists)."""
    value = getattr(Config(), option.name)
    if option.kind == "mapping":
        return ""  # long; `info` shows the candidates resolved per language
    if option.kind == "list":
        shown = ",".join(value) or "none"
    elif option.kind == "bool":
        shown = option.flag if value else "--no-" + option.flag[2:]
    elif value is None:
        shown = "unset"
    else:
        shown = repr(value) if option.kind == "str" else str(value)
    return f" (default: {shown})"


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def language_pipelines(text: str) -> tuple[str, list[str]]:
    language, sep, names = text.partition("=")
    if not sep or not language.strip() or not comma_list(names):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not LANG=PIPELINE[,PIPELINE...], e.g. en=en_core_web_sm"
        )
    return language.strip(), comma_list(names)


def add_corpus_and_config(parser: argparse.ArgumentParser, corpus_help: str | None) -> None:
    """The corpus argument (where `corpus_help` says what it is) and --config."""
    if corpus_help is not None:
        parser.add_argument(
            "corpus",
            nargs="?",
            type=Path,
            default=None,
            help=f"{corpus_help} (default: corpus)",
        )
    parser.add_argument(
        "--config", type=Path, help="TOML file of settings; command-line options override it"
    )


def add_config_options(parser: argparse.ArgumentParser, only: Iterable[str] | None = None) -> None:
    """Add the generated options (all, or the fields in `only`) to a parser."""
    wanted = set(only) if only is not None else None
    title = "settings (each also a key of the --config file)" if only is None else "settings"
    group = parser.add_argument_group(title)
    for option in config_options():
        if option.name in POSITIONAL_FIELDS or (wanted is not None and option.name not in wanted):
            continue
        flags = [
            option.flag,
            *([SHORT_OPTIONS[option.name]] if option.name in SHORT_OPTIONS else []),
        ]
        text = option.help.rstrip(".")
        common: dict[str, Any] = {"dest": option.name, "default": None}
        if option.kind == "bool":
            group.add_argument(
                *flags,
                action=argparse.BooleanOptionalAction,
                help=text + default_text(option),
                **common,
            )
        elif option.kind == "list":
            group.add_argument(
                *flags,
                action="append",
                type=comma_list,
                metavar="A,B",
                help=text + "; comma-separated or repeated" + default_text(option),
                **common,
            )
        elif option.kind == "mapping":
            group.add_argument(
                *flags,
                action="append",
                type=language_pipelines,
                metavar="LANG=A,B",
                help=text + "; one option per language, e.g. en=en_core_web_sm",
                **common,
            )
        else:
            convert: Callable[[str], Any] = {"int": int, "float": float, "str": str, "path": Path}[
                option.kind
            ]
            metavar = {"int": "N", "float": "X", "str": "TEXT", "path": "PATH"}[option.kind]
            group.add_argument(
                *flags, type=convert, metavar=metavar, help=text + default_text(option), **common
            )


def config_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The Config values given on the command line (unset options are left out)."""
    overrides: dict[str, Any] = {}
    for option in config_options():
        value = getattr(args, option.name, None)
        if value is None:
            continue
        if option.kind == "list":
            value = tuple(item for group in value for item in group)
        elif option.kind == "mapping":
            value = dict(value)
        overrides[option.name] = value
    return overrides


def config_from(args: argparse.Namespace) -> Config:
    config = load_config(getattr(args, "config", None), **config_overrides(args))
    if getattr(args, "quiet", False):
        config.progress = False
    return config


# --------------------------------------------------------------------------- the parser


def build_parser(prog: str = "pressintel") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Press-release intelligence: article folders in, entity tables and a "
        "report out. Installed as `pressintel`; `python -m pipeline` is the same program.",
        epilog="Exit codes: 0 done, 1 negative answer (--strict with problems, eval below a "
        "floor, show found nothing), 2 bad usage or configuration, 3 input unreadable, "
        "4 output not writable, 5 output folder locked by another run, 6 report failed, "
        "70 unexpected error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    noise = common.add_mutually_exclusive_group()
    noise.add_argument(
        "--quiet", "-q", action="store_true", help="only warnings and errors; no progress bars"
    )
    noise.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        parents=[common],
        help="process a folder of articles into tables, report.html and tables.xlsx",
        description="Ingest CORPUS recursively (.html, .htm, .txt, .md), detect languages, "
        "extract entities, write the tables into the output folder, then the report "
        "(report.html and tables.xlsx). Only new or changed files are processed again.",
    )
    add_corpus_and_config(run, "folder of articles, read recursively and never written")
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="reprocess every article, ignoring the extractions the store already holds",
    )
    run.add_argument(
        "--strict", action="store_true", help="exit with status 1 when any problem was recorded"
    )
    run.add_argument(
        "--no-report",
        dest="report",
        action="store_false",
        help="write the tables only, not report.html and tables.xlsx",
    )
    add_config_options(run)

    for stage, (short, long) in STAGE_HELP.items():
        command = commands.add_parser(stage, parents=[common], help=short, description=long)
        add_corpus_and_config(
            command, "folder of articles, never written" if stage in CORPUS_STAGES else None
        )
        add_config_options(command, STAGE_SETTINGS[stage])

    report = commands.add_parser(
        "report",
        parents=[common],
        help="write report.html and tables.xlsx from the tables of an output folder",
        description="Write report.html (one offline, interactive file) and tables.xlsx from "
        "the CSV tables of an output folder. `run` already does this; use `report` after "
        "`run --no-report`. The CSV settings default to those recorded in run.json.",
    )
    add_config_options(report, ("output", "csv_delimiter", "csv_bom"))

    evaluate = commands.add_parser(
        "eval",
        parents=[common],
        help="score an output folder against a gold file",
        description="Precision, recall and F1 per language and entity type of the output "
        "folder's entities against a gold file; exit 1 when a score is below its floor.",
    )
    evaluate.add_argument(
        "gold", type=Path, help="gold file (JSON), e.g. tests/gold/corpus_gold.json"
    )
    evaluate.add_argument("--floors", type=Path, help="JSON of the minimum F1 per 'language/type'")
    add_config_options(evaluate, ("output",))

    bench = commands.add_parser(
        "bench",
        parents=[common],
        help="run the benchmark (benchmarks/bench.py of a source checkout)",
        description="Run benchmarks/bench.py of the source checkout with the arguments given "
        "after `--` (e.g. `bench -- --scale`). The benchmark is a tool of the repository, "
        "not part of the installed package.",
    )
    bench.add_argument("bench_args", nargs="*", metavar="ARGS", help="arguments of bench.py")

    info = commands.add_parser(
        "info",
        parents=[common],
        help="versions, spaCy pipelines per language, and what an output folder holds",
        description="Print the versions of the package, Python and spaCy, the spaCy pipeline "
        "that each analysed language resolves to, and what the output folder holds: corpora, "
        "articles, entities per type, tables and the last run.",
    )
    info.add_argument(
        "--config", type=Path, help="TOML file of settings (for languages and pipelines)"
    )
    add_config_options(info, ("output",))

    show = commands.add_parser(
        "show",
        parents=[common],
        help="look up an entity or an article by id or name",
        description="Look up an entity (by entity_id, name or alias) or an article (by "
        "article_id or title) in an output folder. One match prints its details (an entity's "
        "type, aliases, mention count and articles; an article's title, date, language and "
        "entities); several print a list. Exit 1 when nothing matches.",
    )
    show.add_argument("query", metavar="ID_OR_NAME", help="entity_id, article_id, name or title")
    show.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_SHOW_LIMIT,
        help=f"most articles or matches listed (default: {DEFAULT_SHOW_LIMIT})",
    )
    add_config_options(show, ("output",))

    entities = commands.add_parser(
        "entities",
        parents=[common],
        help="list the entities of one type with their mention counts",
        description="List the entities of one type in an output folder, most mentioned first.",
    )
    entities.add_argument(
        "--type",
        dest="entity_type",
        required=True,
        help="entity type: person, organization, city, country or technology",
    )
    entities.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIST_LIMIT,
        help=f"most entities listed, 0 for all (default: {DEFAULT_LIST_LIMIT})",
    )
    add_config_options(entities, ("output",))
    return parser


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None, prog: str = "pressintel") -> int:
    """Parse the arguments, run the command, and turn its exceptions into an exit code."""
    parser = build_parser(prog)
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "bench":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.bench_args = [*args.bench_args, *extra]
    setup_logging(args)
    try:
        return COMMANDS[args.command](args)
    except PipelineError as exc:
        code, prefix = next((c, p) for cls, c, p in EXIT_CODES if isinstance(exc, cls))
        print(f"{prefix}{exc}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the process boundary: one line, not a traceback
        if args.verbose:
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc} "
            "(a bug or an unhandled case; --verbose shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_BUG


def setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger().setLevel(level)


# --------------------------------------------------------------------------- commands


def command_run(args: argparse.Namespace) -> int:
    config = config_from(args)
    from pipeline import runner  # heavy imports (spaCy) only once the arguments are valid

    def finish(summary: Summary) -> None:
        """The summary, then the report: still under the run's lock of the output folder, so
        that no other run replaces the tables the report describes."""
        if not args.quiet:
            print_summary(summary, config.output)
        if not args.report:
            return
        if summary.tables_rebuilt or not report_is_current(config.output):
            try:
                written = write_report(config.output, config.csv_delimiter, config.csv_bom)
            except BaseException:
                drop_stale_report(config.output)
                raise
            if not args.quiet:
                print(f"report in:       {written['report']}")
        elif not args.quiet:
            print(f"report in:       {config.output / 'report.html'} (unchanged)")

    summary = runner.run(config, rebuild=args.rebuild, then=finish)
    stale = (config.output / "report.html").exists() and not report_is_current(config.output)
    if not args.report and stale:
        log.warning("report.html and tables.xlsx describe an older run: `report` writes them anew")
    if args.strict and (summary.problems or summary.no_articles):
        return EXIT_STRICT
    return EXIT_OK


def command_stage(args: argparse.Namespace) -> int:
    """One stage on its own (`python -m pipeline extract`): the same code `run` chains."""
    config = config_from(args)
    from pipeline import runner

    summary = runner.run_stages(config, (args.command,))
    if not args.quiet:
        if args.command == "tables":
            print_summary(summary, config.output)
        else:
            print_stage(summary, args.command, config.output)
    return EXIT_OK


def print_stage(summary: Summary, stage: str, output: Path) -> None:
    """What one stage did, in a line or two."""
    done = {
        "ingest": f"{summary.files_seen} files seen ({summary.files_read} read, "
        f"{summary.files_unchanged} unchanged)",
        "extract": f"{summary.articles_extracted} articles extracted",
        "link": f"{summary.articles_linked} articles linked",
    }.get(stage, "done")
    print(f"{stage}: {done} in {summary.stage_seconds.get(stage, 0.0):.1f} s; store in {output}")
    for warning in summary.warnings:
        print(f"warning:         {warning}")


def report_is_current(output: Path) -> bool:
    """report.html and tables.xlsx exist and are newer than the run they describe."""
    from pipeline import report, workbook

    manifest = output / "run.json"
    files = [output / report.REPORT_FILE, output / workbook.WORKBOOK_FILE]
    if not manifest.exists() or not all(f.exists() for f in files):
        return False
    return all(f.stat().st_mtime_ns >= manifest.stat().st_mtime_ns for f in files)


def drop_stale_report(output: Path) -> None:
    """Remove a report and workbook older than the tables (after the report step failed), so
    that no report of an earlier run looks current."""
    from pipeline import report, workbook

    if not report_is_current(output):
        for name in (report.REPORT_FILE, workbook.WORKBOOK_FILE):
            (output / name).unlink(missing_ok=True)
        log.warning("report.html and tables.xlsx removed: they described an earlier run")


def write_report(output: Path, delimiter: str, bom: bool) -> dict[str, Path]:
    from pipeline import report

    return report.run(output, delimiter=delimiter, bom=bom)


def command_report(args: argparse.Namespace) -> int:
    from pipeline import locking, report

    output = args.output or Config.output
    recorded_delimiter, recorded_bom = report.csv_settings(output)
    delimiter = args.csv_delimiter or recorded_delimiter
    bom = recorded_bom if args.csv_bom is None else args.csv_bom
    # Under the output folder's lock, so that no run replaces the tables the report describes
    # (a folder that does not exist has no tables: InputError, and it is not created).
    with locking.OutputLock(output) if output.is_dir() else contextlib.nullcontext():
        written = write_report(output, delimiter, bom)
    for path in written.values():
        if not args.quiet:
            print(path)
    return EXIT_OK


def command_eval(args: argparse.Namespace) -> int:
    import json

    from pipeline import evaluate

    output = args.output or Config.output
    for path in (args.gold, *([args.floors] if args.floors else [])):
        if not path.is_file():
            raise InputError(f"{path} does not exist or is not a file")
    if not (output / "articles.csv").is_file():
        raise InputError(f"{output} holds no tables: run the pipeline first")
    try:
        scores = evaluate.score(output, args.gold)
        floors = json.loads(args.floors.read_text(encoding="utf-8")) if args.floors else {}
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot score {output} against {args.gold}: {exc!r}") from exc
    lines, failed = evaluate.score_table(scores, floors)
    print("\n".join(lines))
    if failed:
        print(f"below floor: {', '.join(failed)}", file=sys.stderr)
        return EXIT_NEGATIVE
    return EXIT_OK


def benchmark_script(roots: Iterable[Path] | None = None) -> Path:
    """benchmarks/bench.py of the source checkout this package runs from (or of the working
    folder); InputError when neither has one, as in an installed package."""
    if roots is None:
        roots = (Path(__file__).resolve().parent.parent, Path.cwd())
    looked = list(dict.fromkeys(root / "benchmarks" / "bench.py" for root in roots))
    for script in looked:
        if script.is_file():
            return script
    raise InputError(
        "no benchmark here: it is a tool of the source repository (benchmarks/bench.py), not "
        f"part of the installed package; looked for {', '.join(str(p) for p in looked)}"
    )


def command_bench(args: argparse.Namespace) -> int:
    script = benchmark_script()
    command = [sys.executable, str(script), *args.bench_args]
    log.info("running %s", " ".join(command))
    return subprocess.run(command, cwd=script.parent.parent, check=False).returncode


def command_info(args: argparse.Namespace) -> int:
    import spacy

    from pipeline import extract, runner

    config = config_from(args)
    print(f"pressintel-pipeline {__version__} (Python {sys.version.split()[0]})")
    print(f"spaCy               {spacy.about.__version__}")
    libraries = ", ".join(f"{k} {v}" for k, v in runner.library_versions().items() if k != "spacy")
    print(f"libraries           {libraries}")
    print(f"languages analysed  {', '.join(config.languages)}")
    for lang in config.languages:
        candidate, version = extract.installed_candidate(config.pipelines[lang])
        found = f"{candidate} {version}".strip() if candidate else "none: rule components only"
        print(f"pipeline {lang:<10} {found}  (candidates: {', '.join(config.pipelines[lang])})")
    print_output_info(config.output)
    return EXIT_OK


def print_output_info(output: Path) -> None:
    from pipeline import report

    manifest = report.read_manifest(output)
    if not manifest:
        state = "no run yet" if not output.exists() else "no completed run (no run.json)"
        print(f"output              {output} ({state})")
        return
    summary = manifest.get("summary", {})
    print(f"output              {output}")
    print(
        f"  last run          {manifest.get('finished_at', '?')} "
        f"(pipeline {manifest.get('pipeline_version', '?')})"
    )
    corpora = manifest.get("corpora") or [manifest.get("corpus", "?")]
    print(f"  corpora           {', '.join(str(c) for c in corpora)}")
    languages = ", ".join(f"{k}={v}" for k, v in summary.get("languages", {}).items())
    print(f"  articles          {summary.get('articles', '?')} ({languages or 'none'})")
    entities = ", ".join(f"{k}={v}" for k, v in summary.get("entities", {}).items())
    print(f"  entities          {entities or 'none'}")
    print(f"  mentions          {summary.get('mentions', '?')}")
    print(f"  problems          {summary.get('problems', '?')}")
    tables = ", ".join(f"{k} {v}" for k, v in sorted(manifest.get("tables", {}).items()))
    print(f"  table rows        {tables}")
    state = "current" if report_is_current(output) else "missing or older than the tables"
    print(f"  report            {output / report.REPORT_FILE} ({state})")


def read_output(output: Path) -> dict[str, pd.DataFrame]:
    from pipeline import report

    delimiter, bom = report.csv_settings(output)
    return report.read_tables(output, delimiter=delimiter, bom=bom)


def count_column(frame: pd.DataFrame) -> str:
    """The per-pair mention count of article_entities (`n_mentions`; `mentions` before)."""
    return "n_mentions" if "n_mentions" in frame.columns else "mentions"


def command_show(args: argparse.Namespace) -> int:
    from pipeline.report import display_text

    tables = read_output(args.output or Config.output)
    entities, articles = tables["entities"], tables["articles"]
    query = args.query.strip()
    if (entities["entity_id"] == query).any():
        show_entity(tables, entities[entities["entity_id"] == query].iloc[0], args.limit)
        return EXIT_OK
    if (articles["article_id"] == query).any():
        show_article(tables, articles[articles["article_id"] == query].iloc[0])
        return EXIT_OK
    key = query.casefold()
    names = entities["name"].map(lambda v: display_text(v).casefold())
    aliases = entities["aliases"].map(
        lambda v: {display_text(a).casefold() for a in v.split("|") if a}
    )
    found = entities[(names == key) | aliases.map(lambda forms: key in forms)]
    if found.empty:
        found = entities[names.str.contains(key, regex=False)]
    titles = articles[articles["title"].map(lambda v: key in display_text(v).casefold())]
    if len(found) + len(titles) == 0:
        raise NotFoundError(
            f"no entity or article matches {query!r} in {args.output or Config.output}"
        )
    if len(found) == 1 and titles.empty:
        show_entity(tables, found.iloc[0], args.limit)
    elif found.empty and len(titles) == 1:
        show_article(tables, titles.iloc[0])
    else:
        print(f"{len(found)} entities and {len(titles)} articles match {query!r}:")
        ranked = found.assign(n=found["n_mentions"].astype(int)).sort_values(
            ["n", "name"], ascending=[False, True]
        )
        for row in ranked.head(args.limit).itertuples():
            print(f"  {row.entity_id}  {row.entity_type:<12} {display_text(row.name)} ({row.n})")
        for row in titles.sort_values(["published", "article_id"]).head(args.limit).itertuples():
            print(f"  {row.article_id}  {row.published or 'no date':<10} {display_text(row.title)}")
    return EXIT_OK


def show_entity(tables: dict[str, pd.DataFrame], entity: pd.Series[Any], limit: int) -> None:
    from pipeline.report import display_text

    links, articles = tables["article_entities"], tables["articles"]
    print(f"entity_id    {entity['entity_id']}")
    print(f"type         {entity['entity_type']}")
    print(f"name         {display_text(entity['name'])}")
    aliases = [display_text(a) for a in entity["aliases"].split("|") if a]
    print(f"aliases      {' | '.join(aliases) or '-'}")
    print(f"mentions     {entity['n_mentions']} in {entity['n_articles']} article(s)")
    view = tables.get(TYPE_VIEWS.get(entity["entity_type"], ""))
    if view is not None:  # the type's own columns (people: roles, affiliation)
        own = view[view["entity_id"] == entity["entity_id"]]
        for column in [c for c in view.columns if c not in tables["entities"].columns]:
            if not own.empty and own.iloc[0][column]:
                print(f"{column:<12} {display_text(own.iloc[0][column]).replace('|', ' | ')}")
    mine = links[links["entity_id"] == entity["entity_id"]]
    rows = mine.merge(articles, on="article_id", how="left").sort_values(
        ["published", "article_id"]
    )
    print(f"articles     {len(rows)}" + (f" (first {limit})" if len(rows) > limit else ""))
    counts = count_column(links)
    for row in rows.head(limit).itertuples():
        print(
            f"  {row.published or 'no date':<10}  {row.article_id}  "
            f"{display_text(str(row.title))} ({getattr(row, counts)})"
        )


#: The per-type table (a view of entities.csv) whose extra columns `show` prints.
TYPE_VIEWS = {"person": "people", "organization": "organizations", "city": "cities"}


def show_article(tables: dict[str, pd.DataFrame], article: pd.Series[Any]) -> None:
    from pipeline.report import display_text

    links, entities = tables["article_entities"], tables["entities"]
    print(f"article_id   {article['article_id']}")
    print(f"title        {display_text(article['title'])}")
    print(f"published    {article['published'] or '-'}")
    print(f"language     {article['language']} ({article['status']})")
    print(f"source_path  {article['source_path'].replace('|', ' | ')}")
    mine = links[links["article_id"] == article["article_id"]].merge(
        entities[["entity_id", "entity_type", "name"]], on="entity_id", how="left"
    )
    counts = count_column(links)
    mine = mine.assign(n=mine[counts].astype(int)).sort_values(
        ["entity_type", "n", "name"], ascending=[True, False, True]
    )
    print(f"entities     {len(mine)}")
    for entity_type, group in mine.groupby("entity_type", sort=True):
        names = ", ".join(f"{display_text(r.name)} ({r.n})" for r in group.itertuples())
        print(f"  {entity_type}: {names}")


def command_entities(args: argparse.Namespace) -> int:
    from pipeline.report import ENTITY_TYPES, display_text

    if args.entity_type not in ENTITY_TYPES:
        raise ConfigError(
            f"--type {args.entity_type!r} is not an entity type; valid: {', '.join(ENTITY_TYPES)}"
        )
    if args.limit < 0:
        raise ConfigError(f"--limit {args.limit} must be 0 (all) or more")
    entities = read_output(args.output or Config.output)["entities"]
    rows = entities[entities["entity_type"] == args.entity_type]
    rows = rows.assign(n=rows["n_mentions"].astype(int)).sort_values(
        ["n", "name"], ascending=[False, True]
    )
    if args.limit:
        rows = rows.head(args.limit)
    print(f"{'n_mentions':>10}  {'n_articles':>10}  {'entity_id':<16}  name")
    for row in rows.itertuples():
        print(f"{row.n:>10}  {row.n_articles:>10}  {row.entity_id:<16}  {display_text(row.name)}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": command_run,
    **dict.fromkeys(STAGE_HELP, command_stage),
    "report": command_report,
    "eval": command_eval,
    "bench": command_bench,
    "info": command_info,
    "show": command_show,
    "entities": command_entities,
}


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
