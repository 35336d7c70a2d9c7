"""How ``lagesbild run`` runs the yearly flow, and what the person at the terminal sees.

In order: the arguments are checked (:mod:`lagesbild.cli.preflight`, no heavy import); then
the flow runs against ``PREFECT_API_URL`` when set, else against the data root's kept
local server (:mod:`lagesbild.processes.localserver`), started on the first run. Each step
prints one Swedish line; Prefect's and Great Expectations' own output goes to
``<home>/logs/run-<time>-<area>-<year>.log`` unless ``verbose``.

Exit codes (documented in the README):

====  =======================================================================
0     a new version, or the inputs were unchanged (the existing version stands)
1     the data stopped the run: unreadable input, a blocking quality check, …
2     an argument cannot work: unknown area, year outside the data, missing path
3     the run's machinery failed: the Prefect server did not start
4     an unexpected error (a bug): the traceback is in the log file
130   interrupted (Ctrl-C)
====  =======================================================================
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from lagesbild import progress
from lagesbild.errors import PipelineError
from lagesbild.settings import Settings

__all__ = ["EXIT_ARGUMENT", "EXIT_DATA", "EXIT_INFRA", "EXIT_BUG", "RunRequest", "run_yearly"]

EXIT_OK, EXIT_DATA, EXIT_ARGUMENT, EXIT_INFRA, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
UNCHANGED_TEXT = "oförändrade indata, ingen ny version"


@dataclass(frozen=True)
class RunRequest:
    """The yearly flow's parameters, as given on the command line (checked)."""

    area: str
    year: int
    inbox: Path | None
    out: Path | None
    ia_cutoff: dt.date | None
    areas_file: Path | None
    text_dir: Path | None
    template: Path | None
    pdf: bool = True
    revision: str | None = None
    actor: str | None = None

    def flow_parameters(self) -> dict:
        """Keyword arguments of ``flows.yearly.yearly_report``."""
        params = {"area": self.area, "year": self.year, "inbox": self.inbox, "out": self.out,
                  "ia_cutoff": self.ia_cutoff, "areas_file": self.areas_file,
                  "text_dir": self.text_dir, "template": self.template}  # fmt: skip
        if not self.pdf:
            params["pdf"] = False
        if self.revision is not None:
            params |= {"revision": self.revision, "actor": self.actor}
        return params


def describe(result) -> str:  # noqa: ANN001 - a PublishResult
    """The result in words: new version, revision, unchanged, closed."""
    if result.created:
        return "ny version" + (", revision av den fastställda versionen"
                               if result.version.revision_of else "")  # fmt: skip
    if result.status == "adopted":
        return "fastställd, oförändrad, ingen ny version"
    return UNCHANGED_TEXT


def log_path(settings: Settings, area: str, year: int) -> Path:
    """This run's log file under the data root."""
    stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    return settings.logs_dir / f"run-{stamp}-{area}-{year}.log"


def _prefect_environment(settings: Settings):  # noqa: ANN202 - a callable or None
    """Point Prefect at the kept local server, starting it when none runs.

    The server's port is known as soon as it is started, so ``PREFECT_API_URL`` is set at
    once and the caller imports Prefect and the pipeline while the server boots (a first
    run: 10–40 s of the server's start-up overlap the 4–10 s of imports).

    Returns:
        A function that waits until the server answers (showing the step), or None when
        ``PREFECT_API_URL`` was given.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if os.environ.get("PREFECT_HOME"):
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    if os.environ.get("PREFECT_API_URL"):
        return None
    from lagesbild.processes.localserver import start_server, wait_for_server

    info, process = start_server(settings)
    os.environ["PREFECT_API_URL"] = info.api_url

    def wait() -> None:
        with progress.step("Startar Prefect-servern") as current:
            wait_for_server(settings, info, process)
            current.detail = f"{info.ui_url}" + (" (ny, körs kvar: lagesbild server stop)"
                                                 if process else "")  # fmt: skip

    wait.booting = process is not None  # type: ignore[attr-defined]
    return wait


def _summary(out, err, request: RunRequest, started: float,  # noqa: ANN001 - Consoles
             version: int, state: str, files: list[str], directory: str,
             log: Path | None, via: str = "") -> None:  # fmt: skip
    from lagesbild.terminal import seconds

    out.print(f"Klart på {seconds(time.perf_counter() - started)}{via}: {request.area} "
              f"{request.year}, version {version} ({state})", highlight=False)
    docs = Path(directory) / "data_docs" / "index.html"
    if docs.is_file():
        out.print(str(docs), highlight=False, soft_wrap=True)
    for path in files:
        out.print(str(path), highlight=False, soft_wrap=True)
    if log:
        err.print(f"logg: {log}", style="dim", highlight=False, soft_wrap=True)


def _via_worker(sock, request: RunRequest, out, err, log: Path | None,  # noqa: ANN001
                started: float) -> int:  # fmt: skip
    """Hand the run to the warm worker and show what it streams back."""
    from lagesbild.processes.worker import messages, send, to_wire
    from lagesbild.terminal import StepDisplay

    display = StepDisplay(out)
    try:
        send(sock, {"params": to_wire(request.flow_parameters()),
                    "log": str(log) if log else None})  # fmt: skip
        for message in messages(sock):
            if "event" in message:
                display(progress.Event(**message["event"]))
            elif "result" in message:
                r = message["result"]
                _summary(out, err, request, started, r["version"], r["state"], r["files"],
                         r["directory"], log, via=" (via serve-flows)")  # fmt: skip
                return EXIT_OK
            elif "error" in message:
                display.close()
                error = message["error"]
                if error["kind"] == "data":
                    err.print(f"[red]fel:[/] {error['message']}", highlight=False)
                    return EXIT_DATA
                err.print(f"[red]oväntat fel[/] i arbetaren: {error['message']} "
                          f"(logg: {log})", highlight=False)  # fmt: skip
                return EXIT_BUG
    except KeyboardInterrupt:
        display.close()
        err.print("avbruten")
        return EXIT_INTERRUPTED
    finally:
        sock.close()
    display.close()
    err.print("[red]fel:[/] den varma arbetaren avbröt körningen (stoppades serve-flows?)")
    return EXIT_INFRA


def _answered_unchanged(request: RunRequest, settings: Settings, out, err,  # noqa: ANN001
                        display, log: Path | None, started: float) -> bool:  # fmt: skip
    """Answer an unchanged rerun as the flow would, without importing Prefect, where that
    is exact (:mod:`lagesbild.unchanged`); False when the flow has to run."""
    from lagesbild.unchanged import find_unchanged_quickly

    begun = time.perf_counter()
    found = find_unchanged_quickly(request, settings)
    if found is None:
        return False
    display(progress.Event("Jämför indata", "done",
                           f"{found.raw_files} filer, oförändrade sedan v{found.version:03d}",
                           time.perf_counter() - begun))  # fmt: skip
    _summary(out, err, request, started, found.version, UNCHANGED_TEXT,
             [str(p) for p in found.files], str(found.directory), log)  # fmt: skip
    return True


def run_yearly(request: RunRequest, settings: Settings, out, err,  # noqa: ANN001 - Consoles
               log: Path | None) -> int:  # fmt: skip
    """Run the yearly flow (in the warm worker when one runs, else in this process) and
    print its steps and summary.

    Returns:
        The exit code.
    """
    from lagesbild.processes.localserver import ServerError
    from lagesbild.processes.worker import connect
    from lagesbild.terminal import StepDisplay

    started = time.perf_counter()
    if not os.environ.get("PREFECT_API_URL") or os.environ.get("LAGESBILD_WORKER") == "1":
        sock = connect(settings) if os.environ.get("LAGESBILD_WORKER") != "0" else None
        if sock is not None:
            return _via_worker(sock, request, out, err, log, started)
    display = StepDisplay(out)
    if _answered_unchanged(request, settings, out, err, display, log, started):
        return EXIT_OK
    where = f" (logg: {log})" if log else ""
    if request.pdf:  # soffice starts on the other core while the pipeline runs
        from outputs.pdf.render import start_listener

        start_listener()
    from quality import docs_process

    try:
        with progress.sinks(display):
            try:
                wait_for_server = _prefect_environment(settings)
                with progress.step("Laddar Prefect och beräkningarna"):
                    from flows.yearly import yearly_report

                    # GX (only for the Data Docs) loads in a child forked now, sharing what
                    # is imported, on the other core while this process starts the flow and
                    # reads the inputs.
                    docs_process.start()
                if wait_for_server is not None:
                    wait_for_server()
            except ServerError as exc:
                err.print(f"[red]fel:[/] {exc}")
                return EXIT_INFRA
            result = yearly_report(**request.flow_parameters())
    except PipelineError as exc:
        display.close()
        err.print(f"[red]fel:[/] {exc}", highlight=False)
        return EXIT_DATA
    except KeyboardInterrupt:
        display.close()
        err.print("avbruten")
        return EXIT_INTERRUPTED
    except Exception:  # noqa: BLE001 - a bug: the traceback goes to the log, not the screen
        display.close()
        traceback.print_exc()
        err.print(f"[red]oväntat fel[/] – detaljer i loggen{where}", highlight=False)
        return EXIT_BUG
    finally:
        docs_process.stop()
    _summary(out, err, request, started, result.version.version, describe(result),
             [str(p) for p in result.files], result.version.directory, log)
    return EXIT_OK

