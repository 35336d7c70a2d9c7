"""The per-area work shared across areas gives exactly the per-area figures and checks.

``compute`` fits each pool member once per inbox read (``inbox_dispersion``) and reads only
the area's lineage and its levels' rows; the reference here is the per-area path: φ from
the whole pool's frames (``crime_dispersion``), every pool and level member's rows (each
once: a county's members are both pool and level members, and rows taken twice would double
their counts in the fits).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.generate_national import generate
from quality.validate import CHECKS_PAGE, validate_inputs
from sources.readers.source_config import load_source_config
from sources.store.inbox import Inputs, read_inbox
from sources.store.rawstore import RawStore
from tasks.indicators.build import area_crime_series, area_population, build_indicators, with_bh
from tasks.indicators.comparison_levels import comparison_ids, level_builds, with_level_rows
from tasks.indicators.crime_rows import crime_dispersion
from tasks.indicators.disclosure import DisclosureRules, apply_disclosure_control
from tasks.indicators.inbox_series import inbox_dispersion
from tasks.indicators.survey_changes import SurveySettings
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec, load_report_config
from tasks.pipeline.stages import check, compute


def _reference(spec: RunSpec, inputs: Inputs) -> pd.DataFrame:
    """The indicators as computed one area at a time, from every row the area could use."""
    areas = spec.areas()
    lineage = set(areas.lineage(spec.area))
    pool = {a for m in areas.pool_members(spec.area, spec.year) for a in areas.lineage(m)}
    wanted = [*areas.lineage(spec.area), *sorted(pool - set(lineage)),
              *(i for i in comparison_ids(areas, spec.area)
                if i not in lineage | pool)]  # fmt: skip
    yearly, population = with_level_rows(
        inputs.rows_for("yearly_bra", wanted), inputs.rows_for("befolkning", wanted),
        level_builds(inputs, areas, spec.area, spec.year))
    config = load_report_config()
    assert repr(crime_dispersion(yearly, population, areas, spec.area, spec.year)) == repr(
        inbox_dispersion(inputs, areas, spec.area, spec.year))  # repr: NaN equals NaN
    sources_config = load_source_config()
    indicators = build_indicators(
        bra_yearly=yearly, population=population, surveys=inputs.enkater,
        incidents=inputs.rows_for("ia", areas.lineage(spec.area)), areas=areas, area=spec.area,
        year=spec.year, ia_cutoff=inputs.ia_export_date, alpha=float(config["alpha"]),
        area_pop=area_population(population, areas, spec.area),
        crime_series=area_crime_series(yearly, areas, spec.area),
        police_yearly=inputs.rows_for("yearly_polis", wanted),
        facts=inputs.rows_for("omradesfakta", [spec.area, areas.comparison_for(spec.area).id]),
        facts_lag=sources_config.omradesfakta_lag, forecasts=sources_config.forecasts,
        ia_categories=config.get("ia_categories", ()),
        survey_settings=SurveySettings(config.get("surveys")),
    )  # fmt: skip
    rules = DisclosureRules.from_config(config.get("disclosure"))
    public, _ = apply_disclosure_control(indicators, rules, respondents=inputs.enkater)
    return with_bh(public)


def _same_rows(spec: RunSpec, inputs: Inputs) -> None:
    computed = compute(spec, inputs).indicators
    assert (computed["source"] == "bra").any()
    pd.testing.assert_frame_equal(computed, _reference(spec, inputs))


@pytest.fixture(scope="module")
def sample_inputs() -> Inputs:
    spec = RunSpec(area="sodermalm", year=2023, inbox=SAMPLE_INBOX, out=Path("."))
    return read_inbox(spec.inbox, spec.areas(), RawStore(Path(tempfile.mkdtemp())))


@pytest.mark.parametrize(("area", "year"), [("sodermalm", 2019), ("sodermalm", 2023),
                                            ("norra-innerstaden", 2024)])  # fmt: skip
def test_sample_rows_equal_the_per_area_path(sample_inputs, area, year):
    _same_rows(RunSpec(area=area, year=year, inbox=SAMPLE_INBOX, out=Path(".")), sample_inputs)


def test_municipalities_rows_equal_the_per_area_path(tmp_path):
    generate(tmp_path, municipalities=24, incidents=3000)
    base = RunSpec(area="", year=2024, inbox=tmp_path / "inbox", out=tmp_path / "out",
                   areas_file=tmp_path / "areas.yaml", as_of=dt.date(2025, 2, 1))  # fmt: skip
    inputs = read_inbox(base.inbox, base.areas(), None)
    ids = list(base.areas().areas)
    assert len(ids) == 24
    for area in ids[::3]:
        _same_rows(RunSpec(**{**base.__dict__, "area": area}), inputs)


def test_checks_run_once_per_inbox_read_and_each_area_gets_its_own_report(
        sample_inputs, tmp_path):  # fmt: skip
    frames = {k: getattr(sample_inputs, k) for k in ("bra", "befolkning", "enkater", "ia")}
    reports = {}
    for area in ("sodermalm", "norrmalm"):
        spec = RunSpec(area=area, year=2023, inbox=SAMPLE_INBOX, out=Path("."),
                       as_of=dt.date(2025, 2, 1))  # fmt: skip
        reports[area] = check(spec, sample_inputs, tmp_path / area)
        alone = validate_inputs(
            frames, area=area, year=2023, as_of=dt.date(2025, 2, 1),
            members_for_year=lambda y, a=area, s=spec: s.areas().series_members(a, y),
            bra_categories=load_report_config().get("bra_categories"))  # fmt: skip
        assert repr(reports[area].results[:len(alone.results)]) == repr(alone.results)
        assert (tmp_path / area / "index.html").is_file()
        assert (tmp_path / area / CHECKS_PAGE).is_file()
        assert reports[area].data_docs == tmp_path / area / "index.html"
    cached = sample_inputs.__dict__["_inbox_checks"]
    assert len(cached) == 1  # the suites ran once for both areas
    suites = len(next(iter(cached.values())).suites)
    assert repr(reports["sodermalm"].results[:suites]) == repr(reports["norrmalm"].results[:suites])
