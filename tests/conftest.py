"""Shared, expensive fixtures: one real run over corpus/ per test session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import runner
from pipeline.config import load_config

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole pipeline over the sample corpus, into a temporary folder."""
    output = tmp_path_factory.mktemp("corpus_run")
    runner.run(load_config(corpus=ROOT / "corpus", output=output))
    return output


@pytest.fixture(scope="session")
def tables(corpus_output: Path) -> dict[str, pd.DataFrame]:
    return {
        path.stem: pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in corpus_output.glob("*.csv")
    }
