"""More gallery cases: silent data loss, the inbox's edges, and more of every source kind.

The same mistakes in every source kind (a negative count, text in a number, a share over
100 %, a missing column, a damaged byte), and what must never pass silently: a month of
BRÅ rows lost, a file without rows for the area or the year, a NUL inside a cell, an
unknown crime category, a symbolic link out of the inbox, a file too large for the raw
store. Breaking helpers and ``Case`` are those of ``gallery_cases``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
from gallery_cases import (
    BRA,
    IA,
    IA_MARKER,
    POP,
    SURVEY_SE,
    SURVEY_TM,
    Case,
    _bra,
    _csv,
    _edit,
    _ia_as_csv,
    _replace_line,
    _set_field,
    _workbook,
)

from lagesbild.errors import DataQualityError, InputError, SourceSchemaChanged

__all__ = ["CASES", "KINDS"]

BRA_2019 = "bra/Databasfil_sodermalm_2019.txt"
POLICE = "polis/polis_brott_2017-2024.csv"
FACTS = "omradesfakta/omradesfakta_sodermalm_stockholm.csv"
IA_CSV = "ia/IA_export_2024-11-15.csv"
#: Inbox folders the gallery covers (every source kind of sources.md).
KINDS = {"bra", "befolkning", "ia", "enkater", "polis", "omradesfakta"}


def _drop(period: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [line for line in lines if period not in line]


def _replace(old: str, new: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [line.replace(old, new) for line in lines]


def _nul_in_line(number: int, after: str) -> Callable[[list[str]], list[str]]:
    """A NUL byte inside the first cell of line ``number``, after the text ``after``."""

    def edit(lines: list[str]) -> list[str]:
        lines[number - 1] = lines[number - 1].replace(after, after + "\x00", 1)
        return lines

    return edit


def _unknown_category(lines: list[str]) -> list[str]:
    extra = [line.replace("Narkotikabrott", "Narkotikabrot") for line in lines
             if ";Narkotikabrott;" in line]  # fmt: skip
    return [*[line for line in lines if line], *extra, ""]


def _drop_survey_column(lines: list[str]) -> list[str]:
    index = lines[0].split(";").index("Antal svar")
    return [";".join(f for i, f in enumerate(line.split(";")) if i != index) if line else line
            for line in lines]  # fmt: skip


def _outside(inbox: Path) -> Path:
    folder = inbox.parent / "outside-the-inbox"
    folder.mkdir(exist_ok=True)
    return folder


def _symlinked_folder(inbox: Path) -> None:
    """``inbox/bra`` is a link to a folder elsewhere (e.g. a colleague's share)."""
    target = _outside(inbox) / "bra"
    (inbox / "bra").rename(target)
    (inbox / "bra").symlink_to(target, target_is_directory=True)


def _symlinked_ia(inbox: Path) -> None:
    """The IA export is a link to a file outside the inbox holding personal data."""
    target = _outside(inbox) / "personal.xlsx"
    (inbox / IA).rename(target)
    (inbox / IA).symlink_to(target)


def _lose_header(book: openpyxl.Workbook) -> None:
    book.active.delete_rows(1)


def _nul_in_ia_csv(inbox: Path) -> None:
    _ia_as_csv(cut=False)(inbox)
    path = inbox / IA_CSV
    lines = path.read_text("utf-8-sig").split("\n")
    lines[4] = lines[4].replace(IA_MARKER, IA_MARKER + "\x00", 1)
    path.write_text("\n".join(lines), encoding="utf-8-sig")


CASES: tuple[Case, ...] = (
    # BRÅ: nothing is lost without a word
    Case("bra-month-missing-in-report-year", BRA, _bra(_drop(";2022;Maj;")),
         error=DataQualityError, mentions=("sodermalm 2022", "saknar månader: Maj")),
    Case("bra-month-missing-in-earlier-year", BRA_2019, _edit(BRA_2019, "latin-1",
         _drop(";2019;Maj;")), outcome="warning", check="expect_complete_years",
         mentions=("sodermalm 2019", "Databasfil_sodermalm_2019.txt", "saknar månader: Maj"),
         says=("BRÅ-året 2019 saknas i serien för Södermalm: bra/Databasfil_sodermalm_2019.txt "
               "saknar månaden maj, och ett år räknas bara när alla tolv månader finns.",)),
    Case("bra-no-rows-for-the-area", BRA, _bra(_replace("Södermalm (Sthlm)", "Kista (Sthlm)")),
         error=DataQualityError, mentions=("sodermalm 2022", "inga för området", "'Region'")),
    Case("bra-no-rows-for-the-report-year", BRA, _bra(_replace(";2022;", ";2016;")),
         error=DataQualityError, mentions=("sodermalm 2022", "ingen fil har rader för 2022")),
    Case("bra-nul-byte-in-a-cell", BRA, _bra(_nul_in_line(6, "Stadsdels")), error=InputError,
         mentions=("row 6", "'Region'", "NUL")),
    Case("bra-unknown-category", BRA, _bra(_unknown_category), outcome="warning",
         check="expect_known_categories", mentions=("Narkotikabrot", "'Brott'"),
         says=("Underlaget från BRÅ har en brottskategori som inte finns i rapportens lista över "
               "brottskategorier: ”Narkotikabrot” (bra/Databasfil_sodermalm_2022.txt, rad 363, "
               "kolumn Brott). Kontrollera om det är en felstavning eller en ny kategori.",)),
    Case("bra-folder-is-a-symlink-out-of-the-inbox", BRA, _symlinked_folder, error=InputError,
         mentions=("symbolisk länk",)),
    Case("bra-file-over-the-raw-store-limit", BRA, lambda inbox: None, error=InputError,
         mentions=("LAGESBILD_RAW_MAX_FILE_MB",), env=(("LAGESBILD_RAW_MAX_FILE_MB", "0.01"),)),
    # Population
    Case("pop-negative-folkmangd", POP, _csv(POP, _replace_line(3, lambda s: _set_field(
         s, 2, "-5"))), error=DataQualityError, mentions=("row 3", "'Folkmängd'")),
    Case("pop-nul-byte-in-a-cell", POP, _csv(POP, _nul_in_line(2, "2017;Söder")),
         error=InputError, mentions=("row 2", "'Stadsdelsområde'", "NUL")),
    # Surveys
    Case("survey-negative-share", SURVEY_TM, _csv(SURVEY_TM, _replace_line(3, lambda s: _set_field(
         s, 5, "-3,0"))), error=DataQualityError, mentions=("row 3", "'Andel (%)'")),
    Case("survey-missing-column", SURVEY_SE, _csv(SURVEY_SE, _drop_survey_column),
         error=SourceSchemaChanged, mentions=("row 1", "'Antal svar'")),
    # IA: the cell is named, never quoted
    Case("ia-header-row-lost", IA, _workbook(_lose_header), error=SourceSchemaChanged,
         mentions=("row 1", "'Ärendenummer'", "har rubrikraden tagits bort")),
    Case("ia-nul-byte-in-free-text", IA_CSV, _nul_in_ia_csv, error=InputError,
         mentions=("row 5", "'Händelsetyp'", "NUL")),
    Case("ia-file-is-a-symlink-out-of-the-inbox", IA, _symlinked_ia, error=InputError,
         mentions=("symbolisk länk",)),
    # Police
    Case("police-negative-count", POLICE, _csv(POLICE, _replace_line(3, lambda s: _set_field(
         s, 4, "-5"))), error=InputError, mentions=("row 3", "'Antal'")),
    Case("police-bad-month", POLICE, _csv(POLICE, _replace_line(3, lambda s: _set_field(
         s, 3, "13"))), error=InputError, mentions=("row 3", "'Månad'")),
    # Områdesfakta
    Case("facts-share-over-100", FACTS, _csv(FACTS, _replace_line(2, lambda s: _set_field(
         s, 3, "130,0"))), error=InputError, mentions=("row 2", "'Värde'")),
    Case("facts-unknown-unit", FACTS, _csv(FACTS, _replace_line(2, lambda s: _set_field(
         s, 4, "styck"))), error=InputError, mentions=("row 2", "'Enhet'")),
)  # fmt: skip
