"""The processing store: an SQLite database in the output folder that remembers, per source file
and per article, what was read and what was extracted, under which fingerprint.

A run reads only files that are new or changed (size or modification time) since the store last
saw them, extracts only articles whose stored extraction was made under another fingerprint,
links only articles whose stored links were made under another link fingerprint, and rebuilds
the tables from everything the store holds. Every change is a transaction: a killed run
leaves the store as it was after its last commit, and the next run goes on from there.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputError
from pipeline.records import Article, Extraction, Mention, Problem, Role

log = logging.getLogger(__name__)

STORE_FILE = "store.sqlite"
#: 3: the links table (the link stage's mentions per article).
#: 2: sources carry a content hash; article ids keep letter case (1: lower-cased text).
SCHEMA_VERSION = "3"
#: Schema versions this one replaces by starting over (every file is read again).
SUPERSEDED_VERSIONS = ("1",)
#: Schema versions this one upgrades in place (version 2 lacks the links table: the next link
#: stage fills it).
UPGRADED_VERSIONS = ("2",)
TABLES = ("meta", "sources", "problems", "articles", "extractions", "links")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    corpus TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    article_id TEXT, content_hash TEXT NOT NULL DEFAULT '', PRIMARY KEY (corpus, path));
CREATE TABLE IF NOT EXISTS problems (
    corpus TEXT NOT NULL, path TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL,
    detail TEXT NOT NULL, PRIMARY KEY (corpus, path, stage));
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, record TEXT NOT NULL, language_key TEXT NOT NULL DEFAULT '',
    minhash BLOB);
CREATE TABLE IF NOT EXISTS extractions (
    article_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    article_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sources_article ON sources (article_id);
"""
ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article) if f.name != "source_paths"]


@dataclass(frozen=True)
class ArticleState:
    status: str
    language: str
    duplicate_of: str
    published: str
    language_key: str


@dataclass(frozen=True)
class SourceState:
    size: int
    mtime_ns: int
    article_id: str | None
    content_hash: str = ""


class Store:
    """One SQLite file; use as a context manager. Writes happen inside `transaction()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)  # explicit transactions only
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        found = self.schema_version()
        if found in SUPERSEDED_VERSIONS:
            log.warning("store %s is from an older version: every file is read again", path)
            for table in TABLES:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            found = None
        elif found not in (None, SCHEMA_VERSION, *UPGRADED_VERSIONS):
            self.db.close()
            raise OutputError(
                f"store {path} has schema version {found}, this version of the pipeline reads "
                f"{SCHEMA_VERSION}: use another output folder, or delete {path.name} to start over"
            )
        self.db.executescript(SCHEMA)
        if found != SCHEMA_VERSION:
            self.set_meta("schema_version", SCHEMA_VERSION)

    def schema_version(self) -> str | None:
        """The schema version the file was written with (None for a new, empty file)."""
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        if self.db.execute(exists).fetchone() is None:
            return None
        return self.get_meta("schema_version")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- sources and problems --------------------------------------------------------------
    def sources(self, corpus: str) -> dict[str, SourceState]:
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, article_id, content_hash FROM sources WHERE corpus = ?",
            (corpus,),
        )
        return {path: SourceState(size, mtime, aid, h) for path, size, mtime, aid, h in rows}

    def put_source(
        self,
        corpus: str,
        path: str,
        size: int,
        mtime_ns: int,
        article_id: str | None,
        content_hash: str = "",
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?)",
            (corpus, path, size, mtime_ns, article_id, content_hash),
        )

    def forget_corpus(self, corpus: str) -> None:
        """Every source and problem of a corpus folder (its articles become orphans unless
        another folder holds them)."""
        self.db.execute("DELETE FROM sources WHERE corpus = ?", (corpus,))
        self.db.execute("DELETE FROM problems WHERE corpus = ?", (corpus,))

    def forget_sources(self, corpus: str, paths: Iterable[str]) -> None:
        for path in paths:
            self.db.execute("DELETE FROM sources WHERE corpus = ? AND path = ?", (corpus, path))
            self.db.execute("DELETE FROM problems WHERE corpus = ? AND path = ?", (corpus, path))

    def put_problem(self, corpus: str, problem: Problem) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO problems VALUES (?, ?, ?, ?, ?)",
            (corpus, problem.source_path, problem.stage, problem.reason, problem.detail),
        )

    def clear_problems(self, corpus: str, path: str, stage: str) -> None:
        self.db.execute(
            "DELETE FROM problems WHERE corpus = ? AND path = ? AND stage = ?",
            (corpus, path, stage),
        )

    def corpus_order(self) -> list[str]:
        """Corpus folders in the order they were first run into this store (the first folder
        keeps the original of near-duplicate copies on equal dates)."""
        order = json.loads(self.get_meta("corpus_order") or "[]")
        known = set(self.corpora())
        return [c for c in order if c in known] + sorted(known - set(order))

    def add_corpus(self, corpus: str) -> None:
        order = self.corpus_order()
        if corpus not in order:
            self.set_meta("corpus_order", json.dumps([*order, corpus], ensure_ascii=False))

    def corpora(self) -> list[str]:
        rows = self.db.execute(
            "SELECT corpus FROM sources UNION SELECT corpus FROM problems ORDER BY 1"
        )
        return [str(r[0]) for r in rows]

    def problems(self) -> list[tuple[str, Problem]]:
        rows = self.db.execute(
            "SELECT corpus, path, stage, reason, detail FROM problems ORDER BY 1, 2, 3"
        )
        return [(c, Problem(p, s, r, d)) for c, p, s, r, d in rows]

    def source_paths(self) -> dict[str, list[tuple[str, str]]]:
        """article_id -> [(corpus, path)] of every file that holds it."""
        out: dict[str, list[tuple[str, str]]] = {}
        rows = self.db.execute(
            "SELECT article_id, corpus, path FROM sources WHERE article_id IS NOT NULL "
            "ORDER BY 1, 2, 3"
        )
        for article_id, corpus, path in rows:
            out.setdefault(article_id, []).append((corpus, path))
        return out

    # --- articles --------------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        query = "SELECT 1 FROM articles WHERE article_id = ?"
        return self.db.execute(query, (article_id,)).fetchone() is not None

    def put_article(self, article: Article, language_key: str = "") -> None:
        record = {name: getattr(article, name) for name in ARTICLE_FIELDS}
        self.db.execute(
            "INSERT INTO articles (article_id, record, language_key) VALUES (?, ?, ?) "
            "ON CONFLICT (article_id) DO UPDATE SET record = excluded.record, "
            "language_key = excluded.language_key",
            (article.article_id, json.dumps(record, ensure_ascii=False), language_key),
        )

    def chunks(self, size: int) -> Iterator[list[tuple[Article, Extraction | None]]]:
        """Every article with its extraction (None where there is none), in article-id order,
        `size` at a time: what the tables are built from, without holding it all."""
        rows = self.db.execute(
            "SELECT a.record, e.data FROM articles a LEFT JOIN extractions e USING (article_id) "
            "ORDER BY a.article_id"
        )
        try:
            while batch := rows.fetchmany(size):
                yield [
                    (
                        Article(source_paths=[], **json.loads(record)),
                        None if data is None else extraction_from_json(data),
                    )
                    for record, data in batch
                ]
        finally:
            rows.close()

    def article_index(self) -> dict[str, ArticleState]:
        """What the run decides on, per article, without loading texts."""
        rows = self.db.execute(
            "SELECT article_id, json_extract(record, '$.status'), "
            "json_extract(record, '$.language'), json_extract(record, '$.duplicate_of'), "
            "json_extract(record, '$.published'), language_key FROM articles ORDER BY article_id"
        )
        return {r[0]: ArticleState(*r[1:]) for r in rows}

    def load_articles(self, article_ids: Iterable[str]) -> list[tuple[Article, str]]:
        out = []
        for article_id in article_ids:
            row = self.db.execute(
                "SELECT record, language_key FROM articles WHERE article_id = ?", (article_id,)
            ).fetchone()
            if row is not None:
                out.append((Article(source_paths=[], **json.loads(row[0])), str(row[1])))
        return out

    def set_duplicate_of(self, article_id: str, duplicate_of: str) -> None:
        self.db.execute(
            "UPDATE articles SET record = json_set(record, '$.duplicate_of', ?) "
            "WHERE article_id = ?",
            (duplicate_of, article_id),
        )

    def minhashes(self) -> dict[str, bytes]:
        rows = self.db.execute("SELECT article_id, minhash FROM articles WHERE minhash NOT NULL")
        return {aid: bytes(blob) for aid, blob in rows}

    def put_minhash(self, article_id: str, signature: bytes) -> None:
        self.db.execute(
            "UPDATE articles SET minhash = ? WHERE article_id = ?", (signature, article_id)
        )

    def drop_orphans(self) -> int:
        """Remove articles (and their extractions and links) that no source file holds any
        more."""
        orphan = "article_id NOT IN (SELECT article_id FROM sources WHERE article_id NOT NULL)"
        self.db.execute(f"DELETE FROM extractions WHERE {orphan}")
        self.db.execute(f"DELETE FROM links WHERE {orphan}")
        return self.db.execute(f"DELETE FROM articles WHERE {orphan}").rowcount

    # --- extractions -----------------------------------------------------------------------
    def extraction_fingerprints(self) -> dict[str, str]:
        rows = self.db.execute("SELECT article_id, fingerprint FROM extractions")
        return dict(rows.fetchall())

    def put_extraction(self, extraction: Extraction, fingerprint: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?)",
            (
                extraction.article_id,
                fingerprint,
                extraction_to_json(extraction),
            ),
        )

    def forget_extractions(self) -> None:
        self.db.execute("DELETE FROM extractions")
        self.db.execute("DELETE FROM links")
        self.db.execute("UPDATE articles SET language_key = ''")

    def extractions(self, size: int) -> Iterator[Extraction]:
        """Every stored extraction, in article-id order, read `size` at a time."""
        rows = self.db.execute("SELECT data FROM extractions ORDER BY article_id")
        try:
            while batch := rows.fetchmany(size):
                yield from (extraction_from_json(data) for (data,) in batch)
        finally:
            rows.close()

    def load_extractions(self, article_ids: Iterable[str]) -> list[tuple[Article, Extraction]]:
        """The articles and their extractions (those that have one), in the order given."""
        out = []
        for article_id in article_ids:
            row = self.db.execute(
                "SELECT a.record, e.data FROM articles a JOIN extractions e USING (article_id) "
                "WHERE article_id = ?",
                (article_id,),
            ).fetchone()
            if row is not None:
                article = Article(source_paths=[], **json.loads(row[0]))
                out.append((article, extraction_from_json(row[1])))
        return out

    # --- links -----------------------------------------------------------------------------
    def link_fingerprints(self) -> dict[str, str]:
        rows = self.db.execute("SELECT article_id, fingerprint FROM links")
        return dict(rows.fetchall())

    def put_links(self, article_id: str, fingerprint: str, mentions: list[Mention]) -> None:
        """The mentions the link stage found in an article (none is a result too)."""
        data = json.dumps([vars(m) for m in mentions], ensure_ascii=False)
        self.db.execute(
            "INSERT OR REPLACE INTO links VALUES (?, ?, ?)", (article_id, fingerprint, data)
        )

    def forget_links(self, article_ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM links WHERE article_id = ?", ((a,) for a in article_ids))

    def links(self, article_ids: Iterable[str]) -> dict[str, list[Mention]]:
        """The linked mentions of articles (article_id -> mentions; absent: none stored)."""
        out: dict[str, list[Mention]] = {}
        for article_id in article_ids:
            row = self.db.execute(
                "SELECT data FROM links WHERE article_id = ?", (article_id,)
            ).fetchone()
            if row is not None:
                out[article_id] = [Mention(**m) for m in json.loads(row[0])]
        return out


def extraction_to_json(extraction: Extraction) -> str:
    """The extraction as JSON: dataclasses.asdict's output, without its deep copies (which
    cost more than the encoding)."""
    data = {
        **vars(extraction),
        "mentions": [vars(m) for m in extraction.mentions],
        "roles": [vars(r) for r in extraction.roles],
    }
    return json.dumps(data, ensure_ascii=False)


def extraction_from_json(text: str) -> Extraction:
    data = json.loads(text)
    return Extraction(
        article_id=data["article_id"],
        mentions=[Mention(**m) for m in data["mentions"]],
        roles=[Role(**r) for r in data["roles"]],
        sentences=[(s[0], s[1]) for s in data["sentences"]],
        candidates=[(c[0], c[1], c[2], c[3]) for c in data["candidates"]],
    )
