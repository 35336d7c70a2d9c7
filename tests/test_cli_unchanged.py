"""An unchanged rerun of ``lagesbild run`` without a worker, as a person meets it: real
processes on a real data root. The rerun is answered before Prefect is imported
(``lagesbild.unchanged``) with the flow's Swedish answer and exit code and makes no
version; a changed inbox file or template goes through the flow and makes one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from lagesbild.settings import SAMPLE_INBOX
from outputs.draft.word.ooxml.template import DEFAULT_TEMPLATE

LAGESBILD = str(Path(sys.executable).parent / "lagesbild")
SUMMARY = r"Klart på [\d,]+\s+s: sodermalm 2023, version {v} \({state}\)"


@pytest.fixture
def root(tmp_path):
    """A data root with a copy of the sample inbox and texts; its server stopped after."""
    shutil.copytree(SAMPLE_INBOX, tmp_path / "inbox")
    shutil.copytree(SAMPLE_INBOX.parent / "text", tmp_path / "text")
    docx.Document(str(DEFAULT_TEMPLATE)).save(str(tmp_path / "mall.docx"))
    env = {**os.environ, "LAGESBILD_HOME": str(tmp_path / "home"),
           "PREFECT_HOME": str(tmp_path / "prefect"), "LAGESBILD_WORKER": "0"}  # fmt: skip
    for name in ("PREFECT_API_URL", "LAGESBILD_DATABASE_URL", "LAGESBILD_FETCH_CONFIG"):
        env.pop(name, None)
    yield tmp_path, env
    subprocess.run([LAGESBILD, "server", "stop"], env=env, capture_output=True, timeout=60)


def _run(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LAGESBILD, "run", "--area", "sodermalm", "--year", "2023", "--no-pdf",
         "--inbox", str(tmp_path / "inbox"), "--template", str(tmp_path / "mall.docx")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _versions(env: dict[str, str]) -> list[str]:
    listed = subprocess.run([LAGESBILD, "versions", "--area", "sodermalm"], env=env,
                            capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    return [line.split("\t")[2] for line in listed.stdout.splitlines() if line.strip()]


def _assert_through_flow(done: subprocess.CompletedProcess, version: int) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(SUMMARY.format(v=version, state="ny version"), done.stdout), done.stdout
    assert "Kontrollerar" in done.stdout and "Jämför indata" not in done.stdout


def _assert_unchanged(done: subprocess.CompletedProcess, version: int) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    state = "oförändrade indata, ingen ny version"
    assert re.search(SUMMARY.format(v=version, state=state), done.stdout), done.stdout
    assert re.search(rf"✓ Jämför indata … \d+ filer, oförändrade sedan v{version:03d}",
                     done.stdout), done.stdout  # fmt: skip
    assert "Laddar Prefect" not in done.stdout and "Kontrollerar" not in done.stdout
    # The files of the version that stands, draft last, as the flow lists them.
    lines = done.stdout.strip().splitlines()
    assert lines[-1].endswith(f"lagesbild_sodermalm_2023_v{version:03d}.docx")
    assert any(line.endswith("data_docs/index.html") for line in lines)


def test_an_unchanged_rerun_is_answered_without_a_flow_and_a_change_goes_through_it(root):
    tmp_path, env = root
    _assert_through_flow(_run(tmp_path, env), version=1)
    _assert_unchanged(_run(tmp_path, env), version=1)
    assert _versions(env) == ["v001"]

    police = tmp_path / "inbox" / "polis" / "polis_brott_2017-2024.csv"
    text = police.read_text(encoding="utf-8-sig")
    first = text.splitlines()[1]
    police.write_text(text.replace(first, first.rsplit(";", 1)[0] + ";2573", 1),
                      encoding="utf-8-sig")  # fmt: skip
    _assert_through_flow(_run(tmp_path, env), version=2)
    _assert_unchanged(_run(tmp_path, env), version=2)

    template = docx.Document(str(tmp_path / "mall.docx"))
    template.core_properties.comments = "stadsdelens egen mall"
    template.save(str(tmp_path / "mall.docx"))
    _assert_through_flow(_run(tmp_path, env), version=3)
    _assert_unchanged(_run(tmp_path, env), version=3)
    assert _versions(env) == ["v001", "v002", "v003"]
