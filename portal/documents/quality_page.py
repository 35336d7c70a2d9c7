"""The data-quality result of a version for people: in Swedish, problems first.

Reads the version's ``quality.json`` (written by the pipeline) and sorts its checks into
blocking failures, warnings, notes (info) and passed checks; the page folds the passed ones.
The check names are GX expectation names; ``CHECK_NAMES`` says them in Swedish.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CHECK_NAMES", "QualityPage", "read_quality_page"]

log = logging.getLogger(__name__)

CHECK_NAMES = {
    "expect_column_to_exist": "kolumnen finns",
    "expect_column_values_to_not_be_null": "inga tomma värden",
    "expect_column_values_to_be_between": "värdena inom rimliga gränser",
    "expect_column_values_to_be_dates": "giltiga datum",
    "expect_column_values_to_be_in_set": "bara kända värden",
    "expect_column_values_to_be_integers": "heltal",
    "expect_column_values_to_be_numeric": "tal",
    "expect_column_values_to_be_of_type": "rätt datatyp",
    "expect_column_values_to_be_unique": "inga dubbletter",
    "expect_compound_columns_to_be_unique": "inga dubblerade rader",
    "expect_column_pair_values_a_to_be_greater_than_b": "periodens slut efter dess början",
    "expect_compared_years_present": "jämförelseåren finns",
    "expect_months_to_sum_to_year": "månaderna summerar till året",
    "expect_no_conflicting_duplicates": "inga motstridiga uppgifter",
    "expect_published_rate_to_match_population": "publicerad takt stämmer med befolkningen",
    "expect_report_years_present": "rapportåret finns",
    "expect_required_years_present": "alla år som behövs finns",
}
SOURCE_NAMES = {
    "bra": "BRÅ anmälda brott",
    "befolkning": "befolkning",
    "ia": "IA-rapporter",
    "enkater": "enkäter",
    "stockholmsenkaten": "Stockholmsenkäten",
    "trygghetsmatningen": "trygghetsmätningen",
}


@dataclass(frozen=True)
class Check:
    """One check as shown: source, what was checked, column, result text, example places."""

    source: str
    name: str
    column: str
    message: str
    places: tuple[str, ...] = ()


@dataclass
class QualityPage:
    """The checks of a version, sorted for reading."""

    blocking: list[Check] = field(default_factory=list)
    warnings: list[Check] = field(default_factory=list)
    notes: list[Check] = field(default_factory=list)
    passed: dict[str, list[Check]] = field(default_factory=dict)

    @property
    def passed_count(self) -> int:
        """How many checks passed."""
        return sum(len(v) for v in self.passed.values())


def _check(result: dict) -> Check:
    places = []
    for example in result.get("examples") or []:  # file, row and column: never a cell's value
        if isinstance(example, dict) and example.get("file"):
            places.append(f"{example['file']}, rad {example.get('row', '?')}, "
                          f"kolumn {example.get('column', '?')}")  # fmt: skip
    source = str(result.get("source", ""))
    check = str(result.get("check", ""))
    return Check(
        source=SOURCE_NAMES.get(source, source),
        name=CHECK_NAMES.get(check, check.replace("_", " ")),
        column=str(result.get("column") or ""),
        message=str(result.get("message") or ""),
        places=tuple(places[:5]),
    )


def read_quality_page(directory: Path) -> QualityPage | None:
    """The sorted checks of ``directory/quality.json`` (None when absent or unreadable)."""
    path = Path(directory) / "quality.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, str):
            data = json.loads(data)
        results = list(data.get("results") or [])
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("quality page: %s unreadable: %s", path, exc)
        return None
    page = QualityPage()
    for result in results:
        check = _check(result)
        if result.get("success"):
            page.passed.setdefault(check.source, []).append(check)
        elif result.get("severity") == "blocking":
            page.blocking.append(check)
        elif result.get("severity") == "warning":
            page.warnings.append(check)
        else:
            page.notes.append(check)
    return page
