"""Swedish number, percentage, p-value and date formatting for the draft.

Swedish typography: a (non-breaking) space as thousands separator ("130 189"), a decimal
comma ("59,0"), a space before the percent sign ("59,0 %"), ISO dates ("2023-01-10").
The draft uses a no-break space (U+00A0) so that "130 189" never breaks over two lines;
``plain=True`` gives an ordinary space for tests and plain-text output.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

__all__ = [
    "MISSING",
    "NBSP",
    "format_date",
    "format_decimal",
    "format_int",
    "format_p",
    "format_percent",
    "format_relative",
    "format_share",
    "format_signed",
    "format_window",
    "join_och",
    "month_name",
    "share_decimals",
]

NBSP = "\u00a0"
MISSING = "–"
_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _group_thousands(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def format_int(value: float | int | None, *, plain: bool = False) -> str:
    """An integer with a space as thousands separator: ``130189`` → ``"130 189"``.

    Args:
        value: the number (rounded half away from zero); None or NaN gives "–".
        plain: use an ordinary space instead of a no-break space.

    Returns:
        The formatted number.
    """
    if _is_missing(value):
        return MISSING
    sep = " " if plain else NBSP
    number = int(math.floor(abs(float(value)) + 0.5))
    sign = "−" if float(value) < 0 and number != 0 else ""
    return sign + _group_thousands(str(number), sep)


def format_decimal(value: float | None, decimals: int = 1, *, plain: bool = False) -> str:
    """A decimal number with comma and grouped thousands: ``1234.56`` → ``"1 234,6"``."""
    if _is_missing(value):
        return MISSING
    sep = " " if plain else NBSP
    text = f"{abs(float(value)):.{decimals}f}"
    whole, _, frac = text.partition(".")
    rounded_zero = float(text) == 0
    sign = "−" if float(value) < 0 and not rounded_zero else ""
    out = sign + _group_thousands(whole, sep)
    return f"{out},{frac}" if decimals > 0 else out


def format_percent(value: float | None, decimals: int = 1, *, plain: bool = False) -> str:
    """A share in percent: ``59.0`` → ``"59,0 %"`` (the input is already in percent)."""
    if _is_missing(value):
        return MISSING
    sep = " " if plain else NBSP
    return f"{format_decimal(value, decimals, plain=plain)}{sep}%"


def format_signed(value: float | None, decimals: int = 0, *, plain: bool = False) -> str:
    """A change with explicit sign: ``+12``, ``−3,5`` (Unicode minus)."""
    if _is_missing(value):
        return MISSING
    body = (
        format_int(abs(value), plain=plain)
        if decimals == 0
        else format_decimal(abs(value), decimals, plain=plain)
    )
    if body.strip("0,") == "":
        return body
    return ("+" if value > 0 else "−") + body


def format_p(p: float, *, plain: bool = False) -> str:
    """A p-value as the spec words it: ``"p = 0,036"``, ``"p = 0,17"``, ``"p < 0,001"``.

    Two significant digits, at most three decimals; below 0.001 written ``p < 0,001``;
    never "p = 1": a p-value that rounds to 1 is written ``p > 0,99`` (statistics.md).
    No-break spaces around the sign unless ``plain``.
    """
    sep = " " if plain else NBSP
    if p < 0.001:
        return f"p{sep}<{sep}0,001"
    if p >= 0.995:
        return f"p{sep}>{sep}0,99"
    text = f"{p:.2f}" if p >= 0.1 else f"{p:.3f}"
    return f"p{sep}={sep}" + text.replace(".", ",")


def share_decimals(value: float) -> int:
    """Precision by magnitude: whole numbers from 10 (and for whole values), else one decimal."""
    value = abs(float(value))
    return 0 if value >= 10 or abs(value - round(value)) < 1e-9 else 1


def format_share(value: float | None, *, plain: bool = False) -> str:
    """A share in % with precision by magnitude: ``71.0`` → "71 %", ``2.4`` → "2,4 %"."""
    if _is_missing(value):
        return MISSING
    return format_percent(value, share_decimals(value), plain=plain)


def format_relative(change_rel: float | None, *, plain: bool = False) -> str:
    """A relative change (0.125 = 12,5 %) signed, precision by magnitude: "+683 %", "−2 %",
    "+0,4 %" (one decimal only below 1 %)."""
    if _is_missing(change_rel):
        return MISSING
    pct = float(change_rel) * 100
    decimals = 1 if 0 < abs(pct) < 1 else 0
    sep = " " if plain else NBSP
    return f"{format_signed(pct, decimals, plain=plain)}{sep}%"


def format_date(day: dt.date | dt.datetime) -> str:
    """An ISO date, ``2023-01-10``, as Swedish authorities write it."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return day.isoformat()


def month_name(month: int) -> str:
    """The Swedish name of month 1-12, lower case: ``"maj"``."""
    return _MONTHS[int(month) - 1]


def join_och(items: str | Iterable[object]) -> str:
    """A Swedish list: ``"a"``, ``"a och b"``, ``"a, b och c"`` (a string is one item)."""
    texts = [items] if isinstance(items, str) else [str(i) for i in items]
    if len(texts) < 2:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " och " + texts[-1]


def format_window(window: tuple[dt.date, dt.date]) -> str:
    """A calendar window without years: ``"1 januari–15 november"``.

    Args:
        window: first and last day (inclusive).

    Returns:
        The Swedish wording.
    """
    start, end = window
    return (f"{start.day}{NBSP}{_MONTHS[start.month - 1]}–"
            f"{end.day}{NBSP}{_MONTHS[end.month - 1]}")  # fmt: skip
