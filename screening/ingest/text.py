"""Columns as text in Arrow: what a typed column looks like typed, as a person would type it,
trimmed, and as its distinct values.

An object column (JSON, spreadsheet cells) holding one Python type is converted whole to that
dtype (:func:`typed_view`); only a column that mixes types (numbers and words in one column) is
written as text one cell at a time. Text stays in Arrow (:func:`arrow_text`, :func:`trimmed`,
:class:`Distinct`) so that :mod:`screening.ingest.parsing` parses it with compute kernels.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

STR = pd.StringDtype("pyarrow", na_value=np.nan)
"""pandas 3's default ``str``: text backed by Arrow, ``NaN`` unknown."""


def _cell_text(value: object) -> str:
    """One cell of any type as the text a person would have typed (``3.0`` -> ``'3'``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.datetime):
        midnight = value.tzinfo is None and value.time() == dt.time(0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _strings(values: np.ndarray, missing: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(np.where(missing, None, values), index=index, dtype=object).astype(STR)


def typed_view(column: pd.Series) -> pd.Series:
    """An object column holding one Python type, converted whole to that type's dtype.

    Booleans become ``boolean``, whole numbers ``Int64``, numbers ``float64``, dates and naive
    date-times ``datetime64``, text ``str``; a column mixing types, or one numpy cannot hold
    (a 70-bit integer, time zones), is returned as it is. Other dtypes are returned as they are.

    Examples
    --------
    >>> typed_view(pd.Series([True, None, False], dtype=object)).dtype
    BooleanDtype
    >>> typed_view(pd.Series([1, "two"], dtype=object)).dtype
    dtype('O')
    """
    if not ptypes.is_object_dtype(column.dtype):
        return column
    kind = ptypes.infer_dtype(column, skipna=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy warns (and converts) for time zones
            if kind in ("string", "empty"):
                return column.astype(STR)
            if kind == "boolean":
                return column.astype("boolean")
            if kind == "integer":
                return pd.Series(pd.array(column.to_numpy(), dtype="Int64"), index=column.index)
            if kind in ("floating", "mixed-integer-float"):
                return column.astype("float64")
            if kind in ("date", "datetime"):
                stamps = np.array(column.to_numpy(), dtype="datetime64[us]")
                return pd.Series(stamps, index=column.index)
    except (TypeError, ValueError, OverflowError, UserWarning):
        pass
    return column


def as_text(column: pd.Series) -> pd.Series:
    """The column as given, as text (``str``, ``NaN`` unknown), not trimmed.

    Typed columns are written as a person would type them (``3.0`` -> ``'3'``, ``True`` ->
    ``'true'``, a date at midnight -> ``'2024-03-01'``); only an object column that mixes
    types is written cell by cell.

    Examples
    --------
    >>> as_text(pd.Series([3.0, 2.5, None])).tolist()
    ['3', '2.5', nan]
    >>> as_text(pd.Series([True, None], dtype="boolean")).tolist()
    ['true', nan]
    """
    column = typed_view(column)
    dtype = column.dtype
    if dtype == STR:
        return column
    if isinstance(dtype, pd.CategoricalDtype):
        categories = arrow_text(pd.Series(dtype.categories)).combine_chunks()
        codes = column.cat.codes.to_numpy()
        text = pc.take(categories, pa.array(codes, mask=codes < 0))
        return to_series(text).set_axis(column.index)
    if isinstance(dtype, pd.StringDtype) or ptypes.is_integer_dtype(dtype):
        return column.astype(STR)
    if ptypes.is_bool_dtype(dtype):
        missing = column.isna().to_numpy(dtype=bool)
        truth = column.to_numpy(dtype=bool, na_value=False)
        return _strings(np.where(truth, "true", "false"), missing, column.index)
    if ptypes.is_float_dtype(dtype):
        return column.astype(STR).str.replace(r"\.0$", "", regex=True)
    if ptypes.is_datetime64_any_dtype(dtype) and column.dt.tz is None:
        missing = column.isna().to_numpy(dtype=bool)
        midnight = (column == column.dt.normalize()).to_numpy(dtype=bool)
        day = column.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        full = column.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
        return _strings(np.where(midnight, day, full), missing, column.index)
    return column.astype(object).map(_cell_text, na_action="ignore").astype(STR)


def arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """The column as text in Arrow (see :func:`as_text`), without copying text columns."""
    return as_text(column).array.__arrow_array__()


def text_bytes(text: pa.ChunkedArray | pa.Array) -> list[np.ndarray]:
    """The bytes of the text of every chunk, as numpy views (no copy). A sliced chunk's view
    may hold bytes outside its cells (a sliced-off header row): a scan of them may say *maybe*,
    never *no* wrongly."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    return [np.frombuffer(c.buffers()[2], dtype=np.uint8) for c in chunks
            if len(c) > c.null_count and c.buffers()[2] is not None]  # fmt: skip


def is_ascii(text: pa.ChunkedArray | pa.Array) -> bool:
    """Whether every byte of the text is ASCII (one pass of numpy over the bytes)."""
    return all(b.max(initial=0) < 0x80 for b in text_bytes(text))


#: The characters Arrow's trim kernels take for whitespace: ASCII's (tab to carriage return,
#: the separators 0x1C-0x1F, space) and Unicode's spaces and line and paragraph separators
#: (a test asks the kernel about every code point).
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(
    map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def _byte_table(position: int) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[[c.encode()[position] for c in WHITESPACE]] = True
    return table


#: The bytes whitespace begins with, and those it ends with, in UTF-8.
_SPACE_FIRST, _SPACE_LAST = _byte_table(0), _byte_table(-1)


def _padded(chunk: pa.Array) -> bool:
    """Whether some cell of a text chunk may begin or end with whitespace, told from the first
    and last byte of every cell (two numpy gathers, not a pass over the text): a byte that
    no whitespace begins (ends) with rules it out. *Maybe* is enough to trim; *no* is
    certain."""
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return True  # another layout (string views): trim to be sure
    if len(chunk) == chunk.null_count or chunk.buffers()[2] is None:
        return False
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:
                                                              chunk.offset + len(chunk) + 1]
    data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    return bool(_SPACE_FIRST[data[starts[filled]]].any()
                or _SPACE_LAST[data[ends[filled] - 1]].any())


def _trim(text: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Trim :data:`WHITESPACE` (what Python's ``str.strip`` takes too); text of ASCII letters
    by the much faster ASCII kernel, which agrees on it except for the separators 0x1C-0x1F
    (text holding one goes to the Unicode kernel). Text with nothing to trim (what a typed
    Parquet column usually holds) is returned as it is, without a copy.

    >>> _trim(pa.array([" a", "b\\u00a0", "\\x1cc"])).to_pylist()
    ['a', 'b', 'c']
    >>> text = pa.array(["a", None, "b c"])
    >>> _trim(text) is text
    True
    """
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    if not any(_padded(c) for c in chunks):
        return text
    plain = all(b.max(initial=0) < 0x80 and not ((b - np.uint8(0x1C)) < 4).any()
                for b in text_bytes(text))  # ASCII without the separators 0x1C-0x1F
    return pc.ascii_trim_whitespace(text) if plain else pc.utf8_trim_whitespace(text)


def trimmed(column: pd.Series) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Trimmed text, null where empty, and the mask of known (non-empty) cells.

    Examples
    --------
    >>> text, known = trimmed(pd.Series([" a ", "  ", None], dtype=STR))
    >>> text.to_pylist(), known.tolist()
    (['a', None, None], [True, False, False])
    """
    text, known = _blank_null(arrow_text(column))
    return text, mask(known)


def to_series(text: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Arrow text as a pandas ``str`` series (no copy)."""
    if isinstance(text, pa.Array):
        text = pa.chunked_array([text], type=text.type)
    return pd.Series(pd.arrays.ArrowStringArray(text, dtype=STR))


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as numpy, null as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


EMPTY, OK, BAD = 0, 1, 2
"""The state of a cell after parsing: empty (unknown), a value of its kind, or not one."""


@dataclass
class Distinct:
    """A text column as its distinct trimmed values and each cell's position among them.

    Parse :attr:`values` (Arrow strings, null for an empty cell) once into a state per value
    (:data:`EMPTY`, :data:`OK`, :data:`BAD`) and, where OK, a parsed value; :meth:`spread` gives
    each cell its answer. A categorical column (a CSV read with repeating columns encoded) is
    already in this form; a column with many distinct values (numbers with decimals) is parsed
    cell by cell in Arrow (``index`` is None), which is no slower than hashing it.
    """

    values: pa.Array
    index: np.ndarray | None

    @classmethod
    def of(cls, column: pd.Series) -> Distinct:
        """Hash the column's text once; keep the distinct values when they are few."""
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories = as_text(pd.Series(column.dtype.categories))
            text = pa.concat_arrays([categories.array.__arrow_array__().combine_chunks(),
                                     pa.nulls(1, pa.large_string())])  # fmt: skip
            codes = column.cat.codes.to_numpy()
            return cls(_blank_null(text)[0], np.where(codes < 0, len(text) - 1, codes))
        text = arrow_text(column).combine_chunks()
        encoded = pc.dictionary_encode(text, null_encoding="encode")
        if len(encoded.dictionary) * 4 > max(len(text), 64):
            return cls(_blank_null(text)[0], None)
        return cls(_blank_null(encoded.dictionary)[0],
                   encoded.indices.to_numpy(zero_copy_only=False))

    def spread(self, answers: np.ndarray) -> np.ndarray:
        """Each cell's answer from the answers for :attr:`values`."""
        return answers if self.index is None else answers[self.index]

    def states(self, codes: np.ndarray) -> np.ndarray:
        """Each cell's state from a state per value of :attr:`values` (a mask: :data:`OK` or
        :data:`BAD`); an empty value is :data:`EMPTY` whatever it says."""
        state = (np.where(codes, OK, BAD) if codes.dtype == bool else codes).astype(np.int8)
        state[~mask(pc.is_valid(self.values))] = EMPTY
        return self.spread(state)

    def counts(self) -> np.ndarray:
        """How many cells hold each of :attr:`values`."""
        if self.index is None:
            return np.ones(len(self.values), dtype=np.int64)
        return np.bincount(self.index, minlength=len(self.values))


def _blank_null(text: pa.ChunkedArray | pa.Array
                ) -> tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array]:
    """Trimmed, with empty text as null, and where the text is known (Arrow booleans); text
    without an empty cell is kept as it is (its nulls are already the unknowns)."""
    text = _trim(text)
    lengths = pc.binary_length(text)
    if not pc.any(pc.equal(lengths, 0)).as_py():
        return text, pc.is_valid(text)
    known = pc.fill_null(pc.greater(lengths, 0), False)
    return pc.if_else(known, text, pa.scalar(None, text.type)), known


_WHOLE = (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32())


def arrow_dtype(kind: pa.DataType) -> object:
    """The pandas dtype a Parquet column becomes, so that validation checks it as it is: true/
    false with gaps as ``boolean`` and whole numbers with gaps as ``Int64`` (pandas would make
    Python objects and floats of them), text as pandas' ``str``; everything else as pandas
    makes it (Parquet dates: ``datetime64``, read with ``date_as_object=False``)."""
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    if kind in _WHOLE:
        return pd.Int64Dtype()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return STR
    return None


__all__ = ["BAD", "EMPTY", "OK", "STR", "Distinct", "arrow_dtype", "arrow_text", "as_text",
           "is_ascii", "mask", "text_bytes", "to_series", "trimmed", "typed_view"]
