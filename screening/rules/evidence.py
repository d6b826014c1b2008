"""Evidence sentences for fired cells: rendered once per distinct set of facts, joined per visit.

Most fired cells share their facts with many others ("2 of 5 interviewed workers ..."), so a
template is rendered once for each distinct combination of the values it names, and every
fired cell gets a code into those sentences. Joining the sentences per visit happens in
pyarrow's C++ kernels. This keeps a million visits' reasons to a fraction of a second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from screening.rules.expr import ColumnCache, CompiledRule, Text

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(pct|\d))?\}")
UNKNOWN = "unknown"
#: The word for an unknown value in each evidence language.
UNKNOWN_WORDS: dict[str, str] = {"en": UNKNOWN, "az": "naməlum"}


def format_value(value: object, fmt: str | None, unknown: str = UNKNOWN) -> str:
    """One value as evidence text: whole numbers plainly, ``pct`` as a percentage, a digit as
    that many decimals, other numbers with one decimal; unknown as ``unknown`` ("unknown",
    or the evidence language's word: :data:`UNKNOWN_WORDS`).

    >>> [format_value(v, f) for v, f in [(3.0, None), (0.25, "pct"), (72.46, "1"), (2.5, None)]]
    ['3', '25%', '72.5', '2.5']
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return unknown
    if isinstance(value, str):
        return value
    number = float(value)  # type: ignore[arg-type]
    if fmt == "pct":
        return f"{round(number * 100):d}%"
    if fmt is not None:
        return f"{number:.{int(fmt)}f}"
    return f"{number:.0f}" if number == round(number) else f"{number:.1f}"


def _combine(
    codes: np.ndarray,
    width: int,
    more: np.ndarray,
    more_width: int,
    tuples: list[tuple],
    values: Sequence,
) -> tuple[np.ndarray, list[tuple]]:
    """Combine two code arrays into codes over their distinct pairs (and the pairs' values)."""
    joined, uniques = pd.factorize(codes.astype(np.int64) * more_width + more)
    pairs = [tuples[u // more_width] + (values[u % more_width],) for u in uniques]
    return joined, pairs


def distinct_values(cache: ColumnCache, name: str) -> tuple[np.ndarray, list]:
    """A column of the cache as codes (0..k-1) into its k distinct values (unknown included)."""
    column = cache.get(name)
    if isinstance(column, Text):
        values = [*column.categories.tolist(), None]
        return np.where(column.codes < 0, len(values) - 1, column.codes), values
    codes, uniques = pd.factorize(np.asarray(column, dtype="float64"), use_na_sentinel=False)
    return codes, list(uniques)


def render(template: str, cache: ColumnCache, unknown: str = UNKNOWN
           ) -> tuple[np.ndarray, list[str]]:
    """Render ``template`` for every row of ``cache``: a code per row into distinct sentences.

    >>> frame = pd.DataFrame({"a": [3.0, 1.0, 3.0], "b": [0.25, 0.5, 0.25]})
    >>> codes, sentences = render("{a} workers ({b:pct})", ColumnCache(frame, {}))
    >>> codes.tolist(), sentences
    ([0, 1, 0], ['3 workers (25%)', '1 workers (50%)'])
    """
    fields = PLACEHOLDER.findall(template)
    codes = np.zeros(cache.n, dtype=np.int64)
    tuples: list[tuple] = [()]
    for name, _ in fields:
        more, values = distinct_values(cache, name)
        codes, tuples = _combine(codes, len(tuples), more, len(values), tuples, values)
    literals = PLACEHOLDER.split(template)[:: PLACEHOLDER.groups + 1]
    sentences = []
    for values in tuples:
        parts = [literals[0]]
        for (_, fmt), value, literal in zip(fields, values, literals[1:], strict=True):
            parts += [format_value(value, fmt or None, unknown), literal]
        sentences.append("".join(parts))
    return codes, sentences


def render_clauses(
    clauses: Sequence[tuple[str, CompiledRule | None]], cache: ColumnCache, fallback: str,
    unknown: str = UNKNOWN,
) -> tuple[np.ndarray, list[str]]:
    """Evidence of one indicator for every row of ``cache`` (the rows where it fired).

    Each clause is ``(template, when)``; a clause speaks where its ``when`` holds (always when
    None). A row's text is its speaking clauses' sentences, space-separated, or ``fallback``
    (the indicator's name) when none speaks. ``unknown`` is the word for an unknown value.
    """
    codes = np.zeros(cache.n, dtype=np.int64)
    tuples: list[tuple] = [()]
    for template, when in clauses:
        clause_codes, sentences = render(template, cache, unknown)
        if when is not None:
            silent = ~when.fires(cache)
            clause_codes = np.where(silent, len(sentences), clause_codes)
        codes, tuples = _combine(
            codes, len(tuples), clause_codes, len(sentences) + 1, tuples, [*sentences, None]
        )
    texts = [" ".join(s for s in parts if s is not None) or fallback for parts in tuples]
    return codes, texts


def evidence_table(
    rows: np.ndarray,
    strength: np.ndarray,
    indicator: np.ndarray,
    ids: Sequence[str],
    codes: np.ndarray,
    sentences: Sequence[str],
) -> pd.DataFrame:
    """The long evidence table, sorted by visit then strength, with categorical text columns.

    ``indicator`` and ``codes`` index into ``ids`` and ``sentences``.
    """
    order = np.lexsort((strength, rows))
    texts, remap = pd.factorize(pd.Series(list(sentences), dtype=object))  # de-duplicate
    return pd.DataFrame({
        "row": rows[order],
        "indicator": pd.Categorical.from_codes(indicator[order], categories=list(ids)),
        "text": pd.Categorical.from_codes(texts[codes[order]],
                                          categories=pd.Index(remap, dtype=object)),
    })  # fmt: skip


def group_join(
    rows: np.ndarray, values: pd.Categorical | pd.Series, sep: str, n: int
) -> pd.api.extensions.ExtensionArray:
    """Join ``values`` per row position (``rows`` sorted) into ``n`` strings, "" where none.

    Runs in pyarrow and numpy (:func:`_joined_text`), no Python call per value.

    >>> group_join(np.array([0, 0, 2]), pd.Categorical(["a", "b", "a"]), ";", 4).tolist()
    ['a;b', '', 'a', '']
    """
    return pd.array(_joined_text(rows, values, sep, n), dtype="str")


def _joined_text(rows: np.ndarray, values: pd.Categorical | pd.Series, sep: str, n: int
                 ) -> pa.LargeStringArray:
    """:func:`group_join` as Arrow text. The values are spelled out in order, each followed
    by ``sep`` unless it is its row's last (the dictionary holds every category with and
    without it); a row's joined text is then the bytes of its values, one after the other,
    so the result only needs new offsets over the spelled-out bytes: no copy, where
    Arrow's ``binary_join`` of a million lists copies every byte again (a third of a
    second). A missing value makes its row's text missing, as ``binary_join`` does.

    >>> _joined_text(np.array([0, 0, 1]), pd.Categorical(["a", None, "b"]), " ", 3).to_pylist()
    [None, 'b', '']
    """
    values = pd.Categorical(values)
    codes = np.asarray(values.codes, dtype=np.int64)
    counts = np.bincount(rows, minlength=n) if len(rows) else np.zeros(n, dtype=np.int64)
    ends = np.cumsum(counts)
    big = pa.large_string()
    plain = pa.array(values.categories.to_numpy(dtype=object), type=big)
    if (codes < 0).any():  # a row with a missing value is missing
        texts = pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32), mask=codes < 0), plain).cast(big)
        lists = pa.LargeListArray.from_arrays(pa.array(np.append(0, ends)), texts)
        return pc.binary_join(lists, pa.scalar(sep, big))
    followed = pc.binary_join_element_wise(plain, pa.scalar(sep, big), pa.scalar("", big))
    dictionary = pa.concat_arrays([plain, followed])
    last = np.ones(len(codes), dtype=bool)
    last[:-1] = rows[1:] != rows[:-1]
    spelled = pa.DictionaryArray.from_arrays(
        pa.array(np.where(last, codes, codes + len(plain)).astype(np.int32)), dictionary
    ).cast(pa.large_string())
    item_ends = np.frombuffer(spelled.buffers()[1], dtype=np.int64)[
        spelled.offset : spelled.offset + len(spelled) + 1]
    offsets = item_ends[np.append(0, ends)] - item_ends[0]
    data = spelled.buffers()[2] or pa.py_buffer(b"")
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), data.slice(int(item_ends[0])))


def sequence_ids(rows: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Number the rows' sequences of codes exactly: equal numbers iff equal sequences.

    ``rows`` is sorted; each row's codes are in the order given. Position by position the
    sequences' prefixes are numbered with :func:`pandas.factorize` (exact, no hashing of whole
    sequences), then the prefix number is paired with the sequence's length.

    >>> sequence_ids(np.array([0, 0, 1, 1, 2, 4]), np.array([1, 2, 1, 2, 1, 9]), 5).tolist()
    [0, 0, 1, 2, 3]
    """
    length = np.bincount(rows, minlength=n) if len(rows) else np.zeros(n, dtype=np.int64)
    prefix = np.zeros(n, dtype=np.int64)
    if len(rows):
        starts = np.flatnonzero(np.append(True, rows[1:] != rows[:-1]))
        position = np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))
        by_position = np.argsort(position, kind="stable")
        bounds = np.append(0, np.cumsum(np.bincount(position)))
        width = int(codes.max()) + 1
        for k in range(len(bounds) - 1):
            at = by_position[bounds[k] : bounds[k + 1]]
            prefix[rows[at]] = pd.factorize(prefix[rows[at]] * width + codes[at])[0]
    return pd.factorize(prefix * (int(length.max(initial=0)) + 1) + length)[0]


def join_distinct(rows: np.ndarray, values: pd.Categorical, sep: str, n: int) -> pa.DictionaryArray:
    """Like :func:`group_join`, but dictionary-encoded: each distinct joined text built once.

    Many visits share the same reasons, so only one visit per distinct sequence of values is
    joined (:func:`sequence_ids`) and every visit gets the code of its sequence.

    >>> join_distinct(np.array([0, 0, 1, 1, 3]), pd.Categorical(["a", "b", "a", "b", "c"]),
    ...               " ", 5).to_pylist()
    ['a b', 'a b', '', 'c', '']
    """
    values = pd.Categorical(values)
    ids = sequence_ids(rows, np.asarray(values.codes, dtype=np.int64), n)
    # factorize numbers sequences in order of first appearance: a row is the first with its
    # sequence exactly where its id exceeds every id before it, and those ids ascend
    before = np.maximum.accumulate(np.append(-1, ids[:-1])) if n else ids
    chosen = ids > before
    keep = chosen[rows]
    texts = _joined_text(ids[rows[keep]], values[keep], sep, int(chosen.sum()))
    return pa.DictionaryArray.from_arrays(pa.array(ids.astype(np.int32)), texts)


__all__ = [
    "PLACEHOLDER",
    "evidence_table",
    "format_value",
    "group_join",
    "render",
    "render_clauses",
]
