"""The reporting stage over a real run of corpus/: report.html in a real browser, tables.xlsx."""

from __future__ import annotations

import csv
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from pipeline import report
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
    """The CSV tables and run.json of a run, copied so that a test can write beside them."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*source.glob("*.csv"), source / "run.json"]:
        shutil.copy2(path, target / path.name)
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
    assert "<mark>" in (folder / "report.html").read_text(encoding="utf-8")


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


def test_entity_index_lists_aliases_articles_and_sentences(reported: Path) -> None:
    entities = read_csv(reported / "entities.csv")
    index = report.entity_index(report.read_tables(reported))
    assert len(index) == len(entities)
    links = read_csv(reported / "article_entities.csv")
    copenhagen = next(e for e in index if e["name"] == "Copenhagen")
    expected = set(links.loc[links["entity_id"] == copenhagen["entity_id"], "article_id"])
    assert {a["article_id"] for a in copenhagen["articles"]} == expected
    assert len(expected) == copenhagen["n_articles"] >= 2
    for article in copenhagen["articles"]:
        assert article["mention"] and article["title"]
        assert article["mention"] in (copenhagen["name"], *copenhagen["aliases"])
    html = (reported / "report.html").read_text(encoding="utf-8")
    assert html.count('<details class="entity"') == len(entities)


def test_missing_or_broken_tables_are_input_errors(corpus_output: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        report.run(tmp_path / "nowhere")
    folder = copy_run(corpus_output, tmp_path / "run")
    (folder / "mentions.csv").unlink()
    with pytest.raises(InputError, match=r"mentions\.csv is missing"):
        report.run(folder)
    assert report.main([str(folder)]) == 3
    assert not (folder / "report.html").exists()


def test_empty_run_still_gives_a_report(corpus_output: Path, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    for path in corpus_output.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        (folder / path.name).write_text(header + "\n", encoding="utf-8")
    report.run(folder)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "no network to draw" in html
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


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_report_renders_offline_in_chromium(reported: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageStat
    from playwright.sync_api import sync_playwright

    tables = report.read_tables(reported)
    entities = tables["entities"]
    cities = report.cities_frame(entities)
    nodes, edges = report.network_frames(entities, tables["cooccurrence"])
    frame = report.entity_articles(tables["articles"], entities, tables["article_entities"])

    def expected_top(language: str | None, date_from: str = "") -> list[str]:
        """The names the top-entities panels should show, computed here with pandas."""
        rows = frame if language is None else frame[frame["language"] == language]
        if date_from:
            rows = rows[(rows["published"] != "") & (rows["published"] >= date_from)]
        totals = rows.groupby(["entity_type", "entity_id", "name"], as_index=False)["n"].sum()
        ranked = totals.sort_values(["n", "name", "entity_id"], ascending=[False, True, True])
        return list(ranked.groupby("entity_type").head(report.TOP_ENTITIES)["name"])

    url = (reported / "report.html").as_uri()
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = browser.new_page()
        page.on(
            "console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.goto(url)
        n_charts = count(page, "[data-spec]")
        page.wait_for_function(
            f"document.body.getAttribute('data-charts') === '{n_charts}'", timeout=60_000
        )
        assert page.evaluate("window.reportErrors") == []
        assert n_charts == 7  # languages, folders, sites, months, top, map, network

        # every chart drew an SVG with marks
        assert count(page, "[data-spec] svg.marks") == n_charts
        assert count(page, "#chart-map .mark-shape.role-mark path") >= 170  # country outlines
        assert count(page, "#chart-map .mark-symbol.role-mark path") == len(cities) > 20
        assert count(page, "#chart-network .mark-symbol.role-mark path") == len(nodes) == 30
        assert count(page, "#chart-network .mark-rule.role-mark line") == len(edges) > 0

        # the filters of the top-entities chart work offline, through the bound inputs
        def shown_top() -> list[str]:
            page.evaluate("window.reportViews['chart-top'].runAsync().then(() => true)")
            labels = page.locator("#chart-top .role-axis-label text").all_text_contents()
            return [label for label in labels if label and not label.isdigit()]

        everything = expected_top(None)
        assert same_names(shown_top(), everything)
        assert count(page, "#chart-top .mark-rect.role-mark path") == len(everything)
        german = expected_top("de")
        assert set(german) != set(everything)
        page.select_option("#chart-top select", "de")
        assert same_names(shown_top(), german)
        page.select_option("#chart-top select", "all")
        later = expected_top(None, "2025-06-01")
        assert 0 < len(later) < len(everything)
        page.fill("#chart-top input[type=date] >> nth=0", "2025-06-01")
        assert same_names(shown_top(), later)
        assert count(page, "#chart-top .mark-rect.role-mark path") == len(later)

        # the map zooms to a country
        page.select_option("#chart-map select", "DE")
        page.wait_for_timeout(300)

        # the entity index search ignores case and accents
        page.fill("#entity-search", "dusseldorf")
        shown = page.locator("#entity-list details.entity:visible")
        assert shown.count() == 1
        assert "Düsseldorf" in shown.first.inner_text()
        assert page.inner_text("#entity-count") == f"1 of {len(entities)} entities"
        page.fill("#entity-search", "")

        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=False)
        map_shot = tmp_path / "map.png"
        page.locator("#chart-map").screenshot(path=str(map_shot))
        browser.close()

    assert errors == []
    assert requests and all(r == url for r in requests), requests
    for png in (shot, map_shot):
        image = Image.open(png).convert("L")
        assert ImageStat.Stat(image).stddev[0] > 10, f"{png.name} looks blank"
        assert len(image.getcolors(maxcolors=65536) or []) > 20, f"{png.name} looks blank"
