"""All settings in one typed place, with documented defaults.

Precedence: defaults < TOML config file (key by key) < command-line options.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline import lang
from pipeline.errors import ConfigError

#: Candidate spaCy pipelines per language, from the language profiles (`pipeline.lang`).
DEFAULT_PIPELINES: dict[str, list[str]] = {
    code: list(profile.pipelines) for code, profile in lang.profiles().items()
}


#: Delimiters by name, for command lines where ";" and a tab are awkward to type.
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t"}


@dataclass
class Config:
    """Settings of one run. Every field can be set in a TOML file or on the command line
    (`pipeline.cli` generates one option per field, with the `#:` comment as its help)."""

    #: Folder of articles, read recursively and never written.
    corpus: Path = Path("corpus")
    #: Output folder: the tables, the texts, run.json, the report and the processing store.
    output: Path = Path("outputs")
    #: Force the language of every article (ISO 639-1), instead of detecting it.
    language: str | None = None
    #: Languages that are analysed; others are recorded with status unsupported_language.
    languages: tuple[str, ...] = lang.supported()
    #: Ordered candidate spaCy pipelines per language; the first that loads is used.
    pipelines: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_PIPELINES))
    #: Files larger than this are recorded as too_large and not read.
    max_file_bytes: int = 20_000_000
    #: Extracted texts longer than this (characters) are recorded as text_too_long, not analysed.
    max_text_chars: int = 1_000_000
    #: Articles with fewer words than this get language "und".
    language_min_words: int = 5
    #: A top language below this probability gives "und".
    language_min_score: float = 0.60
    #: Characters of text given to langdetect (a bounded sample keeps it fast).
    language_sample_chars: int = 1000
    #: Seed for every random component (langdetect).
    seed: int = 0
    #: Texts per nlp.pipe batch.
    batch_size: int = 32
    #: Worker processes for extraction (0 = one per core); small jobs run in this process.
    workers: int = 0
    #: Articles per unit of work sent to a worker process or a Dask worker.
    chunk_size: int = 64
    #: Where extraction runs: "local" (this machine) or "dask" (a Dask cluster).
    executor: str = "local"
    #: Dask scheduler address for executor "dask", e.g. "tcp://10.0.0.5:8786".
    scheduler: str | None = None
    #: Also write articles and mentions as partitioned Parquet datasets under parquet/.
    parquet: bool = False
    #: A city the model typed organization or person ("Sale") needs this population.
    gazetteer_min_population: int = 100_000
    #: A gazetteer city with evidence in the sentence (a dateline, "Stadt X", "City of X", a
    #: list of cities, a place preposition) needs this population.
    gazetteer_evidence_min_population: int = 15_000
    #: A gazetteer city without such evidence must be this large (Hamburg, Wien, Peking).
    gazetteer_known_city_population: int = 1_000_000
    #: Zipf frequency (wordfreq) from which a name is a common word of the article's language
    #: ("Gerät", "Nice", "Sale"): such a name is a city only with evidence.
    gazetteer_common_word_zipf: float = 4.0
    #: Zipf frequency (wordfreq) from which a word after a role cue or a given name is a common
    #: word of the article's language or English, not a name ("Gelegenheit", "Executive Member").
    person_common_word_zipf: float = 4.5
    #: Zipf frequency from which a given name is more often a word of the language ("Alter
    #: Hafen"): the given-name rule does not start a person's name with it.
    first_name_common_zipf: float = 5.0
    #: A name the model calls a person is none when its first word (not a given name) is a city
    #: of this population ("Hangzhou City Brain").
    person_city_min_population: int = 100_000
    #: A name the model calls a person is none when a later word of it, read without a genitive
    #: -s, is a city of this population ("Geschenk Hangzhous").
    person_genitive_city_min_population: int = 500_000
    #: Zipf frequency from which a word after a given name makes the model's organization no
    #: person ("Royal Navy", "Davis Cup"; most surnames are rarer).
    person_surname_zipf: float = 3.5
    #: Zipf frequency from which an organization name that the rules built of words this common
    #: only is generic, not a name ("Schule für Kinder", "Military College").
    organization_generic_zipf: float = 4.0
    #: Zipf frequency from which a lone capitalized word with an inflection ending that the model
    #: alone calls a person is a word of the language ("Entwürfe"), not a surname, and dropped.
    lone_person_word_zipf: float = 1.5
    #: HTML documents deeper than this are refused (protects the parser).
    max_html_depth: int = 400
    #: Field delimiter of the CSV tables: "," or ";" (for locales where Excel expects it) or a
    #: tab; also by name: comma, semicolon, tab.
    csv_delimiter: str = ","
    #: Write a UTF-8 byte-order mark so that Excel detects the encoding.
    csv_bom: bool = False
    #: Only files whose path below the corpus (or file name) matches one of these glob patterns.
    include: tuple[str, ...] = ()
    #: Skip files whose path below the corpus (or file name) matches one of these glob patterns.
    exclude: tuple[str, ...] = ()
    #: Skip articles published before this ISO date (YYYY-MM-DD); undated articles are kept.
    since: str | None = None
    #: Show progress bars on a terminal.
    progress: bool = True
    #: When another run holds the output folder: wait for it (True) or stop at once (exit 5).
    wait: bool = False
    #: Compare source files by content hash, not by size and modification time (slower).
    verify: bool = False

    def validate(self) -> Config:
        if self.language is not None and (len(self.language) != 2 or not self.language.isalpha()):
            raise ConfigError(
                f"language={self.language!r} is not an ISO 639-1 code "
                "(two letters, e.g. 'en', 'de')"
            )
        if self.language is not None and self.language not in self.languages:
            raise ConfigError(
                f"language={self.language!r} is not analysed; "
                f"analysed languages: {', '.join(sorted(self.languages))}"
            )
        if self.since is not None:
            try:
                self.since = date.fromisoformat(str(self.since)).isoformat()
            except ValueError as exc:
                raise ConfigError(
                    f"since={self.since!r} is not an ISO date (YYYY-MM-DD, e.g. 2024-01-31)"
                ) from exc
        for code in self.languages:
            if code not in self.pipelines:
                raise ConfigError(
                    f"language {code!r} is analysed but has no pipeline candidates; "
                    f"pipelines are configured for: {sorted(self.pipelines)}"
                )
        self.csv_delimiter = DELIMITER_NAMES.get(self.csv_delimiter, self.csv_delimiter)
        if self.csv_delimiter not in (",", ";", "\t"):
            raise ConfigError(f"csv_delimiter={self.csv_delimiter!r} is not one of ',', ';', '\\t'")
        if self.executor not in ("local", "dask"):
            raise ConfigError(f"executor={self.executor!r} is not one of ['local', 'dask']")
        if self.executor == "dask" and not self.scheduler:
            raise ConfigError("executor 'dask' needs --scheduler, e.g. tcp://host:8786")
        if self.workers < 0:
            raise ConfigError(f"workers={self.workers!r} must be 0 (one per core) or more")
        for name in (
            "max_file_bytes",
            "max_text_chars",
            "batch_size",
            "max_html_depth",
            "language_sample_chars",
            "chunk_size",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name}={getattr(self, name)!r} must be a positive integer")
        if not 0.0 <= self.language_min_score <= 1.0:
            raise ConfigError(f"language_min_score={self.language_min_score!r} must be in [0, 1]")
        return self

    def place_rules(self) -> dict[str, Any]:
        """The settings of the places component (`pi_places`)."""
        return {
            "min_population": self.gazetteer_min_population,
            "evidence_min_population": self.gazetteer_evidence_min_population,
            "known_city_population": self.gazetteer_known_city_population,
            "common_word_zipf": self.gazetteer_common_word_zipf,
        }

    def people_rules(self) -> dict[str, Any]:
        """The settings of the people component (`pi_people`)."""
        return {
            "common_word_zipf": self.person_common_word_zipf,
            "first_name_common_zipf": self.first_name_common_zipf,
            "city_min_population": self.person_city_min_population,
            "genitive_city_min_population": self.person_genitive_city_min_population,
            "surname_zipf": self.person_surname_zipf,
        }

    def organization_rules(self) -> dict[str, Any]:
        """The settings of the organizations component (`pi_organizations`)."""
        return {"generic_zipf": self.organization_generic_zipf}

    def propagation_rules(self) -> dict[str, Any]:
        """The settings of the propagation component (`pi_propagation`), which drops what
        cannot be a person by the people component's rules."""
        return {
            "lone_word_zipf": self.lone_person_word_zipf,
            "city_min_population": self.person_city_min_population,
            "genitive_city_min_population": self.person_genitive_city_min_population,
        }

    def component_rules(self) -> dict[str, dict[str, Any]]:
        """The settings of every rule component that has some, by component name: what
        `pipeline.extract.resolve_pipeline` configures and the extraction fingerprint covers."""
        return {
            "pi_places": self.place_rules(),
            "pi_organizations": self.organization_rules(),
            "pi_people": self.people_rules(),
            "pi_propagation": self.propagation_rules(),
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view, for the run manifest and the processing fingerprint."""
        out = dataclasses.asdict(self)
        out["corpus"] = str(self.corpus)
        out["output"] = str(self.output)
        out["languages"] = list(self.languages)
        out["include"] = list(self.include)
        out["exclude"] = list(self.exclude)
        return out


def load_config(path: Path | None = None, **overrides: Any) -> Config:
    """Build a Config from defaults, an optional TOML file and keyword overrides (None = unset)."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name: f for f in dataclasses.fields(Config)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown config keys {unknown}; valid keys: {sorted(known)}")
    if "pipelines" in values:
        values["pipelines"] = {**DEFAULT_PIPELINES, **values["pipelines"]}
    for key in ("corpus", "output"):
        if key in values:
            values[key] = Path(values[key])
    for key in ("languages", "include", "exclude"):
        if key in values:
            values[key] = tuple(values[key])
    try:
        config = Config(**values)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc
    return config.validate()
