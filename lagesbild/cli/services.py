"""The long-running parts of the ``lagesbild`` command: the data root's local Prefect
server (``server status|start|stop``), the warm worker (``worker``) and ``serve-flows``."""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated

import typer

__all__ = ["serve_flows_command", "server_app", "worker_command"]

server_app = typer.Typer(help="The data root's local Prefect server (kept between runs).",
                         no_args_is_help=True)  # fmt: skip


def _prefect_defaults() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if os.environ.get("PREFECT_HOME"):
        from pathlib import Path

        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


def _api_url() -> str:
    """``PREFECT_API_URL``, else the data root's kept server (started when needed)."""
    from lagesbild.processes.localserver import ServerError, ensure_server
    from lagesbild.settings import load_settings

    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    try:
        info, started = ensure_server(load_settings())
    except ServerError as exc:
        typer.secho(f"fel: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=3) from None
    typer.echo(f"Prefect-servern {'startad' if started else 'körs'}: {info.ui_url}", err=True)
    os.environ["PREFECT_API_URL"] = info.api_url
    return info.api_url


@server_app.command("status")
def server_status_command() -> None:
    """Show whether the local Prefect server runs (exit 1 when not)."""
    from lagesbild.processes.localserver import server_status
    from lagesbild.processes.worker import worker_info
    from lagesbild.settings import load_settings

    settings = load_settings()
    info, healthy = server_status(settings)
    worker = worker_info(settings)
    if worker is not None:
        typer.echo(f"varm arbetare (serve-flows/worker): pid {worker.pid}, {worker.socket}")
    if info is None:
        typer.echo("ingen Prefect-server körs för den här datamappen")
        raise typer.Exit(code=1)
    since = dt.datetime.fromtimestamp(info.started_at).isoformat(timespec="seconds")
    state = "svarar" if healthy else "svarar inte (startar?)"
    typer.echo(f"Prefect-servern {state}: {info.ui_url} (pid {info.pid}, sedan {since}, "
               f"logg {info.log})")  # fmt: skip


@server_app.command("start")
def server_start_command() -> None:
    """Start the local Prefect server now (lagesbild run does this when needed)."""
    from lagesbild.processes.localserver import ServerError, ensure_server
    from lagesbild.settings import load_settings

    try:
        info, started = ensure_server(load_settings())
    except ServerError as exc:
        typer.secho(f"fel: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=3) from None
    typer.echo(f"Prefect-servern {'startad' if started else 'körs redan'}: {info.ui_url} "
               f"(pid {info.pid}); PREFECT_API_URL={info.api_url}")  # fmt: skip


@server_app.command("stop")
def server_stop_command() -> None:
    """Stop the local Prefect server and every process it started."""
    from lagesbild.processes.localserver import stop_server
    from lagesbild.settings import load_settings

    info = stop_server(load_settings())
    typer.echo(f"Prefect-servern (pid {info.pid}) stoppad" if info
               else "ingen Prefect-server körs för den här datamappen")  # fmt: skip


def worker_command() -> None:
    """Keep the stack imported and run `lagesbild run`'s flows at once (Ctrl-C stops it).

    Without PREFECT_API_URL it uses (and starts) the data root's local Prefect server.
    """
    _prefect_defaults()
    api = _api_url()
    from flows.warm import serve_warm
    from lagesbild.settings import load_settings

    typer.echo("varm arbetare: lagesbild run körs nu här (Ctrl-C avslutar)", err=True)
    serve_warm(load_settings(), api)


def serve_flows_command(
    limit: Annotated[int, typer.Option("--limit", help="Flow runs at a time.")] = 2,
    paused: Annotated[
        bool, typer.Option("--paused", help="Register the nightly schedule paused.")
    ] = False,
    warm: Annotated[
        bool, typer.Option("--warm/--no-warm", help="Also run `lagesbild run`'s flows in a "
                           "pre-imported worker (default on).")
    ] = True,  # fmt: skip
) -> None:
    """Register the yearly and nightly deployments and run their flow runs.

    Uses PREFECT_API_URL, else the data root's local Prefect server. With --warm (the
    default) it also keeps a pre-imported worker that `lagesbild run` hands its runs to.
    """
    _prefect_defaults()
    api = _api_url()
    from flows.deploy import main as serve_deployments
    from lagesbild.settings import load_settings

    if warm:
        from flows.warm import start_warm_worker

        pid = start_warm_worker(load_settings(), api)  # forked before serve() starts threads
        typer.echo(f"varm arbetare startad (pid {pid}): lagesbild run körs här", err=True)
    serve_deployments(["--limit", str(limit)] + (["--paused"] if paused else []))
