"""Change of a survey share between two waves (statistics v2 (d)).

The difference in percentage points with Newcombe's hybrid score interval (method 10 of
Newcombe 1998: the two Wilson intervals combined), on the effective sample sizes n/deff
so that the survey's design effect widens it (by √deff to first order, while the bounds
stay inside [0, 1]). The p-value is the one dual to that interval: the α at which the
interval just touches 0, so ``p < α`` exactly when the interval excludes 0.

Shares published rounded (e.g. to whole percent) are tested at both ends of the rounding
interval — the new share at its lower end with the old at its upper end, and the reverse —
and the change is significant only when it is significant, in the same direction, at both:
the interval reported is the hull of the two, the p-value the larger of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from tasks.statistics._common import missing_number
from tasks.statistics.counts import DEFAULT_ALPHA
from tasks.statistics.intervals import proportion_interval

__all__ = [
    "NEWCOMBE", "ShareChange", "newcombe_interval", "newcombe_p", "rounding_unit", "share_change",
]

NEWCOMBE = "newcombe"
_P_FLOOR = 1e-12


def newcombe_interval(
    p1: float | np.ndarray, n1: float | np.ndarray, p2: float | np.ndarray,
    n2: float | np.ndarray, confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Newcombe's hybrid score interval for p1 − p2 (shares of 1; n may be effective sizes)."""
    p1, n1, p2, n2 = (np.asarray(v, dtype=float) for v in (p1, n1, p2, n2))
    l1, u1 = proportion_interval(p1 * n1, n1, confidence)
    l2, u2 = proportion_interval(p2 * n2, n2, confidence)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def newcombe_p(p1: float, n1: float, p2: float, n2: float) -> float:
    """The two-sided p-value dual to Newcombe's interval (1 when p1 = p2)."""
    d = p1 - p2
    if d == 0:
        return 1.0

    def gap(alpha: float) -> float:  # > 0 while the interval at 1 − alpha excludes 0
        low, high = newcombe_interval(p1, n1, p2, n2, 1.0 - alpha)
        return float(low) if d > 0 else float(-high)

    if gap(1.0 - 1e-9) <= 0:
        return 1.0
    if gap(_P_FLOOR) > 0:
        return _P_FLOOR
    return float(optimize.brentq(gap, _P_FLOOR, 1.0 - 1e-9, xtol=1e-14, rtol=1e-12))


@dataclass(frozen=True)
class ShareChange:
    """The change of a share: percentage points, its interval and the dual p-value.

    ``rounding`` is the rounding unit in percentage points the test allowed for (0 when
    the shares were taken as exact); ``deff`` the design effect used.
    """

    p_value: float
    diff_pp: float
    ci_low: float
    ci_high: float
    deff: float
    rounding: float
    method: str = NEWCOMBE
    alpha: float = DEFAULT_ALPHA

    @property
    def significant(self) -> bool:
        """True exactly when the interval excludes 0."""
        return self.p_value < self.alpha


def _one(s_new: float, n_new: float, s_old: float, n_old: float,
         alpha: float) -> tuple[float, float, float]:  # fmt: skip
    p1, p2 = s_new / 100.0, s_old / 100.0
    low, high = newcombe_interval(p1, n_new, p2, n_old, 1.0 - alpha)
    return newcombe_p(p1, n_new, p2, n_old), 100.0 * float(low), 100.0 * float(high)


def share_change(
    share_new: float, n_new: float, share_old: float, n_old: float, *,
    deff: float = 1.0, rounding: float = 0.0, alpha: float = DEFAULT_ALPHA,
) -> ShareChange | None:  # fmt: skip
    """Test the change of a survey share between two waves.

    Args:
        share_new, n_new: the latest wave's share in % and its respondents.
        share_old, n_old: the previous wave's share in % and respondents.
        deff: the survey's design effect (≥ 1); the samples count as n / deff.
        rounding: the unit the shares were published rounded to, in percentage points
            (1 for whole percent); 0 when they are exact.
        alpha: the level.

    Returns:
        The change, or None when it cannot be tested: a value missing, n = 0, or both
        shares 0 % or both 100 %.

    Raises:
        ValueError: a share outside 0–100, a negative n, deff < 1 or rounding < 0.
    """
    if any(missing_number(v) for v in (share_new, n_new, share_old, n_old)):
        return None
    s_new, s_old = float(share_new), float(share_old)
    if not (0.0 <= s_new <= 100.0 and 0.0 <= s_old <= 100.0):
        raise ValueError(f"shares must be within 0–100 %: {share_new!r}, {share_old!r}")
    if float(n_new) < 0 or float(n_old) < 0 or not deff >= 1.0 or rounding < 0:
        raise ValueError(f"bad respondents, deff or rounding: {n_new!r}, {n_old!r}, "
                         f"{deff!r}, {rounding!r}")  # fmt: skip
    if float(n_new) == 0 or float(n_old) == 0:
        return None
    if (s_new == 0 and s_old == 0) or (s_new == 100 and s_old == 100):
        return None
    m_new, m_old = float(n_new) / deff, float(n_old) / deff
    if rounding == 0:
        p, low, high = _one(s_new, m_new, s_old, m_old, alpha)
    else:
        half = rounding / 2.0
        clip = lambda s: min(100.0, max(0.0, s))  # noqa: E731
        ends = [((clip(s_new - half), clip(s_old + half))),
                ((clip(s_new + half), clip(s_old - half)))]  # fmt: skip
        tests = [(_one(a, m_new, b, m_old, alpha), a - b) for a, b in ends]
        (p_a, low_a, high_a), d_a = tests[0]
        (p_b, low_b, high_b), d_b = tests[1]
        same_side = d_a * d_b > 0
        p = max(p_a, p_b) if same_side else 1.0
        low, high = min(low_a, low_b), max(high_a, high_b)
    return ShareChange(
        p_value=min(1.0, p), diff_pp=s_new - s_old, ci_low=low, ci_high=high,
        deff=float(deff), rounding=float(rounding), alpha=alpha,
    )  # fmt: skip


def rounding_unit(values: np.ndarray) -> float:
    """The unit a series of published shares is rounded to: 1, 0.1, 0.01 or 0 (exact)."""
    present = np.asarray([v for v in values if not missing_number(v)], dtype=float)
    if present.size == 0:
        return 0.0
    for unit in (1.0, 0.1, 0.01):
        scaled = present / unit
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return unit
    return 0.0
