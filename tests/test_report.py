"""The reporting stage over a real run of corpus/: report.html in a real browser, tables.xlsx."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from synthetic_output import write_synthetic_output

from pipeline import cli, report
from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def copy_run(source: Path, target: Path) -> Path:
    """The CSV tables, run.json and texts of a run, copied so that a test can write beside them."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*source.glob("*.csv"), source / "run.json"]:
        shutil.copy2(path, target / path.name)
    if (source / "texts").is_dir():
        shutil.copytree(source / "texts", target / "texts", dirs_exist_ok=True)
    return target


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def reported(corpus_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus run with report.html and tables.xlsx written into it."""
    folder = copy_run(corpus_output, tmp_path_factory.mktemp("report"))
    written = report.run(folder)
    assert written == {"report": folder / "report.html", "workbook": folder / "tables.xlsx"}
    return folder


# --------------------------------------------------------------------------- files


def test_run_writes_both_files_atomically(reported: Path) -> None:
    assert (reported / "report.html").stat().st_size > 500_000  # the Vega bundle is inside
    assert (reported / "tables.xlsx").stat().st_size > 10_000
    assert not list(reported.glob(".*.tmp")), "temporary files left behind"


def readme_recipes() -> list[str]:
    """The Python blocks of the README's recipes section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Recipes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_readme_recipes_run_on_a_real_output(
    corpus_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_run(corpus_output, tmp_path / "outputs")
    monkeypatch.chdir(tmp_path)
    recipes = readme_recipes()
    assert len(recipes) >= 4
    namespace: dict[str, Any] = {}
    ran = 0
    for code in recipes:
        if "import duckdb" in code and importlib.util.find_spec("duckdb") is None:
            continue  # DuckDB is not a dependency of the project
        exec(compile(code, "README.md", "exec"), namespace)
        ran += 1
    assert ran >= 3
    top3, people, pairs = namespace["top3"], namespace["people"], namespace["person_org"]
    assert {"person", "organization", "city", "technology"} <= set(top3["entity_type"])
    assert (top3.groupby(["entity_type", "month"]).size() <= 3).all()
    copenhagen = top3[(top3["name"] == "Copenhagen")]
    assert len(copenhagen) >= 1
    roles = read_csv(corpus_output / "roles.csv")
    assert len(people) == len(roles)
    assert people["organization"].notna().sum() >= 5  # stated affiliations, canonical names
    assert len(pairs) > 0 and pairs["n_articles"].is_monotonic_decreasing
    assert {"person", "organization"} == set(namespace["pairs"].loc[pairs.index, "type_a"]) | set(
        namespace["pairs"].loc[pairs.index, "type_b"]
    )


def test_extra_tables_and_columns_and_formula_text(corpus_output: Path, tmp_path: Path) -> None:
    folder = copy_run(corpus_output, tmp_path / "run")
    entities = read_csv(folder / "entities.csv")
    entities["review_note"] = '=HYPERLINK("http://example.invalid")'
    entities.to_csv(folder / "entities.csv", index=False)
    pd.DataFrame(
        {
            "label": ["+SUM(A1:A2)", "@cmd", "plain"],
            "score": ["1.5", "2", ""],
            "count": ["3", "", "4"],
        }
    ).to_csv(folder / "a_very_long_table_name_for_a_new_stage_output.csv", index=False)
    report.run(folder)
    workbook = openpyxl.load_workbook(folder / "tables.xlsx")
    extra = workbook["a_very_long_table_name_for_a_ne"]  # cut to Excel's 31 characters
    values = list(extra.iter_rows(min_row=2, values_only=True))
    assert values == [("'+SUM(A1:A2)", 1.5, 3), ("'@cmd", 2, None), ("plain", None, 4)]
    sheet = workbook["entities"]
    assert sheet.cell(1, sheet.max_column).value == "review_note"
    note = sheet.cell(2, sheet.max_column)
    assert note.data_type == "s"
    assert note.value == '\'=HYPERLINK("http://example.invalid")'
    dictionary = list(workbook["data_dictionary"].iter_rows(values_only=True))
    assert ("entities", "review_note", "text", "(not documented)") in {
        (r[0], r[4], r[5], r[6]) for r in dictionary
    }
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="report-lists"' in html and "HYPERLINK" not in html


def test_same_tables_give_the_same_bytes_whatever_the_csv_dialect(
    reported: Path, tmp_path: Path
) -> None:
    again = copy_run(reported, tmp_path / "again")
    report.run(again)
    for name in ("report.html", "tables.xlsx"):
        assert (again / name).read_bytes() == (reported / name).read_bytes(), name
    excel = copy_run(reported, tmp_path / "excel")
    for path in excel.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
        path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    with pytest.raises(InputError, match="delimiter ','"):
        report.run(excel)  # read as ',' the tables have one column each
    assert 'content="failed"' in (excel / "report.html").read_text(encoding="utf-8")
    assert not (excel / "tables.xlsx").exists()
    report.run(excel, delimiter=";", bom=True)
    for name in ("report.html", "tables.xlsx"):
        assert (excel / name).read_bytes() == (reported / name).read_bytes(), name


def test_report_html_embeds_everything(reported: Path) -> None:
    html = (reported / "report.html").read_text(encoding="utf-8")

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.references: list[tuple[str, str, str]] = []
            self.scripts = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.scripts += tag == "script"
            for name, value in attrs:
                if name in {"src", "href", "data", "action", "srcset", "poster"} and value:
                    self.references.append((tag, name, value))

    parser = Links()
    parser.feed(html)
    external = [r for r in parser.references if not r[2].startswith("#")]
    assert external == [], external
    assert parser.scripts >= 8  # the bundle, one spec per chart, the page script
    assert "<link" not in html
    assert "window.vegaEmbed" in html  # the Vega bundle is inline
    assert '"type":"topojson"' in html and '"arcs":' in html  # the country outlines are inline
    assert not re.search(r"\b(url|href)\s*:\s*\"https?://", html)  # no spec loads a URL
    page = html.split("</script>", 1)[1]  # after the Vega bundle (which has dates in its code)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", page), "a timestamp in the page"


# --------------------------------------------------------------------------- what the report says


def counted_links(folder: Path) -> pd.DataFrame:
    """(article, entity) pairs of the counted articles, joined here from the CSVs by hand."""
    articles = read_csv(folder / "articles.csv")
    entities = read_csv(folder / "entities.csv")
    links = read_csv(folder / "article_entities.csv")
    count = links["n_mentions"] if "n_mentions" in links.columns else links["mentions"]
    counted = articles[(articles["status"] == "ok") & (articles["duplicate_of"] == "")]
    frame = links.assign(n=count.astype(int))[["article_id", "entity_id", "n"]]
    frame = frame.merge(counted[["article_id", "language", "published"]], on="article_id")
    return frame.merge(entities[["entity_id", "entity_type", "name"]], on="entity_id")


def expected_top(
    links: pd.DataFrame, entity_type: str, language: str = "all", period: str = "all"
) -> list[str]:
    """The names a top list should show: most articles, then most mentions, then the name."""
    rows = links[links["entity_type"] == entity_type]
    if language != "all":
        rows = rows[rows["language"] == language]
    if "-Q" in period:
        quarter = rows["published"].str[5:7].map(lambda m: f"Q{(int(m) - 1) // 3 + 1}" if m else "")
        rows = rows[(rows["published"].str[:4] + "-" + quarter) == period]
    elif period != "all":
        rows = rows[rows["published"].str[:4] == period]
    totals = rows.groupby(["entity_id", "name"], as_index=False).agg(
        a=("article_id", "nunique"), m=("n", "sum")
    )
    ranked = totals.sort_values(
        ["a", "m", "name", "entity_id"], ascending=[False, False, True, True]
    )
    return list(ranked.head(report.TOP_ENTITIES)["name"])


def test_top_lists_break_ties_by_mentions_for_every_language_and_period(reported: Path) -> None:
    tables = report.read_report_tables(reported)
    links = report.entity_links(tables["articles"], tables["entities"], tables["article_entities"])
    frame, periods, languages = report.top_frame(links)
    assert languages == ["all", "de", "en", "fr"]
    keys = [p.key for p in periods]
    assert keys[0] == "all" and {"2024", "2025", "2025-Q3"} <= set(keys)
    mine = counted_links(reported)
    for period in keys:
        for language in languages:
            for entity_type in report.TOP_TYPES:
                shown = frame[
                    (frame["period"] == period)
                    & (frame["language"] == language)
                    & (frame["entity_type"] == entity_type)
                ].sort_values("rank")
                assert list(shown["name"]) == expected_top(mine, entity_type, language, period)
    # ties on articles really are broken by mentions (not by the alphabet) in this corpus
    people = frame[(frame["period"] == "all") & (frame["language"] == "all")]
    people = people[people["entity_type"] == "person"].sort_values("rank")
    pairs = list(zip(people.itertuples(), people.iloc[1:].itertuples(), strict=False))
    assert any(
        a.n_articles == b.n_articles and a.n_mentions > b.n_mentions and a.name > b.name
        for a, b in pairs
    )


def test_trend_counts_mentions_per_month_of_the_leading_entities(reported: Path) -> None:
    tables = report.read_report_tables(reported)
    links = report.entity_links(tables["articles"], tables["entities"], tables["article_entities"])
    frame, months, languages = report.trend_frame(links)
    mine = counted_links(reported)
    dated = mine[mine["published"] != ""]
    assert months[0] == dated["published"].min()[:7] and months[-1] == dated["published"].max()[:7]
    assert len(months) == len(set(months)) >= 9  # every month between, with or without articles
    for language in languages:
        for entity_type in report.TOP_TYPES:
            leading = expected_top(mine, entity_type, language)[: report.TREND_ENTITIES]
            cells = frame[(frame["language"] == language) & (frame["entity_type"] == entity_type)]
            assert set(cells["name"]) == set(leading)
            rows = dated[(dated["entity_type"] == entity_type) & dated["name"].isin(leading)]
            if language != "all":
                rows = rows[rows["language"] == language]
            expected = rows.groupby(["name", rows["published"].str[:7]])["n"].sum()
            got = cells.set_index(["name", "month"])["n_mentions"]
            assert sorted(got.items()) == sorted(expected.items())


def test_one_colour_per_meaning_across_charts(reported: Path) -> None:
    colours = [c for mapping in report.COLORS.values() for c in mapping.values()]
    assert len(colours) == len(set(colours)), "a colour means two things"
    specs = report.chart_specs(report.read_report_tables(reported))
    seen: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            scale = node.get("scale") if isinstance(node.get("scale"), dict) else {}
            if "domain" in scale and isinstance(scale.get("range"), list) and "field" in node:
                meaning = {"entity_type": "entity_type", "language": "language", "status": "status"}
                field = meaning.get(node["field"])
                if isinstance(scale["domain"], list) and all(
                    isinstance(v, str) for v in scale["domain"]
                ):
                    assert field is not None, node
                    for value, colour in zip(scale["domain"], scale["range"], strict=True):
                        assert report.COLORS[field][value] == colour, (field, value)
                        assert seen.setdefault(colour, f"{field}={value}") == f"{field}={value}"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for spec in specs.values():
        walk(spec)
    assert {v.split("=")[0] for v in seen.values()} == {"entity_type", "language", "status"}
    for panel in specs["chart-top"]["concat"]:
        entity_type = panel["name"].removeprefix("top_")
        assert panel["mark"]["color"] == report.COLORS["entity_type"][entity_type]
    circles = specs["chart-map"]["layer"][1]
    assert circles["mark"]["color"] == report.COLORS["entity_type"]["city"]


def boxes_overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_map_opens_on_the_data_with_labels_that_do_not_overlap(reported: Path) -> None:
    entities = report.read_report_tables(reported)["entities"]
    cities = report.cities_frame(entities)
    views = report.map_views(cities)
    main = views[0]
    assert main.key == "main" and main.label.startswith("Europe")
    spec = report.map_spec(cities, {"type": "Topology", "objects": {}, "arcs": []})
    assert spec["params"][0]["value"] == "main"  # the menu opens on that view
    points = list(zip(cities["lon"], cities["lat"], strict=True))
    inside = [
        0 <= x <= report.MAP_WIDTH and 0 <= y <= report.MAP_HEIGHT
        for x, y in (main.project(lon, lat) for lon, lat in points)
    ]
    weights = cities["n_articles"]
    assert weights[inside].sum() >= 0.5 * weights.sum()
    assert not all(inside)  # it is not the whole world: far cities are left to "all cities"
    everything = next(v for v in views if v.key == "all")
    assert all(
        0 <= x <= report.MAP_WIDTH and 0 <= y <= report.MAP_HEIGHT
        for x, y in (everything.project(lon, lat) for lon, lat in points)
    )
    for view in views:
        chosen = report.place_labels(cities, view)
        assert chosen, view.key
        boxes = [
            report.label_box(view, cities["name"][i], cities["lon"][i], cities["lat"][i])
            for i in chosen
        ]
        for i, box in enumerate(boxes):
            assert box[0] >= 0 and box[2] <= report.MAP_WIDTH and box[1] >= 0
            assert not any(boxes_overlap(box, other) for other in boxes[i + 1 :]), view.key
    # the busiest city of the opening view is labelled there
    assert report.place_labels(cities, main)[0] == 0


def test_article_list_and_entity_index(reported: Path) -> None:
    tables = report.read_report_tables(reported)
    data = report.list_data(tables)
    articles = read_csv(reported / "articles.csv")
    entities = read_csv(reported / "entities.csv")
    links = read_csv(reported / "article_entities.csv")
    listed = data["articles"]
    assert [a[0] for a in listed] == list(
        articles.sort_values(["published", "title"], ascending=[False, True])["article_id"]
    )
    assert data["total_articles"] == len(listed) == len(articles)
    assert len(data["entities"]) == data["total_entities"] == len(entities)
    linked = links.groupby("article_id")["entity_id"].apply(set)
    names = dict(zip(entities["entity_id"], entities["name"], strict=True))
    index_names = [e[1] for e in data["entities"]]
    for article_id, title, _date, _lang, status, path, has_text, ents in listed:
        assert title and status == "ok" and path and has_text == 1
        assert (reported / "texts" / f"{article_id}.txt").is_file()
        assert {index_names[e] for e in ents} <= {names[i] for i in linked[article_id]}
        types = [data["entities"][e][0] for e in ents]
        assert all(types.count(t) <= report.ARTICLE_ENTITIES for t in set(types))
    copenhagen = next(e for e in data["entities"] if e[1] == "Copenhagen")
    entity_id = entities.loc[entities["name"] == "Copenhagen", "entity_id"].item()
    expected = set(links.loc[links["entity_id"] == entity_id, "article_id"])
    assert {listed[a][0] for a in copenhagen[6]} == expected
    assert len(expected) == copenhagen[2] >= 2
    aliases = set(copenhagen[4]) | {"Copenhagen"}
    assert len(copenhagen[7]) == len(expected)  # a sentence in each article
    for article, mention, sentence in copenhagen[7]:
        assert article in copenhagen[6] and mention in aliases and mention in sentence
    people = read_csv(reported / "people.csv")
    with_roles = people[people["roles"] != ""].iloc[0]
    person = next(e for e in data["entities"] if e[1] == with_roles["name"])
    assert "roles: " in person[5]


def test_failed_report_leaves_no_stale_report(
    corpus_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError, match="does not exist"):
        report.run(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()
    folder = copy_run(corpus_output, tmp_path / "run")
    report.run(folder)
    assert "Top entities" in (folder / "report.html").read_text(encoding="utf-8")
    (folder / "mentions.csv").unlink()
    with pytest.raises(InputError, match=r"mentions\.csv is missing"):
        report.run(folder)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'content="failed"' in page and "mentions.csv is missing" in page
    assert "Top entities" not in page and "Copenhagen" not in page
    assert not (folder / "tables.xlsx").exists()
    assert not list(folder.glob(".*.tmp"))
    assert report.main([str(folder)]) == cli.EXIT_INPUT == 3
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"error: {folder / 'mentions.csv'} is missing: run the pipeline first"]


def test_report_names_every_corpus_folder_the_output_holds(
    corpus_output: Path, tmp_path: Path
) -> None:
    folder = copy_run(corpus_output, tmp_path / "run")
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    report.run(folder)
    header = (folder / "report.html").read_text(encoding="utf-8").split("<nav>")[0]
    assert f"from <code>{manifest['corpora'][0]}</code>" in header
    manifest["corpora"] = ["/data/week-1", "/data/week 2 <b>"]
    (folder / "run.json").write_text(json.dumps(manifest), encoding="utf-8")
    report.run(folder)
    header = (folder / "report.html").read_text(encoding="utf-8").split("<nav>")[0]
    listed = "<code>/data/week-1</code>, <code>/data/week 2 &lt;b&gt;</code>"
    assert f"from 2 corpus folders: {listed}" in header


def test_empty_run_still_gives_a_report(corpus_output: Path, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    for path in corpus_output.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        (folder / path.name).write_text(header + "\n", encoding="utf-8")
    report.run(folder)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "no network to draw" in html and "no trend to draw" in html
    sheet = openpyxl.load_workbook(folder / "tables.xlsx")["entities"]
    assert sheet.max_row == 1 and sheet.auto_filter.ref is not None


def test_main_reads_the_csv_dialect_from_run_json(
    corpus_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_run(corpus_output, tmp_path / "run")
    assert report.main([str(folder)]) == 0
    assert capsys.readouterr().out.split() == [
        str(folder / "report.html"),
        str(folder / "tables.xlsx"),
    ]


# --------------------------------------------------------------------------- size


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic output of 20,000 articles (the tables of a big run) with its report."""
    folder = write_synthetic_output(tmp_path_factory.mktemp("big"), 20_000)
    report.write_report(folder)
    return folder


def embedded_json(html: str) -> dict[str, Any]:
    """The JSON data blocks of a report page, by element id (chart specs and the lists)."""
    blocks = re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S)
    return {key: json.loads(text) for key, text in blocks}


@pytest.mark.slow
def test_report_stays_bounded_at_20000_articles(big_report: Path) -> None:
    html = (big_report / "report.html").read_text(encoding="utf-8")
    size = len(html.encode("utf-8"))
    assert size < 20_000_000, f"report.html is {size / 1e6:.1f} MB"
    blocks = embedded_json(html)
    specs = {
        key.removeprefix("spec-"): spec for key, spec in blocks.items() if key.startswith("spec-")
    }
    assert set(specs) >= {"chart-top", "chart-trend", "chart-map", "chart-network"}
    for key, spec in specs.items():
        for name, rows in report.chart_datasets(spec).items():
            assert rows <= report.MAX_CHART_ROWS < 5_000, (key, name, rows)
    top = report.chart_datasets(specs["chart-top"])
    assert max(top.values()) > 1_000  # the periods and languages of three years are all there
    circles = specs["chart-map"]["layer"][1]["data"]["name"]
    assert len(specs["chart-map"]["datasets"][circles]) == report.MAP_CITIES
    lists = blocks["report-lists"]
    assert len(lists["articles"]) == lists["total_articles"] == 20_000
    assert len(lists["entities"]) == lists["total_entities"] > 10_000
    assert sum(len(e[7]) > 0 for e in lists["entities"]) == report.SENTENCE_ENTITIES


# --------------------------------------------------------------------------- browser


def count(page: Any, selector: str) -> int:
    return int(page.locator(selector).count())


def same_names(labels: list[str], names: list[str]) -> bool:
    """Axis labels are the names (Vega cuts long ones with '…'), each once."""
    pending = list(names)
    for label in labels:
        stem = label.removesuffix("…")
        hit = next(
            (n for n in pending if n == label or (stem != label and n.startswith(stem))), None
        )
        if hit is None:
            return False
        pending.remove(hit)
    return not pending


def open_report(playwright: Any, folder: Path, profile: Path) -> tuple[Any, Any, list[str]]:
    """The report in headless Chromium, offline, after every chart has drawn."""
    problems: list[str] = []
    url = (folder / "report.html").as_uri()
    browser = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 1000},
    )
    page = browser.new_page()
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url == url else problems.append(f"request: {r.url}"))
    page.goto(url)
    n_charts = count(page, "[data-spec]")
    page.wait_for_function(
        f"document.body.getAttribute('data-charts') === '{n_charts}'", timeout=120_000
    )
    page.wait_for_function("document.body.getAttribute('data-lists') === 'ready'")
    assert page.evaluate("window.reportErrors") == []
    assert count(page, "[data-spec] svg.marks") == n_charts
    return browser, page, problems


def label_boxes(page: Any, selector: str) -> list[list[float]]:
    return list(
        page.evaluate(
            """sel => Array.from(document.querySelectorAll(sel)).map(t => {
                 const b = t.getBoundingClientRect();
                 return [b.left, b.top, b.right, b.bottom]; })""",
            selector,
        )
    )


def assert_blank_free(png: Path) -> None:
    from PIL import Image, ImageStat

    image = Image.open(png).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 10, f"{png.name} looks blank"
    assert len(image.getcolors(maxcolors=65536) or []) > 20, f"{png.name} looks blank"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_report_renders_offline_in_chromium(reported: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    tables = report.read_report_tables(reported)
    entities = tables["entities"]
    cities = report.cities_frame(entities)
    nodes, edges = report.network_frames(entities, tables["cooccurrence"])
    links = report.entity_links(tables["articles"], entities, tables["article_entities"])
    trend, _, _ = report.trend_frame(links)
    mine = counted_links(reported)

    def expected(language: str = "all", period: str = "all") -> list[str]:
        return [n for t in report.TOP_TYPES for n in expected_top(mine, t, language, period)]

    with sync_playwright() as playwright:
        browser, page, problems = open_report(playwright, reported, tmp_path / "profile")
        assert count(page, "[data-spec]") == 8  # languages, folders, sites, months, top, trend,
        # map, network
        assert count(page, "#chart-map .mark-shape.role-mark path") >= 170  # country outlines
        assert count(page, "#chart-map .mark-symbol.role-mark path") == len(cities) > 20
        assert count(page, "#chart-network .mark-symbol.role-mark path") == len(nodes) == 30
        assert count(page, "#chart-network .mark-rule.role-mark line") == len(edges) > 0

        # the top lists follow the language and period menus, offline
        def shown_top() -> list[str]:
            page.evaluate("window.reportViews['chart-top'].runAsync().then(() => true)")
            labels = page.locator("#chart-top .role-axis-label text").all_text_contents()
            return [label for label in labels if label and not label.isdigit()]

        assert same_names(shown_top(), expected())
        assert count(page, "#chart-top .mark-rect.role-mark path") == len(expected())
        page.select_option("#chart-top select >> nth=0", "de")
        assert expected("de") != expected() and same_names(shown_top(), expected("de"))
        page.select_option("#chart-top select >> nth=0", "all")
        page.select_option("#chart-top select >> nth=1", "2024-Q2")
        quarter = expected("all", "2024-Q2")
        assert 0 < len(quarter) < len(expected())
        assert same_names(shown_top(), quarter)
        assert count(page, "#chart-top .mark-rect.role-mark path") == len(quarter)

        # the trend heat map: one cell per (leading entity, month with mentions)
        cells = "#chart-trend .mark-rect.role-mark path"
        assert count(page, cells) == int((trend["language"] == "all").sum())
        page.select_option("#chart-trend select", "en")
        page.evaluate("window.reportViews['chart-trend'].runAsync().then(() => true)")
        assert count(page, cells) == int((trend["language"] == "en").sum())

        # the map opens on where the cities are, labels apart; zooming relabels it
        labels = "#chart-map .mark-text.role-mark text"
        main = report.map_views(cities)[0]
        assert count(page, labels) == len(report.place_labels(cities, main))
        boxes = label_boxes(page, labels)
        for i, box in enumerate(boxes):
            assert not any(boxes_overlap(box, other) for other in boxes[i + 1 :]), boxes
        page.select_option("#chart-map select", "all")
        page.evaluate("window.reportViews['chart-map'].runAsync().then(() => true)")
        everything = next(v for v in report.map_views(cities) if v.key == "all")
        assert count(page, labels) == len(report.place_labels(cities, everything))
        page.select_option("#chart-map select", "main")

        # the article list: search, language, entities and the link to the text
        n_articles = len(tables["articles"])
        assert page.inner_text("#article-count") == f"{n_articles} of {n_articles} articles"
        assert count(page, "#article-rows tr") == n_articles
        dusseldorf = set(mine.loc[mine["name"] == "Düsseldorf", "article_id"])
        assert dusseldorf
        page.fill("#article-search", "dusseldorf")
        rows = page.locator("#article-rows tr")
        assert {rows.nth(i).get_attribute("data-article") for i in range(rows.count())} == (
            dusseldorf
        )
        link = page.locator("#article-rows tr a.text").first.get_attribute("href")
        assert link is not None and (reported / link).is_file()
        page.locator("#article-rows .chip", has_text="Düsseldorf").first.click()
        opened = page.locator("#entity-list details[open]")
        assert opened.count() == 1 and "Düsseldorf" in opened.inner_text()
        assert count(page, "#entity-list details[open] mark") == len(dusseldorf)
        assert page.inner_text("#entity-count") == f"1 of {len(entities)} entities"
        page.fill("#article-search", "")
        page.select_option("#article-language", "de")
        n_german = int((tables["articles"]["language"] == "de").sum())
        assert page.inner_text("#article-count") == f"{n_german} of {n_articles} articles"

        page.locator("#top").scroll_into_view_if_needed()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=False)
        map_shot = tmp_path / "map.png"
        page.locator("#chart-map").screenshot(path=str(map_shot))
        browser.close()

    assert problems == []
    for png in (shot, map_shot):
        assert_blank_free(png)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_report_of_20000_articles_renders_in_chromium(big_report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page, problems = open_report(playwright, big_report, tmp_path / "profile")
        assert count(page, "[data-spec]") == 9  # with the problems chart
        assert count(page, "#chart-top .mark-rect.role-mark path") == 4 * report.TOP_ENTITIES
        assert count(page, "#chart-trend .mark-rect.role-mark path") > 100
        assert count(page, "#chart-map .mark-symbol.role-mark path") == report.MAP_CITIES
        assert page.inner_text("#article-count") == "20000 of 20000 articles (100 shown)"
        assert count(page, "#article-rows tr") == 100
        page.click("#article-more")
        assert count(page, "#article-rows tr") == 200
        page.fill("#article-search", "stadtwerke")
        assert 0 < count(page, "#article-rows tr") <= 100
        page.select_option("#entity-type", "city")
        page.locator("#entity-list details").first.click()
        assert count(page, "#entity-list details[open] tbody tr") > 0
        shot = tmp_path / "big.png"
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert problems == []
    assert_blank_free(shot)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_hostile_text_stays_text_in_the_browser(corpus_output: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder = copy_run(corpus_output, tmp_path / "run")
    hostile = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>'
    articles = read_csv(folder / "articles.csv")
    articles.loc[0, "title"] = "Title " + hostile
    articles.to_csv(folder / "articles.csv", index=False)
    entities = read_csv(folder / "entities.csv")
    city = entities.index[entities["name"] == "Copenhagen"][0]
    entities.loc[city, "name"] = "Copenhagen " + hostile
    entities.loc[city, "aliases"] = entities.loc[city, "aliases"] + "|" + hostile
    entities.to_csv(folder / "entities.csv", index=False)
    report.write_report(folder)
    with sync_playwright() as playwright:
        browser, page, problems = open_report(playwright, folder, tmp_path / "profile")
        page.fill("#article-search", "onerror")
        assert count(page, "#article-rows tr") >= 1
        assert hostile in page.inner_text("#article-rows")
        page.fill("#entity-search", "onerror")
        assert page.inner_text("#entity-count").startswith("1 of ")
        page.locator("#entity-list details").first.click()
        assert hostile in page.inner_text("#entity-list")
        assert page.evaluate("window.pwned") is None
        assert count(page, "img") == 0
        browser.close()
    assert problems == []
