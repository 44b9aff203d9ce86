"""The command set: every command's help, options generated from Config, exit codes of real
processes, `run` writing the report, and `info`, `show`, `entities`, `eval` and `bench` on a
real run over a small folder."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import cli
from pipeline.config import DEFAULT_PIPELINES, Config
from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLD = Path(__file__).resolve().parent / "gold"
COMMANDS = (
    "run",
    "ingest",
    "language",
    "extract",
    "link",
    "tables",
    "report",
    "eval",
    "bench",
    "info",
    "show",
    "entities",
)


def pipeline(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline ARGS` in a real process (this checkout's package)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error line of a failed command; fails on a traceback or several lines."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if " INFO " not in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run (tables and report) over good fixtures and two English sample articles."""
    base = tmp_path_factory.mktemp("cli")
    corpus = base / "in folder"
    shutil.copytree(FIXTURES / "good", corpus / "good")
    (corpus / "en").mkdir()
    for name in ("aarhus_digital_twin.html", "bristol_hydrogen_buses.txt"):
        shutil.copy(ROOT / "corpus" / "en" / name, corpus / "en" / name)
    output = base / "out folder"
    assert cli.main(["run", str(corpus), "--output", str(output), "--quiet"]) == cli.EXIT_OK
    return output


def table(output: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(output / f"{name}.csv", dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- help and options


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = pipeline(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m pipeline {command}")


def test_installed_command_names_itself() -> None:
    script = Path(sys.executable).parent / "pressintel"
    if not script.exists():
        pytest.skip("the package is not installed with its console script here")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [str(script), "run", "--help"], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.startswith("usage: pressintel run")
    top = pipeline("--help").stdout
    assert "pressintel" in top and "python -m pipeline" in top


def test_every_config_field_is_an_option_with_help() -> None:
    run = subparser("run")
    by_dest = {a.dest: a for a in run._actions}
    for field in dataclasses.fields(Config):
        assert field.name in by_dest, f"Config.{field.name} has no option"
        assert by_dest[field.name].help, f"Config.{field.name} has no help"


def sample_value(name: str, kind: str, default: Any, tmp_path: Path) -> tuple[list[str], Any]:
    """A non-default command-line value for a Config field: (arguments, expected value)."""
    special: dict[str, tuple[list[str], Any]] = {
        "language": (["--language", "de"], "de"),
        "languages": (["--languages", "de", "--languages", "en"], ("de", "en")),
        "executor": (["--executor", "dask"], "dask"),
        "scheduler": (["--scheduler", "tcp://127.0.0.1:8786"], "tcp://127.0.0.1:8786"),
        "csv_delimiter": (["--csv-delimiter", "semicolon"], ";"),
        "since": (["--since", "2024-02-29"], "2024-02-29"),
        "language_min_score": (["--language-min-score", "0.75"], 0.75),
        "pipelines": (
            ["--pipelines", "en=en_a,en_b", "--pipelines", "de=de_a"],
            # languages not named keep their default candidates
            {**DEFAULT_PIPELINES, "en": ["en_a", "en_b"], "de": ["de_a"]},
        ),
    }
    if name in special:
        return special[name]
    flag = "--" + name.replace("_", "-")
    if kind == "bool":
        return [flag if not default else "--no-" + flag[2:]], not default
    if kind == "int":
        return [flag, str((default or 0) + 3)], (default or 0) + 3
    if kind == "float":
        return [flag, str((default or 0) + 0.5)], (default or 0) + 0.5
    if kind == "path":
        return [flag, str(tmp_path / name)], tmp_path / name
    if kind == "list":
        return [flag, "a*,b*", flag, "c*"], ("a*", "b*", "c*")
    raise AssertionError(f"no sample value for Config.{name} ({kind}): add one to this test")


def test_every_config_field_is_set_from_the_command_line(tmp_path: Path) -> None:
    argv = ["run", str(tmp_path / "corpus")]
    expected: dict[str, Any] = {"corpus": tmp_path / "corpus"}
    defaults = Config()
    for option in cli.config_options():
        if option.name in cli.POSITIONAL_FIELDS:
            continue
        args, value = sample_value(
            option.name, option.kind, getattr(defaults, option.name), tmp_path
        )
        argv += args
        expected[option.name] = value
    config = cli.config_from(cli.build_parser().parse_args(argv))
    for name, value in expected.items():
        assert getattr(config, name) == value, name
    assert set(expected) == {f.name for f in dataclasses.fields(Config)}


def subparser(name: str) -> Any:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return commands.choices[name]


def test_readme_documents_every_command_and_option() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Command line" in readme
    reference = readme[readme.index("## Command line") :]
    assert "`pressintel`" in reference and "`python -m pipeline`" in reference
    missing = []
    for command in COMMANDS:
        if f"pressintel {command}" not in reference:
            missing.append(command)
        for action in subparser(command)._actions:
            missing += [
                f"{command} {flag}"
                for flag in action.option_strings
                if flag.startswith("--") and flag != "--help" and f"`{flag}" not in reference
            ]
    assert not missing, f"not in README.md's command-line section: {missing}"
    codes = readme[readme.index("## Exit codes") :]
    for code in (
        cli.EXIT_OK,
        cli.EXIT_NEGATIVE,
        cli.EXIT_CONFIG,
        cli.EXIT_INPUT,
        cli.EXIT_OUTPUT,
        cli.EXIT_LOCKED,
        cli.EXIT_REPORT,
        cli.EXIT_BUG,
        cli.EXIT_INTERRUPTED,
    ):
        assert re.search(rf"^\| {code} \|", codes, flags=re.M), code


# --------------------------------------------------------------------------- exit codes


def test_language_that_is_not_analysed_is_refused(tmp_path: Path) -> None:
    result = pipeline("run", str(FIXTURES), "--output", str(tmp_path / "out"), "--language", "es")
    assert result.returncode == cli.EXIT_CONFIG
    line = one_line_error(result)
    assert "'es'" in line and "de, en, fr" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--since", "2024-13-01"], "since='2024-13-01'"),
        (["--batch-size", "0"], "batch_size=0"),
        (["--csv-delimiter", "|"], "csv_delimiter='|'"),
        (["--pipelines", "en"], "LANG=PIPELINE"),
    ],
)
def test_bad_config_values_exit_2_with_one_line(
    tmp_path: Path, args: list[str], named: str
) -> None:
    result = pipeline("run", str(FIXTURES), "--output", str(tmp_path / "out"), *args)
    assert result.returncode == cli.EXIT_CONFIG
    assert named in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_unknown_key_in_config_file_exits_2(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('batch_size = 8\nlanguage_typo = "de"\n', encoding="utf-8")
    result = pipeline("run", str(FIXTURES), "--config", str(settings), "-o", str(tmp_path / "o"))
    assert result.returncode == cli.EXIT_CONFIG
    assert "language_typo" in one_line_error(result)


def test_missing_corpus_exits_3(tmp_path: Path) -> None:
    result = pipeline("run", str(tmp_path / "missing"), "--output", str(tmp_path / "out"))
    assert result.returncode == cli.EXIT_INPUT
    assert "missing" in one_line_error(result)


def test_store_of_another_schema_version_exits_4(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    with sqlite3.connect(output / "store.sqlite") as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    result = pipeline("run", str(FIXTURES / "good"), "--output", str(output), "--no-report")
    assert result.returncode == cli.EXIT_OUTPUT
    assert "schema version 0" in one_line_error(result)


def test_report_and_show_of_a_folder_without_tables_exit_3(tmp_path: Path) -> None:
    for args in (["report"], ["show", "x"], ["entities", "--type", "person"], ["eval", "g.json"]):
        result = pipeline(*args, "--output", str(tmp_path / "nothing"))
        assert result.returncode == cli.EXIT_INPUT, args
        one_line_error(result)


# --------------------------------------------------------------------------- run and report


def test_run_writes_the_report_and_keeps_it_current(
    small_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.report_is_current(small_run)
    report = small_run / "report.html"
    assert "Gintar" not in report.read_text(encoding="utf-8")  # not in this folder
    written = report.stat().st_mtime_ns
    corpus = Path(json.loads((small_run / "run.json").read_text(encoding="utf-8"))["corpus"])
    assert cli.main(["run", str(corpus), "-o", str(small_run)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "(unchanged)" in out and report.stat().st_mtime_ns == written
    (small_run / "tables.xlsx").unlink()  # a stale or missing report is written again
    assert cli.main(["run", str(corpus), "-o", str(small_run), "-q"]) == cli.EXIT_OK
    assert cli.report_is_current(small_run)
    assert capsys.readouterr().out == ""  # --quiet


def test_no_report_writes_the_tables_only(tmp_path: Path) -> None:
    output = tmp_path / "out"
    argv = ["run", str(FIXTURES / "good"), "-o", str(output), "--no-report", "-q"]
    assert cli.main(argv) == cli.EXIT_OK
    assert (output / "articles.csv").exists() and not (output / "report.html").exists()
    result = pipeline("report", "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(output / "report.html"), str(output / "tables.xlsx")]


def test_include_exclude_and_since(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(FIXTURES, corpus / "fx")
    for name in ("aarhus_digital_twin.html", "bristol_hydrogen_buses.txt"):
        shutil.copy(ROOT / "corpus" / "en" / name, corpus / name)
    output = tmp_path / "out"
    base = ["run", str(corpus), "-o", str(output), "--no-report", "-q"]
    assert cli.main([*base, "--exclude", "fx/bad/*", "--include", "*.txt,*.html"]) == 0
    paths = set(table(output, "articles")["source_path"]) | set(
        table(output, "problems")["source_path"]
    )
    assert paths == {
        "aarhus_digital_twin.html",
        "bristol_hydrogen_buses.txt",
        "fx/good/spanish.txt",
        "fx/good/latin1_de.txt",
        "fx/good/utf16_en.txt",
    }
    # articles published before --since are kept with a reason, not analysed; undated ones stay
    assert cli.main([*base, "--since", "2025-06-01", "--exclude", "fx/bad/*"]) == 0
    articles = table(output, "articles").set_index("source_path")
    assert articles.loc["aarhus_digital_twin.html", "status"] == "published_before_since"
    assert articles.loc["bristol_hydrogen_buses.txt", "status"] == "published_before_since"
    assert articles.loc["fx/good/utf16_en.txt", "status"] == "ok"  # 2025-06-02
    problems = table(output, "problems").set_index("source_path")
    assert problems.loc["bristol_hydrogen_buses.txt", "reason"] == "published_before_since"
    assert "2025-03-04" in problems.loc["bristol_hydrogen_buses.txt", "detail"]
    links = table(output, "article_entities")
    assert articles.loc["bristol_hydrogen_buses.txt", "article_id"] not in set(links["article_id"])
    # without the options, the same output holds every file again, analysed
    assert cli.main(base) == 0
    articles = table(output, "articles").set_index("source_path")
    assert articles.loc["bristol_hydrogen_buses.txt", "status"] == "ok"
    assert "fx/bad/empty.txt" in set(table(output, "problems")["source_path"])
    assert articles.loc["bristol_hydrogen_buses.txt", "article_id"] in set(
        table(output, "article_entities")["article_id"]
    )


# --------------------------------------------------------------------------- info, show, entities


def test_info_tells_versions_pipelines_and_what_the_output_holds(small_run: Path) -> None:
    import spacy

    result = pipeline("info", "--output", str(small_run))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"spaCy               {spacy.about.__version__}" in out
    assert re.search(r"^pipeline en +en_core_web_\w+ 3\.", out, flags=re.M), out
    assert re.search(r"^pipeline de +\S+", out, flags=re.M), out
    assert "in folder" in out  # the corpus
    summary = json.loads((small_run / "run.json").read_text(encoding="utf-8"))["summary"]
    assert f"articles          {summary['articles']} " in out
    entities = table(small_run, "entities")
    assert f"person={(entities['entity_type'] == 'person').sum()}" in out
    assert "report.html (current)" in out
    empty = pipeline("info", "--output", str(small_run.parent / "none"))
    assert empty.returncode == 0 and "(no run yet)" in empty.stdout


def test_entities_lists_a_type_by_mentions(small_run: Path) -> None:
    people = table(small_run, "entities").query("entity_type == 'person'")
    result = pipeline("entities", "--type", "person", "--limit", "3", "-o", str(small_run))
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == min(3, len(people))
    counts = [int(r.split()[0]) for r in rows]
    assert counts == sorted(people["n_mentions"].astype(int), reverse=True)[: len(rows)]
    assert all(r.split()[2].startswith("per_") for r in rows)
    everyone = pipeline("entities", "--type", "person", "--limit", "0", "-o", str(small_run))
    assert len(everyone.stdout.splitlines()) == len(people) + 1
    bad = pipeline("entities", "--type", "people", "-o", str(small_run))
    assert bad.returncode == cli.EXIT_CONFIG and "person" in one_line_error(bad)


def test_show_an_entity_by_id_name_and_alias(small_run: Path) -> None:
    entities = table(small_run, "entities")
    person = entities[entities["name"] == "Amara Whitfield"].iloc[0]
    by_id = pipeline("show", person["entity_id"], "-o", str(small_run))
    assert by_id.returncode == 0, by_id.stderr
    assert "type         person" in by_id.stdout
    assert f"mentions     {person['n_mentions']} in {person['n_articles']} article" in by_id.stdout
    assert "Bristol approves 40 hydrogen buses" in by_id.stdout
    assert pipeline("show", "amara whitfield", "-o", str(small_run)).stdout == by_id.stdout
    alias = next(a for a in person["aliases"].split("|") if a != person["name"])
    assert pipeline("show", alias, "-o", str(small_run)).stdout == by_id.stdout


def test_show_an_article_and_a_miss(small_run: Path) -> None:
    articles = table(small_run, "articles").set_index("source_path")
    article_id = articles.loc["en/bristol_hydrogen_buses.txt", "article_id"]
    result = pipeline("show", article_id, "-o", str(small_run))
    assert result.returncode == 0, result.stderr
    assert "published    2025-03-04" in result.stdout
    assert "language     en (ok)" in result.stdout
    assert re.search(r"^  person: .*Amara Whitfield \(\d+\)", result.stdout, flags=re.M)
    missing = pipeline("show", "Nobody Anywhere", "-o", str(small_run))
    assert missing.returncode == cli.EXIT_NEGATIVE
    assert "Nobody Anywhere" in one_line_error(missing)


# --------------------------------------------------------------------------- eval and bench


def test_eval_scores_against_gold_and_floors(small_run: Path, tmp_path: Path) -> None:
    gold = json.loads((GOLD / "corpus_gold.json").read_text(encoding="utf-8"))
    path = "en/bristol_hydrogen_buses.txt"
    gold["articles"] = {path: gold["articles"][path]}
    gold_file = tmp_path / "gold.json"
    gold_file.write_text(json.dumps(gold), encoding="utf-8")
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"en/person": 0.5}), encoding="utf-8")
    passed = pipeline("eval", str(gold_file), "-o", str(small_run), "--floors", str(floors))
    assert passed.returncode == 0, passed.stderr
    assert re.search(r"^en/person +1\.000 +1\.000 +1\.000 .* 0\.50$", passed.stdout, flags=re.M)
    floors.write_text(json.dumps({"en/person": 1.01}), encoding="utf-8")
    failed = pipeline("eval", str(gold_file), "-o", str(small_run), "--floors", str(floors))
    assert failed.returncode == cli.EXIT_NEGATIVE
    assert "below floor: en/person" in failed.stderr
    old = subprocess.run(
        [sys.executable, "-m", "pipeline.evaluate", str(small_run), str(gold_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert old.returncode == 0 and old.stdout == passed.stdout.replace("  0.50", "  ")


def test_bench_runs_the_repository_script_or_says_it_is_absent(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"benchmarks/bench\.py"):
        cli.benchmark_script([tmp_path])
    script = tmp_path / "benchmarks" / "bench.py"
    script.parent.mkdir()
    script.write_text("import sys\nprint(sys.argv[1:])\nraise SystemExit(5)\n", encoding="utf-8")
    assert cli.benchmark_script([tmp_path / "none", tmp_path]) == script
    if (ROOT / "benchmarks" / "bench.py").exists():
        return  # the checkout's own benchmark would run: too long for a test
    absent = pipeline("bench", cwd=ROOT)
    assert absent.returncode == cli.EXIT_INPUT
    assert "not part of the installed package" in one_line_error(absent)
    ran = pipeline("bench", "--", "--scale", "--output", "x", cwd=tmp_path)
    assert ran.returncode == 5
    assert ran.stdout.strip() == "['--scale', '--output', 'x']"


def test_a_report_older_than_the_tables_is_removed_not_left_looking_current(
    small_run: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(small_run, output, symlinks=True)
    cli.drop_stale_report(output)  # current: kept
    assert (output / "report.html").exists() and (output / "tables.xlsx").exists()
    manifest = (output / "run.json").resolve()
    later = (output / "report.html").stat().st_mtime_ns + 10**9
    os.utime(manifest, ns=(later, later))  # the tables of a newer run
    assert not cli.report_is_current(output)
    cli.drop_stale_report(output)
    assert not (output / "report.html").exists() and not (output / "tables.xlsx").exists()
