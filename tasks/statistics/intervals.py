"""Intervals on every figure (statistics v2 (b)), as Fingertips publishes them.

The methods are those of PHEindicatormethods' ``phe_rate`` (exact χ² below 10 events,
Byar's approximation from 10) and ``phe_proportion`` (Wilson score). Pure functions that
accept scalars or numpy arrays (broadcast) and return floats or arrays.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["BYAR_FROM", "proportion_interval", "rate_interval"]

#: Byar's method is used from this many events; the exact χ² interval below it.
BYAR_FROM = 10


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1: {confidence!r}")
    return float(special.ndtri(confidence + (1.0 - confidence) / 2.0))  # = stats.norm.ppf


def _out(low: np.ndarray, high: np.ndarray, scalar: bool) -> tuple:
    if scalar:
        return float(low), float(high)
    return low, high


def rate_interval(
    x: float | np.ndarray, n: float | np.ndarray, confidence: float = 0.95,
    multiplier: float = 100_000,
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Confidence interval of the rate ``x / n × multiplier``.

    Exact (from the χ² distribution, i.e. the Poisson–gamma relation) for x < 10, Byar's
    approximation to it for x ≥ 10 — PHEindicatormethods' ``phe_rate``. For x = 0 the lower
    bound is 0.

    Args:
        x: the count (events).
        n: the denominator (population).
        confidence: e.g. 0.95.
        multiplier: 100 000 for "per 100 000 inhabitants".

    Returns:
        (lower, upper) in the rate's unit.

    Raises:
        ValueError: a negative count, a non-positive denominator or a confidence outside (0, 1).
    """
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xa, na = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(n, dtype=float))
    if np.any(xa < 0) or np.any(~(na > 0)):
        raise ValueError("counts must be non-negative and denominators positive")
    z, alpha = _z(confidence), 1.0 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        # chi2.ppf(q, 2x) / 2 is the gamma quantile gammaincinv(x, q) (scipy computes it
        # so): called directly, without scipy.stats' argument handling per call.
        exact_low = np.where(xa > 0, special.gammaincinv(xa, alpha / 2), 0.0)
        exact_high = special.gammaincinv(xa + 1, 1 - alpha / 2)
        safe = np.maximum(xa, 1.0)
        byar_low = safe * (1 - 1 / (9 * safe) - z / (3 * np.sqrt(safe))) ** 3
        byar_high = (xa + 1) * (1 - 1 / (9 * (xa + 1)) + z / (3 * np.sqrt(xa + 1))) ** 3
    byar = xa >= BYAR_FROM
    low = np.where(byar, byar_low, exact_low) / na * multiplier
    high = np.where(byar, byar_high, exact_high) / na * multiplier
    return _out(low, high, scalar)


def proportion_interval(
    x: float | np.ndarray, n: float | np.ndarray, confidence: float = 0.95
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the share x / n (a share of 1, not %).

    PHEindicatormethods' ``phe_proportion`` (``wilson_lower``/``wilson_upper``). A
    non-integer x or n is allowed: a published share × respondents, or an effective sample
    size n / deff for a survey with a design effect.

    Raises:
        ValueError: x outside [0, n], a non-positive n or a confidence outside (0, 1).
    """
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xa, na = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(n, dtype=float))
    if np.any(~(na > 0)) or np.any(xa < 0) or np.any(xa > na * (1 + 1e-12)):
        raise ValueError("shares need 0 ≤ x ≤ n and n > 0")
    z = _z(confidence)
    p = np.clip(xa / na, 0.0, 1.0)
    centre = 2 * na * p + z**2
    spread = z * np.sqrt(z**2 + 4 * na * p * (1 - p))
    denominator = 2 * (na + z**2)
    low = np.clip((centre - spread) / denominator, 0.0, 1.0)
    high = np.clip((centre + spread) / denominator, 0.0, 1.0)
    return _out(low, high, scalar)
