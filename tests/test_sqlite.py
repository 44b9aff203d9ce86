"""tables.sqlite of the corpus run: keys, indexes, views, full-text search, and datasette."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlite_utils

from pipeline import schema, sqlite_export


@pytest.fixture(scope="module")
def database(corpus_output: Path) -> sqlite_utils.Database:
    path = corpus_output / "tables.sqlite"
    assert path.is_file()
    return sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def test_every_table_has_the_schemas_columns_keys_and_rows(
    database: sqlite_utils.Database, corpus_output: Path
) -> None:
    for table in schema.tables().values():
        handle = database.table(table.name)
        assert handle.exists(), table.name
        assert [c.name for c in handle.columns] == table.column_names, table.name
        if table.primary_key:
            assert handle.pks == list(table.primary_key), table.name
        declared = {(fk.column, fk.other_table, fk.other_column) for fk in handle.foreign_keys}
        assert declared == {(f.column, f.table, f.other_column) for f in table.foreign_keys}
        indexed = {tuple(index.columns) for index in handle.indexes}
        assert set(table.indexes) <= indexed, table.name
        if table.csv:
            frame = pd.read_csv(corpus_output / f"{table.name}.csv", dtype=str)
            assert handle.count == len(frame), table.name
    assert database.table("article_texts").count == database.table("articles").count == 44
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []


def test_values_are_typed_and_empty_cells_null(database: sqlite_utils.Database) -> None:
    city = next(database.query("SELECT * FROM cities WHERE name = 'Aarhus'"))
    assert city["geonames_id"] == 2624652 and isinstance(city["latitude"], float)
    assert city["admin1"] == "18"  # a code stays text
    article = next(database.query("SELECT * FROM articles LIMIT 1"))
    assert isinstance(article["n_words"], int) and isinstance(article["language_score"], float)
    assert article["duplicate_of"] is None
    nulls = database.execute("SELECT count(*) FROM roles WHERE affiliation_id = ''").fetchone()
    assert nulls == (0,)


def test_views_put_names_beside_ids(database: sqlite_utils.Database) -> None:
    assert set(schema.VIEWS) <= set(database.view_names())
    mention = next(
        database.query("SELECT * FROM mentions_named WHERE entity_name = 'Signe Kjærholm' LIMIT 1")
    )
    assert mention["article_title"] and mention["entity_type"] == "person"
    assert mention["found_by"]
    role = next(database.query("SELECT * FROM roles_named WHERE person = 'Grace Okafor'"))
    assert role["role"] == "managing director"
    assert role["affiliation"] == "Severnside Hydrogen Ltd."
    assert role["affiliation_type"] == "organization"
    count = database.execute("SELECT count(*) FROM article_entities_named").fetchone()[0]
    assert count == database.table("article_entities").count
    missing = database.execute(
        "SELECT count(*) FROM article_entities_named WHERE entity_name IS NULL"
        " OR article_title IS NULL"
    ).fetchone()
    assert missing == (0,)


def test_full_text_search_over_texts_and_entity_names(database: sqlite_utils.Database) -> None:
    hits = list(database.table("article_texts").search("Wasserstoffbusse"))
    assert hits and all("Wasserstoffbus" in hit["text"] for hit in hits)
    titles = database.execute(
        "SELECT a.title FROM article_texts_fts AS f"
        " JOIN article_texts AS t ON t.rowid = f.rowid"
        " JOIN articles AS a ON a.article_id = t.article_id"
        " WHERE article_texts_fts MATCH 'hydrogen'"
    ).fetchall()
    assert any("hydrogen" in title.lower() for (title,) in titles)
    names = [row["name"] for row in database.table("entities").search("Kjærholm")]
    assert names == ["Signe Kjærholm"]
    aliases = [row["name"] for row in database.table("entities").search("IoT")]
    assert "Internet of Things" in aliases


def test_an_aborted_database_leaves_nothing(tmp_path: Path) -> None:
    tables = sqlite_export.SqliteTables(tmp_path / sqlite_export.SQLITE_FILE)
    tables.rows("problems", schema.columns("problems"), [("a.txt", "ingest", "empty_file", "")])
    assert list(tmp_path.iterdir())  # the temporary file, under another name
    assert not (tmp_path / sqlite_export.SQLITE_FILE).exists()
    tables.abort()
    assert list(tmp_path.iterdir()) == []
    done = sqlite_export.SqliteTables(tmp_path / sqlite_export.SQLITE_FILE)
    with pytest.raises(ValueError, match="differ from the schema"):
        done.rows("problems", ["source_path", "stage"], [("a.txt", "ingest")])
    done.close()
    assert [p.name for p in tmp_path.iterdir()] == [sqlite_export.SQLITE_FILE]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
        return json.load(response)


def test_datasette_serves_views_and_full_text_search(corpus_output: Path, tmp_path: Path) -> None:
    pytest.importorskip("datasette")
    database = tmp_path / "tables.sqlite"
    database.write_bytes((corpus_output / "tables.sqlite").read_bytes())
    port = free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(database)]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/tables"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_json(f"{base}.json")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "datasette did not start within 60 s"
                time.sleep(0.5)
        query = urllib.parse.urlencode({"person": "Grace Okafor", "_shape": "array"})
        roles = get_json(f"{base}/roles_named.json?{query}")
        assert [r["affiliation"] for r in roles] == ["Severnside Hydrogen Ltd."]
        query = urllib.parse.urlencode({"_search": "hydrogen", "_shape": "array"})
        texts = get_json(f"{base}/article_texts.json?{query}")
        assert texts and all("hydrogen" in row["text"].lower() for row in texts)
        query = urllib.parse.urlencode({"_search": "Kjærholm", "_shape": "array"})
        assert [e["name"] for e in get_json(f"{base}/entities.json?{query}")] == ["Signe Kjærholm"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
