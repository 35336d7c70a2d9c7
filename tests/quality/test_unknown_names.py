"""The unknown-area check shows the names to add to the areas configuration."""

from __future__ import annotations

import datetime as dt

import numpy as np
from quality_frames import bra_frame, ia_frame

from quality.report import Severity
from quality.validate import validate

AS_OF = dt.date(2024, 6, 30)


def _unknown(report):
    (result,) = [r for r in report.results if not r.success]
    assert result.severity is Severity.INFO and result.column == "area"
    return result


def test_unknown_regions_are_named_once_each():
    frame = bra_frame()
    frame.loc[[0, 1], "area"] = np.nan
    frame.loc[[0, 1], "region"] = "Stadsdelsområde Atlantis (Sthlm)"
    result = _unknown(validate(frame, "bra_clean", as_of=AS_OF))
    assert result.message.endswith(": Stadsdelsområde Atlantis (Sthlm)")
    assert [(e["row"], e["column"], e["value"]) for e in result.examples] == [
        (2, "Region", "Stadsdelsområde Atlantis (Sthlm)")]
    assert "column 'Region' value 'Stadsdelsområde Atlantis (Sthlm)'" in result.describe()


def test_unknown_forvaltning_is_counted_never_named_for_ia():
    """An IA cell may hold personal data: the row is named, the förvaltning is not."""
    frame = ia_frame()
    frame.loc[0, "area"] = np.nan
    frame.loc[0, "organisation"] = "Anna Andersson"
    result = _unknown(validate(frame, "ia_clean", as_of=AS_OF))
    assert not result.success and "1 of 4 rows" in result.message
    assert "Anna" not in result.message and "Anna" not in result.describe()
    assert [(e["row"], e["column"], e["value"]) for e in result.examples] == [
        (2, "Förvaltning", None)]
