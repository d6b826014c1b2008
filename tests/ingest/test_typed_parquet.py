"""A Parquet file from another tool: true/false columns with gaps are checked as typed columns,
never turned into text cell by cell (issue 14's first finding)."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import screening.ingest.validation as validation
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

    monkeypatch.setattr(validation, "_cell_text", no_text)
    loaded = load_upload(("from-another-tool.parquet", buffer.getvalue()))
    assert len(loaded.rejected) == 0 and len(loaded.visits) == 300
    column = loaded.visits["violence_observed"]
    assert str(column.dtype) == "boolean"
    assert bool(column.iloc[0]) is True and bool(column.iloc[2]) is False
    assert column.isna().iloc[1], "an empty cell stays unknown, never false"
    assert int(column.isna().sum()) == 100
