"""Data-quality gate: one expectation suite per dataset, and a report that never raises.

Importing this package does not import great_expectations (that takes seconds); it is
imported the first time a frame is validated.
"""

from quality.checks import (
    check_months_sum_to_year,
    check_published_rates,
    check_required_years,
    check_source_years,
)
from quality.report import CheckResult, Severity, ValidationReport
from quality.suites import SUITES, ExpectationSpec, build_suite
from quality.validate import validate, validate_inputs

__all__ = [
    "SUITES",
    "CheckResult",
    "ExpectationSpec",
    "Severity",
    "ValidationReport",
    "build_suite",
    "check_months_sum_to_year",
    "check_published_rates",
    "check_required_years",
    "check_source_years",
    "validate",
    "validate_inputs",
]
