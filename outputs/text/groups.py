"""Survey groups worded together: "för både pojkar och flickor i årskurs 9".

Stockholmsenkäten reports four groups ("Åk 9 pojkar", "Åk 9 flickor", "Gy 2 pojkar",
"Gy 2 flickor"); the draft names several of them at once, as an analyst writes (statistics.md
(d)). A label that does not follow the pattern is named as written, with no-break spaces so
"Åk 9" never breaks over two lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from outputs.swedish import NBSP, format_share

__all__ = ["group_values", "who"]

_LEVELS = {"åk": "årskurs", "gy": "gymnasiets år"}
_PATTERN = re.compile(r"^(Åk|Gy)\s*(\d+)\s+(pojkar|flickor)$", re.IGNORECASE)
_SEX_ORDER = ("pojkar", "flickor")


def _parse(label: str) -> tuple[str, str] | None:
    match = _PATTERN.match(" ".join(str(label).split()))
    if not match:
        return None
    level = f"{_LEVELS[match.group(1).lower()]}{NBSP}{match.group(2)}"
    return level, match.group(3).lower()


def _join(items: Sequence[str], last: str = "och") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def who(groups: Sequence[str], *, all_groups: Sequence[str] = ()) -> str:
    """The groups as a phrase after a verb: "för både pojkar och flickor i årskurs 9".

    Args:
        groups: the group labels to name.
        all_groups: every group of the indicator; naming them all gives "i samtliga grupper".

    Returns:
        A phrase starting with "för" or "i"; "" for no group or the single group "Alla".
    """
    groups = [g for g in groups if str(g).strip() and str(g).strip().lower() != "alla"]
    if not groups:
        return ""
    if len(groups) > 2 and set(groups) == set(all_groups):
        return "i samtliga grupper"
    parsed = [_parse(g) for g in groups]
    if any(p is None for p in parsed):
        return "för " + _join([str(g).replace(" ", NBSP) for g in groups])
    by_level: dict[str, list[str]] = {}
    for level, sex in parsed:  # type: ignore[misc]
        by_level.setdefault(level, []).append(sex)
    levels = list(by_level)
    sexes = {tuple(sorted(v, key=_SEX_ORDER.index)) for v in by_level.values()}
    if len(sexes) == 1:
        sex = next(iter(sexes))
        who_sex = "både pojkar och flickor" if len(sex) == 2 else sex[0]
        where = levels[0] if len(levels) == 1 else "både " + _join(levels)
        return f"för {who_sex} i {where}"
    parts = []
    for level, sex in by_level.items():
        ordered = sorted(sex, key=_SEX_ORDER.index)
        parts.append(f"{_join(ordered)} i {level}")
    return "för " + _join(parts)


def group_values(values: Mapping[str, float]) -> str:
    """Each group's share, grouped by level: "årskurs 9: pojkar 13 %, flickor 7 %; …".

    Args:
        values: group label → share in %.

    Returns:
        The figures for a parenthesis, each given once.
    """
    parsed = {g: _parse(g) for g in values}
    if any(p is None for p in parsed.values()):
        return "; ".join(
            f"{str(g).replace(' ', NBSP)} {format_share(v)}" if str(g).lower() != "alla"
            else format_share(v)
            for g, v in values.items()
        )  # fmt: skip
    by_level: dict[str, list[tuple[str, float]]] = {}
    for group, value in values.items():
        level, sex = parsed[group]  # type: ignore[misc]
        by_level.setdefault(level, []).append((sex, value))
    return "; ".join(
        f"{level}: " + ", ".join(f"{sex} {format_share(v)}"
                                 for sex, v in sorted(items, key=lambda i: _SEX_ORDER.index(i[0])))
        for level, items in by_level.items()
    )  # fmt: skip
