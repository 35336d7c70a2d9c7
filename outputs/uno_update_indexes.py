"""Open a .docx in LibreOffice, update its indexes and fields, and store it as PDF.

Run by ``outputs.pdf.render_pdf`` under the *system* Python (the one with python3-uno),
never imported by the pipeline:

    /usr/bin/python3 uno_update_indexes.py SOFFICE PROFILE_URL INPUT.docx OUTPUT.pdf

It starts its own headless soffice on a private pipe and user profile, so concurrent
calls don't share state, and always terminates it.
"""

from __future__ import annotations

import contextlib
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


def main(soffice: str, profile_url: str, source: str, target: str) -> int:
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
        url = uno.systemPathToFileUrl(os.path.abspath(source))
        load = (
            _prop("Hidden", True),
            _prop("UpdateDocMode", 3),
            _prop("FilterName", "MS Word 2007 XML"),  # a non-.docx must fail, not be text
        )
        try:
            document = desktop.loadComponentFromURL(url, "_blank", 0, load)
        except Exception as exc:  # noqa: BLE001 - UNO raises IllegalArgument/IOException
            print(f"cannot open {source}: {exc}", file=sys.stderr)
            document = None
        if document is None:
            with contextlib.suppress(Exception):
                desktop.terminate()
            return 2
        try:
            _update(document)
            out = uno.systemPathToFileUrl(os.path.abspath(target))
            document.storeToURL(out, (_prop("FilterName", "writer_pdf_Export"),))
        finally:
            document.close(True)
        with contextlib.suppress(Exception):  # the bridge drops when soffice quits
            desktop.terminate()
    finally:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
