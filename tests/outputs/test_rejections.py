"""The receipt's rejected rows: grouped by row, one visit's error shown once for its interviews,
every sentence rendered from its code, column and value in English and Azerbaijani."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from screening.ingest.loaders import load_upload
from screening.outputs.rejections import (
    WORDS_COLUMNS,
    describe,
    reason_words,
    rejected_csv,
    rejected_lines,
    row_messages,
)
from tests.uploadkit import BAD, BAD_INTERVIEWS, quoted_case


def cell(reason, column, value, table="visits", row=2, **more):
    return {"source": "v.csv", "table": table, "row": row, "column": column, "value": value,
            "reason": reason, "message": more.pop("message", "English message."),
            "visit_id": more.pop("visit_id", "V1"), "worker_ref": more.pop("worker_ref", None)}


def test_the_30_of_38_case_shows_each_visits_error_once():
    """Issue 12: 30 of 38 rejected rows repeated one visit's error for each interview."""
    case = quoted_case("RG")
    loaded = load_upload(("visits.csv", case.visits_bad), ("interviews.csv", case.interviews))
    cells = loaded.rejected.to_dict("records")
    assert len(cells) == 38 and sum(c["reason"] == "visit_rejected" for c in cells) == 30
    lines = rejected_lines(cells, "en")
    assert len(lines) == 8 and {line.table for line in lines} == {"visits"}
    assert [line.visit_id for line in lines] == case.bad_ids
    assert [line.interviews for line in lines] == list(BAD_INTERVIEWS)
    assert sum(line.interviews for line in lines) == 30
    first = lines[0]
    assert (first.row, [p.column for p in first.problems]) == (2, ["sector"])
    assert first.problems[0].sentence == (
        "'mining' is not an allowed sector; allowed values: construction, agriculture, "
        "services.")
    assert first.interview_rows == [2, 3, 4, 5] and first.rows_text == "2–5"
    assert [p.reason for line in lines for p in line.problems] == [
        reason for _, _, reason in BAD.values()]
    # the download keeps every row: one per cell, the interviews included
    download = pd.read_csv(io.StringIO(rejected_csv(cells, "az")), dtype=str)
    assert len(download) == 38 and list(download.columns[-2:]) == list(WORDS_COLUMNS)
    assert (download["message"] == [c["message"] for c in cells]).all()  # English kept
    assert download.loc[0, "explanation"] == (
        "'mining' icazə verilən sector dəyəri deyil; icazə verilən dəyərlər: construction "
        "(tikinti), agriculture (kənd təsərrüfatı), services (xidmət).")  # the words it takes


AZ = [
    (cell("missing_value", "sector", ""), "sector məcburidir, lakin xana boşdur."),
    (cell("wrong_type", "workers_present", "ten"),
     "workers_present sütunundakı 'ten' tam ədəd deyil; 12 kimi rəqəmlərdən istifadə edin."),
    (cell("wrong_type", "avg_weekly_hours", "about 50"),
     "avg_weekly_hours sütunundakı 'about 50' ədəd deyil; 42.5 kimi rəqəmlərdən istifadə "
     "edin. Və ya naməlum üçün xananı boş qoyun."),
    (cell("wrong_type", "visit_date", "31/12/2025"),
     "visit_date sütunundakı '31/12/2025' tarix deyil; 2024-03-15 kimi tarix yazın."),
    (cell("wrong_type", "violence_observed", "maybe"),
     "violence_observed sütunundakı 'maybe' true/false deyil; true/false, yes/no və ya 1/0 "
     "yazın. Və ya naməlum üçün xananı boş qoyun."),
    (cell("out_of_range", "age", "4", table="interviews"),
     "4 icazə verilən aralıqdan kənardır: age 5 ilə 90 arasında olmalıdır."),
    (cell("out_of_range", "wage_arrears_months", "-1"),
     "-1 icazə verilən aralıqdan kənardır: wage_arrears_months ən azı 0 olmalıdır."),
    (cell("exceeds_column", "workers_without_contract", "12"),
     "workers_without_contract (12) eyni sətirdəki workers_present dəyərindən çox "
     "olmamalıdır."),
    (cell("unknown_choice", "sector", "servises"),
     "'servises' icazə verilən sector dəyəri deyil; icazə verilən dəyərlər: construction "
     "(tikinti), agriculture (kənd təsərrüfatı), services (xidmət). Bəlkə 'services' nəzərdə "
     "tutulub?"),
    (cell("unknown_visit", "visit_id", "V9", table="interviews"),
     "'V9' yoxlaması bu yükləmənin yoxlamaları arasında yoxdur."),
    (cell("already_stored", "visit_id", "V1"),
     "'V1' yoxlaması artıq saxlanılıb və bu sətir (və ya onun müsahibələri) ondan fərqlənir; "
     "onu əvəz etmək üçün 'Bu fayl əvvəl yüklədiyim yoxlamaları düzəldir' seçimini "
     "işarələyin və faylı yenidən yükləyin (əvvəlki versiya saxlanılır)."),
    (cell("wrong_type", "visit_id", "A/1"),
     "'A/1' visit_id ola bilməz: / \\ ? # simvolları və idarəetmə simvolları (həmçinin tək "
     "'.' və ya '..') ona keçidin bir hissəsi ola bilməz; hərflərdən, rəqəmlərdən, '-', '_' "
     "və ya '.' işarəsindən istifadə edin."),
    (cell("wrong_type", "notes", "a\\x00b"),
     "Xanada saxlanıla bilməyən NUL simvolu (0x00) var; onu silin."),
]


@pytest.mark.parametrize(("given", "expected"), AZ, ids=[f"{c['reason']}-{c['column']}"
                                                        for c, _ in AZ])
def test_each_reason_is_rendered_in_azerbaijani_from_its_code_column_and_value(given,
                                                                              expected):
    assert describe(given, "az") == expected
    assert describe(given, "en") != expected and "English message" not in describe(given, "en")


def test_duplicates_name_the_other_rows_and_a_rejected_visit_its_row():
    cells = [cell("duplicate_id", "visit_id", "V1", row=r) for r in (2, 5, 6, 7, 8, 9, 10, 11)]
    cells.append(cell("visit_rejected", "visit_id", "V1", table="interviews", row=3,
                      worker_ref="W1"))
    lines = rejected_lines(cells, "en")
    assert lines[0].problems[0].sentence == (
        "visit_id 'V1' appears more than once; also in row(s) 5, 6, 7, 8, 9 and 2 more.")
    assert lines[0].interviews == 1 and len(lines) == 8
    by_row = row_messages(cells, "az")
    assert by_row[("v.csv", "interviews", 3)][0].sentence == (
        "'V1' yoxlaması rədd edilib (yoxlamalar, sətir 2), ona görə bu müsahibədən istifadə "
        "etmək olmur.")


def test_an_interview_failing_on_its_own_keeps_its_line():
    cells = [cell("unknown_choice", "sector", "mining", visit_id="V1"),
             cell("visit_rejected", "visit_id", "V1", table="interviews", row=2,
                  worker_ref="W1"),
             cell("out_of_range", "age", "3", table="interviews", row=3, worker_ref="W2"),
             cell("visit_rejected", "visit_id", "V1", table="interviews", row=3,
                  worker_ref="W2")]
    lines = rejected_lines(cells, "en")
    assert [(line.table, line.row) for line in lines] == [("visits", 2), ("interviews", 3)]
    assert lines[0].interviews == 2 and lines[0].rows_text == "2–3"
    assert [p.reason for p in lines[1].problems] == ["out_of_range"]


def test_a_cell_in_one_line_per_row_and_an_unknown_reason_keeps_its_english():
    cells = [cell("wrong_type", "workers_present", "ten"),
             cell("unknown_choice", "sector", "mining"),
             cell("some_new_check", "region", "X", row=3, message="Region X is unknown.")]
    lines = rejected_lines(cells, "az")
    assert [len(line.problems) for line in lines] == [2, 1]
    assert lines[1].problems[0].sentence == "Region X is unknown."
    assert reason_words("some_new_check", "az") == "some_new_check"


@pytest.mark.parametrize(("code", "en", "az"), [
    ("unknown_choice", "not an allowed value", "icazə verilən dəyər deyil"),
    ("visit_rejected", "its visit was rejected", "yoxlaması rədd edilib"),
    ("already_stored", "already stored, and changed", "artıq saxlanılıb və dəyişib"),
])
def test_reason_codes_in_plain_words(code, en, az):
    assert (reason_words(code, "en"), reason_words(code, "az")) == (en, az)
