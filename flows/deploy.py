"""The deployments: the yearly run (started by hand) and the nightly refresh (02:00).

``python -m flows.deploy`` (or ``lagesbild serve-flows``) registers both with the Prefect
server that ``PREFECT_API_URL`` points at and serves them: this process polls the server
and runs each flow run in a subprocess. Start it from anywhere: the flows are loaded by
module path (``flows.yearly.yearly_report``), the package is installed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from prefect import serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.nightly import nightly_refresh
from flows.yearly import yearly_report

__all__ = [
    "NIGHTLY_CRON",
    "NIGHTLY_DEPLOYMENT",
    "TIMEZONE",
    "YEARLY_DEPLOYMENT",
    "deployments",
    "main",
]

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Europe/Stockholm"
#: Full names for ``prefect deployment run`` and ``run_deployment``.
YEARLY_DEPLOYMENT = "lagesbild-yearly/yearly"
NIGHTLY_DEPLOYMENT = "lagesbild-nightly/nightly"


def deployments(*, paused: bool = False) -> list[RunnerDeployment]:
    """The two deployments, ready for ``serve`` (or ``.apply()``).

    Args:
        paused: register the nightly schedule paused (tests, staging servers).

    Returns:
        [yearly, nightly].
    """
    yearly = yearly_report.to_deployment(
        name="yearly",
        description="Årets lägesbild för ett område: starta för hand med area och year.",
        tags=["lagesbild"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    nightly = nightly_refresh.to_deployment(
        name="nightly",
        description="Nattlig uppdatering av alla områden; oförändrade indata ger ingen ny version.",
        schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)],
        paused=paused,
        # One nightly refresh at a time: a late one waits instead of overlapping.
        concurrency_limit=1,
        tags=["lagesbild"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return [yearly, nightly]


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the deployments until interrupted.

    Args:
        argv: command-line arguments (``--limit``, ``--paused``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2,
                        help="flow runs at a time in this process (default 2)")  # fmt: skip
    parser.add_argument("--paused", action="store_true", help="nightly schedule paused")
    args = parser.parse_args(argv)
    serve(*deployments(paused=args.paused), limit=args.limit)


if __name__ == "__main__":
    main()
