"""Issue 11's done-when over every sample area-year: one model per verdict and interval."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from sources.store.inbox import read_inbox
from sources.store.rawstore import RawStore
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec
from tasks.pipeline.stages import compute

AREA_YEARS = [("sodermalm", y) for y in range(2018, 2025)] + [("norra-innerstaden", 2024)]


@pytest.fixture(scope="module")
def inputs():
    spec = RunSpec(area="sodermalm", year=2023, inbox=SAMPLE_INBOX, out=Path("."))
    return read_inbox(spec.inbox, spec.areas(), RawStore(Path(tempfile.mkdtemp())))


@pytest.mark.parametrize(("area", "year"), AREA_YEARS)
def test_verdict_interval_dispersion_and_city(inputs, area, year):
    spec = RunSpec(area=area, year=year, inbox=SAMPLE_INBOX, out=Path("."))
    rows = compute(spec, inputs).indicators
    tested = rows[rows["significant"].notna() & rows["ci_low"].notna()]
    assert not tested.empty
    for row in tested.itertuples():
        null = 0.0 if row.unit == "procent" else 1.0
        excludes = row.ci_low > null or row.ci_high < null
        assert bool(row.significant) == excludes, (row.source, row.indicator, row.group)
    counts = rows[rows["method"].isin(["poisson-exact-cond", "quasi-poisson-wald"])]
    assert (counts["dispersion"].dropna() >= 1).all()
    producer = rows[rows["method"] == "producer-flag"]
    assert producer["ci_low"].isna().all()  # no interval of another model beside its verdict
    if area == "sodermalm":
        bra = rows[(rows["source"] == "bra") & rows["rate_per_100k"].notna()]
        with_city = bra[bra["city_value"].notna()]
        assert with_city["vs_city"].isin(["högre", "lägre", "i nivå"]).all()
        assert bra[bra["city_value"].isna()]["vs_city"].isna().all()  # empty where no city
        if year >= 2019:  # the city's export has every category from 2019
            assert len(with_city) == len(bra)


def test_crime_series_carries_the_citys_rate_for_the_charts_reference_line(inputs):
    spec = RunSpec(area="sodermalm", year=2023, inbox=SAMPLE_INBOX, out=Path("."))
    computed = compute(spec, inputs)
    series = computed.crime_series
    assert series["city_rate_per_100k"].notna().any()
    rows = computed.indicators
    bra = rows[(rows["source"] == "bra") & rows["city_value"].notna()]
    report_year = series[series["year"] == 2023].set_index("indicator")["city_rate_per_100k"]
    for row in bra.itertuples():
        assert report_year[row.indicator] == pytest.approx(float(row.city_value), rel=1e-9)
