"""The ``lagesbild`` command: run a yearly report, check an inbox, list versions, serve the
review portal, verify the audit log, add portal users."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from lagesbild.errors import PipelineError

__all__ = ["app"]

app = typer.Typer(
    help="Lokal lägesbild: the yearly crime and safety report of a Stockholm district.",
    no_args_is_help=True,
    add_completion=False,
)

AreaOption = Annotated[str, typer.Option("--area", help="Area id, e.g. sodermalm.")]
YearOption = Annotated[int, typer.Option("--year", help="Report year, e.g. 2023.")]
InboxOption = Annotated[
    Path | None,
    typer.Option("--inbox", help="Inbox directory (bra/, befolkning/, ia/, enkater/). "
                 "Default: the bundled sample data."),
]  # fmt: skip
AreasFileOption = Annotated[
    Path | None, typer.Option("--areas-file", help="Areas configuration (YAML).")
]


def _prefect_defaults() -> None:
    """Quiet, local Prefect defaults unless the user configured otherwise."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _fail(exc: Exception) -> None:
    typer.secho(f"fel: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def run(
    area: AreaOption,
    year: YearOption,
    inbox: InboxOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where version directories are written.")
    ] = None,
    ia_cutoff: Annotated[
        str | None,
        typer.Option("--ia-cutoff", help="IA export date YYYY-MM-DD (default: the latest "
                     "registration date in the export)."),
    ] = None,  # fmt: skip
    areas_file: AreasFileOption = None,
) -> None:
    """Produce the year's draft: inputs → checks → indicators → Word draft → version."""
    _prefect_defaults()
    started = time.perf_counter()
    try:
        from flows.yearly import yearly_report

        result = yearly_report(
            area=area, year=year, inbox=inbox, out=out, ia_cutoff=_date(ia_cutoff),
            areas_file=areas_file,
        )  # fmt: skip
    except PipelineError as exc:
        _fail(exc)
    state = "ny version" if result.created else "oförändrad, ingen ny version"
    typer.echo(f"{area} {year}: version {result.version.version} ({state})")
    for path in result.files:
        typer.echo(str(path))
    typer.echo(f"tid: {time.perf_counter() - started:.1f} s", err=True)


@app.command()
def check(
    area: AreaOption,
    year: YearOption,
    inbox: InboxOption = None,
    areas_file: AreasFileOption = None,
) -> None:
    """Run the data-quality checks alone and print a table of the results."""
    from lagesbild.settings import load_settings
    from quality.validate import validate_inputs
    from tasks.pipeline import SAMPLE_INBOX, RunSpec, ingest

    settings = load_settings()
    spec = RunSpec(area=area, year=year, inbox=inbox or SAMPLE_INBOX,
                   out=settings.reports_dir, areas_file=areas_file)  # fmt: skip
    try:
        inputs = ingest(spec, settings)
        report = validate_inputs(
            {"bra": inputs.bra, "befolkning": inputs.befolkning, "enkater": inputs.enkater,
             "ia": inputs.ia},
            area=area, year=year, as_of=dt.date.today(),
            members_for_year=lambda y: spec.areas().series_members(area, y),
        )  # fmt: skip
    except PipelineError as exc:
        _fail(exc)
    table = report.to_frame()
    typer.echo(table.to_string(index=False) if not table.empty else "inga kontroller kördes")
    if not report.success:
        typer.secho(report.summary(), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


@app.command()
def versions(
    area: Annotated[str | None, typer.Option("--area")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
) -> None:
    """List the recorded versions with their state and draft checksum."""
    from approval.models import make_engine
    from approval.versions import VersionRepository
    from lagesbild.settings import load_settings

    engine = make_engine(load_settings().database_url)
    for v in VersionRepository(engine).all(area, year):
        typer.echo(
            f"{v.area}\t{v.year}\tv{v.version:03d}\t{v.state}\t{v.created_at:%Y-%m-%d %H:%M}"
            f"\t{v.docx_sha256[:12]}\t{v.directory}"
        )


audit_app = typer.Typer(help="The append-only audit log of the review portal.",
                         no_args_is_help=True)  # fmt: skip
users_app = typer.Typer(help="Local accounts of the review portal.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    drafts: Annotated[
        Path | None, typer.Option("--drafts", help="Draft store (default: the reports dir).")
    ] = None,
    https_only: Annotated[
        bool, typer.Option("--https-only", help="Send the session cookie over HTTPS only.")
    ] = False,
) -> None:
    """Start the review portal (FastAPI + uvicorn) on the configured database."""
    import uvicorn

    from approval.db import init_db
    from lagesbild.settings import load_settings
    from portal.app import create_app, load_secret_key

    settings = load_settings()
    portal = create_app(
        init_db(settings.database_url),
        draft_root=drafts or settings.reports_dir,
        secret_key=load_secret_key(settings.home),
        https_only=https_only,
    )
    typer.echo(f"granskningsportalen: http://{host}:{port}/", err=True)
    uvicorn.run(portal, host=host, port=port, log_level="info")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 when an entry was edited or deleted."""
    from approval.audit import verify
    from approval.db import init_db
    from lagesbild.settings import load_settings

    check = verify(init_db(load_settings().database_url))
    for problem in check.problems:
        typer.secho(problem, fg=typer.colors.RED, err=True)
    if not check.ok:
        typer.secho(f"granskningsloggen är inte intakt ({len(check.problems)} fel)",
                    fg=typer.colors.RED, err=True)  # fmt: skip
        raise typer.Exit(code=1)
    typer.echo(f"granskningsloggen är intakt: {check.entries} poster, senaste hash {check.head}")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Option("--username", help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="forvaltare, granskare or sekreterare.")],
    areas: Annotated[str, typer.Option("--areas", help="Area ids, comma separated; * = all.")],
    password: Annotated[
        str | None, typer.Option("--password", help="Default: asked for (not echoed).")
    ] = None,
) -> None:
    """Create a portal account with a role and the areas it may see."""
    from approval.db import init_db
    from approval.users import add_user
    from lagesbild.settings import load_settings

    if password is None:
        password = typer.prompt("Lösenord", hide_input=True, confirmation_prompt=True)
    try:
        user = add_user(init_db(load_settings().database_url), username=username,
                        password=password, role=role, areas=areas.split(","))  # fmt: skip
    except PipelineError as exc:
        _fail(exc)
    typer.echo(f"användaren {user.username} ({user.role.value}) har tillgång till "
               f"{', '.join(sorted(user.areas))}")  # fmt: skip


def main() -> None:  # pragma: no cover - console entry point
    """Entry point that keeps tracebacks for programming errors only."""
    sys.exit(app())
