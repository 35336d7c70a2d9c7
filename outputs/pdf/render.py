"""The draft as PDF, with its table of contents and "Sid X av Y" already computed.

Word fills fields when it opens the .docx (``w:updateFields``); a PDF has no second chance,
so LibreOffice must do it first. ``uno_update_indexes.py`` runs under the system Python
(which has python3-uno): it opens the draft headless, updates every document index and
field, and exports PDF. Without LibreOffice :func:`render_pdf` returns None.

LibreOffice is kept warm: one listener (``uno_update_indexes.py --serve`` and its soffice)
per process, started by the first PDF, or ahead: by the warm worker (:func:`warm_listener`)
so that every run forked from it finds soffice running (a fresh soffice costs 2–5 s a
PDF), and by ``lagesbild run`` without a worker (:func:`start_listener`, in the
background while the pipeline runs). Requests of forked runs are serialised by a lock
file. The listener dies with its owner: its input closes when the owner exits, and the
reaper kills its process group and removes its profile when the owner is killed, even
with SIGKILL. A listener found dead (or hung past the timeout) is replaced, and the PDF
tried once more.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from lagesbild.processes import reaper
from outputs.publish.versions import make_shareable

__all__ = ["DEFAULT_TIMEOUT", "UNO_PYTHON", "UNO_SCRIPT", "find_soffice", "listener_died",
           "render_pdf", "start_listener", "warm_listener"]  # fmt: skip

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 180.0
#: The interpreter that has the ``uno`` module (Debian/Ubuntu python3-uno).
UNO_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("uno_update_indexes.py")
#: Converted once by :func:`warm_listener`, so the first draft finds Writer loaded.
WARM_UP_DOCX = Path(__file__).parent.parent / "templates" / "lagesbild.docx"


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), or None.

    Returns:
        Its path, or None.
    """
    return shutil.which("soffice") or shutil.which("libreoffice")


class ListenerDied(RuntimeError):
    """The listener's process is gone or stopped answering (``timed_out``: killed after
    the timeout, so the PDF is not tried again)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (works for another process's child too)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class _Listener:
    """One ``uno_update_indexes.py --serve`` with its soffice, owned by this process."""

    def __init__(self, soffice: str, python: str, warm_up: Path | None = None) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="lagesbild-lo-"))
        reaper.register(path=self.work)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["HOME"] = str(self.work)
        command = [python, str(UNO_SCRIPT), "--serve", soffice,
                   (self.work / "profile").as_uri(), *([str(warm_up)] if warm_up else [])]
        with open(self.work / "listener.log", "ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
                start_new_session=True,
            )  # fmt: skip
        reaper.register(group=self.process.pid)
        self.owner = os.getpid()
        self.pid = self.process.pid
        self.key = (soffice, python)

    def alive(self) -> bool:
        return _running(self.pid)

    def convert(self, source: Path, target: Path, timeout: float) -> str | None:
        """Convert one file; the error text when LibreOffice could not, else None.

        Raises:
            ListenerDied: when the listener is gone, or timed out (then it is killed).
        """
        # Opened here, not inherited: forked runs then hold distinct locks on one file.
        with open(self.work / "requests.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.alive():
                raise ListenerDied("the LibreOffice listener is not running")
            rid = uuid.uuid4().hex
            line = json.dumps({"id": rid, "source": str(source), "target": str(target)})
            try:
                os.write(self.process.stdin.fileno(), (line + "\n").encode("utf-8"))
            except OSError as exc:
                raise ListenerDied(f"the LibreOffice listener went away: {exc}") from None
            return self._answer(rid, timeout)

    def _answer(self, rid: str, timeout: float) -> str | None:
        fd, buffer = self.process.stdout.fileno(), b""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.kill()
                raise ListenerDied(f"LibreOffice did not answer within {timeout:.0f} s",
                                   timed_out=True)  # fmt: skip
            chunk = os.read(fd, 65536)
            if not chunk:
                raise ListenerDied("the LibreOffice listener exited")
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:  # a killed run's late answer, or the start's "ready": skipped
                with contextlib.suppress(ValueError):
                    message = json.loads(raw)
                    if message.get("id") == rid:
                        return message.get("error")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)

    def close(self) -> None:
        """Stop soffice and the listener (only in the owning process)."""
        if self.owner != os.getpid():
            return
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        # Every PDF is written and the profile is thrown away: no need to wait for
        # LibreOffice's own shutdown (a second or more at the end of each process).
        self.kill()
        self.process.wait()
        reaper.unregister(group=self.pid)
        shutil.rmtree(self.work, ignore_errors=True)
        reaper.unregister(path=self.work)


_lock = threading.Lock()
_listener: _Listener | None = None


def _close_listener() -> None:
    if _listener is not None:
        _listener.close()


def _current(soffice: str, python: str, *, replace: bool = False,
             warm_up: Path | None = None) -> _Listener:  # fmt: skip
    """This process's listener (inherited from the worker, or started now)."""
    global _listener
    with _lock:
        stale = _listener is not None and _listener.key != (soffice, python)
        if _listener is not None and (replace or stale or not _listener.alive()):
            if _listener.owner == os.getpid():
                _listener.kill()
                _listener.close()
            _listener = None
        if _listener is None:
            _listener = _Listener(soffice, python, warm_up)
            atexit.register(_close_listener)
        return _listener


def listener_died() -> bool:
    """True when this process started (or inherited) a listener that is no longer running."""
    return _listener is not None and not _listener.alive()


def warm_listener(python: str = UNO_PYTHON) -> bool:
    """Start this process's listener now (when none runs) and convert a small document, so
    the first PDF finds soffice and Writer loaded (the warm worker calls this before it
    forks runs, and again when it finds the listener dead).

    Returns:
        True when a listener runs.
    """
    soffice = find_soffice()
    if soffice is None or not Path(python).exists():
        return False
    if _listener is not None and _listener.alive() and _listener.key == (soffice, python):
        return True
    try:
        listener = _current(soffice, python)
        with tempfile.TemporaryDirectory(prefix="lagesbild-pdf-") as tmp:
            listener.convert(WARM_UP_DOCX, Path(tmp) / "warm-up.pdf", DEFAULT_TIMEOUT)
    except (ListenerDied, OSError) as exc:
        logger.warning("LibreOffice listener did not start: %s", exc)
        _drop()  # not retried in a loop: each PDF then tries a listener of its own
        return False
    return True


def start_listener(python: str = UNO_PYTHON) -> bool:
    """Start this process's listener in the background when none runs, and return at once.

    ``lagesbild run`` calls this as soon as it knows a PDF will be wanted: soffice starts
    and loads Writer (converting a small document of its own) on the other core while the
    pipeline reads, checks and drafts, so the PDF step finds it ready (a fresh soffice
    costs 2–5 s). Nothing waits here; a listener that fails to start is replaced by the
    PDF step as usual.

    Returns:
        True when a listener runs or was started.
    """
    soffice = find_soffice()
    if soffice is None or not Path(python).exists():
        return False
    try:
        _current(soffice, python, warm_up=WARM_UP_DOCX)
    except OSError as exc:
        logger.warning("LibreOffice listener did not start: %s", exc)
        return False
    return True


def _drop() -> None:
    global _listener
    with _lock:
        if _listener is not None and _listener.owner == os.getpid():
            _listener.kill()
            _listener.close()
        _listener = None


def render_pdf(
    docx: Path,
    out_dir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    python: str = UNO_PYTHON,
) -> Path | None:
    """Convert a draft to ``<out_dir>/<stem>.pdf`` with TOC and page fields updated.

    Args:
        docx: the draft.
        out_dir: where the PDF goes (created if needed).
        timeout: seconds before LibreOffice is killed.
        python: the interpreter with python3-uno.

    Returns:
        The PDF's path, or None (with a logged warning) when LibreOffice or python3-uno is
        missing, or the conversion failed or timed out.
    """
    soffice = find_soffice()
    if soffice is None:
        logger.warning("LibreOffice (soffice) not found; no PDF written for %s", docx)
        return None
    if not Path(python).exists():
        logger.warning("%s not found (python3-uno); no PDF written for %s", python, docx)
        return None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{Path(docx).stem}.pdf"
    # The scratch directory is registered with the reaper: a run killed even with SIGKILL
    # leaves no /tmp/lagesbild-pdf-* (nor, when it owns the listener, a soffice).
    with tempfile.TemporaryDirectory(prefix="lagesbild-pdf-") as work, \
            reaper.guarded_directory(Path(work)):
        partial = Path(work) / target.name
        error: str | None = "LibreOffice did not start"
        for attempt in range(2):
            try:
                listener = _current(soffice, python, replace=attempt > 0)
                error = listener.convert(Path(docx).absolute(), partial, timeout)
                break
            except ListenerDied as exc:
                error = str(exc)
                again = attempt == 0 and not exc.timed_out
                logger.warning("PDF of %s: %s; %s", docx, exc,
                               "trying a new listener" if again else "giving up")
                if not again:
                    break
            except OSError as exc:
                logger.warning("could not start %s: %s", python, exc)
                return None
        if error is not None or not partial.is_file():
            logger.warning("PDF conversion of %s failed: %s", docx, error or "no file")
            return None
        handle, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{target.stem}-",
                                            suffix=".tmp")  # fmt: skip
        os.close(handle)
        shutil.copyfile(partial, tmp_name)
        make_shareable(Path(tmp_name))  # mkstemp makes 0600; the reports directory is shared
        os.replace(tmp_name, target)
    logger.info("wrote PDF %s", target)
    return target
