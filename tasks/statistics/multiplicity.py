"""Benjamini–Hochberg adjusted p-values over one report's deciding p-values."""

from __future__ import annotations

from collections.abc import Sequence

from tasks.statistics._common import missing_number

__all__ = ["benjamini_hochberg"]


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg (FDR) adjusted p-values over one report's tests.

    Missing p-values (None or NaN: not testable, withheld, or decided by the producer's
    flag) are left out of the family and stay None. Equal to statsmodels
    ``multipletests(method="fdr_bh")`` on the present values.

    Raises:
        ValueError: a p-value outside [0, 1].
    """
    present = [(i, float(p)) for i, p in enumerate(p_values) if not missing_number(p)]
    out: list[float | None] = [None] * len(p_values)
    if not present:
        return out
    if any(not 0.0 <= p <= 1.0 for _, p in present):
        raise ValueError("p-values must lie in [0, 1]")
    m = len(present)
    order = sorted(present, key=lambda item: item[1])
    running = 1.0
    for rank in range(m, 0, -1):  # step-up: cumulative minimum from the largest p down
        index, p = order[rank - 1]
        running = min(running, p * m / rank)
        out[index] = running
    return out
