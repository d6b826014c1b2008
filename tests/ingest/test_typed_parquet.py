"""A Parquet file from another tool: true/false columns with gaps are checked as typed columns,
never turned into text cell by cell (issue 14's first finding)."""

from __future__ import annotations

import datetime as dt
import decimal
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import screening.ingest.text as text_module
from screening.datasets.synthetic import generate
from screening.ingest.loaders import load_upload


def test_booleans_with_gaps_are_read_typed_and_unknown_stays_unknown(monkeypatch):
    visits = generate(300, seed=4).visits
    table = pa.Table.from_pandas(visits, preserve_index=False)
    flags = pa.array([True, None, False] * 100, type=pa.bool_())
    table = table.set_column(table.schema.get_field_index("violence_observed"),
                             "violence_observed", flags)
    table = table.replace_schema_metadata(None)  # another tool: no pandas metadata
    buffer = io.BytesIO()
    pq.write_table(table, buffer)

    def no_text(value):
        pytest.fail(f"a typed cell was turned into text: {value!r}")

    monkeypatch.setattr(text_module, "_cell_text", no_text)
    loaded = load_upload(("from-another-tool.parquet", buffer.getvalue()))
    assert len(loaded.rejected) == 0 and len(loaded.visits) == 300
    column = loaded.visits["violence_observed"]
    assert str(column.dtype) == "boolean"
    assert bool(column.iloc[0]) is True and bool(column.iloc[2]) is False
    assert column.isna().iloc[1], "an empty cell stays unknown, never false"
    assert int(column.isna().sum()) == 100


def test_every_contract_type_from_another_tool_is_checked_typed(monkeypatch):
    """Whole numbers with gaps, decimals, dates as date32, a dictionary-encoded choice and
    true/false with gaps: none is turned into text cell by cell, and each is checked."""
    table = pa.table({
        "visit_id": ["V1", "V2", "V3"], "site_id": ["S1", "S2", "S3"],
        "visit_date": pa.array([dt.date(2025, 3, 1), dt.date(2025, 3, 2), None], pa.date32()),
        "inspector_id": ["I1", "I1", "I1"], "region": ["Baku", "Baku", "Baku"],
        "sector": pa.array(["construction", "services", "fishing"]).dictionary_encode(),
        "workers_present": pa.array([10, None, 4], pa.int32()),
        "workers_without_contract": pa.array([1, 0, 0], pa.int64()),
        "foreign_workers": pa.array([0, 0, 0], pa.uint8()),
        "foreign_workers_without_permit": pa.array([0, 0, 0], pa.int64()),
        "minors_present": pa.array([decimal.Decimal("2.00"), decimal.Decimal("0"),
                                    decimal.Decimal("1.50")], pa.decimal128(5, 2)),
        "avg_weekly_hours": pa.array([None, 40.5, 170.0]),
        "living_on_site": pa.array([None, True, False]),
    })
    buffer = io.BytesIO()
    pq.write_table(table, buffer)

    def no_text(value):
        pytest.fail(f"a typed cell was turned into text: {value!r}")

    monkeypatch.setattr(text_module, "_cell_text", no_text)
    loaded = load_upload(("typed.parquet", buffer.getvalue()))
    assert loaded.visits[["visit_id", "minors_present", "sector"]].values.tolist() == [
        ["V1", 2, "construction"]]
    assert loaded.visits["avg_weekly_hours"].isna().all()
    assert loaded.rejected[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "workers_present", "", "missing_value"],
        [3, "visit_date", "", "missing_value"],
        [3, "sector", "fishing", "unknown_choice"],
        [3, "minors_present", "1.50", "wrong_type"],
        [3, "avg_weekly_hours", "170", "out_of_range"],
    ]


_SPACES = [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\u00a0", "\u2003", "\u3000"]


def test_text_with_nothing_to_trim_is_kept_as_it_is_and_padded_text_is_trimmed():
    clean = pa.chunked_array([["V1", None, "Şəki-Zaqatala"], ["V2", "a b"]])
    assert text_module._trim(clean) is clean, "nothing to trim: no copy"
    # a letter ending in a byte a space may end with (ş: C5 9F, like U+205F's E2 81 9F) is
    # only maybe a space: such text is trimmed, and stays as it was
    assert text_module._trim(pa.array(["Ağdaş", "əl"])).to_pylist() == ["Ağdaş", "əl"]
    for space in _SPACES:
        padded = pa.chunked_array([["V1", "V2"], [f"{space}V3", f"V4{space}"]])
        assert text_module._trim(padded).to_pylist() == ["V1", "V2", "V3", "V4"], repr(space)


@pytest.mark.parametrize("cells", [
    ["V1", "", "  ", None, "\u00a0V2\u00a0"],
    ["a", "b"],
    ["", None],
    ["ə", "\x1cə", "ə\x1f"],
    ["\x1ca", "b\x1f", " c "],  # ASCII only: the separators are whitespace here too
])
def test_trimmed_text_is_what_the_trim_kernel_gives(cells):
    import pandas as pd
    import pyarrow.compute as pc

    text, known = text_module.trimmed(pd.Series(cells, dtype=text_module.STR))
    expected = pc.utf8_trim_whitespace(pa.array(cells, type=pa.large_string())).to_pylist()
    assert text.to_pylist() == [c or None for c in expected]
    assert known.tolist() == [bool(c) for c in expected]


def test_whitespace_is_what_the_trim_kernel_takes_for_whitespace():
    import numpy as np
    import pyarrow.compute as pc

    points = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]  # no surrogates
    trimmed = pc.utf8_trim_whitespace(pa.array([chr(c) + "." for c in points]))
    spaces = np.flatnonzero(np.asarray(pc.binary_length(trimmed)) == 1)
    assert "".join(chr(points[i]) for i in spaces) == text_module.WHITESPACE
