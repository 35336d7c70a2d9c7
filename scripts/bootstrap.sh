#!/usr/bin/env bash
# Set up everything lagesbild needs on a fresh machine: a virtualenv in .venv with the
# pinned package set (constraints.txt), the project installed editable, and - when run as
# root on Debian and not yet present - LibreOffice for PDF renditions of the drafts.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.lagesbild-installed
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
    echo "$want" > "$stamp"
fi

# Optional system packages: LibreOffice for the PDF rendition of drafts, poppler for
# reading PDFs in tests, Chromium for the portal's browser test. Skipped without root/apt
# or with LAGESBILD_SKIP_APT=1; the pipeline then writes the .docx only and the browser
# test is skipped.
if [ "${LAGESBILD_SKIP_APT:-0}" != "1" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    missing=()
    command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui python3-uno fonts-dejavu-core fonts-liberation)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "bootstrap: installing ${missing[*]} ..." >&2
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null 2>&1 \
            || echo "bootstrap: could not install ${missing[*]}; PDF/browser features are skipped" >&2
    fi
fi
