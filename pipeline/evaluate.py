"""Evaluation against a gold file: precision, recall and F1 per entity type and language.

Scores are over distinct entities per article: a predicted entity is correct when its name or
one of its aliases is an accepted variant of a gold entity of the same type in that article.
`python -m pipeline.evaluate OUTPUT GOLD --floors FLOORS` fails when a score is below its floor.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import entity_types
from pipeline.gazetteer import name_key

#: The types the gold files score (the registry's `evaluated` flag).
TYPES = entity_types.evaluated()


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(output: Path, gold_path: Path) -> dict[tuple[str, str], Score]:
    """Scores keyed by (language, entity type), plus ("all", type)."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["articles"]
    articles = pd.read_csv(output / "articles.csv", dtype=str, keep_default_na=False)
    entities = pd.read_csv(output / "entities.csv", dtype=str, keep_default_na=False)
    links = pd.read_csv(output / "article_entities.csv", dtype=str, keep_default_na=False)
    by_path = {
        p: row.article_id for row in articles.itertuples() for p in row.source_path.split("|")
    }
    forms = {
        row.entity_id: {name_key(row.name), *(name_key(a) for a in row.aliases.split("|") if a)}
        for row in entities.itertuples()
    }
    etype = dict(zip(entities["entity_id"], entities["entity_type"], strict=True))
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    for path, expected in gold.items():
        article_id = by_path.get(path)
        found = (
            set(links.loc[links["article_id"] == article_id, "entity_id"]) if article_id else set()
        )
        for entity_type in TYPES:
            wanted = [{name_key(v) for v in variants} for variants in expected.get(entity_type, [])]
            predicted = [e for e in found if etype[e] == entity_type]
            matched_gold: set[int] = set()
            for entity in predicted:
                hit = next((i for i, w in enumerate(wanted) if w & forms[entity]), None)
                for key in ((expected["language"], entity_type), ("all", entity_type)):
                    if hit is None:
                        scores[key].fp += 1
                    elif hit not in matched_gold:
                        scores[key].tp += 1
                if hit is not None:
                    matched_gold.add(hit)
            for key in ((expected["language"], entity_type), ("all", entity_type)):
                scores[key].fn += len(wanted) - len(matched_gold)
    return dict(scores)


def score_table(
    scores: dict[tuple[str, str], Score], floors: dict[str, float]
) -> tuple[list[str], list[str]]:
    """The scores as text lines (P, R, F1, counts and floor per language/type) and the names
    of those below their floor."""
    failed = []
    lines = [f"{'language/type':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}  floor"]
    for (lang, etype), s in sorted(scores.items()):
        name = f"{lang}/{etype}"
        floor = floors.get(name)
        flag = ""
        if floor is not None and s.f1 < floor:
            failed.append(name)
            flag = "  BELOW"
        lines.append(
            f"{name:<22}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.tp:5d}{s.fp:5d}{s.fn:5d}"
            f"  {'' if floor is None else f'{floor:.2f}'}{flag}"
        )
    return lines, failed


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.evaluate OUTPUT GOLD`, kept for old scripts: `pipeline eval` is the
    command line."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluate", description=__doc__)
    parser.add_argument("output", type=Path, help="output folder of a run over the gold corpus")
    parser.add_argument("gold", type=Path, help="gold file (JSON)")
    parser.add_argument("--floors", type=Path, help="JSON of minimum F1 per 'language/type'")
    args = parser.parse_args(argv)
    from pipeline import cli

    floors = ["--floors", str(args.floors)] if args.floors else []
    return cli.main(["eval", str(args.gold), "--output", str(args.output), *floors])


if __name__ == "__main__":
    raise SystemExit(main())
