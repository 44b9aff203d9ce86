"""Bad input gets a clear record, nothing is lost and the good files beside it are processed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import ingest, runner
from pipeline.config import load_config
from pipeline.errors import DocumentError

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "corpus/en/bristol_hydrogen_buses.txt").read_text(encoding="utf-8")


def read(path: Path, **options: object) -> ingest.Article:
    return ingest.read_article(path, path.name, load_config(**options))


def test_truncated_html_still_gives_its_text(tmp_path: Path) -> None:
    page = (ROOT / "corpus/en/aarhus_digital_twin.html").read_text(encoding="utf-8")
    cut = page[: page.index("</article>") - 200] if "</article>" in page else page[:-800]
    path = tmp_path / "truncated.html"
    path.write_text(cut, encoding="utf-8")
    article = read(path)
    assert "Aarhus" in article.text and len(article.text.split()) > 100


def test_deeply_nested_html_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 5000 + "x" + "</div>" * 5000 + "</body></html>")
    with pytest.raises(DocumentError) as caught:
        read(path)
    assert caught.value.reason == "html_too_deep"


def test_entity_expansion_is_not_performed(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    page = (
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY e0 "boom">{entities}]>'
        "<html><body><article><h1>Laughs</h1><p>"
        + "The city of Graz opened a data portal for its residents today. " * 8
        + "&e9;</p></article></body></html>"
    )
    path = tmp_path / "laughs.html"
    path.write_text(page, encoding="utf-8")
    article = read(path)
    assert "boom" not in article.text  # the billion laughs never expand
    assert len(article.text) < 5000


def test_extremely_long_line_and_too_long_text(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Long line\n\n" + ("The mayor of Graz opened a portal. " * 20000), "utf-8")
    assert len(read(path).text) > 600_000
    with pytest.raises(DocumentError) as caught:
        read(path, max_text_chars=100_000)
    assert caught.value.reason == "text_too_long"


def test_permission_denied_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod 000 does not stop a read: refuse it as the OS would.
    path = tmp_path / "secret.txt"
    path.write_text(GOOD, encoding="utf-8")
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DocumentError) as caught:
        read(path)
    assert caught.value.reason == "unreadable"


def test_file_changing_while_read_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.txt"
    path.write_text(GOOD, encoding="utf-8")
    real_open = Path.open

    def append_on_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[arg-type]
        with real_open(self, "a", encoding="utf-8") as writer:  # another process writes
            writer.write("More text arrives.\n")
        return handle

    monkeypatch.setattr(Path, "open", append_on_open)
    with pytest.raises(DocumentError) as caught:
        read(path)
    assert caught.value.reason == "changed_while_reading"


def test_odd_file_names_and_nothing_written_outside_the_output(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    names = ["with space.txt", "Übersicht für Köln.txt", "line\nbreak.txt", "..evil.txt", "-rf.txt"]
    for i, name in enumerate(names):
        (corpus / name).write_text(GOOD.replace("Bristol", f"Bristol{i}"), encoding="utf-8")
    output = tmp_path / "out"
    before = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(output))
    runner.run(load_config(corpus=corpus, output=output))
    after = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(output))
    assert before == after
    articles = pd.read_csv(output / "articles.csv", dtype=str, keep_default_na=False)
    assert set(articles["source_path"]) == set(names) - {"-rf.txt"} | {"'-rf.txt"}


def test_formula_injection_is_neutralized_but_stored_raw(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(
        '=HYPERLINK("http://x.example","click")\n\n' + GOOD, encoding="utf-8"
    )
    output = tmp_path / "out"
    runner.run(load_config(corpus=corpus, output=output))
    articles = pd.read_csv(output / "articles.csv", dtype=str, keep_default_na=False)
    assert articles.iloc[0]["title"].startswith("'=HYPERLINK")
    cities = pd.read_csv(output / "cities.csv")
    assert cities["longitude"].dtype.kind == "f"  # numbers stay numbers (Bristol: -2.59)
    assert (cities["longitude"] < 0).any()
    import sqlite3

    with sqlite3.connect(output / "store.sqlite") as db:
        record = json.loads(db.execute("SELECT record FROM articles").fetchone()[0])
    assert record["title"].startswith("=HYPERLINK")


def test_a_run_without_network_gives_the_same_tables(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(ROOT / "corpus/de", corpus / "de")
    shutil.copytree(ROOT / "corpus/en", corpus / "en", ignore=shutil.ignore_patterns("*.md"))
    guard = tmp_path / "guard"
    guard.mkdir()
    # Any attempt to open a network connection fails the run loudly.
    (guard / "sitecustomize.py").write_text(
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('network access attempted: %r' % (args,))\n"
        "socket.socket.connect = refuse\n"
        "socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n",
        encoding="utf-8",
    )
    outputs = {}
    for name, extra in (("online", {}), ("offline", {"PYTHONPATH": str(guard)})):
        outputs[name] = tmp_path / name
        env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
        command = [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            str(corpus),
            "--output",
            str(outputs[name]),
        ]
        unshare = shutil.which("unshare")
        if (
            name == "offline"
            and unshare
            and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0
        ):
            command = [unshare, "-n", *command]  # no network interface at all
        subprocess.run(command, cwd=ROOT, env={**env, **extra}, check=True, capture_output=True)
    for path in sorted(outputs["online"].glob("*.csv")):
        assert (outputs["offline"] / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_file_name_that_is_not_utf8_is_a_problem_row_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    bad = os.fsdecode(bytes(corpus) + b"/M\xfcnchen.txt")
    Path(bad).write_bytes(b"x\n")
    folder = os.fsdecode(bytes(corpus) + b"/K\xf6ln")
    Path(folder).mkdir()
    (Path(folder) / "inside.txt").write_text(GOOD, encoding="utf-8")
    output = tmp_path / "out"
    summary = runner.run(load_config(corpus=corpus, output=output))
    assert summary.articles == 1
    problems = pd.read_csv(output / "problems.csv", dtype=str, keep_default_na=False)
    assert set(problems["source_path"]) == {"M\\xfcnchen.txt", "K\\xf6ln"}
    assert set(problems["reason"]) == {"undecodable_name"}
    second = runner.run(load_config(corpus=corpus, output=output))  # stays recorded, no work
    assert (second.files_read, second.problems) == (0, 2)


def test_utf8_page_declaring_latin1_is_read_as_utf8_and_recorded(tmp_path: Path) -> None:
    """A UTF-8 page that declares ISO-8859-1 was decoded as Windows-1252: "MÃ¼nchen"."""
    page = tmp_path / "page.html"
    body = GOOD.replace("Bristol", "München")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    page.write_bytes(
        (
            '<html><head><meta charset="iso-8859-1"><title>Stadtwerke München GmbH</title>'
            f"</head><body><article>{paragraphs}</article></body></html>"
        ).encode()
    )
    read = ingest.read_file(page, page.name, load_config())
    assert "Stadtwerke München GmbH" in read.article.text and "Ã" not in read.article.text
    assert read.article.encoding == "utf-8"
    assert [reason for reason, _ in read.notes] == ["encoding_mismatch"]


def test_utf8_text_with_a_stray_windows_1252_byte_is_repaired_and_recorded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mixed.txt"
    text = GOOD.replace("Bristol", "Stadtwerke München GmbH")
    path.write_bytes(text.encode("utf-8") + " Gebühr: 5 \u20ac".encode("cp1252"))
    read = ingest.read_file(path, path.name, load_config())
    assert "Stadtwerke München GmbH" in read.article.text and "Ã" not in read.article.text
    assert read.article.text.endswith("Gebühr: 5 €")
    assert read.notes == [
        ("mixed_encoding", "2 byte(s) not valid UTF-8 in UTF-8 text: read as Windows-1252")
    ]
    plain = tmp_path / "plain.txt"  # all Windows-1252: no problem, decoded as such
    plain.write_bytes(text.encode("cp1252"))
    read = ingest.read_file(plain, plain.name, load_config())
    assert "Stadtwerke München GmbH" in read.article.text and not read.notes


def test_encoding_problems_are_rows_beside_the_article(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    text = GOOD.replace("Bristol", "Stadtwerke München GmbH")
    (corpus / "mixed.txt").write_bytes(text.encode("utf-8") + b" \xfc")
    output = tmp_path / "out"
    summary = runner.run(load_config(corpus=corpus, output=output))
    assert summary.articles == 1 and summary.problem_reasons == {"mixed_encoding": 1}
    problems = pd.read_csv(output / "problems.csv", dtype=str)
    assert list(problems["source_path"]) == ["mixed.txt"]
    entities = pd.read_csv(output / "entities.csv", dtype=str)
    assert not entities["name"].str.contains("Ã").any()
