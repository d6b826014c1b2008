"""Bulk validation of one table: parsing, checks, rejected cells, the typed-dtype contract."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import LoaderError, RejectReason
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOME_COLUMNS, VISIT_COLUMNS
from screening.ingest.validation import (
    REJECTED_COLUMNS,
    ParentIds,
    blank_rows,
    validate_frame,
)

GOOD = {
    "visit_id": "V1", "site_id": "S1", "visit_date": "2024-03-01", "inspector_id": "I1",
    "region": "North", "sector": "construction", "workers_present": "10",
    "workers_without_contract": "2", "foreign_workers": "3",
    "foreign_workers_without_permit": "1", "minors_present": "0",
}  # fmt: skip


def visits(*changes: dict) -> pd.DataFrame:
    """A visits table as text, one row per ``changes`` dict (applied to a good row)."""
    rows = [{**GOOD, "visit_id": f"V{i + 1}", **c} for i, c in enumerate(changes)]
    return pd.DataFrame(rows, dtype=object)


def check(raw: pd.DataFrame, specs=VISIT_COLUMNS, table="visits", first_row=2, **kw):
    valid, rejected = validate_frame(
        raw, specs, source="up.csv", table=table, first_row=first_row, **kw
    )
    assert list(rejected.columns) == list(REJECTED_COLUMNS)
    assert len(valid) + rejected["row"].nunique() == len(raw)
    return valid, rejected


def reasons(rejected: pd.DataFrame) -> list[tuple[int, str, str]]:
    return list(zip(rejected["row"], rejected["column"], rejected["reason"], strict=True))


def test_good_rows_are_typed_by_contract():
    valid, rejected = check(visits({"living_on_site": "Yes", "avg_weekly_hours": "48.5"}))
    assert rejected.empty
    dtypes = {c: str(t) for c, t in valid.dtypes.items()}
    assert dtypes["visit_id"] == dtypes["sector"] == dtypes["notes"] == "str"
    assert dtypes["workers_present"] == "Int64"
    assert dtypes["avg_weekly_hours"] == "float64"
    assert dtypes["living_on_site"] == "boolean"
    assert dtypes["visit_date"] == "datetime64[ns]"
    row = valid.iloc[0]
    assert row["workers_present"] == 10 and row["living_on_site"] is np.True_
    assert row["visit_date"] == pd.Timestamp("2024-03-01")


def test_empty_cells_are_unknown_not_false():
    valid, rejected = check(
        visits({"living_on_site": "", "avg_weekly_hours": "  ", "subsector": " ", "notes": None})
    )
    assert rejected.empty
    row = valid.iloc[0]
    assert row["living_on_site"] is pd.NA
    assert np.isnan(row["avg_weekly_hours"])
    assert pd.isna(row["subsector"]) and pd.isna(row["notes"])
    assert valid["threats_reported"].isna().all()  # absent optional column: all unknown
    assert str(valid["threats_reported"].dtype) == "boolean"


@pytest.mark.parametrize(
    "word, value",
    [("TRUE", True), ("no", False), ("1", True), (" Yes ", True), ("False", False), ("0", False)],
)
def test_boolean_spellings(word, value):
    valid, _ = check(visits({"hazardous_work": word}))
    assert valid.loc[0, "hazardous_work"] is (np.True_ if value else np.False_)


def test_boolean_wrong_word_is_rejected_with_hint():
    _, rejected = check(visits({"hazardous_work": "maybe"}))
    assert reasons(rejected) == [(2, "hazardous_work", "wrong_type")]
    assert rejected.loc[0, "message"] == (
        "'maybe' is not true/false; use true/false, yes/no, bəli/xeyr or 1/0, "
        "or leave the cell empty for unknown."
    )


@pytest.mark.parametrize(
    "text, ok",
    [
        ("3.0", True),
        ("+3", True),
        ("3.5", False),
        ("NA", False),
        ("three", False),
        ("3e2", False),
        ("\u0663", False),
        ("\uff13", False),
        ("3_0", False),
    ],
)
def test_whole_numbers(text, ok):
    valid, rejected = check(visits({"minors_present": text}))
    if ok:
        assert valid.loc[0, "minors_present"] == 3
    else:
        assert reasons(rejected) == [(2, "minors_present", "wrong_type")]
        assert rejected.loc[0, "value"] == text
        assert "is not a whole number" in rejected.loc[0, "message"]


def test_missing_required_value():
    _, rejected = check(visits({"region": "   "}, {"workers_present": ""}))
    assert reasons(rejected) == [(2, "region", "missing_value"),
                                 (3, "workers_present", "missing_value")]  # fmt: skip
    assert rejected.loc[0, "value"] == "   "  # the original text, as given
    assert rejected.loc[0, "message"] == "region is required but the cell is empty."


def test_out_of_range_and_exceeds_column():
    raw = visits(
        {"minors_present": "-1"},
        {"workers_without_contract": "11"},
        {"avg_weekly_hours": "200"},
        {"foreign_workers_without_permit": "4"},  # 4 > foreign_workers 3
    )
    _, rejected = check(raw)
    assert reasons(rejected) == [
        (2, "minors_present", "out_of_range"),
        (3, "workers_without_contract", "exceeds_column"),
        (4, "avg_weekly_hours", "out_of_range"),
        (5, "foreign_workers_without_permit", "exceeds_column"),
    ]
    assert rejected.loc[1, "message"] == (
        "workers_without_contract (11) must not exceed workers_present (10)."
    )
    assert "between 0 and 168" in rejected.loc[2, "message"]


def test_exceeds_column_only_when_both_known():
    _, rejected = check(visits({"workers_present": "", "workers_without_contract": "5"}))
    assert reasons(rejected) == [(2, "workers_present", "missing_value")]


def test_unknown_sector_lists_allowed_values_and_suggests():
    _, rejected = check(visits({"sector": "Constructon"}, {"sector": "mining"}))
    assert list(rejected["reason"]) == ["unknown_choice"] * 2
    first, second = rejected["message"]
    assert "allowed values: construction, agriculture, services" in first
    assert first.endswith("Did you mean 'construction'?")
    assert "Did you mean" not in second


def test_dates():
    raw = visits({"visit_date": "2024-02-30"}, {"visit_date": "05/03/2024"},
                 {"visit_date": " 2024-02-29 "})  # fmt: skip
    valid, rejected = check(raw)
    assert reasons(rejected) == [(2, "visit_date", "wrong_type"), (3, "visit_date", "wrong_type")]
    assert "YYYY-MM-DD" in rejected.loc[1, "message"]
    assert valid.loc[0, "visit_date"] == pd.Timestamp("2024-02-29")


def test_two_bad_cells_give_two_rejected_rows_and_good_rows_go_on():
    raw = visits({}, {"workers_present": "x", "sector": "fishing"}, {"notes": " kept "})
    valid, rejected = check(raw)
    assert list(valid["visit_id"]) == ["V1", "V3"]
    assert reasons(rejected) == [(3, "sector", "unknown_choice"),
                                 (3, "workers_present", "wrong_type")]  # fmt: skip
    assert valid.loc[1, "notes"] == "kept"  # text is trimmed
    assert list(valid.index) == [0, 1]


def test_duplicate_visit_id_rejects_every_occurrence():
    raw = visits({}, {}, {}, {})
    raw.loc[[0, 2, 3], "visit_id"] = ["V9", " V9", "V9"]
    valid, rejected = check(raw)
    assert list(valid["visit_id"]) == ["V2"]
    assert reasons(rejected) == [(r, "visit_id", "duplicate_id") for r in (2, 4, 5)]
    assert rejected.loc[0, "message"] == (
        "visit_id 'V9' appears more than once; also in row(s) 4, 5."
    )


def test_duplicate_worker_ref_within_a_visit():
    raw = pd.DataFrame({"visit_id": ["V1", "V1", "V2"], "worker_ref": ["W1", "W1", "W1"]})
    valid, rejected = check(raw, INTERVIEW_COLUMNS, "interviews")
    assert list(valid["visit_id"]) == ["V2"]
    assert reasons(rejected) == [(2, "worker_ref", "duplicate_id"),
                                 (3, "worker_ref", "duplicate_id")]  # fmt: skip
    assert "for visit_id 'V1'" in rejected.loc[0, "message"]


def test_interviews_must_refer_to_accepted_visits():
    parent_raw = pd.DataFrame({"visit_id": ["V1", " ", "V2", "V1"]}, index=[0, 1, 3, 4])
    parent = ParentIds.of(parent_raw, 2, pd.DataFrame({"visit_id": ["V1"]}))
    raw = pd.DataFrame({"visit_id": ["V1", "V2", "V7"], "worker_ref": ["W1", "W1", "W1"]})
    valid, rejected = check(raw, INTERVIEW_COLUMNS, "interviews", parent=parent)
    assert list(valid["visit_id"]) == ["V1"]
    assert reasons(rejected) == [(3, "visit_id", "visit_rejected"),
                                 (4, "visit_id", "unknown_visit")]  # fmt: skip
    assert rejected.loc[0, "message"] == (
        "the visit 'V2' was rejected (visits row 5), so it cannot be used."
    )


def test_missing_required_columns_raise_one_error_naming_them():
    raw = visits({}).drop(columns=["sector", "region"]).rename(columns={"site_id": "Site_ID"})
    with pytest.raises(
        LoaderError,
        match=r"required columns 'site_id', 'region', 'sector' are "
        r"missing\. Expected columns: visit_id, site_id, .*did you mean 'site_id'",
    ):
        check(raw)
    with pytest.raises(LoaderError, match=r"^up\.csv: the required column 'sector' is missing\."):
        check(visits({}).drop(columns=["sector"]))


def test_extra_columns_kept_as_text_after_spec_columns():
    raw = visits({"zone": 3, "comment": " hi "})
    valid, _ = check(raw)
    assert list(valid.columns[-2:]) == ["zone", "comment"]
    assert valid.loc[0, "zone"] == "3" and valid.loc[0, "comment"] == "hi"
    assert valid["zone"].dtype == "str"


def test_row_numbers_follow_first_row_and_kept_index():
    raw = visits({}, {"sector": "x"}, {"sector": "y"})
    raw.index = [0, 4, 9]  # rows dropped before (e.g. blank ones) keep their numbers
    _, rejected = check(raw, first_row=1)
    assert list(rejected["row"]) == [5, 10]


def test_typed_columns_take_the_fast_path():
    raw = pd.DataFrame(
        {
            **{k: [v, v, v, v] for k, v in GOOD.items()},
            "workers_present": pd.array([10, 10, None, 10], dtype="Int64"),
            "minors_present": [0.0, 1.5, 0.0, 0.0],
            "visit_date": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-01-03T10:30", "2024-01-04"], format="ISO8601"
            ),
            "living_on_site": pd.array([True, None, False, True], dtype="boolean"),
            "hazardous_work": [1.0, 0.0, np.nan, 2.0],
            "avg_weekly_hours": np.array([40, 41, 42, 43], dtype="int32"),
        }
    )
    raw["visit_id"] = ["V1", "V2", "V3", "V4"]
    valid, rejected = check(raw)
    assert reasons(rejected) == [(3, "minors_present", "wrong_type"),
                                 (4, "visit_date", "wrong_type"),
                                 (4, "workers_present", "missing_value"),
                                 (5, "hazardous_work", "wrong_type")]  # fmt: skip
    assert list(rejected["value"]) == ["1.5", "2024-01-03T10:30:00", "", "2"]
    assert list(valid["visit_id"]) == ["V1"]
    assert valid["avg_weekly_hours"].dtype == "float64" and valid.loc[0, "hazardous_work"]


def test_mixed_object_cells_from_json_or_spreadsheets():
    raw = pd.DataFrame([
        {**GOOD, "visit_id": 1, "workers_present": 10, "living_on_site": True,
         "visit_date": dt.datetime(2024, 3, 1), "avg_weekly_hours": 40},
        {**GOOD, "visit_id": "2", "workers_present": "10", "living_on_site": None,
         "visit_date": dt.date(2024, 3, 2), "avg_weekly_hours": "40.5"},
        {**GOOD, "visit_id": "3", "workers_present": True, "living_on_site": "maybe",
         "visit_date": "2024-03-03", "avg_weekly_hours": [1]},
    ], dtype=object)  # fmt: skip
    valid, rejected = check(raw, first_row=1)
    assert list(valid["visit_id"]) == ["1", "2"]
    assert list(valid["visit_date"]) == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02")]
    assert reasons(rejected) == [(3, "workers_present", "wrong_type"),
                                 (3, "avg_weekly_hours", "wrong_type"),
                                 (3, "living_on_site", "wrong_type")]  # fmt: skip
    assert list(rejected["value"]) == ["true", "[1]", "maybe"]


def test_outcomes_and_empty_table():
    raw = pd.DataFrame({"visit_id": ["V1", "V2"], "outcome": ["forced_labour", "fine"],
                        "decided_on": ["2024-05-01", "2024-05-02"]})  # fmt: skip
    valid, rejected = check(raw, OUTCOME_COLUMNS, "outcomes")
    assert reasons(rejected) == [(3, "outcome", "unknown_choice")]
    empty, none = check(pd.DataFrame({"visit_id": [], "worker_ref": []}), INTERVIEW_COLUMNS,
                        "interviews")  # fmt: skip
    assert empty.empty and none.empty and str(empty["age"].dtype) == "Int64"


def test_blank_rows():
    raw = pd.DataFrame({"a": ["x", "", None, " "], "b": [None, " ", "", "y"],
                        "c": [2.5, None, " ", " "]})  # fmt: skip
    assert blank_rows(raw).tolist() == [False, True, True, False]
    assert str(RejectReason.DUPLICATE_ID) == "duplicate_id"


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "3", "3.0", "-1", "yes", "No", "2024-01-31", "construction"]),
    st.integers(-5, 300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: CELL for k in (
    "visit_id", "visit_date", "sector", "workers_present", "workers_without_contract",
    "avg_weekly_hours", "living_on_site", "notes")}), min_size=1, max_size=8))  # fmt: skip
def test_every_row_is_valid_or_rejected(rows):
    raw = pd.DataFrame([{**GOOD, **row} for row in rows], dtype=object)
    valid, rejected = check(raw)
    assert set(rejected["reason"]) <= {r.value for r in RejectReason}
    assert (rejected["row"] >= 2).all() and (rejected["row"] < 2 + len(raw)).all()


@pytest.mark.parametrize("ids, repeated", [
    (["V1", "V2", "V1"], ["V1", "V1"]),
    (["site-7-visit-2025-03-01-a", "site-7-visit-2025-03-01-b"], []),
    (["visit-2025-03-01-aaaaaaaaa", "V2", "visit-2025-03-01-aaaaaaaaa"],
     ["visit-2025-03-01-aaaaaaaaa"] * 2),
    (["ŞƏKİ-1", "ŞƏKİ-2", "ŞƏKİ-1"], ["ŞƏKİ-1", "ŞƏKİ-1"]),
    (["V1", "V1 0", "V10"], []),
    (["x" * 80, "x" * 79 + "y", "x" * 80], ["x" * 80] * 2),
], ids=["short", "long-distinct", "two-words", "non-ascii", "near", "beyond-64-bytes"])
def test_repeated_ids_are_found_whatever_their_length_or_letters(ids, repeated):
    raw = visits(*({"visit_id": v} for v in ids))
    raw["visit_id"] = ids
    _, rejected = check(raw)
    found = rejected.loc[rejected["reason"] == "duplicate_id", "value"].tolist()
    assert found == repeated
