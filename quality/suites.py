"""One expectation suite per dataset, each defined once and named after the dataset.

A suite is a list of ``ExpectationSpec``: a great-expectations expectation (``engine="gx"``,
built lazily so importing this module does not import GX) or a plain-pandas row check
(``engine="pandas"``, see ``quality.rowchecks``), each with its own severity. Blocking
failures stop the run; warnings become notes in the draft.

Suites: ``bra_clean`` (BRÅ counts), ``befolkning_clean`` (population), ``enkater_clean``
(survey shares), ``ia_clean`` (IA incident records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quality.report import Severity

__all__ = [
    "CANONICAL_COLUMNS",
    "DATE_COLUMNS",
    "EARLIEST_DATE",
    "ExpectationSpec",
    "IA_COLUMNS",
    "NUMERIC_COLUMNS",
    "SUITES",
    "SUITE_SOURCES",
    "YEAR_COLUMN",
    "build_befolkning_clean_suite",
    "build_bra_clean_suite",
    "build_enkater_clean_suite",
    "build_ia_clean_suite",
    "build_suite",
]

CANONICAL_COLUMNS = (
    "source", "area", "region", "period_start", "period_end", "period_kind", "category",
    "value", "unit", "preliminary", "group", "n", "published_rate", "producer_significant",
    "file", "row",
)  # fmt: skip
IA_COLUMNS = (
    "incident_id", "occurred_on", "reported_on", "event_type", "category", "organisation",
    "unit", "area", "file", "row",
)  # fmt: skip
NUMERIC_COLUMNS = ("value", "n", "published_rate", "row")
DATE_COLUMNS = ("period_start", "period_end", "occurred_on", "reported_on")
# Derived by ``quality.validate`` before validation: the year of period_end / occurred_on.
YEAR_COLUMN = "year"
EARLIEST_DATE = dt.datetime(2000, 1, 1)

B, W = Severity.BLOCKING, Severity.WARNING


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite with its severity.

    ``check`` is the snake-case GX expectation type (``expect_column_values_to_not_be_null``)
    or the name of a pandas row check; ``kwargs`` are its arguments; ``requires`` lists
    columns a row condition needs beyond those named in ``kwargs``.
    """

    check: str
    severity: Severity
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    engine: str = "gx"
    requires: tuple[str, ...] = ()
    note: str = ""  # appended to the failure message: what the failure usually means
    # Shown as the examples' value instead of the checked column (e.g. the region name of a
    # row whose area is unknown: the area itself is just empty), and listed in the message.
    label_column: str | None = None

    @property
    def column(self) -> str | None:
        """The column (or comma-joined columns) the expectation is about."""
        kw = self.kwargs
        if "column" in kw:
            return kw["column"]
        for name in ("column_list", "key"):
            if name in kw:
                return ",".join(kw[name])
        if "column_A" in kw:
            return f"{kw['column_A']},{kw['column_B']}"
        return None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the expectation reads; it is skipped when one is missing."""
        kw = self.kwargs
        cols = [kw[k] for k in ("column", "column_A", "column_B") if k in kw]
        for name in ("column_list", "key", "value_columns"):
            cols.extend(kw.get(name, ()))
        return tuple(dict.fromkeys([*cols, *self.requires]))

    def to_gx(self, index: int) -> Any:
        """Build the GX expectation (imports great_expectations; only for ``engine="gx"``).

        Args:
            index: the spec's position in its suite, kept in ``meta`` to map results back.

        Returns:
            A ``great_expectations.expectations.Expectation``.
        """
        import great_expectations as gx

        cls = getattr(gx.expectations, "".join(p.capitalize() for p in self.check.split("_")))
        meta = {"severity": self.severity.value, "spec": index}
        return cls(**dict(self.kwargs), meta=meta)


def _gx(check: str, severity: Severity, requires: tuple[str, ...] = (), **kwargs: Any):
    return ExpectationSpec(check, severity, kwargs, "gx", requires)


def _pd(check: str, severity: Severity, **kwargs: Any) -> ExpectationSpec:
    return ExpectationSpec(check, severity, kwargs, "pandas")


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)


def _common(
    columns: Sequence[str],
    required: Sequence[str],
    strings: Sequence[str],
    key: Sequence[str],
    value_columns: Sequence[str],
    numbers: Sequence[str],
    dates: Sequence[str],
    name_column: str = "region",
) -> list[ExpectationSpec]:
    """Schema, types, non-null and key checks shared by every suite."""
    # Schema and type checks are O(1) in pandas; GX spends ~10-20 ms of overhead on each,
    # so they run as plain checks and GX keeps the row-level expectations.
    specs = [_pd("expect_column_to_exist", B, column=c) for c in columns]
    specs += [_gx("expect_column_values_to_not_be_null", B, column=c) for c in required]
    specs += [_pd("expect_column_values_to_be_of_type", W, column=c, type_="str") for c in strings]
    specs += [_pd("expect_column_values_to_be_numeric", B, column=c) for c in numbers]
    specs += [_pd("expect_column_values_to_be_dates", B, column=c) for c in dates]
    specs.append(_gx("expect_column_values_to_be_between", B, column="row", min_value=1))
    # The area is NA when the region is not in the areas configuration: a län export holds
    # municipalities and an IA export other förvaltningar, so this is information only.
    specs.append(
        ExpectationSpec(
            "expect_column_values_to_not_be_null",
            Severity.INFO,
            {"column": "area"},
            requires=(name_column,),
            note="region or förvaltning not in the areas configuration",
            label_column=name_column,
        )
    )
    ignore = "any_value_is_missing" if "area" in key else "all_values_are_missing"
    if len(key) > 1:  # a one-column key gets its own (blocking) uniqueness expectation
        specs.append(
            _gx(
                "expect_compound_columns_to_be_unique",
                W,
                column_list=list(key),
                ignore_row_if=ignore,
            )
        )
    specs.append(
        _pd("expect_no_conflicting_duplicates", B, key=list(key), value_columns=list(value_columns))
    )
    return specs


def _canonical(
    sources: Sequence[str],
    unit: str,
    key: Sequence[str],
    report_years: Sequence[int] | None,
    as_of: dt.date | None,
) -> list[ExpectationSpec]:
    """Checks every long-shape frame (BRÅ, population, surveys) must pass."""
    required = (
        "source",
        "region",
        "period_start",
        "period_end",
        "period_kind",
        "category",
        "unit",
        "preliminary",
        "file",
        "row",
    )
    specs = _common(
        CANONICAL_COLUMNS,
        required,
        strings=("source", "region", "category", "unit", "file"),
        key=key,
        value_columns=("value", "n", "published_rate"),
        numbers=("value", "n", "published_rate"),
        dates=("period_start", "period_end"),
    )
    specs += [
        _gx("expect_column_values_to_be_in_set", B, column="source", value_set=list(sources)),
        _gx("expect_column_values_to_be_in_set", B, column="unit", value_set=[unit]),
        _gx(
            "expect_column_values_to_be_in_set",
            B,
            column="period_kind",
            value_set=["month", "quarter", "year"],
        ),
        _gx(
            "expect_column_pair_values_a_to_be_greater_than_b",
            B,
            column_A="period_end",
            column_B="period_start",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        _gx(
            "expect_column_values_to_be_between",
            B,
            column="period_start",
            min_value=EARLIEST_DATE,
            max_value=_end_of(as_of) if as_of else None,
        ),
    ]
    if report_years:
        years = sorted(set(report_years))
        specs.append(_pd("expect_report_years_present", W, column=YEAR_COLUMN, years=years))
    return specs


def build_bra_clean_suite(
    report_years: Sequence[int] | None = None, *, as_of: dt.date | None = None
) -> list[ExpectationSpec]:
    """BRÅ reported crimes in the long shape.

    Args:
        report_years: years the report compares; a source-wide warning when one is absent
            (the area-specific blocking check is ``quality.checks.check_required_years``).
        as_of: the run's date; periods starting after it fail.

    Returns:
        The suite's expectations.
    """
    key = ("region", "category", "period_start", "period_end", "period_kind")
    return [
        *_canonical(("bra",), "antal", key, report_years, as_of),
        _gx("expect_column_values_to_be_between", B, column="value", min_value=0),
        _pd("expect_column_values_to_be_integers", B, column="value"),
        _gx("expect_column_values_to_be_between", W, column="published_rate", min_value=0),
    ]


def build_befolkning_clean_suite(
    report_years: Sequence[int] | None = None, *, as_of: dt.date | None = None
) -> list[ExpectationSpec]:
    """Population at 31 December per area and age group.

    Args:
        report_years: years the report compares (source-wide warning when absent).
        as_of: the run's date; periods starting after it fail.

    Returns:
        The suite's expectations.
    """
    key = ("area", "category", "period_end")
    return [
        *_canonical(("befolkning",), "antal", key, report_years, as_of),
        _gx("expect_column_values_to_be_between", B, column="value", min_value=0, strict_min=True),
        _pd("expect_column_values_to_be_integers", B, column="value"),
        _gx("expect_column_values_to_not_be_null", W, column="value"),
        _gx("expect_column_values_to_be_in_set", W, column="period_kind", value_set=["year"]),
    ]


def build_enkater_clean_suite(
    report_years: Sequence[int] | None = None, *, as_of: dt.date | None = None
) -> list[ExpectationSpec]:
    """Survey shares (Stockholmsenkäten, trygghetsmätningen) with their respondents.

    Args:
        report_years: waves the report compares (source-wide warning when absent).
        as_of: the run's date; waves starting after it fail.

    Returns:
        The suite's expectations.
    """
    key = ("source", "region", YEAR_COLUMN, "group", "category")
    return [
        *_canonical(
            ("stockholmsenkaten", "trygghetsmatningen"), "procent", key, report_years, as_of
        ),
        _gx("expect_column_values_to_not_be_null", B, column="group"),
        _gx("expect_column_values_to_be_between", B, column="value", min_value=0, max_value=100),
        _gx("expect_column_values_to_be_between", B, column="n", min_value=0, strict_min=True),
        _pd("expect_column_values_to_be_integers", B, column="n"),
        # Without respondents a share cannot be tested (unless the producer flags it).
        _gx(
            "expect_column_values_to_not_be_null",
            W,
            requires=("value",),
            column="n",
            row_condition="value.notnull()",
            condition_parser="pandas",
        ),
    ]


def build_ia_clean_suite(
    report_years: Sequence[int] | None = None, *, as_of: dt.date | None = None
) -> list[ExpectationSpec]:
    """IA incident records (one row per incident, never the free-text description).

    Args:
        report_years: years the report compares (source-wide warning when absent).
        as_of: the export's cut-off; incidents occurring or reported after it fail.

    Returns:
        The suite's expectations.
    """
    required = ("incident_id", "occurred_on", "reported_on", "category", "file", "row")
    specs = _common(
        IA_COLUMNS,
        required,
        strings=("category", "file"),
        key=("incident_id",),
        value_columns=("occurred_on", "reported_on", "event_type", "category", "organisation"),
        numbers=(),
        dates=("occurred_on", "reported_on"),
        name_column="organisation",
    )
    # An incident id appears once per export: any repeat is an error (spec, source 3).
    specs += [
        _gx("expect_column_values_to_be_unique", B, column="incident_id"),
        _gx("expect_column_values_to_not_be_null", W, column="organisation"),
        _gx(
            "expect_column_pair_values_a_to_be_greater_than_b",
            B,
            column_A="reported_on",
            column_B="occurred_on",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]
    upper = _end_of(as_of) if as_of else None
    for column in ("occurred_on", "reported_on"):
        specs.append(
            _gx(
                "expect_column_values_to_be_between",
                B,
                column=column,
                min_value=EARLIEST_DATE,
                max_value=upper,
            )
        )
    if report_years:
        years = sorted(set(report_years))
        specs.append(_pd("expect_report_years_present", W, column=YEAR_COLUMN, years=years))
    return specs


SuiteBuilder = Callable[..., list[ExpectationSpec]]

SUITES: dict[str, SuiteBuilder] = {
    "bra_clean": build_bra_clean_suite,
    "befolkning_clean": build_befolkning_clean_suite,
    "enkater_clean": build_enkater_clean_suite,
    "ia_clean": build_ia_clean_suite,
}

# The source label each suite's results carry in a report.
SUITE_SOURCES: dict[str, str] = {
    "bra_clean": "bra",
    "befolkning_clean": "befolkning",
    "enkater_clean": "enkater",
    "ia_clean": "ia",
}


def build_suite(
    suite_name: str,
    report_years: Sequence[int] | None = None,
    *,
    as_of: dt.date | None = None,
) -> list[ExpectationSpec]:
    """The expectations of a named suite.

    Args:
        suite_name: one of ``SUITES``.
        report_years: years the report compares.
        as_of: the run's date (upper bound for dates); None skips that bound.

    Returns:
        The suite's expectations.

    Raises:
        ValueError: for an unknown suite name (a programming error).
    """
    try:
        builder = SUITES[suite_name]
    except KeyError:
        raise ValueError(
            f"unknown suite {suite_name!r}; known suites: {', '.join(SUITES)}"
        ) from None
    return builder(report_years, as_of=as_of)
