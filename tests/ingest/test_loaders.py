"""Loading uploads: every format, every kind of bad file, nothing silently dropped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import LoaderError
from screening.ingest.loaders import LoadResult, load_outcomes, load_upload, read_raw

VISITS = [
    {"visit_id": "V1", "site_id": "S1", "visit_date": dt.date(2024, 3, 1), "inspector_id": "I1",
     "region": "North", "sector": "construction", "subsector": "residential construction",
     "workers_present": 12, "workers_without_contract": 3, "foreign_workers": 4,
     "foreign_workers_without_permit": 1, "minors_present": 0, "avg_weekly_hours": 52.5,
     "living_on_site": True, "employer_holds_documents": None, "notes": "Gate locked, 2 guards"},
    {"visit_id": "V2", "site_id": "S2", "visit_date": dt.date(2024, 3, 2), "inspector_id": "I2",
     "region": "South", "sector": "agriculture", "subsector": None,
     "workers_present": 30, "workers_without_contract": 0, "foreign_workers": 0,
     "foreign_workers_without_permit": 0, "minors_present": 2, "avg_weekly_hours": None,
     "living_on_site": False, "employer_holds_documents": True, "notes": None},
]  # fmt: skip
INTERVIEWS = [
    {"visit_id": "V1", "worker_ref": "W1", "age": 34, "sex": "male", "foreign": True,
     "weekly_hours": 60.0, "threatened": False},
    {"visit_id": "V1", "worker_ref": "W2", "age": None, "sex": "female", "foreign": None,
     "weekly_hours": None, "threatened": True},
    {"visit_id": "V2", "worker_ref": "W1", "age": 19, "sex": None, "foreign": False,
     "weekly_hours": 45.5, "threatened": None},
]  # fmt: skip
HEADER = ",".join(VISITS[0])


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows[0])
        writer.writerows([[text(v) for v in row.values()] for row in rows])
    return path


def write_xlsx(path: Path, **tables: list[dict]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append([dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v
                          for v in row.values()])  # fmt: skip
    book.save(path)
    return path


def jsonable(rows: list[dict]) -> list[dict]:
    return [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows]


def write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def consistent(result: LoadResult) -> LoadResult:
    """The invariant: every row read is valid or rejected, never both, never neither."""
    for table, frame in (("visits", result.visits), ("interviews", result.interviews)):
        rejected = result.rejected.loc[result.rejected["table"] == table, "row"].nunique()
        assert len(frame) + rejected == result.rows_read[table]
    return result


@pytest.fixture
def good_csv(tmp_path) -> tuple[Path, Path]:
    return write_csv(tmp_path / "v.csv", VISITS), write_csv(tmp_path / "i.csv", INTERVIEWS)


def test_every_format_loads_the_same_upload(tmp_path, good_csv):
    expected = consistent(load_upload(*good_csv))
    assert expected.rejected.empty and len(expected.visits) == 2 and len(expected.interviews) == 3
    pd.DataFrame(VISITS).astype({"visit_date": "datetime64[ns]"}).to_parquet(tmp_path / "v.parquet")
    pd.DataFrame(INTERVIEWS).astype({"age": "Int64"}).to_parquet(tmp_path / "i.parquet")
    nested = [{**v, "interviews": [{k: x for k, x in i.items() if k != "visit_id"}
                                   for i in INTERVIEWS if i["visit_id"] == v["visit_id"]]}
              for v in jsonable(VISITS)]  # fmt: skip
    both = {"visits": jsonable(VISITS), "interviews": INTERVIEWS}
    uploads = {
        "xlsx": (write_xlsx(tmp_path / "u.xlsx", visits=VISITS, interviews=INTERVIEWS),),
        "json": (write(tmp_path / "u.json", json.dumps(both)),),
        "nested json": (write(tmp_path / "n.json", json.dumps(nested)),),
        "parquet": (tmp_path / "v.parquet", tmp_path / "i.parquet"),
        "xlsx + csv": (write_xlsx(tmp_path / "v.xlsx", visits=VISITS), good_csv[1]),
    }
    for name, paths in uploads.items():
        result = consistent(load_upload(*paths))
        assert result.rejected.empty, name
        pd.testing.assert_frame_equal(result.visits, expected.visits, obj=name)
        pd.testing.assert_frame_equal(result.interviews, expected.interviews, obj=name)


def test_empty_cells_stay_unknown_not_false(good_csv):
    result = load_upload(*good_csv)
    assert result.visits.loc[0, "employer_holds_documents"] is pd.NA
    assert result.interviews["foreign"].tolist()[1] is pd.NA
    assert result.interviews["threatened"].isna().tolist() == [False, False, True]
    assert pd.isna(result.visits.loc[1, "avg_weekly_hours"])


def test_one_bad_row_does_not_stop_good_rows(tmp_path):
    rows = [dict(VISITS[0], visit_id=f"V{i}") for i in range(1, 6)]
    rows[1]["workers_present"] = "ten"  # wrong type
    rows[2]["workers_without_contract"] = 40  # more than workers_present
    rows[3]["sector"] = "mining"
    rows[4]["visit_id"] = "V1"  # duplicate
    result = consistent(load_upload(write_csv(tmp_path / "v.csv", rows)))
    got = list(zip(result.rejected["row"], result.rejected["column"], result.rejected["reason"],
                   strict=True))  # fmt: skip
    assert got == [(2, "visit_id", "duplicate_id"), (3, "workers_present", "wrong_type"),
                   (4, "workers_without_contract", "exceeds_column"),
                   (5, "sector", "unknown_choice"), (6, "visit_id", "duplicate_id")]  # fmt: skip
    assert result.visits.empty and result.rejected_rows == 5
    assert result.rejected.loc[0, "source"].endswith("v.csv")
    rows[4]["visit_id"] = "V5"
    result = consistent(load_upload(write_csv(tmp_path / "v.csv", rows)))
    assert result.visits["visit_id"].tolist() == ["V1", "V5"]
    assert "3 rejected" in result.summary() and "exceeds_column: 1" in result.summary()


def test_interviews_for_unknown_or_rejected_visits(tmp_path):
    visits = [VISITS[0], dict(VISITS[1], minors_present=-1)]
    interviews = [*INTERVIEWS, dict(INTERVIEWS[0], visit_id="V404")]
    result = consistent(load_upload(write_csv(tmp_path / "v.csv", visits),
                                    write_csv(tmp_path / "i.csv", interviews)))  # fmt: skip
    rejected = result.rejected[result.rejected["table"] == "interviews"]
    assert rejected[["row", "reason"]].values.tolist() == [[4, "visit_rejected"],
                                                           [5, "unknown_visit"]]  # fmt: skip
    assert result.interviews["worker_ref"].tolist() == ["W1", "W2"]
    assert rejected["source"].str.endswith("i.csv").all()


def test_blank_lines_and_padding_rows_keep_row_numbers(tmp_path):
    path = write_csv(tmp_path / "v.csv", VISITS)
    lines = path.read_text().splitlines()
    bad = lines[2].replace("South", "")
    write(path, "\r\n".join([lines[0], lines[1], "", "," * 15, bad, ""]) + "\r\n")
    result = consistent(load_upload(path))
    assert result.rows_read["visits"] == 2
    assert result.blank_rows["visits"] == 2  # the blank line at the end is padding, not counted
    assert result.rejected[["row", "reason"]].values.tolist() == [[5, "missing_value"]]


def test_quoted_newlines_bom_and_nested_visit_id(tmp_path):
    rows = [dict(VISITS[0], notes="line one\nline two"), VISITS[1]]
    path = write_csv(tmp_path / "v.csv", rows)
    write(path, b"\xef\xbb\xbf" + path.read_bytes().replace(b",I2,", b",\xc3\xa9I2,"))
    result = consistent(load_upload(path))
    assert result.visits["notes"][0] == "line one\nline two"
    assert result.visits["site_id"][1] == "S2" and result.visits["inspector_id"][1] == "éI2"
    nested = [dict(jsonable(VISITS)[0], interviews=[{"worker_ref": "W1"}, {"visit_id": "V2"}])]
    result = consistent(load_upload(write(tmp_path / "n.json", json.dumps(nested))))
    assert result.interviews["visit_id"].tolist() == ["V1"]
    assert result.rejected[["row", "column", "reason"]].values.tolist() == [
        [2, "visit_id", "unknown_visit"], [2, "worker_ref", "missing_value"]]  # fmt: skip


def test_a_file_without_quotes_reads_as_one_with_them(tmp_path):
    # without any quote character a line break always ends a row (the faster reading);
    # with one, a quoted value may hold line breaks and commas
    rows = [dict(v, notes=(v["notes"] or "").replace(",", "")) for v in VISITS]
    plain = write_csv(tmp_path / "plain.csv", rows)
    assert b'"' not in plain.read_bytes()
    quoted = write(tmp_path / "quoted.csv", plain.read_text(encoding="utf-8").replace(
        ",North,", ',"North",').replace("\r\n", "\n"))
    assert b'"' in quoted.read_bytes()
    one, other = consistent(load_upload(plain)), consistent(load_upload(quoted))
    pd.testing.assert_frame_equal(one.visits, other.visits)
    assert one.rows_read == other.rows_read and len(one.visits) == len(rows)


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("v.csv", b"", r"v\.csv: the file is empty \(0 bytes\)\.$"),
        ("v.csv", HEADER + "\n", r"no data rows"),
        ("v.csv", HEADER + "\n" + "," * 15 + "\n\n", r"no data rows"),
        ("v.csv", HEADER + "\n,,\n", r"row 2 has 3 values but the header row has 16 columns"),
        (  # 0x98 is no letter in Windows-1251, 0x81 none in Windows-1254: neither reads it
            "v.csv",
            HEADER.encode() + b"\nV1,S1,2024-01-01,I1,Gen\x98\x81e,",
            r"not UTF-8.*byte 0x98 at byte offset \d+ \(line 2\).*nor is it Windows-1254 or "
            r"Windows-1251 text\. Save the file as UTF-8",
        ),
        ("v.csv", HEADER + "\nV1,S1\n", r"row 2 has 2 values but the header row has 16 columns"),
        ("v.csv", "visit_id,visit_id\nV1,V2\n", r"'visit_id' appear more than once"),
        ("v.csv", HEADER.replace(",", ";") + "\nV1;S1\n",
         r"row 2 has 2 values but the header row has 16 columns.*missing or extra ';'"),
        ("v.csv", HEADER.replace(",", "|") + "\nV1|S1\n", r"separated by '\|', not commas"),
        (
            "v.csv",
            "visit_id,site_id\nV1,S1\n",
            r"required columns 'visit_date', .* missing\. "
            r"Expected columns: visit_id, site_id",
        ),
        ("v.txt", "anything", r"file type '\.txt' is not supported; use \.csv, \.xlsx, \.json"),
        ("v.json", '{"visits": [}', r"not valid JSON: .* at line 1, column 13"),
        ("v.json", '{"visit": []}', r"an object with a 'visits' list"),
        ("v.json", '{"visits": [1]}', r"item 1 of 'visits' is not an object"),
        ("v.json", '{"visits": []}', r"no data rows"),
        ("v.xlsx", b"PK\x03\x04 not a workbook", r"could not be opened as an Excel workbook"),
        ("v.parquet", b"PAR1 nope", r"could not be read as Parquet"),
    ],
)
def test_unusable_files_raise_one_clear_sentence(tmp_path, name, content, match):
    path = write(tmp_path / name, content)
    with pytest.raises(LoaderError, match=match) as caught:
        load_upload(path)
    assert caught.value.source == str(path) and str(caught.value).startswith(str(path) + ": ")


def test_missing_file_sheet_and_column(tmp_path, good_csv):
    with pytest.raises(LoaderError, match=r"nope\.csv: the file was not found\."):
        load_upload(tmp_path / "nope.csv")
    book = write_xlsx(tmp_path / "u.xlsx", Visits=VISITS, notes=[{"a": 1}])
    assert len(load_upload(book).visits) == 2  # sheet names are matched case-insensitively
    book = write_xlsx(tmp_path / "u.xlsx", people=VISITS, notes=[{"a": 1}])
    with pytest.raises(LoaderError, match=r"no sheet named 'visits' \(sheets: 'people', 'notes'\)"):
        load_upload(book)
    no_sector = [{k: v for k, v in row.items() if k != "sector"} for row in VISITS]
    with pytest.raises(LoaderError, match=r"u\.xlsx: the required column 'sector' is missing\."):
        load_upload(write_xlsx(tmp_path / "u.xlsx", visits=no_sector))
    with pytest.raises(LoaderError, match=r"interviews are also given in"):
        load_upload(write_xlsx(tmp_path / "u.xlsx", visits=VISITS, interviews=INTERVIEWS),
                    good_csv[1])  # fmt: skip
    with pytest.raises(LoaderError, match=r"i\.csv: the file has no data rows"):
        load_upload(good_csv[0], write(tmp_path / "i.csv", "visit_id,worker_ref\n"))


def test_read_raw_and_outcomes(tmp_path, good_csv):
    tables = read_raw(write_xlsx(tmp_path / "u.xlsx", visits=VISITS, interviews=INTERVIEWS))
    assert set(tables) == {"visits", "interviews"} and tables["visits"].attrs["first_row"] == 2
    assert read_raw(good_csv[0])["visits"]["workers_present"].tolist() == ["12", "30"]
    path = write(tmp_path / "o.csv", "visit_id,outcome,decided_on,source\n"
                 "V1,forced_labour,2024-05-01,review\nV2,violation,2024-05-02,\n")  # fmt: skip
    result = load_outcomes(path)
    assert result.outcomes["outcome"].tolist() == ["forced_labour"]
    assert result.rejected_rows == 1 and result.rows_read == {"outcomes": 2}
    assert "outcomes: 2 rows read, 1 accepted, 1 rejected." in str(result)


EXAMPLES = dict(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@settings(**EXAMPLES)
@given(st.binary(max_size=300), st.sampled_from([".csv", ".json", ".xlsx", ".parquet"]),
       st.booleans())  # fmt: skip
def test_arbitrary_bytes_never_crash(tmp_path_factory, data, suffix, with_header):
    folder = tmp_path_factory.mktemp("bytes")
    if with_header and suffix == ".csv":
        data = HEADER.encode() + b"\n" + data
    try:
        result = load_upload(write(folder / f"v{suffix}", data))
    except LoaderError as error:
        assert str(error).startswith(str(folder))
    else:
        consistent(result)


@settings(**EXAMPLES)
@given(st.lists(st.lists(st.one_of(st.text(max_size=10), st.sampled_from(["", " ", "yes", "-1"])),
                         min_size=6, max_size=6), min_size=1, max_size=6))  # fmt: skip
def test_arbitrary_cells_in_a_valid_csv_are_valid_or_rejected(tmp_path_factory, cells):
    folder = tmp_path_factory.mktemp("cells")
    names = ["sector", "workers_present", "minors_present", "living_on_site", "notes", "extra"]
    rows = [{**VISITS[0], "visit_id": f"V{i}", **dict(zip(names, row, strict=True))}
            for i, row in enumerate(cells)]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(rows[0])
    writer.writerows([[text(v) for v in row.values()] for row in rows])
    result = consistent(load_upload(write(folder / "v.csv", buffer.getvalue())))
    assert result.rows_read["visits"] == len(rows)
    assert set(result.visits.columns[-1:]) == {"extra"}


@settings(**EXAMPLES)
@given(st.lists(st.dictionaries(st.sampled_from(["visit_id", "age", "sex", "foreign", "x"]),
                                st.one_of(st.none(), st.booleans(), st.integers(),
                                          st.floats(), st.text(max_size=5)), max_size=5),
                max_size=5))  # fmt: skip
def test_arbitrary_json_interviews_are_valid_or_rejected(tmp_path_factory, interviews):
    folder = tmp_path_factory.mktemp("json")
    visits = [dict(jsonable(VISITS)[0], interviews=interviews)]
    try:
        result = load_upload(write(folder / "v.json", json.dumps(visits)))
    except LoaderError as error:  # no interview has a worker_ref at all
        assert "the required column 'worker_ref' is missing" in str(error)
    else:
        assert len(consistent(result).visits) == 1
