"""The corpus run scores at or above the floors kept in tests/gold/eval_floors.json."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import evaluate

GOLD = Path(__file__).resolve().parent / "gold"


def test_corpus_scores_meet_the_floors(corpus_output: Path) -> None:
    scores = evaluate.score(corpus_output, GOLD / "corpus_gold.json")
    floors = json.loads((GOLD / "eval_floors.json").read_text(encoding="utf-8"))
    below = {
        name: round(scores[tuple(name.split("/"))].f1, 3)  # type: ignore[index]
        for name, floor in floors.items()
        if scores[tuple(name.split("/"))].f1 < floor  # type: ignore[index]
    }
    assert not below, below


def test_scores_count_false_positives_and_misses(tmp_path: Path, corpus_output: Path) -> None:
    gold = json.loads((GOLD / "corpus_gold.json").read_text(encoding="utf-8"))
    path = "en/aarhus_digital_twin.html"
    gold["articles"] = {path: gold["articles"][path]}
    gold["articles"][path]["person"].append(["Nobody Anywhere"])
    gold["articles"][path]["person"].pop(0)  # Signe Kjærholm is found but no longer expected
    gold_file = tmp_path / "gold.json"
    gold_file.write_text(json.dumps(gold), encoding="utf-8")
    score = evaluate.score(corpus_output, gold_file)[("en", "person")]
    assert score.fn >= 1 and score.fp >= 1
    assert score.f1 < 1.0
