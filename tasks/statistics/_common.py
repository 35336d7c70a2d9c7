"""Private helper shared by the statistics modules: what counts as a missing number."""

from __future__ import annotations

import math

__all__ = ["missing_number"]


def missing_number(value: object) -> bool:
    """Whether a statistics input is absent: None, or anything that converts to NaN.

    Values that do not convert to float at all count as present, so the caller's own check
    (e.g. ``float(x) != int(x)``) reports them.
    """
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
