"""Loaders read a path, a file name with its bytes, or a binary file object."""

from __future__ import annotations

import io

import pytest

from screening.errors import LoaderError
from screening.ingest.loaders import load_upload
from screening.ingest.readers import read_source
from screening.settings import EXAMPLES_DIR

VISITS = (EXAMPLES_DIR / "visits-with-errors.csv").read_bytes()


def test_the_three_kinds_of_source_give_the_same_result():
    by_path = load_upload(EXAMPLES_DIR / "visits-with-errors.csv")
    by_bytes = load_upload(("march.csv", VISITS))
    handle = io.BytesIO(VISITS)
    handle.name = "april.csv"
    by_object = load_upload(handle)
    for other in (by_bytes, by_object):
        assert other.summary() == by_path.summary()
        assert other.visits.equals(by_path.visits)
        columns = ["table", "row", "column", "value", "reason", "message"]
        assert other.rejected[columns].equals(by_path.rejected[columns])
    assert set(by_path.rejected["source"]) == {str(EXAMPLES_DIR / "visits-with-errors.csv")}
    assert set(by_bytes.rejected["source"]) == {"march.csv"}
    assert set(by_object.rejected["source"]) == {"april.csv"}


@pytest.mark.parametrize("source, match", [
    (("visits.txt", b"a"), r"^visits\.txt: the file type '\.txt' is not supported"),
    (("visits.csv", b""), r"^visits\.csv: the file is empty \(0 bytes\)"),
    (("visits.xlsx", b"PK not really"), r"^visits\.xlsx: the file could not be opened"),
], ids=["type", "empty", "damaged"])
def test_bytes_sources_are_named_in_messages(source, match):
    with pytest.raises(LoaderError, match=match):
        load_upload(source)


def test_interviews_from_a_second_bytes_source_are_named_by_their_file():
    visits = (EXAMPLES_DIR / "visits.csv").read_bytes()
    interviews = b"visit_id,worker_ref,age\nNOPE,W1,30\n"
    loaded = load_upload(("v.csv", visits), ("i.csv", interviews))
    row = loaded.rejected.iloc[0]
    assert (row["source"], row["table"], row["reason"]) == ("i.csv", "interviews",
                                                            "unknown_visit")


def test_read_source_of_a_path_and_a_missing_path(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(b"visit_id\n")
    assert read_source(path) == (str(path), b"visit_id\n")
    with pytest.raises(LoaderError, match="the file was not found"):
        read_source(tmp_path / "missing.csv")
