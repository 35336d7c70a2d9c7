"""Test support shared by ``tests/approval`` and ``tests/portal``: database backends and
seeded versions. Not used by the application.

PostgreSQL is used when ``LAGESBILD_TEST_POSTGRES_URL`` is set (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each engine gets its own schema,
dropped afterwards, so test runs never see each other's tables.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.db.engine import drop_schema, init_db
from approval.db.models import ReportVersion
from approval.drafts.versions import VersionRepository

__all__ = ["POSTGRES_ENV", "make_draft", "make_report_draft", "record_version", "test_engine"]

POSTGRES_ENV = "LAGESBILD_TEST_POSTGRES_URL"
_TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@contextmanager
def test_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database: ``sqlite`` (a file in ``tmp_path``) or ``postgresql``.

    Args:
        backend: ``sqlite`` or ``postgresql``.
        tmp_path: where the SQLite file goes.

    Yields:
        The engine; a PostgreSQL schema is dropped on exit.
    """
    if backend == "sqlite":
        engine = init_db(f"sqlite:///{tmp_path / 'db' / 'lagesbild.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = os.environ[POSTGRES_ENV]
    schema = f"lagesbild_test_{uuid.uuid4().hex[:12]}"
    engine = init_db(url, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_schema(url, schema)


test_engine.__test__ = False  # type: ignore[attr-defined]  # not a test for pytest


def make_draft(path: Path, text: str) -> Path:
    """Write a tiny real .docx with one paragraph.

    Args:
        path: the file to write.
        text: the paragraph.

    Returns:
        The path.
    """
    from docx import Document

    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def make_report_draft(
    path: Path, title: str, sections: dict[str, list[str]], *, subtitle: str = "",
    identifier: str = "",
) -> Path:
    """Write a .docx shaped like the pipeline's draft: a title page, then one Heading 1 and
    its paragraphs per section; ``identifier`` is embedded as the pipeline does.

    Args:
        path: the file to write.
        title: the title (Title style).
        subtitle: a paragraph after it (e.g. "Version 2 – utkast").
        sections: heading → paragraphs.
        identifier: the core property ``identifier``.

    Returns:
        The path.
    """
    from docx import Document

    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(title, style="Title")
    if subtitle:
        document.add_paragraph(subtitle)
    for heading, paragraphs in sections.items():
        document.add_heading(heading, 1)
        for text in paragraphs:
            document.add_paragraph(text)
    document.core_properties.identifier = identifier
    document.save(str(path))
    return path


def record_version(
    engine: Engine,
    store: Path,
    area: str,
    year: int,
    version: int,
    *,
    quality: str | None = None,
    sections: dict[str, list[str]] | None = None,
    changes: str | None = None,
    pdf: bool = False,
) -> int:
    """Write a version directory with a draft under ``store`` and record it; return its id.

    Args:
        engine: the database.
        store: the draft store root.
        area: area id.
        year: report year.
        version: version number.
        quality: text of ``quality.json`` to write, if any.
        sections: write a draft with these sections (``make_report_draft``) instead of one
            paragraph.
        changes: text of ``changes.json`` to write, if any.
        pdf: also write a (tiny, real) PDF beside the draft and record its sha256.

    Returns:
        The database id of the version.
    """
    directory = store / area / str(year) / f"v{version:03d}"
    name = directory / f"lagesbild_{area}_{year}_v{version:03d}.docx"
    if sections is None:
        draft = make_draft(name, f"Lägesbild {area} {year} version {version}")
    else:
        draft = make_report_draft(
            name, f"Lokal lägesbild {year}", sections, subtitle=f"Version {version} – utkast",
            identifier=f"lagesbild:{area}:{year}:v{version:03d}",
        )
    if quality is not None:
        (directory / "quality.json").write_text(quality, encoding="utf-8")
    if changes is not None:
        (directory / "changes.json").write_text(changes, encoding="utf-8")
    pdf_sha256 = None
    if pdf:
        pdf_path = directory / f"lagesbild_{area}_{year}_v{version:03d}.pdf"
        pdf_path.write_bytes(_TINY_PDF)
        pdf_sha256 = hashlib.sha256(_TINY_PDF).hexdigest()
    VersionRepository(engine).record(
        pdf_sha256=pdf_sha256,
        area=area,
        year=year,
        version=version,
        docx_sha256=hashlib.sha256(draft.read_bytes()).hexdigest(),
        inputs_fingerprint=hashlib.sha256(f"{area}{year}{version}".encode()).hexdigest(),
        inputs=[{"name": "bra.csv", "sha256": "0" * 64}],
        flow_run_id=f"run-{area}-{version}",
        directory=str(directory.resolve()),
    )
    with Session(engine) as session:
        return session.scalar(
            select(ReportVersion.id).where(
                ReportVersion.area == area,
                ReportVersion.year == year,
                ReportVersion.version == version,
            )
        )
