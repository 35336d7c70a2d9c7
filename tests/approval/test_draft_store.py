"""One draft store for ``run`` and ``serve``: configured once, and a mismatch is named."""

from __future__ import annotations

from pathlib import Path

from approval.review.workflow import ApprovalService
from approval.testing import record_version
from lagesbild.settings import load_settings


def test_reports_dir_is_one_setting_for_run_and_serve(tmp_path: Path) -> None:
    env = {"LAGESBILD_HOME": str(tmp_path / "home")}
    assert load_settings(env).reports_dir == tmp_path / "home" / "reports"
    env["LAGESBILD_REPORTS_DIR"] = str(tmp_path / "delat" / "rapporter")
    assert load_settings(env).reports_dir == tmp_path / "delat" / "rapporter"


def test_versions_outside_the_store_are_counted(engine, store: Path, tmp_path: Path) -> None:
    record_version(engine, store, "sodermalm", 2023, 1)
    record_version(engine, store, "sodermalm", 2023, 2)
    assert ApprovalService(engine, store).versions_outside_store() == 0
    elsewhere = tmp_path / "annat-lager"
    elsewhere.mkdir()
    assert ApprovalService(engine, elsewhere).versions_outside_store() == 2
