"""Open a .docx in LibreOffice, update its indexes and fields, and store it as PDF.

Run by ``outputs.pdf.render.render_pdf`` under the *system* Python (the one with python3-uno),
never imported by the pipeline:

    /usr/bin/python3 uno_update_indexes.py SOFFICE PROFILE_URL INPUT.docx OUTPUT.pdf

It starts its own headless soffice on a private pipe and user profile, so concurrent
calls don't share state, and always terminates it.

    /usr/bin/python3 uno_update_indexes.py --serve SOFFICE PROFILE_URL [WARM_UP.docx]

keeps one soffice warm and converts the requests read from stdin (``outputs.pdf.render``'s
listener), until its input closes. With ``WARM_UP.docx`` it first converts that file (and
throws the PDF away), so Writer is loaded before the first request arrives.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

_CONNECT_SECONDS = 60


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _connect(pipe: str):  # noqa: ANN202 - a UNO proxy
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + _CONNECT_SECONDS
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _update(document) -> None:  # noqa: ANN001 - a UNO proxy
    # Two passes: filling the TOC can move headings to later pages.
    for _ in range(2):
        indexes = document.getDocumentIndexes()
        for i in range(indexes.getCount()):
            indexes.getByIndex(i).update()
        document.getTextFields().refresh()
        document.refresh()


def _start(soffice: str, profile_url: str):  # noqa: ANN202 - (Popen, UNO Desktop)
    pipe = f"lagesbild_{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile_url}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nofirststartwizard",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
    except BaseException:
        _stop(process, None)
        raise
    return process, desktop


def _stop(process: subprocess.Popen, desktop) -> None:  # noqa: ANN001 - a UNO proxy
    if desktop is not None:
        with contextlib.suppress(Exception):  # the bridge drops when soffice quits
            desktop.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _convert(desktop, source: str, target: str) -> str | None:  # noqa: ANN001 - UNO proxy
    """Store ``source`` as PDF ``target``; the reason when the file cannot be opened."""
    url = uno.systemPathToFileUrl(os.path.abspath(source))
    load = (
        _prop("Hidden", True),
        _prop("UpdateDocMode", 3),
        _prop("FilterName", "MS Word 2007 XML"),  # a non-.docx must fail, not be text
    )
    try:
        document = desktop.loadComponentFromURL(url, "_blank", 0, load)
    except Exception as exc:  # noqa: BLE001 - UNO raises IllegalArgument/IOException
        return f"cannot open {source}: {exc}"
    if document is None:
        return f"cannot open {source}"
    try:
        _update(document)
        out = uno.systemPathToFileUrl(os.path.abspath(target))
        document.storeToURL(out, (_prop("FilterName", "writer_pdf_Export"),))
    finally:
        with contextlib.suppress(Exception):
            document.close(True)
    return None


def _answers(process: subprocess.Popen, desktop) -> bool:  # noqa: ANN001 - a UNO proxy
    """soffice runs and its bridge still answers a cheap call."""
    if process.poll() is not None:
        return False
    try:
        desktop.getComponents()
    except Exception:  # noqa: BLE001 - DisposedException and friends: the bridge is gone
        return False
    return True


def main(soffice: str, profile_url: str, source: str, target: str) -> int:
    process, desktop = _start(soffice, profile_url)
    try:
        error = _convert(desktop, source, target)
    finally:
        _stop(process, desktop)
    if error:
        print(error, file=sys.stderr)
        return 2
    return 0


def serve(soffice: str, profile_url: str, warm_up: str | None = None) -> int:
    """Keep one soffice and convert each request read from stdin (one JSON object a line:
    ``{"id", "source", "target"}``), answering ``{"id", "error"}`` on stdout.

    A soffice that died (crashed, killed) is started again and the request retried once;
    end of input (the owner closed the pipe or died) stops soffice and this process.
    """
    process, desktop = _start(soffice, profile_url)
    if warm_up:  # a failed warm-up only means the first request loads Writer itself
        with contextlib.suppress(Exception):
            work = os.path.dirname(uno.fileUrlToSystemPath(profile_url))
            _convert(desktop, warm_up, os.path.join(work, "warm-up.pdf"))
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            error = "LibreOffice failed"
            for _attempt in range(2):
                if process.poll() is not None:
                    process, desktop = _start(soffice, profile_url)
                try:
                    error = _convert(desktop, request["source"], request["target"])
                except Exception as exc:  # noqa: BLE001 - the bridge to a dead soffice
                    error = f"LibreOffice failed: {exc}"
                    with contextlib.suppress(Exception):
                        process.kill()
                    process.wait()
                    continue
                if error and not _answers(process, desktop):
                    process.kill()  # soffice died (or hangs) under the file: once more, fresh
                    process.wait()
                    continue
                break
            print(json.dumps({"id": request.get("id"), "error": error}), flush=True)
    finally:
        _stop(process, desktop)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        sys.exit(serve(*sys.argv[2:5]))
    sys.exit(main(*sys.argv[1:5]))
