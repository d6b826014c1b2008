"""The uploaded file given back with its errors marked: a CSV with a column of messages in the
file's own delimiter, an XLSX with the bad cells filled red and commented (read back with
openpyxl)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from screening.errors import UsageError
from screening.outputs.marked import FILL, MARK_COLUMN, marked_csv, marked_xlsx
from screening.outputs.rejections import Problem


def problem(column: str, sentence: str, reason: str = "wrong_type") -> Problem:
    return Problem(column, "x", reason, sentence)


def test_a_csv_keeps_its_rows_delimiter_and_line_endings_and_gains_the_messages():
    original = ("\ufeffvisit_id;sector;notes\r\nV1;services;\"a; b\"\r\n\r\n"
                "V2;mining;ok\r\nV3;services;\r\n").encode()
    messages = {4: [problem("sector", "'mining' is not an allowed sector."),
                    problem("notes", "second sentence.")],
                5: [problem("visit_id", "-3 is out of range.")]}
    out = marked_csv(original, messages)
    assert out.startswith(b"\xef\xbb\xbf")
    assert out.decode("utf-8-sig").split("\r\n") == [
        f"visit_id;sector;notes;{MARK_COLUMN}",
        'V1;services;"a; b";',
        "",  # the blank line stays: row numbers after it do not move
        "V2;mining;ok;'mining' is not an allowed sector. second sentence.",
        "V3;services;;'-3 is out of range.",  # a formula start is neutralised
        "",
    ]


def test_marking_a_marked_csv_again_replaces_its_column():
    once = marked_csv(b"visit_id,age\nV1,4\nV2,30\n", {2: [problem("age", "first")]})
    twice = marked_csv(once, {3: [problem("age", "second")]})
    assert twice.decode("utf-8-sig") == f"visit_id,age,{MARK_COLUMN}\nV1,4,\nV2,30,second\n"


def test_a_csv_that_is_not_utf8_cannot_be_marked():
    with pytest.raises(UsageError, match="not UTF-8"):
        marked_csv(b"visit_id\n\xff\xfe\x00", {})


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    visits = book.active
    visits.title = "Visits"
    visits.append(["visit_id", "sector", "workers_present"])
    visits.append(["V1", "mining", 10])
    visits.append(["V2", "services", "ten"])
    visits.append(["V3", "services", 4])
    interviews = book.create_sheet("interviews")
    interviews.append(["visit_id", "worker_ref", "age"])
    interviews.append(["V1", "W1", 30])
    interviews.append(["V3", "W2", 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_has_its_bad_cells_filled_and_commented():
    messages = {
        "visits": {2: [problem("sector", "'mining' is not an allowed sector.")],
                   3: [problem("workers_present", "'ten' is not a whole number.")]},
        "interviews": {2: [problem("visit_id", "The visit 'V1' was rejected.")],
                       3: [problem("age", "3 is out of range."),
                           problem("age", "and a second note.")]},
    }
    book = openpyxl.load_workbook(io.BytesIO(marked_xlsx(_workbook(), messages)))
    visits, interviews = book["Visits"], book["interviews"]
    assert [c.value for c in visits[1]] == ["visit_id", "sector", "workers_present", MARK_COLUMN]
    assert visits["B2"].fill.fgColor.rgb.endswith(FILL)
    assert visits["B2"].comment.text == "'mining' is not an allowed sector."
    assert visits["C3"].fill.fgColor.rgb.endswith(FILL) and visits["C3"].value == "ten"
    assert visits["D2"].value == "'mining' is not an allowed sector."
    assert visits["D4"].value is None
    for good in ("A2", "C2", "B3", "A4", "B4", "C4"):
        assert visits[good].fill.fill_type is None and visits[good].comment is None, good
    assert interviews["A2"].comment.text == "The visit 'V1' was rejected."
    assert interviews["C3"].comment.text == "3 is out of range.\nand a second note."
    assert interviews["D3"].value == "3 is out of range. and a second note."
    assert interviews["C2"].fill.fill_type is None


def test_marking_a_marked_workbook_again_clears_the_old_marks():
    first = marked_xlsx(_workbook(), {"visits": {2: [problem("sector", "old")]}})
    second = marked_xlsx(first, {"visits": {3: [problem("workers_present", "new")]}})
    visits = openpyxl.load_workbook(io.BytesIO(second))["Visits"]
    assert visits["B2"].comment is None and visits["B2"].fill.fill_type is None
    assert visits["C3"].comment.text == "new"
    assert [c.value for c in visits[1]].count(MARK_COLUMN) == 1
    assert (visits["D2"].value, visits["D3"].value) == (None, "new")


def test_a_one_sheet_workbook_is_the_visits_sheet():
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["visit_id", "sector"])
    book.active.append(["V1", "mining"])
    out = io.BytesIO()
    book.save(out)
    marked = openpyxl.load_workbook(io.BytesIO(marked_xlsx(
        out.getvalue(), {"visits": {2: [problem("sector", "bad")]}})))
    assert marked["Sheet1"]["B2"].comment.text == "bad"
