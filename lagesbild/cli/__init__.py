"""The ``lagesbild`` command: run a yearly report, check an inbox, list versions, serve the
review portal, verify the audit log, add portal users."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from lagesbild.cli.services import serve_flows_command, server_app, worker_command
from lagesbild.cli.users import os_user, users_app
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
    # Prefect creates its home without parents; its temporary server then cannot start.
    if os.environ.get("PREFECT_HOME"):
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


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


def _preflight_or_exit(area: str, year: int, inbox: Path | None, areas_file: Path | None,
                       **paths: Path | None):  # noqa: ANN202 - a Preflight
    """Refuse arguments that cannot work, in under a second, before any heavy import."""
    from lagesbild.cli.preflight import ArgumentError, preflight
    from lagesbild.settings import SAMPLE_INBOX, load_settings

    try:
        return preflight(area=area, year=year, inbox=inbox or SAMPLE_INBOX,
                         areas_file=areas_file, paths=paths,
                         cache=load_settings().cache_dir / "inbox-years.json")  # fmt: skip
    except ArgumentError as exc:
        typer.secho(f"fel: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from None


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
    text_dir: Annotated[
        Path | None,
        typer.Option("--text-dir", help="Editorial text and åtgärdsplan files "
                     "(<dir>/<area>/<year>.yaml). Default: <inbox>/../text."),
    ] = None,  # fmt: skip
    template: Annotated[
        Path | None, typer.Option("--template", help="The district's own .docx template.")
    ] = None,
    revision: Annotated[
        str | None,
        typer.Option("--revision", help="Open a revision of a fastställd area-year: the "
                     "reason, recorded in the audit log with your user name."),
    ] = None,  # fmt: skip
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also render the draft as PDF (LibreOffice).")
    ] = True,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show Prefect's and the checks' own log "
                           "lines here instead of only in the log file.")
    ] = False,  # fmt: skip
) -> None:
    """Produce the year's draft: inputs → checks → indicators → Word draft → version.

    A fastställd area-year is closed: with changed inputs the run stops (exit 1) and says
    how to open a revision with ``--revision "skäl"``.

    Exit codes: 0 done (or unchanged), 1 the data stopped the run, 2 an argument cannot
    work, 3 the Prefect server did not start, 4 unexpected error (see the log), 130 Ctrl-C.
    """
    cutoff = _date(ia_cutoff)
    _preflight_or_exit(area, year, inbox, areas_file, **{"--out": None, "--text-dir": text_dir,
                       "--template": template})  # fmt: skip
    from lagesbild.runner import RunRequest, log_path, run_yearly
    from lagesbild.settings import load_settings
    from lagesbild.terminal import quiet_terminal

    settings = load_settings()
    request = RunRequest(area=area, year=year, inbox=inbox, out=out, ia_cutoff=cutoff,
                         areas_file=areas_file, text_dir=text_dir, template=template,
                         pdf=pdf, revision=revision, actor=os_user())  # fmt: skip
    log = None if verbose else log_path(settings, area, year)
    with quiet_terminal(log) as (console, errors):
        code = run_yearly(request, settings, console, errors, log)
    raise typer.Exit(code=code)


_SEVERITY_ORDER = {"blocking": 0, "warning": 1, "info": 2}
_CHECK_COLUMNS = ("source", "check", "column", "severity", "result", "examples", "message")


def _check_table(table, show_all: bool) -> str:  # noqa: ANN001 - a pandas DataFrame
    """Failed checks first (blocking, warning, info), left-aligned, nothing truncated."""
    rows = table if show_all else table[table["result"] == "failed"]
    rows = rows.assign(
        _order=rows["result"].eq("ok").astype(int) * 10 + rows["severity"].map(_SEVERITY_ORDER)
    ).sort_values("_order", kind="stable")
    cells = [list(_CHECK_COLUMNS)] + [[str(r[c]) for c in _CHECK_COLUMNS]
                                       for r in rows.to_dict("records")]  # fmt: skip
    widths = [max(len(row[i]) for row in cells) for i in range(len(_CHECK_COLUMNS) - 2)]
    lines = []
    for row in cells:
        fixed = "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=False))
        lines.append(f"{fixed}  {row[-2]}  {row[-1]}".rstrip())
    return "\n".join(lines)


@app.command()
def check(
    area: AreaOption,
    year: YearOption,
    inbox: InboxOption = None,
    areas_file: AreasFileOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every check, not only the failed ones.")
    ] = False,
) -> None:
    """Run the data-quality checks alone and print a table of the results.

    Failed checks come first (blocking, then warnings, then information) with up to five
    example rows each (file, row, column, value); exit code 1 when a blocking check failed
    or an input file cannot be read.
    """
    _preflight_or_exit(area, year, inbox, areas_file)
    from lagesbild.settings import load_settings
    from quality.validate import validate_inputs
    from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec, load_report_config
    from tasks.pipeline.stages import ingest

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
            bra_categories=load_report_config().get("bra_categories"),
        )  # fmt: skip
    except PipelineError as exc:
        _fail(exc)
    table = report.to_frame()
    if table.empty:
        typer.echo("inga kontroller kördes")
    else:
        failed = int((table["result"] == "failed").sum())
        if failed or show_all:
            typer.echo(_check_table(table, show_all))
        typer.echo(f"{len(table) - failed} av {len(table)} kontroller godkända, "
                   f"{failed} underkända")  # fmt: skip
    if not report.success:
        typer.secho(report.summary(), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


@app.command()
def versions(
    area: Annotated[str | None, typer.Option("--area")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
) -> None:
    """List the recorded versions with their state and draft checksum."""
    from approval.db.models import make_engine
    from approval.drafts.versions import VersionRepository
    from lagesbild.settings import load_settings

    engine = make_engine(load_settings().database_url)
    for v in VersionRepository(engine).all(area, year):
        typer.echo(
            f"{v.area}\t{v.year}\tv{v.version:03d}\t{v.state}\t{v.created_at:%Y-%m-%d %H:%M}"
            f"\t{v.docx_sha256[:12]}\t{v.directory}"
        )


audit_app = typer.Typer(help="The append-only audit log of the review portal.",
                         no_args_is_help=True)  # fmt: skip
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(server_app, name="server")
app.command("worker")(worker_command)


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

    from approval.db.engine import init_db
    from lagesbild.settings import load_settings
    from portal.app import create_app, load_secret_key

    settings = load_settings()
    portal = create_app(
        init_db(settings.database_url),
        draft_root=drafts or settings.reports_dir,
        secret_key=load_secret_key(settings.home),
        https_only=https_only,
    )
    outside = portal.state.service.versions_outside_store()
    if outside:
        typer.echo(
            f"varning: {outside} versioner ligger utanför utkastlagret "
            f"{portal.state.service.draft_root}"
            " och kan inte visas; starta med --drafts KATALOG eller sätt LAGESBILD_REPORTS_DIR"
            " till samma katalog som run --out",
            err=True,
        )
    typer.echo(f"granskningsportalen: http://{host}:{port}/", err=True)
    uvicorn.run(portal, host=host, port=port, log_level="info")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain, its anchors outside the database (the signed checkpoint, each
    version directory's head) and that versions, decisions, comments and users agree with
    it; exit 1 on any disagreement."""
    from approval.audit.check import verify_all
    from approval.db.engine import init_db
    from lagesbild.settings import load_settings

    check = verify_all(init_db(load_settings().database_url))
    for problem in check.all_problems:
        typer.secho(problem, fg=typer.colors.RED, err=True)
    if not check.ok:
        typer.secho(f"granskningsloggen är inte intakt ({len(check.all_problems)} fel)",
                    fg=typer.colors.RED, err=True)  # fmt: skip
        raise typer.Exit(code=1)
    typer.echo(f"granskningsloggen är intakt: {check.chain.entries} poster, {check.anchors} "
               f"förankringar stämmer, senaste hash {check.chain.head}")  # fmt: skip


@audit_app.command("baseline")
def audit_baseline() -> None:
    """Once, after upgrading a database made by an earlier release: vouch for the rows the
    chain does not cover yet (recorded under your user name) and write the anchors."""
    from approval.audit.baseline import baseline
    from approval.db.engine import init_db
    from lagesbild.settings import load_settings

    counts = baseline(init_db(load_settings().database_url), os_user())
    typer.echo(f"grundläge registrerat: {counts['versions']} versioner, {counts['comments']} "
               f"kommentarer, {counts['users']} konton, {counts['anchors']} förankringar")


@contextlib.contextmanager
def _prefect_api() -> Iterator[None]:
    """``PREFECT_API_URL`` when set; else a temporary server that dies with this process
    (even on kill -9, unlike the one Prefect would start itself)."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from lagesbild.processes.tempserver import temporary_prefect_server

    with temporary_prefect_server() as url, temporary_settings(updates={PREFECT_API_URL: url}):
        yield


@app.command()
def nightly(
    year: Annotated[
        int | None, typer.Option("--year", help="Report year (default: the latest year the "
                                 "inbox has BRÅ year figures for).")
    ] = None,  # fmt: skip
    area: Annotated[
        list[str] | None, typer.Option("--area", help="Area id; repeat for several "
                                       "(default: every area of the year).")
    ] = None,  # fmt: skip
    inbox: InboxOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where version directories are written.")
    ] = None,
    areas_file: AreasFileOption = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Areas at a time (threads, or Dask workers).")
    ] = 4,
    dask: Annotated[
        bool, typer.Option("--dask", help="Run the areas on a local Dask cluster.")
    ] = False,
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="A running Dask scheduler, "
                                 "e.g. tcp://host:8786.")
    ] = None,  # fmt: skip
) -> None:
    """Refresh every area of the report year once, as the 02:00 schedule does.

    Prints one line per area (skapad, oförändrad, fastställd – ingen ny version, inga
    indata, misslyckades: reason); exit code 1 when every area tried failed.
    """
    _prefect_defaults()
    # The per-area lines are the output; Prefect's console shows warnings and errors only
    # (its API log keeps everything). PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL overrides.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.nightly import NightlyFailed, dask_task_runner, nightly_refresh

    runner = (dask_task_runner(dask_address, n_workers=workers) if dask or dask_address
              else ThreadPoolTaskRunner(max_workers=workers))  # fmt: skip
    started = time.perf_counter()
    try:
        with _prefect_api():
            summary = nightly_refresh.with_options(task_runner=runner)(
                year=year, areas=area or None, inbox=inbox, out=out, areas_file=areas_file
            )
    except NightlyFailed as exc:
        for item in exc.summary["areas"]:
            typer.echo(item["line"])
        typer.secho(f"fel: alla områden misslyckades ({exc.summary['year']})",
                    fg=typer.colors.RED, err=True)  # fmt: skip
        raise typer.Exit(code=1) from None
    except PipelineError as exc:
        _fail(exc)
    for item in summary["areas"]:
        typer.echo(item["line"])
    typer.echo(f"tid: {time.perf_counter() - started:.1f} s", err=True)


app.command("serve-flows")(serve_flows_command)


def main() -> None:  # pragma: no cover - console entry point
    """Entry point that keeps tracebacks for programming errors only."""
    sys.exit(app())
