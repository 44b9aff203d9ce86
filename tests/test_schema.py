"""The schema and the entity-type registry: generated files current, written tables exactly as
defined, and a new entity type is one registry entry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline import entity_types, evaluate, normalize, schema
from pipeline.records import Article, Extraction, Mention

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema.main(["--check"]) == 0, capsys.readouterr().err
    shipped = json.loads(schema.DICTIONARY_FILE.read_text(encoding="utf-8"))["tables"]
    assert shipped["mentions"]["columns"]["found_by"]["type"] == "text"
    assert shipped["article_entities"]["columns"]["n_mentions"]["type"] == "integer"
    assert "## roles" in schema.MARKDOWN_FILE.read_text(encoding="utf-8")


def test_every_written_csv_has_exactly_the_schemas_columns(corpus_output: Path) -> None:
    written = {path.stem for path in corpus_output.glob("*.csv")}
    defined = {name for name, table in schema.tables().items() if table.csv}
    assert written == defined
    for name in sorted(written):
        header = pd.read_csv(corpus_output / f"{name}.csv", nrows=0).columns
        assert list(header) == schema.columns(name), name


def test_readme_points_to_the_generated_dictionary() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/data-dictionary.md" in readme
    assert schema.README_START in readme and schema.README_END in readme
    assert schema.readme_columns() in readme
    listed = set(re.findall(r"`([a-z_]+)\.csv`", readme))
    missing = {n for n, t in schema.tables().items() if t.csv} - listed
    assert not missing, f"README's output table list lacks {sorted(missing)}"


def test_registry_entries_are_complete_and_distinct() -> None:
    types = entity_types.ENTITY_TYPES
    assert entity_types.names() == ("person", "organization", "city", "country", "technology")
    for field in ("name", "prefix", "view", "colour"):
        values = [getattr(t, field) for t in types]
        assert len(set(values)) == len(values), field
    attributes = {c.name for c in schema.ENTITY_ATTRIBUTES}
    for entry in types:
        assert re.fullmatch(r"[a-z]{3}", entry.prefix)
        assert re.fullmatch(r"#[0-9a-f]{6}", entry.colour)
        assert entry.display_rule in normalize.DISPLAY_RULES, entry.name
        rule = entry.key_rule
        assert rule in normalize.KEY_RULES or rule.startswith("linked:"), entry.name
        if rule.startswith("linked:") and entry.attributes:
            assert rule.partition(":")[2] in normalize.ATTRIBUTE_RULES, entry.name
        assert set(entry.attributes) <= attributes, entry.name
    assert entity_types.colour("city") == "#54a24b"
    assert entity_types.get("person").id_prefix == "per_"
    assert entity_types.by_prefix("org_0123456789ab") == entity_types.get("organization")
    assert evaluate.TYPES == ("person", "organization", "city", "technology")


def test_an_unknown_type_fails_with_the_valid_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown entity type 'gadget'.*person, organization"):
        normalize.entity_id("gadget", "x")


def test_a_new_type_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    product = entity_types.EntityType(
        name="product", prefix="prd", view="products", colour="#72b7b2"
    )
    monkeypatch.setattr(entity_types, "ENTITY_TYPES", (*entity_types.ENTITY_TYPES, product))
    monkeypatch.setitem(entity_types._BY_NAME, "product", product)
    text = "Acme unveiled the Roadrunner 3000. The ROADRUNNER 3000 ships in May."
    mentions = [
        Mention("a1", 18, 33, "Roadrunner 3000", "product", "rule", "", "", "en"),
        Mention("a1", 39, 54, "ROADRUNNER 3000", "product", "rule", "", "", "en"),
    ]
    article = Article("a1", ["a.txt"], text, title="Roadrunner", published="2025-05-01")
    article.language = "en"
    tables = normalize.build([(article, Extraction("a1", mentions))])
    products = tables["products"]
    assert list(products.columns) == schema.columns("products")
    assert len(products) == 1 and products.iloc[0]["entity_id"].startswith("prd_")
    assert products.iloc[0]["name"] == "Roadrunner 3000"
    assert products.iloc[0]["n_mentions"] == 2
    overview = tables["article_overview"]
    assert list(overview.columns) == schema.columns("article_overview")
    assert overview.iloc[0]["n_products"] == 1
    assert overview.iloc[0]["products"] == "Roadrunner 3000"
    assert "products" in schema.data_dictionary()["tables"]
