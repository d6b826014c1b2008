"""Evidence rendering: once per distinct set of facts, exact text per visit, joined per visit."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.rules.evidence import (
    format_value,
    group_join,
    join_distinct,
    render,
    render_clauses,
    sequence_ids,
)
from screening.rules.expr import ColumnCache, compile_rule, text_column

TYPES = {"a": "number", "b": "number", "flag": "bool", "region": "text"}


def cache(**cols):
    return ColumnCache(pd.DataFrame(cols), TYPES)


def texts(codes, sentences):
    return [sentences[c] for c in codes]


def test_each_row_gets_its_own_facts():
    c = cache(a=[3.0, 1.0, 3.0, np.nan], b=[12.0, 4.0, 12.0, 5.0])
    codes, sentences = render("{a} of {b} workers", c)
    assert texts(codes, sentences) == ["3 of 12 workers", "1 of 4 workers", "3 of 12 workers",
                                       "unknown of 5 workers"]
    assert len(sentences) == 3, "rendered once per distinct combination"


def test_formats():
    assert format_value(0.333, "pct") == "33%"
    assert format_value(61.26, "1") == "61.3"
    assert format_value(7.0, None) == "7"
    assert format_value(7.26, None) == "7.3"
    assert format_value(12.0, "pct") == "1200%"
    assert format_value(np.nan, None) == "unknown"


def test_text_placeholder():
    c = ColumnCache({"region": ["Baku", None]}, TYPES,
                    prepared={"region": text_column(["Baku", None])})
    codes, sentences = render("in {region}", c)
    assert texts(codes, sentences) == ["in baku", "in unknown"]


def test_clauses_speak_only_where_their_condition_holds():
    c = cache(a=[2.0, 0.0, 5.0], flag=[1.0, 1.0, 0.0])
    clauses = [
        ("Flag is set.", compile_rule("flag == true", TYPES)),
        ("{a} workers.", compile_rule("a >= 1", TYPES)),
    ]
    codes, sentences = render_clauses(clauses, c, "Fallback name")
    assert texts(codes, sentences) == ["Flag is set. 2 workers.", "Flag is set.", "5 workers."]
    none = render_clauses([("x", compile_rule("a > 100", TYPES))], c, "Fallback name")
    assert texts(*none) == ["Fallback name"] * 3


def test_group_join_keeps_order_and_empty_rows():
    rows = np.array([0, 0, 0, 3])
    values = pd.Categorical(["first.", "second; with sep", "third.", "only."])
    assert group_join(rows, values, " ", 5).tolist() == [
        "first. second; with sep third.", "", "", "only.", ""]
    assert group_join(np.zeros(0, dtype=int), pd.Categorical([]), ";", 2).tolist() == ["", ""]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "a b", "c;", ""]), max_size=4), max_size=30))
def test_join_distinct_equals_the_plain_join(per_row):
    """Dictionary-encoded joining gives exactly the text of joining every row on its own."""
    rows = np.array([i for i, items in enumerate(per_row) for _ in items], dtype=np.int64)
    values = pd.Categorical([v for items in per_row for v in items])
    n = len(per_row)
    expected = [" ".join(items) for items in per_row]
    assert join_distinct(rows, values, " ", n).to_pylist() == expected
    assert group_join(rows, values, " ", n).tolist() == expected
    ids = sequence_ids(rows, np.asarray(values.codes, dtype=np.int64), n)
    for i in range(n):
        for j in range(n):
            assert (ids[i] == ids[j]) == (per_row[i] == per_row[j])
