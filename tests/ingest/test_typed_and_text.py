"""Typed columns (Parquet from another tool, JSON and spreadsheet cells) and the same values as
text (CSV) give identical validated frames and identical rejections (issue 14: the typed fast
path must not change what is accepted or why something is refused)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import screening.ingest.text as text_module
from screening.ingest.loaders import load_upload
from screening.ingest.records import INTERVIEW_COLUMNS
from screening.ingest.validation import validate_frame

CSV = """\
visit_id,site_id,visit_date,inspector_id,region,sector,workers_present,workers_without_contract,foreign_workers,foreign_workers_without_permit,minors_present,avg_weekly_hours,living_on_site,hazardous_work
V1,S1,2025-03-01,I1,Baku,construction,10,2,3,1,0,48.5,true,
V2,S2,2025-03-02,I1,Baku,construction,-3,0,0,0,0,40,false,false
V3,S3,2025-03-03,I2,Baku,agriculture,10,2,3,1,2.5,,,true
V4,S4,2025-03-04,I2,Baku,services,,0,0,0,0,40,,
V5,S5,2025-03-05,I3,Baku,services,10,0,0,0,0,200,true,false
V6,S6,2025-03-06,I3,Baku,services,10,12,0,0,0,45.25,,
V7,S7,,I3,Baku,services,10,0,0,0,0,40,false,
V8,S8,2025-03-08,I4,Baku,mining,10,0,0,0,0,40,,true
V9,S9,2025-03-09,I4,Baku,agriculture,10,1,0,0,3,40,true,true
"""
"""Nine visits as a person types them: a good row, an out-of-range count (-3), a number with
decimals in a whole-number column (2.5), an empty required count, hours out of range (200),
more workers without a contract than present (12 > 10), an empty required date, an unknown
sector, and a good row; booleans with gaps throughout."""


def _typed_table() -> pa.Table:
    """The same nine visits as another tool writes them to Parquet: typed columns with nulls,
    dates as date32, a float column where a whole number is expected, no pandas metadata."""
    def day(d: int | None) -> dt.date | None:
        return None if d is None else dt.date(2025, 3, d)

    return pa.table({
        "visit_id": [f"V{i}" for i in range(1, 10)],
        "site_id": [f"S{i}" for i in range(1, 10)],
        "visit_date": pa.array([day(1), day(2), day(3), day(4), day(5), day(6), None, day(8),
                                day(9)], pa.date32()),
        "inspector_id": ["I1", "I1", "I2", "I2", "I3", "I3", "I3", "I4", "I4"],
        "region": ["Baku"] * 9,
        "sector": ["construction", "construction", "agriculture", "services", "services",
                   "services", "services", "mining", "agriculture"],
        "workers_present": pa.array([10, -3, 10, None, 10, 10, 10, 10, 10], pa.int64()),
        "workers_without_contract": pa.array([2, 0, 2, 0, 0, 12, 0, 0, 1], pa.int32()),
        "foreign_workers": pa.array([3, 0, 3, 0, 0, 0, 0, 0, 0], pa.int16()),
        "foreign_workers_without_permit": pa.array([1, 0, 1, 0, 0, 0, 0, 0, 0], pa.int8()),
        "minors_present": pa.array([0, 0, 2.5, 0, 0, 0, 0, 0, 3.0], pa.float64()),
        "avg_weekly_hours": pa.array([48.5, 40, None, 40, 200, 45.25, 40, 40, 40], pa.float64()),
        "living_on_site": pa.array([True, False, None, None, True, None, False, None, True]),
        "hazardous_work": pa.array([None, False, True, None, False, None, None, True, True]),
    })


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _rejections(rejected: pd.DataFrame, first_row: int) -> list[tuple]:
    """Rejections with rows counted from the first data row (CSV has a header row)."""
    return [(r.row - first_row, r.column, r.value, r.reason, r.message)
            for r in rejected.itertuples(index=False)]


@pytest.fixture
def no_cell_by_cell(monkeypatch):
    def refuse(value):
        pytest.fail(f"a typed or text cell was handled one Python call at a time: {value!r}")

    monkeypatch.setattr(text_module, "_cell_text", refuse)


def test_parquet_and_csv_give_the_same_valid_rows_and_the_same_rejections(no_cell_by_cell):
    text = load_upload(("visits.csv", CSV.encode()))
    typed = load_upload(("visits.parquet", _parquet(_typed_table())))

    pd.testing.assert_frame_equal(typed.visits, text.visits)
    assert list(text.visits["visit_id"]) == ["V1", "V9"]
    assert _rejections(typed.rejected, 1) == _rejections(text.rejected, 2)
    assert [(r[0], r[1], r[2], r[3]) for r in _rejections(text.rejected, 2)] == [
        (1, "workers_present", "-3", "out_of_range"),
        (2, "minors_present", "2.5", "wrong_type"),
        (3, "workers_present", "", "missing_value"),
        (4, "avg_weekly_hours", "200", "out_of_range"),
        (5, "workers_without_contract", "12", "exceeds_column"),
        (6, "visit_date", "", "missing_value"),
        (7, "sector", "mining", "unknown_choice"),
    ]
    assert typed.rejected.loc[0, "message"] == (
        "-3 is out of range: workers_present must be at least 0.")
    assert typed.rejected.loc[1, "message"] == (
        "'2.5' is not a whole number; use digits such as 12.")


def test_nulls_in_typed_columns_are_unknown_never_false_or_zero(no_cell_by_cell):
    typed = load_upload(("visits.parquet", _parquet(_typed_table())))
    first, last = typed.visits.iloc[0], typed.visits.iloc[1]
    assert first["hazardous_work"] is pd.NA and bool(first["living_on_site"]) is True
    assert last["minors_present"] == 3 and str(typed.visits["minors_present"].dtype) == "Int64"
    assert typed.visits["visit_date"].tolist() == [pd.Timestamp("2025-03-01"),
                                                   pd.Timestamp("2025-03-09")]


def test_a_count_beyond_what_is_stored_is_refused_the_same_typed_or_as_text(no_cell_by_cell):
    table = _typed_table().slice(0, 1)
    i = table.schema.get_field_index("workers_present")
    huge = table.set_column(i, "workers_present", pa.array([2**63 + 5], pa.uint64()))
    typed = load_upload(("visits.parquet", _parquet(huge)))
    lines = CSV.splitlines()
    text = load_upload(("visits.csv", "\n".join([lines[0], lines[1].replace(
        ",construction,10,", f",construction,{2**63 + 5},")]).encode()))
    assert _rejections(typed.rejected, 1) == _rejections(text.rejected, 2)
    assert typed.rejected[["column", "value", "reason"]].values.tolist() == [
        ["workers_present", "9223372036854775813", "wrong_type"]]


def test_spreadsheet_and_json_cells_are_converted_whole_and_match_text(no_cell_by_cell):
    """Object columns holding one Python type (openpyxl, json) take the typed path."""
    cells = pd.DataFrame({
        "visit_id": ["V1", "V1", "V1", "V1"],
        "worker_ref": ["W1", "W2", "W3", "W4"],
        "age": pd.Series([34, None, 4, 91], dtype=object),
        "sex": ["female", None, "male", "other"],
        "foreign": pd.Series([True, None, False, True], dtype=object),
        "weekly_hours": pd.Series([60.5, 48, None, 170], dtype=object),
    })
    text = pd.DataFrame({
        "visit_id": ["V1", "V1", "V1", "V1"],
        "worker_ref": ["W1", "W2", "W3", "W4"],
        "age": ["34", "", "4", "91"],
        "sex": ["female", "", "male", "other"],
        "foreign": ["true", "", "false", "true"],
        "weekly_hours": ["60.5", "48", "", "170"],
    })
    out = [validate_frame(frame, INTERVIEW_COLUMNS, source="i", table="interviews",
                          first_row=1) for frame in (cells, text)]  # fmt: skip
    pd.testing.assert_frame_equal(out[0][0], out[1][0])
    pd.testing.assert_frame_equal(out[0][1], out[1][1])
    assert out[0][1][["row", "column", "value", "reason"]].values.tolist() == [
        [3, "age", "4", "out_of_range"],
        [4, "age", "91", "out_of_range"],
        [4, "weekly_hours", "170", "out_of_range"],
    ]
