"""What a nightly refresh works on when nobody says: the report year and the areas with input.

Pure functions of the ingested inputs (no Prefect), so the rules are testable on their own:

* **Report year**: the latest year for which the inbox has a BRÅ *year figure* for any
  area (BRÅ's ``Helår`` row, or all twelve months), not the calendar year. A year of which
  only some months are in the inbox does not count: the lägesbild is about a whole year.
* **Areas with input**: an area (or any of its predecessors) with at least one row in any
  source (BRÅ, befolkning, IA, enkäter). Areas without any are reported "inga indata"
  instead of failing one by one.
"""

from __future__ import annotations

import pandas as pd

from lagesbild.areas.model import AreasConfig
from lagesbild.errors import PipelineError
from sources.store.inbox import Inputs

__all__ = ["NoReportYear", "has_input", "latest_data_year"]


class NoReportYear(PipelineError):
    """Raised when the inbox has no whole BRÅ year, so no report year can be chosen."""


def latest_data_year(inputs: Inputs) -> int:
    """The latest year with a BRÅ year figure in the inbox (any area).

    Args:
        inputs: the ingested inbox.

    Returns:
        The year.

    Raises:
        NoReportYear: when the inbox has no whole BRÅ year at all.
    """
    yearly = inputs.yearly_bra
    if not yearly.empty:
        years = pd.to_datetime(yearly.loc[yearly["value"].notna(), "period_start"]).dt.year
        if not years.empty:
            return int(years.max())
    raise NoReportYear(
        "the inbox has no BRÅ year figures (bra/: a Helår row or all twelve months of a year), "
        "so the report year cannot be chosen; give it with --year"
    )


def has_input(inputs: Inputs, config: AreasConfig, area_id: str) -> bool:
    """True when any source has a row for the area or one of its predecessors.

    Args:
        inputs: the ingested inbox.
        config: the areas configuration.
        area_id: the area.
    """
    lineage = config.lineage(area_id)
    if any(not inputs.rows_for(kind, lineage).empty
           for kind in ("yearly_bra", "befolkning", "ia")):  # fmt: skip
        return True
    enkater = inputs.enkater
    return not enkater.empty and bool(enkater["area"].isin(lineage).any())
