"""The bad-input gallery: one broken copy of the sample inbox per case, and what must happen.

Each case names the inbox file it breaks, how, and the expected outcome:

* ``error``: the run stops with ``error`` (a ``PipelineError``) whose message names the file
  and contains every string of ``mentions`` (the row and column, or what is missing);
* ``warning`` / ``info``: the run's checks pass, and the check ``check`` failed with that
  severity, naming the file in its examples (when ``mentions`` is given);
* ``ok``: the input is accepted (e.g. a BRÅ file saved as UTF-8).

Every case starts from a copy of the sample inbox whose IA export carries ``IA_MARKER`` in
every free-text kind of cell (``mark_ia``); no message may contain it, nor a case number,
nor any string of the case's ``never`` (the IA cell the case broke).

Adding a case (e.g. for a new source kind): write a breaking helper (``_csv(file, edit)``
edits a CSV's lines, ``_bytes`` its bytes, ``_workbook`` the IA workbook), add a ``Case``
with the inbox-relative file, the exception class and the strings the message must contain
(``"row N"``, ``"'Column'"``) — in ``gallery_more.py`` for the newer kinds — and put its
folder in ``KINDS`` of ``test_gallery.py``. A case that must not quote an IA cell it
planted lists that text in ``never``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from lagesbild.errors import DataQualityError, InputError, PipelineError, SourceSchemaChanged

__all__ = ["BRA", "CASES", "IA", "IA_MARKER", "POP", "SURVEY_SE", "SURVEY_TM", "Case", "mark_ia"]

BRA = "bra/Databasfil_sodermalm_2022.txt"
POP = "befolkning/befolkning_stadsdelsomraden.csv"
IA = "ia/IA_export_2024-11-15.xlsx"
IA_CSV = "ia/IA_export_2024-11-15.csv"
SURVEY_SE = "enkater/stockholmsenkaten.csv"
SURVEY_TM = "enkater/trygghetsmatningen.csv"
POLICE = "polis/polis_brott_2017-2024.csv"
FACTS = "omradesfakta/omradesfakta_sodermalm_stockholm.csv"
PXWEB = "befolkning/scb_folkmangd.json"


@dataclass(frozen=True)
class Case:
    """One broken input and the outcome it must have."""

    id: str
    file: str
    brk: Callable[[Path], None]
    outcome: str = "error"
    error: type[PipelineError] = PipelineError
    mentions: tuple[str, ...] = ()
    check: str | None = None
    never: tuple[str, ...] = ()  # IA cell content the case planted: never in a message
    env: tuple[tuple[str, str], ...] = ()  # settings for this case (e.g. raw store limits)
    says: tuple[str, ...] = ()  # a warning's lines in the draft's Datakvalitet section


#: Planted in every IA cell a person types freely; it must never leave the raw store.
IA_MARKER = "PERSONUPPGIFT-GALLERI-Q7"


def mark_ia(inbox: Path) -> None:
    """Put ``IA_MARKER`` into the IA export's free text, units, event types, and into a
    few categories and förvaltningar (a name typed into the wrong field)."""
    path = inbox / IA
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        for name in ("Beskrivning", "Avdelning", "Händelsetyp"):
            sheet.cell(row, header.index(name) + 1).value = f"{IA_MARKER} {name} {row}"
    for row, name in ((7, "Kategori"), (9, "Kategori"), (11, "Förvaltning"), (12, "Förvaltning")):
        sheet.cell(row, header.index(name) + 1).value = f"{IA_MARKER} Anna Andersson {row}"
    book.save(path)


# --- breaking helpers ----------------------------------------------------------------------


def _text(path: Path, encoding: str) -> str:
    return path.read_bytes().decode(encoding).removeprefix("\ufeff")


def _edit(file: str, encoding: str, edit: Callable[[list[str]], list[str]],
          *, bom: bool = False) -> Callable[[Path], None]:  # fmt: skip
    """Edit the file's lines (header first) and write them back in the same encoding."""

    def brk(inbox: Path) -> None:
        path = inbox / file
        lines = _text(path, encoding).split("\n")
        text = "\n".join(edit(lines))
        path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.encode(encoding))

    return brk


def _bra(edit: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    return _edit(BRA, "latin-1", edit)


def _csv(file: str, edit: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    return _edit(file, "utf-8", edit, bom=True)


def _set_field(line: str, index: int, value: str) -> str:
    fields = line.split(";")
    fields[index] = value
    return ";".join(fields)


def _replace_line(number: int, change: Callable[[str], str]):
    """Change line ``number`` (1-based, header = 1)."""

    def edit(lines: list[str]) -> list[str]:
        lines[number - 1] = change(lines[number - 1])
        return lines

    return edit


def _bytes(file: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def brk(inbox: Path) -> None:
        path = inbox / file
        path.write_bytes(make(path.read_bytes()))

    return brk


def _workbook(edit: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    def brk(inbox: Path) -> None:
        path = inbox / IA
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)

    return brk


def _ia_cell(row: int, header: str, value: object):
    def edit(book: openpyxl.Workbook) -> None:
        sheet = book.active
        column = [c.value for c in sheet[1]].index(header) + 1
        sheet.cell(row=row, column=column).value = value

    return _workbook(edit)


def _ia_as_csv(cut: bool) -> Callable[[Path], None]:
    """Replace the IA workbook by the same export as CSV; optionally cut mid-line."""

    def brk(inbox: Path) -> None:
        path = inbox / IA
        sheet = openpyxl.load_workbook(path, read_only=True).active
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        for values in sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else str(v)[:10] if hasattr(v, "date") else v
                             for v in values])  # fmt: skip
        text = out.getvalue()
        if cut:  # the transfer stopped in the middle of the 101st line
            lines = text.split("\n")
            text = "\n".join(lines[:100]) + "\n" + lines[100][: len(lines[100]) // 3]
        path.unlink()
        (inbox / IA_CSV).write_text(text, encoding="utf-8-sig")

    return brk


def _another_sheet(book: openpyxl.Workbook) -> None:
    info = book.create_sheet("Info", 0)
    info["A1"] = "Export från IA"
    info["A2"] = "Urval: alla förvaltningar"
    book.active = 0


def _drop_column(book: openpyxl.Workbook) -> None:
    sheet = book.active
    sheet.delete_cols([c.value for c in sheet[1]].index("Kategori") + 1)


def _drop_pop_column(lines: list[str]) -> list[str]:
    index = lines[0].split(";").index("65–79 år")
    return [";".join(f for i, f in enumerate(line.split(";")) if i != index) if line else line
            for line in lines]  # fmt: skip


def _duplicate_conflicting(lines: list[str]) -> list[str]:
    copy = _set_field(lines[4], 4, str(int(lines[4].split(";")[4]) + 7))
    return [*lines[:5], copy, *lines[5:]]


def _pop_conflict(lines: list[str]) -> list[str]:
    row = next(i for i, line in enumerate(lines) if line.startswith("2022;Södermalm;"))
    return [*lines, _set_field(lines[row], 2, "131 000")]


def _without(prefix: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [line for line in lines if not line.startswith(prefix)]


def _unknown_region(lines: list[str]) -> list[str]:
    extra = [line.replace("Stadsdelsområde Södermalm (Sthlm)", "Stadsdelsområde Atlantis (Sthlm)")
             for line in lines[1:4]]  # fmt: skip
    return [lines[0], *lines[1:], *extra] if lines[-1] else [*lines[:-1], *extra, ""]


def _extra_column(lines: list[str]) -> list[str]:
    header = lines[0] + ";Kommentar"
    body = [line + "ok;" if line.strip() else line for line in lines[1:]]
    return [header, *body]


def _cut_mid_line(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[:40]) + b"\n" + lines[40][: len(lines[40]) // 2]


def _drop_field(name: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        index = lines[0].rstrip("\r").split(";").index(name)
        return [";".join(f for i, f in enumerate(line.rstrip("\r").split(";")) if i != index)
                if line else line for line in lines]  # fmt: skip

    return edit


def _append_changed(index: int, value: str) -> Callable[[list[str]], list[str]]:
    """Repeat data line 2 at the end with field ``index`` changed (one key, two values)."""

    def edit(lines: list[str]) -> list[str]:
        body = [line for line in lines if line.strip()]
        return [*body, _set_field(body[1].rstrip("\r"), index, value), ""]

    return edit


def _pxweb(change: Callable[[dict], None]) -> Callable[[Path], None]:
    """Add SCB's answer for Stockholm (0180) 2021–2022 as the sample table has it, changed."""

    def brk(inbox: Path) -> None:
        from sources.readers.jsonstat_write import jsonstat_dataset, write_jsonstat

        dims = {"Region": {"0180": "Stockholm"}, "ContentsCode": {"BE0101N1": "Folkmängd"},
                "Tid": {"2021": "2021", "2022": "2022"}}
        data = jsonstat_dataset(dims, [978770, 984748])
        change(data)
        write_jsonstat(inbox / PXWEB, data)

    return brk


def _no_tid(data: dict) -> None:
    data["id"].remove("Tid")
    del data["dimension"]["Tid"]
    data["size"] = [1, 1]
    data["value"] = [978770]


# --- the gallery ---------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    # BRÅ
    Case("bra-utf16", BRA, _bytes(BRA, lambda b: b.decode("latin-1").encode("utf-16")),
         error=InputError, mentions=("UTF-16",)),
    Case("bra-binary-garbage", BRA, _bytes(BRA, lambda b: bytes(range(256)) * 40),
         error=InputError, mentions=("binär",)),
    Case("bra-utf8-is-fine", BRA, _bytes(BRA, lambda b: b.decode("latin-1").encode("utf-8")),
         outcome="ok"),
    Case("bra-missing-column", BRA, _bra(_replace_line(1, lambda h: h.replace(";/100 000 inv",
         ""))), error=SourceSchemaChanged, mentions=("row 1", "'/100 000 inv'")),
    Case("bra-renamed-column", BRA, _bra(_replace_line(1, lambda h: h.replace("Antal",
         "Antal brott"))), error=SourceSchemaChanged, mentions=("row 1", "'Antal'")),
    Case("bra-extra-column", BRA, _bra(_extra_column), outcome="ok"),
    Case("bra-text-in-count", BRA, _bra(_replace_line(5, lambda s: _set_field(s, 4, "tre"))),
         error=InputError, mentions=("row 5", "'Antal'", "'tre'")),
    Case("bra-negative-count", BRA, _bra(_replace_line(5, lambda s: _set_field(s, 4, "-5"))),
         error=DataQualityError, mentions=("row 5", "'Antal'", "-5")),
    Case("bra-conflicting-duplicates", BRA, _bra(_duplicate_conflicting), error=InputError,
         mentions=("row 6", "rad 5", "'Antal'")),
    Case("bra-missing-year", "bra/Databasfil_sodermalm_2021.txt",
         lambda inbox: (inbox / "bra/Databasfil_sodermalm_2021.txt").unlink(),
         error=DataQualityError, mentions=("sodermalm 2021", "inbox/bra")),
    Case("bra-unknown-region", BRA, _bra(_unknown_region), outcome="info",
         check="expect_column_values_to_not_be_null", mentions=("Atlantis",)),
    Case("bra-header-only", BRA, _bra(lambda lines: [lines[0], ""]), error=InputError,
         mentions=("row 2",)),
    Case("bra-empty-file", BRA, _bytes(BRA, lambda b: b""), error=SourceSchemaChanged,
         mentions=("row 1", "tom")),
    Case("bra-cut-mid-line", BRA, _bytes(BRA, _cut_mid_line), error=InputError,
         mentions=("row 41",)),
    Case("bra-cut-in-last-field", BRA, _bytes(BRA, lambda b: b.rstrip()[:-3]),
         error=InputError, mentions=("row 361", "';'")),
    Case("bra-unknown-period", BRA, _bra(_replace_line(6, lambda s: _set_field(s, 3, "Maj13"))),
         error=InputError, mentions=("row 6", "'Period'", "'Maj13'")),
    Case("bra-bad-year", BRA, _bra(_replace_line(6, lambda s: _set_field(s, 2, "20222"))),
         error=InputError, mentions=("row 6", "'År'", "'20222'")),
    # Population
    Case("pop-text-in-folkmangd", POP, _csv(POP, _replace_line(3, lambda s: _set_field(
         s, 2, "ca 131 tusen"))), error=InputError, mentions=("row 3", "'Folkmängd'")),
    Case("pop-missing-column", POP, _csv(POP, _drop_pop_column), error=SourceSchemaChanged,
         mentions=("'65–79 år'",)),
    Case("pop-conflicting-duplicates", POP, _csv(POP, _pop_conflict), error=InputError,
         mentions=("'Folkmängd'", "131000")),
    Case("pop-missing-year", POP, _csv(POP, _without("2022;Södermalm;")), outcome="warning",
         check="expect_compared_years_present", mentions=("2022",),
         says=("Befolkningsstatistiken saknar uppgifter för Södermalm för 2022.",)),
    # IA
    Case("ia-duplicate-arendenummer", IA, _workbook(lambda b: b.active.cell(3, 1).__setattr__(
         "value", b.active.cell(2, 1).value)), error=InputError,
         mentions=("row 3", "'Ärendenummer'")),
    Case("ia-future-dates", IA, lambda inbox: (
         _ia_cell(2, "Händelsedatum", "2099-06-01")(inbox),
         _ia_cell(2, "Registreringsdatum", "2099-06-02")(inbox)),
         error=DataQualityError, mentions=("row 2", "occurred_on"), never=("2099-06-01",)),
    Case("ia-registered-before-occurred", IA, _ia_cell(2, "Registreringsdatum", "2016-12-01"),
         error=DataQualityError, mentions=("row 2", "reported_on")),
    Case("ia-text-date", IA, _ia_cell(4, "Händelsedatum", "igår"), error=InputError,
         mentions=("row 4", "'Händelsedatum'"), never=("igår",)),
    Case("ia-data-on-another-sheet", IA, _workbook(_another_sheet), error=SourceSchemaChanged,
         mentions=("'Info'", "Incidenter")),
    Case("ia-missing-column", IA, _workbook(_drop_column), error=SourceSchemaChanged,
         mentions=("'Kategori'",)),
    Case("ia-empty-file", IA, _bytes(IA, lambda b: b""), error=InputError,
         mentions=("tom",)),
    Case("ia-csv-cut-mid-line", IA_CSV, _ia_as_csv(cut=True), error=InputError,
         mentions=("row 101",)),
    # Surveys
    Case("survey-share-130", SURVEY_TM, _csv(SURVEY_TM, _replace_line(3, lambda s: _set_field(
         s, 5, "130,0"))), error=DataQualityError, mentions=("row 3", "'Andel (%)'", "130")),
    Case("survey-n-zero", SURVEY_SE, _csv(SURVEY_SE, _replace_line(4, lambda s: _set_field(
         s, 6, "0"))), error=DataQualityError, mentions=("row 4", "'Antal svar'")),
    Case("survey-text-in-n", SURVEY_SE, _csv(SURVEY_SE, _replace_line(4, lambda s: _set_field(
         s, 6, "många"))), error=InputError, mentions=("row 4", "'Antal svar'", "'många'")),
    Case("survey-unknown-survey", SURVEY_TM, _csv(SURVEY_TM, _replace_line(2, lambda s: s.replace(
         "Trygghetsmätningen", "Trygghetsenkäten"))), error=InputError,
         mentions=("row 2", "'Undersökning'")),
    # Police counts
    Case("police-missing-column", POLICE, _csv(POLICE, _drop_field("Antal")),
         error=SourceSchemaChanged, mentions=("'Antal'",)),
    Case("police-text-in-count", POLICE, _csv(POLICE, _replace_line(3, lambda s: _set_field(
         s, 4, "tolv"))), error=InputError, mentions=("row 3", "'Antal'", "'tolv'")),
    Case("police-conflicting-duplicates", POLICE, _csv(POLICE, _append_changed(4, "9999")),
         error=InputError, mentions=("row 522", "rad 2", "'Antal'")),
    # Områdesfakta key figures
    Case("facts-missing-column", FACTS, _csv(FACTS, _drop_field("Enhet")),
         error=SourceSchemaChanged, mentions=("'Enhet'",)),
    Case("facts-text-in-value", FACTS, _csv(FACTS, _replace_line(3, lambda s: _set_field(
         s, 3, "cirka 66"))), error=InputError, mentions=("row 3", "'Värde'", "'cirka 66'")),
    Case("facts-conflicting-duplicates", FACTS, _csv(FACTS, _append_changed(3, "25,0")),
         error=InputError, mentions=("rad 2", "'Värde'")),
    # SCB PxWeb JSON-stat population
    Case("pxweb-missing-dimension", PXWEB, _pxweb(_no_tid), error=SourceSchemaChanged,
         mentions=("'Tid'",)),
    Case("pxweb-text-in-value", PXWEB, _pxweb(lambda d: d["value"].__setitem__(1, "tre")),
         error=InputError, mentions=("'value'", "värde nr 2")),
    Case("pxweb-wrong-size", PXWEB, _pxweb(lambda d: d["size"].__setitem__(2, 3)),
         error=InputError, mentions=("'Tid'", "fel storlek")),
    Case("pxweb-conflicts-with-the-table", PXWEB,
         _pxweb(lambda d: d["value"].__setitem__(1, 1_000_000)), error=InputError,
         mentions=("befolkning_stadsdelsomraden.csv", "scb_folkmangd.json", "1000000")),
    Case("pxweb-matching-the-table-is-fine", PXWEB, _pxweb(lambda d: None), outcome="ok"),
)  # fmt: skip
