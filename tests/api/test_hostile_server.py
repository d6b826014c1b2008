"""The hostile files of issue 11 against a real ``screening serve`` on loopback: each is refused
naming its limit, the server's memory stays under 1 GB, and another user reading the list
meanwhile is answered (before the upload's answer, for the slowest of them)."""

from __future__ import annotations

import pytest

from benchmarks.hostile import Server, hostile_files, upload_while_reading

EXPECTED = {
    "bomb.xlsx": (413, "SCREENING_MAX_DECOMPRESSED_MB"),
    "commas.csv": (422, "SCREENING_MAX_COLUMNS"),
    "rows.parquet": (413, "SCREENING_MAX_ROWS"),
    "keys.json": (422, "SCREENING_MAX_COLUMNS"),
}


@pytest.fixture(scope="module")
def server():
    with Server() as running:
        yield running


@pytest.fixture(scope="module")
def files():
    return hostile_files()


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_hostile_file_is_refused_naming_its_limit_in_bounded_memory(server, files, name):
    """Findings: the XLSX bomb took the server to 4.1 GB, the CSV of commas to 4.6 GB, the
    Parquet file to 4 GB, the JSON with many keys ran over 200 s; nobody else got an answer."""
    seen = upload_while_reading(server, name, files[name])
    status, setting = EXPECTED[name]
    assert seen["status"] == status, seen
    assert setting[:25] in seen["answer"], seen
    assert seen["peak_mb"] < 1024, seen
    assert seen["upload_s"] < 30, seen
    assert seen["other_worst_ms"] < 5000, seen
    if name == "bomb.xlsx":
        assert seen["other_first_answered"], seen
