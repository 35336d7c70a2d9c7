"""Tests for outputs.draft.word.chart_pool: charts drawn ahead in forked children."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from outputs.draft.word.chart_pool import ChartJob, ChartPool
from outputs.draft.word.charts import Chart, crime_chart


def _series(scale: int) -> pd.DataFrame:
    rows = [(year, name, value * scale, False)
            for year, value in ((2021, 100), (2022, 120), (2023, 90))
            for name in ("Samtliga brott", "Narkotikabrott")]  # fmt: skip
    return pd.DataFrame(rows, columns=["year", "indicator", "value", "preliminary"])


def _where(tag: str) -> Chart:
    return Chart(png=b"", caption=tag, alt_text=str(os.getpid()))


def _fails() -> Chart:
    raise ValueError("no chart")


def test_pool_gives_the_bytes_drawn_here_in_the_asked_order() -> None:
    jobs = [ChartJob(("crime", n), crime_chart, (_series(n), "Södermalm")) for n in (1, 2, 3)]
    alone = [crime_chart(_series(n), "Södermalm") for n in (3, 1, 2)]
    with ChartPool(jobs) as pool:
        drawn = [pool.draw(jobs[n - 1]) for n in (3, 1, 2)]
    assert [c.png for c in drawn] == [c.png for c in alone]
    assert [c.caption for c in drawn] == [c.caption for c in alone]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: the pool draws in place")
def test_planned_charts_are_drawn_by_children_and_unplanned_ones_here() -> None:
    jobs = [ChartJob(("a",), _where, ("a",)), ChartJob(("b",), _where, ("b",))]
    with ChartPool(jobs) as pool:
        planned = [pool.draw(job) for job in jobs]
        unplanned = pool.draw(ChartJob(("c",), _where, ("c",)))
    assert [c.caption for c in planned] == ["a", "b"]
    assert all(int(c.alt_text) != os.getpid() for c in planned)
    assert len({c.alt_text for c in planned}) == 2  # one child each
    assert unplanned.caption == "c" and int(unplanned.alt_text) == os.getpid()


def test_a_chart_failing_in_a_child_is_drawn_again_here_and_raises_here() -> None:
    jobs = [ChartJob(("bad",), _fails), ChartJob(("ok",), _where, ("ok",))]
    with ChartPool(jobs) as pool:
        with pytest.raises(ValueError, match="no chart"):
            pool.draw(jobs[0])
        assert pool.draw(jobs[1]).caption == "ok"


def test_leaving_the_pool_early_reaps_its_children() -> None:
    jobs = [ChartJob((n,), crime_chart, (_series(n), "Södermalm")) for n in range(1, 5)]
    with ChartPool(jobs) as pool:
        children = [child.pid for child in pool._children]
    for pid in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _stalls_in_a_child(parent: int, tag: str) -> Chart:
    if os.getpid() != parent:
        import time

        time.sleep(3600)  # a child stuck (e.g. on an inherited lock)
    return _where(tag)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: the pool draws in place")
def test_a_stalled_child_is_killed_and_its_chart_drawn_here(monkeypatch) -> None:
    import outputs.draft.word.chart_pool as chart_pool

    monkeypatch.setattr(chart_pool, "STALL_SECONDS", 1.0)
    parent = os.getpid()
    jobs = [ChartJob(("stuck",), _stalls_in_a_child, (parent, "stuck")),
            ChartJob(("ok",), _where, ("ok",))]  # fmt: skip
    with ChartPool(jobs) as pool:
        stuck = next(c for c in pool._children if "stuck" in str(c.keys))
        chart = pool.draw(jobs[0])
        assert chart.caption == "stuck" and int(chart.alt_text) == parent
        assert stuck.done  # killed and reaped, not waited on for an hour
        with pytest.raises(ChildProcessError):
            os.waitpid(stuck.pid, os.WNOHANG)
        assert pool.draw(jobs[1]).caption == "ok"
