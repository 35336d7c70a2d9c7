"""Text-file guards: wrong encodings, binary files and lines cut short fail clearly."""

from __future__ import annotations

import pandas as pd
import pytest

from lagesbild.errors import InputError
from sources.readers._csv import read_csv_text
from sources.readers._text import check_complete_rows, check_text_bytes

TEXT = "Region;Brott;År\nSödermalm;Rån;2022;\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-16"), "UTF-16"),
        (TEXT.encode("utf-16-le"), "UTF-16 utan byteordningsmärke"),
        (TEXT.encode("utf-32"), "UTF-32"),
        (b"PK\x03\x04" + bytes(200), "arbetsbok"),
        (bytes(range(256)) * 4, "binär"),
    ],
    ids=["utf16-bom", "utf16-no-bom", "utf32", "zip", "garbage"],
)
def test_non_text_bytes_are_refused_naming_the_file(data, expected):
    with pytest.raises(InputError) as error:
        check_text_bytes(data, label="bra/x.txt")
    assert expected in str(error.value) and "bra/x.txt" in str(error.value)
    assert error.value.row == 1


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "cp1252", "utf-8-sig"])
def test_ordinary_text_passes(encoding):
    check_text_bytes(TEXT.encode(encoding), label="x")
    check_text_bytes(b"", label="x")  # an empty file is reported by the table reader


def test_a_line_cut_short_names_its_row_and_first_missing_column():
    text = "a;b;c;d\n1;2;3;4\n5;6;7;8\n9;1"
    with pytest.raises(InputError) as error:
        read_csv_text(text, label="enkater/x.csv")
    assert (error.value.row, error.value.column) == (4, "c")
    assert "avklippt" in str(error.value)


def test_empty_last_cells_and_blank_lines_are_not_short_lines():
    table = read_csv_text("a;b;c\n1;2;\n\n3;4;\r\n", label="x")
    assert table.frame["c"].tolist() == ["", ""]
    check_complete_rows('a;b\n"x;y";\n', pd.Series([""], index=[2]), ["a", "b"],
                        delimiter=";", label="x")  # quoted separators count as one field
