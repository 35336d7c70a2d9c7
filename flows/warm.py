"""The warm worker: yearly runs of ``lagesbild run`` without paying the start-up each time.

``lagesbild serve-flows`` (and ``lagesbild worker``) start it. It imports the whole stack
once (Prefect, the flows, pandas, scipy, Great Expectations, python-docx, matplotlib) and
listens on a Unix socket of the data root (mode 0600: only its user can submit). Each
request is forked into a child of this pre-imported process, so a run starts in
milliseconds yet keeps a process of its own: its own Prefect flow run (recorded by the
server the worker points at), its own memory and pyplot state, its own LibreOffice. The
child streams the step events back and ends its run when the requester goes away.

The zygote stays single-threaded (forking a threaded process is unsafe): it only accepts
and forks. Children die with it (``PR_SET_PDEATHSIG``), and LibreOffice with them (the
reaper).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import importlib
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from lagesbild import progress
from lagesbild.errors import PipelineError
from lagesbild.processes.worker import send, socket_path, state_file
from lagesbild.settings import Settings

__all__ = ["serve_warm", "start_warm_worker"]

_PATH_PARAMS = ("inbox", "out", "areas_file", "text_dir", "template")


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _params(wire: dict) -> dict:
    params = dict(wire)
    for key in _PATH_PARAMS:
        if params.get(key) is not None:
            params[key] = Path(params[key])
    if params.get("ia_cutoff"):
        params["ia_cutoff"] = dt.date.fromisoformat(params["ia_cutoff"])
    return params


def _watch_requester(conn: socket.socket) -> None:
    """End this run when the requester hangs up (Ctrl-C or kill of ``lagesbild run``)."""
    with contextlib.suppress(OSError):
        while conn.recv(1024):
            pass
    os.kill(os.getpid(), signal.SIGTERM)  # Prefect marks the flow run crashed
    time.sleep(10)
    os.kill(os.getpid(), signal.SIGKILL)


def _redirect_output(log: str | None) -> None:
    if log is None:  # --verbose: the worker's own terminal shows Prefect's lines
        return
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)


def _run_child(conn: socket.socket) -> int:
    """One request, in the forked child: run the flow, stream events, send the result."""
    from flows.yearly import yearly_report

    _die_with_parent()
    request = json.loads(conn.makefile("r", encoding="utf-8").readline())
    _redirect_output(request.get("log"))
    lock = threading.Lock()

    def forward(event: progress.Event) -> None:
        with lock:
            send(conn, {"event": event.as_dict()})

    threading.Thread(target=_watch_requester, args=(conn,), daemon=True).start()
    try:
        with progress.sinks(forward):
            result = yearly_report(**_params(request["params"]))
    except PipelineError as exc:
        send(conn, {"error": {"kind": "data", "message": str(exc)}})
        return 1
    except Exception as exc:  # noqa: BLE001 - reported to the requester, traceback in the log
        traceback.print_exc()
        send(conn, {"error": {"kind": "bug", "message": f"{type(exc).__name__}: {exc}"}})
        return 4
    from lagesbild.runner import describe

    send(conn, {"result": {"version": result.version.version, "state": describe(result),
                           "directory": str(result.version.directory),
                           "files": [str(p) for p in result.files]}})  # fmt: skip
    return 0


def _warm_up() -> None:
    """Import and set up everything a run needs, so children start with it loaded.

    Beyond the flow's own imports: what a run imported or built on first use in each
    forked child (found with ``-X importtime`` on a child's run): Prefect's flow and task
    engines, the approval database's migrations (alembic), openpyxl for the IA export,
    GX with its Data Docs templates compiled, matplotlib's fonts, the sentence templates.
    """
    import flows.yearly  # noqa: F401
    import outputs.draft.word.writer  # noqa: F401
    import outputs.pdf.render  # noqa: F401
    import quality.validate  # noqa: F401

    for name in ("prefect.flow_engine", "prefect.task_engine", "fastapi.encoders",
                 "prefect.utilities.visualization", "anyio._backends._asyncio",
                 "approval.db.engine", "approval.drafts.locks", "openpyxl", "python_calamine",
                 "pandas.io.formats.csvs", "pandas.io.formats.html", "pandas.core.methods.to_dict",
                 "pandas.core.reshape.reshape", "PIL.PngImagePlugin"):  # fmt: skip
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from quality import _gx

    with tempfile.TemporaryDirectory(prefix="lagesbild-warm-") as tmp:
        _gx.warm_up(Path(tmp))  # GX imported, its Data Docs templates compiled
    _warm_fonts()
    from outputs.text.sentences import load_sentences

    load_sentences()  # the default snippets parsed and compiled once, not in every run
    from approval.db.models import make_engine

    make_engine("sqlite:///:memory:").dispose()  # Alembic's scripts loaded: ~0.05-0.1 s a run
    outputs.pdf.render.warm_listener()  # one soffice for every run forked from here


def _warm_fonts() -> None:
    """Draw a little text once: matplotlib's font look-up and FreeType faces are cached."""
    from outputs.draft.word import charts

    figure = charts._figure(1, 1)
    ax = figure.add_subplot()
    ax.set_title("Åäö 2023", fontproperties=charts._font(7))
    ax.plot([0, 1], [0, 1])
    charts._style(ax)
    charts._png(figure)


def serve_warm(settings: Settings, api_url: str) -> None:
    """Accept and fork requests until terminated (runs in the zygote process)."""
    _warm_up()
    import outputs.pdf.render

    path = socket_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(old_umask)
    server.listen(8)
    server.settimeout(1.0)
    state = state_file(settings)
    state.write_text(json.dumps({"pid": os.getpid(), "socket": str(path), "api": api_url}),
                     encoding="utf-8")  # fmt: skip
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            if outputs.pdf.render.listener_died():
                outputs.pdf.render.warm_listener()  # replaced before the next run needs it
            try:
                conn, _ = server.accept()
            except (TimeoutError, InterruptedError, OSError):
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                code = 4
                try:
                    code = _run_child(conn)
                finally:
                    with contextlib.suppress(OSError):
                        conn.close()
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            conn.close()
    finally:
        server.close()
        with contextlib.suppress(OSError):
            if json.loads(state.read_text(encoding="utf-8")).get("pid") == os.getpid():
                state.unlink()
                path.unlink()


def start_warm_worker(settings: Settings, api_url: str) -> int:
    """Fork the zygote from a single-threaded process; it dies with this one.

    Returns:
        The zygote's PID.
    """
    pid = os.fork()
    if pid == 0:
        _die_with_parent()
        code = 0
        try:
            serve_warm(settings, api_url)
        except BaseException:  # noqa: BLE001 - the zygote must never return into the parent
            traceback.print_exc()
            code = 1
        os._exit(code)
    return pid
