"""The draft as PDF, with its table of contents and "Sid X av Y" already computed.

Word fills fields when it opens the .docx (``w:updateFields``); a PDF has no second chance,
so LibreOffice must do it first. :func:`render_pdf` runs ``uno_update_indexes.py`` under
the system Python (which has python3-uno): it opens the draft headless, updates every
document index and field, and exports PDF. Without LibreOffice it returns None.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from lagesbild import reaper
from outputs.publish import make_shareable

__all__ = ["DEFAULT_TIMEOUT", "UNO_PYTHON", "UNO_SCRIPT", "find_soffice", "render_pdf"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 180.0
#: The interpreter that has the ``uno`` module (Debian/Ubuntu python3-uno).
UNO_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("uno_update_indexes.py")


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), or None.

    Returns:
        Its path, or None.
    """
    return shutil.which("soffice") or shutil.which("libreoffice")


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
    # The scratch directory and LibreOffice's process group are registered with the reaper:
    # a run killed even with SIGKILL leaves neither a soffice nor /tmp/lagesbild-lo-*.
    with tempfile.TemporaryDirectory(prefix="lagesbild-lo-") as work, \
            reaper.guarded_directory(Path(work)):
        profile = Path(work) / "profile"
        partial = Path(work) / target.name
        command = [python, str(UNO_SCRIPT), soffice, profile.as_uri(), str(docx), str(partial)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["HOME"] = work
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                start_new_session=True,
            )  # fmt: skip
            with reaper.guarded_group(process.pid):
                try:
                    _, stderr = process.communicate(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.communicate()
                    logger.warning("LibreOffice timed out after %s s on %s", timeout, docx)
                    return None
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # anything the script left
        except OSError as exc:
            logger.warning("could not start %s: %s", python, exc)
            return None
        if process.returncode != 0 or not partial.is_file():
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            logger.warning("PDF conversion of %s failed: %s", docx, " | ".join(tail))
            return None
        handle, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{target.stem}-",
                                            suffix=".tmp")  # fmt: skip
        os.close(handle)
        shutil.copyfile(partial, tmp_name)
        make_shareable(Path(tmp_name))  # mkstemp makes 0600; the reports directory is shared
        os.replace(tmp_name, target)
    logger.info("wrote PDF %s", target)
    return target
