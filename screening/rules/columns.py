"""Columns prepared once for rule evaluation: numbers as float arrays (NaN unknown), text as
category codes, true/false as pairs of byte masks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

Frame = Mapping[str, Any]


@dataclass
class Text:
    """A text column as category codes (``-1`` = unknown) plus its categories."""

    codes: np.ndarray
    categories: pd.Index

    def code_of(self, value: str) -> int:
        """The code of a category, or -2 (matching nothing) when absent."""
        found = self.categories.get_indexer([_fold(value)])[0]
        return int(found) if found >= 0 else -2


def text_column(values: Any) -> Text:
    """Encode text values (NaN/None unknown) as a :class:`Text` column.

    Rules compare text ignoring case and surrounding spaces, so ``'Cotton harvest '`` in an
    upload matches ``'cotton harvest'`` in a rule; the data itself is not changed.

    >>> t = text_column(["Cotton harvest ", "cotton harvest", None])
    >>> t.codes.tolist(), t.code_of("COTTON HARVEST")
    ([0, 0, -1], 0)
    """
    if not isinstance(values, pd.Series | pd.Index):
        values = pd.Series(np.asarray(values, dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    folded = [_fold(u) for u in uniques]
    remap, categories = pd.factorize(np.asarray(folded, dtype=object))
    codes = np.where(codes >= 0, remap[np.maximum(codes, 0)] if len(remap) else -1, -1)
    return Text(codes.astype(np.int32, copy=False), pd.Index(categories, dtype=object))


def _fold(value: Any) -> str:
    return str(value).strip().casefold()


class ColumnCache:
    """Columns of a frame prepared once for evaluation (floats with NaN, or :class:`Text`)."""

    def __init__(
        self, frame: Frame, types: Mapping[str, str], *, prepared: Mapping[str, Any] | None = None
    ):
        self.frame = frame
        self.types = types
        self._cache: dict[Any, Any] = dict(prepared or {})
        first = next(iter(self._cache.values()), None)
        if isinstance(frame, pd.DataFrame):
            self.n = len(frame.index)
        elif len(frame):
            self.n = len(frame[next(iter(frame))])
        else:
            self.n = len(first.codes) if isinstance(first, Text) else len(first or [])

    def get(self, name: str) -> Any:
        """The prepared column ``name``; an absent column is all unknown."""
        if name not in self._cache:
            self._cache[name] = self._prepare(name)
        return self._cache[name]

    def take(self, rows: np.ndarray) -> ColumnCache:
        """A cache over only ``rows`` of this one; columns are sliced when first used."""
        return _TakenCache(self, rows)

    def value(self, name: str) -> Any:
        """A number column for evaluation: its array, or a scalar NaN when every value is
        unknown (a column of a batch without interviews, say), which makes every operation
        on it scalar and free."""
        key = ("value", name)
        if key not in self._cache:
            values = self.get(name)
            unknown = values.strides == (0,) and values.size and np.isnan(values[0])
            if unknown or np.isnan(values).all():
                values = np.float64(np.nan)
            self._cache[key] = values
        return self._cache[key]

    def truth(self, name: str) -> tuple[Any, Any]:
        """A true/false column as (is_true, is_false) boolean arrays, prepared once."""
        key = ("truth", name)
        if key not in self._cache:
            flags = self._flags(name)
            if flags is None:
                values = self.value(name)
                flags = (values == 1.0, values == 0.0)
            self._cache[key] = flags
        return self._cache[key]

    def _flags(self, name: str) -> tuple[Any, Any] | None:
        """A true/false column of the frame read straight from its booleans, without making
        numbers of them first (3 million interviews: a float copy of each answer costs 30-50
        ms); None for any other column. All unknown gives scalars, as :meth:`value` does."""
        if name in self._cache or name not in self.frame:
            return None
        column = self.frame[name]
        if not (isinstance(column, pd.Series) and pd.api.types.is_bool_dtype(column.dtype)):
            return None
        known = column.notna().to_numpy()
        if not known.any():
            return np.False_, np.False_
        is_true = column.to_numpy(dtype=bool, na_value=False)
        return is_true, known > is_true  # known and not true

    def _prepare(self, name: str) -> Any:
        present = name in self.frame
        if self.types.get(name) == "text":
            if not present:
                return Text(np.full(self.n, -1, dtype=np.int32), pd.Index([]))
            return text_column(self.frame[name])
        if not present:
            return np.full(self.n, np.nan)
        values = self.frame[name]
        if isinstance(values, pd.Series):
            return float_values(values)
        return np.asarray(values, dtype="float64")


class _TakenCache(ColumnCache):
    """Rows of a parent cache (see :meth:`ColumnCache.take`)."""

    def __init__(self, parent: ColumnCache, rows: np.ndarray):
        self.parent, self.rows, self.types = parent, rows, parent.types
        self.frame = parent.frame
        self.n = len(rows)
        self._cache = {}

    def _flags(self, name: str) -> None:
        return None  # the frame is the parent's, all rows: go through the taken values

    def _prepare(self, name: str) -> Any:
        column = self.parent.get(name)
        if isinstance(column, Text):
            return Text(column.codes[self.rows], column.categories)
        return np.asarray(column)[self.rows]


def float_values(column: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for unknown: a float64 column as it is (a read-only view,
    no copy: its NaN are already the unknowns), any other (``Int64``, ``boolean``) converted.

    >>> float_values(pd.Series([1, None], dtype="Int64")).tolist()
    [1.0, nan]
    """
    if column.dtype == np.float64:
        return column.to_numpy()
    return column.to_numpy(dtype="float64", na_value=np.nan)


__all__ = ["ColumnCache", "Frame", "Text", "float_values", "text_column"]
