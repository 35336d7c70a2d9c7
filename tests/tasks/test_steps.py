"""Which failures the yearly run's I/O tasks retry (plain states, no Prefect server)."""

from __future__ import annotations

from prefect.states import Failed
from sqlalchemy.exc import OperationalError

from lagesbild.errors import DataQualityError
from tasks.pipeline.steps import _transient


def test_io_and_lost_database_connections_are_retried():
    assert _transient(None, None, Failed(data=OSError("disk busy")))
    assert _transient(None, None, Failed(data=OperationalError("select 1", {}, Exception())))


def test_bad_data_is_not_retried():
    assert not _transient(None, None, Failed(data=DataQualityError("blocking failure")))
    assert not _transient(None, None, Failed(data=ValueError("bug")))
