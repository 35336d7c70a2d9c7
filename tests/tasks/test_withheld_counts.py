"""``withheld_counts`` (the IA series' disclosure control on arrays) withholds exactly the
cells ``apply_disclosure_control`` withholds in an IA table's year column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tasks.indicators.disclosure import (
    DisclosureRules,
    apply_disclosure_control,
    withheld_counts,
)

CATEGORIES = ["Hot", "Otillåten påverkan", "Trakasserier", "Våld", "Övrigt", "Annat"]


def _table(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "source": "ia", "area": "x", "indicator": CATEGORIES[: len(values)], "group": "",
        "year": 2024, "value": values, "unit": "antal", "prev_year": np.nan,
        "prev_value": np.nan, "note": "",
    })  # fmt: skip


@pytest.mark.parametrize("min_count", [1, 3, 5])
def test_the_same_cells_as_apply_disclosure_control(min_count: int) -> None:
    rules = DisclosureRules(min_count=min_count)
    rng = np.random.default_rng(14)
    columns = [
        np.zeros(4),
        np.array([1.0]),
        np.array([0.0, 2.0]),
        np.array([4.0, 4.0, 9.0]),
        np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        np.array([3.0, 0.0, 0.0, 100.0]),
    ]
    columns += [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 50, 10**6], size=int(rng.integers(1, 7)))
                .astype(float) for _ in range(300)]  # fmt: skip
    seen_secondary = False
    for values in columns:
        public, log = apply_disclosure_control(_table(values), rules)
        got = withheld_counts(values, CATEGORIES[: len(values)], rules)
        assert got.tolist() == public["suppressed"].tolist(), values
        seen_secondary |= bool((log["kind"] == "secondary").any())
    assert seen_secondary or min_count == 1  # no count is below 1: nothing to protect


def test_nothing_withheld_without_a_small_count() -> None:
    assert not withheld_counts(np.array([0.0, 5.0, 70.0]), ["a", "b", "c"], DisclosureRules()).any()
    assert withheld_counts(np.array([], dtype=float), [], DisclosureRules()).tolist() == []
