"""Parse one column into its contract type in Arrow and numpy, never with a Python call per cell.

Three paths, chosen by the column's dtype (issue 14: typed columns were turned into text and
parsed back, 9.4 million Python calls for a million visits):

- **typed**: a column that already holds the contract's type (Parquet, JSON booleans and
  numbers, spreadsheet numbers and dates) is checked as it is, with numpy masks: whole
  numbers, ``0``/``1`` for booleans, dates at midnight; a missing value is unknown.
- **text**: a text column (CSV, text cells) is trimmed and parsed with pyarrow compute kernels.
  Booleans, choices, dates and counts repeat, so they are parsed once per *distinct* value
  (:class:`Distinct`) and the answers spread back to the cells by index.
- **mixed**: an object column holding one Python type (JSON, spreadsheets) is converted whole to
  that dtype first (:func:`typed_view`); only a column mixing types (numbers and words in one
  column) is turned into text cell by cell, as a person would have typed it.

Each parser returns a :class:`Parsed`: typed values (unknown where empty or wrong), the mask of
known cells and the mask of wrong ones. The checks and messages are
:mod:`screening.ingest.validation`'s work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from screening.ingest.interpretations import Reading
from screening.ingest.local import read_choice, read_decimal_comma, read_dotted_date, read_yes_no
from screening.ingest.records import FALSE_WORDS, TRUE_WORDS, ColumnSpec, Kind
from screening.ingest.regions import Regions
from screening.ingest.text import (
    BAD,
    EMPTY,
    OK,
    STR,
    Distinct,
    mask,
    to_series,
    trimmed,
    typed_view,
)

DTYPES = {Kind.TEXT: STR, Kind.CHOICE: STR, Kind.INT: "Int64", Kind.NUMBER: "float64",
          Kind.BOOL: "boolean", Kind.DATE: "datetime64[ns]"}  # fmt: skip
"""The dtype of each kind in a validated frame (a contract)."""

_INT_RE = r"^[+-]?[0-9]{1,18}(?:\.0*)?$"  # ASCII digits only: pyarrow casts nothing else
_NUMBER_RE = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NS_YEARS = (1678, 2261)  # the years datetime64[ns] can hold whole


@dataclass
class Parsed:
    """One column parsed into its kind.

    Attributes
    ----------
    values : pandas.Series
        The typed values (dtype of :data:`DTYPES`), unknown where empty or wrong.
    known : numpy.ndarray of bool
        The cell is not empty (after trimming).
    bad : numpy.ndarray of bool or None
        The cell is known but not a value of the kind (for a choice: not one of the choices);
        None when no cell can be.
    ambiguous : numpy.ndarray of bool or None
        The cell could be read two ways (``1,234``: a decimal comma or a thousands separator)
        and the column does not tell which: refused, never guessed.
    readings : dict of Reading to numpy.ndarray of bool
        The cells read in a local form, by kind (:mod:`screening.ingest.local`).
    """

    values: pd.Series
    known: np.ndarray
    bad: np.ndarray | None = None
    ambiguous: np.ndarray | None = None
    readings: dict[Reading, np.ndarray] = field(default_factory=dict)


AMBIGUOUS = 3
_READ = {kind: 4 + i for i, kind in enumerate(Reading)}
"""State codes: a cell read in a local form of ``kind`` is ``_READ[kind]`` (an accepted value)."""


def _accepted(state: np.ndarray) -> np.ndarray:
    return (state == OK) | (state >= min(_READ.values()))


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    return mask(pc.match_substring_regex(text, pattern))


def _where(keep: np.ndarray, text: pa.Array) -> pa.Array:
    """The text where ``keep`` holds, null elsewhere."""
    return pc.if_else(pa.array(keep, type=pa.bool_()), text, pa.scalar(None, text.type))


def _from_states(values: pd.Series, state: np.ndarray) -> Parsed:
    present = np.flatnonzero(np.bincount(state.astype(np.int64), minlength=4))
    readings = {kind: state == code for kind, code in _READ.items() if code in present}
    ambiguous = state == AMBIGUOUS if AMBIGUOUS in present else None
    return Parsed(values, state != EMPTY, state == BAD, ambiguous, readings)


# --- the kinds ------------------------------------------------------------------------------


def parse_int(column: pd.Series) -> Parsed:
    """Whole numbers (``Int64``): an integer dtype as is, floats when whole, text by pattern."""
    column = typed_view(column)
    dtype = column.dtype
    if ptypes.is_integer_dtype(dtype) and not (dtype.kind == "u" and dtype.itemsize == 8):
        values = column.astype("Int64").reset_index(drop=True)
        return Parsed(values, values.notna().to_numpy(dtype=bool))
    if ptypes.is_float_dtype(dtype):
        number = column.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(number) & (np.floor(number) == number) & (np.abs(number) < 2**53)
        values = pd.arrays.IntegerArray(np.where(whole, number, 0).astype(np.int64), ~whole)
        return Parsed(pd.Series(values), ~np.isnan(number), ~np.isnan(number) & ~whole)
    cells = Distinct.of(column)
    ok = _matches(cells.values, _INT_RE)
    digits = pc.replace_substring_regex(_where(ok, cells.values), r"^\+|\.0*$", "")
    number = pc.fill_null(pc.cast(digits, pa.int64()), 0).to_numpy(zero_copy_only=False)
    state = cells.states(ok)
    values = pd.arrays.IntegerArray(cells.spread(number).astype(np.int64), state != OK)
    return _from_states(pd.Series(values), state)


def parse_number(column: pd.Series) -> Parsed:
    """Numbers (``float64``): a numeric dtype as is; text by pattern or with a decimal comma
    (:func:`~screening.ingest.local.read_decimal_comma`); never infinite."""
    column = typed_view(column)
    if ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype):
        number = column.to_numpy(dtype=float, na_value=np.nan)
        state = np.where(np.isnan(number), EMPTY, np.where(np.isfinite(number), OK, BAD))
    else:
        cells = Distinct.of(column)
        parsed = pc.cast(_where(_matches(cells.values, _NUMBER_RE), cells.values), pa.float64())
        answers = pc.fill_null(parsed, np.nan).to_numpy(zero_copy_only=False)
        comma, read, ambiguous = read_decimal_comma(cells.values, cells.counts())
        answers = np.where(read, comma, answers)
        codes = np.where(np.isfinite(answers), np.where(read, _READ[Reading.DECIMAL_COMMA], OK),
                         np.where(ambiguous, AMBIGUOUS, BAD))  # fmt: skip
        state, number = cells.states(codes), cells.spread(answers)
    values = pd.Series(np.where(_accepted(state), number, np.nan), dtype="float64")
    return _from_states(values, state)


def parse_bool(column: pd.Series) -> Parsed:
    """Booleans (``boolean``): a boolean dtype as is, numbers 0/1, words case-insensitively,
    in English or Azerbaijani (``bəli``/``xeyr``)."""
    column = typed_view(column)
    dtype = column.dtype
    if ptypes.is_bool_dtype(dtype):
        values = column.astype("boolean").reset_index(drop=True)
        return Parsed(values, values.notna().to_numpy(dtype=bool))
    if ptypes.is_numeric_dtype(dtype):
        number = column.to_numpy(dtype=float, na_value=np.nan)
        yes = number == 1
        state = np.where(np.isnan(number), EMPTY, np.where(yes | (number == 0), OK, BAD))
    else:
        cells = Distinct.of(column)
        lower = pc.utf8_lower(cells.values)
        truth = mask(pc.is_in(lower, pa.array(sorted(TRUE_WORDS))))
        falsity = mask(pc.is_in(lower, pa.array(sorted(FALSE_WORDS))))
        az_yes, az_no = read_yes_no(lower)
        codes = np.where(truth | falsity, OK,
                         np.where(az_yes | az_no, _READ[Reading.AZERBAIJANI], BAD))
        state, yes = cells.states(codes), cells.spread(truth | az_yes)
    values = pd.arrays.BooleanArray(yes.astype(bool), ~_accepted(state))
    return _from_states(pd.Series(values), state)


def parse_date(column: pd.Series) -> Parsed:
    """Dates (``datetime64[ns]``): a date-time dtype when at midnight; text as YYYY-MM-DD or
    day.month.year (``01.03.2025``)."""
    column = typed_view(column)
    if ptypes.is_datetime64_any_dtype(column.dtype):
        stamps = column.dt.tz_localize(None) if column.dt.tz is not None else column
        known = stamps.notna().to_numpy(dtype=bool)
        midnight = (stamps == stamps.dt.normalize()).to_numpy(dtype=bool)
        state = np.where(known, np.where(midnight, OK, BAD), EMPTY)
        day = stamps.to_numpy(dtype="datetime64[D]")
    else:
        cells = Distinct.of(column)
        text = _where(_matches(cells.values, _DATE_RE), cells.values)
        read = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2025-02-30 over to 2025-03-02: a date is right only if it reads back
        ok = mask(pc.equal(pc.strftime(read, format="%Y-%m-%d"), text))
        seconds = pc.fill_null(pc.cast(read, pa.int64()), 0).to_numpy(zero_copy_only=False)
        dotted, local = read_dotted_date(cells.values)
        days = np.where(ok, seconds.astype("datetime64[s]").astype("datetime64[D]"), dotted)
        codes = np.where(ok, OK, np.where(local, _READ[Reading.DAY_MONTH_YEAR], BAD))
        state, day = cells.states(codes), cells.spread(days)
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    outside = (year < _NS_YEARS[0]) | (year > _NS_YEARS[1])  # not representable as [ns]
    state = np.where(_accepted(state) & outside, BAD, state)
    values = np.where(_accepted(state), day, np.datetime64("NaT")).astype("datetime64[ns]")
    return _from_states(pd.Series(values), state)


def parse_text(column: pd.Series) -> Parsed:
    """Text (``str``): trimmed, unknown where empty; never wrong."""
    text, known = trimmed(column)
    return Parsed(to_series(text), known)


def _chosen(cells: Distinct, chosen: np.ndarray, codes: np.ndarray) -> Parsed:
    """A choice column from the value chosen for each distinct value (None: none)."""
    names = pa.array(chosen.tolist(), pa.large_string())
    text = names if cells.index is None else pc.take(names, cells.index)
    return _from_states(to_series(text), cells.states(codes))


def parse_choice(column: pd.Series, choices: tuple[str, ...], name: str = "") -> Parsed:
    """One of ``choices`` (``str``), also in other capitals and, for the column ``name``, in
    Azerbaijani (:func:`~screening.ingest.local.read_choice`); ``bad`` marks the cells that
    are none of them. The value stored is always the contract's."""
    cells = Distinct.of(column)
    chosen, capitals, azerbaijani = read_choice(cells.values, choices, name)
    codes = np.where(chosen == None, BAD, np.where(  # noqa: E711
        capitals, _READ[Reading.CAPITALS], np.where(azerbaijani, _READ[Reading.AZERBAIJANI], OK)))
    return _chosen(cells, chosen, codes.astype(np.int8))


def parse_region(column: pd.Series, regions: Regions) -> Parsed:
    """A region among the configured ones (:class:`~screening.ingest.regions.Regions`), stored
    as its configured name; ``bad`` marks the cells naming none."""
    cells = Distinct.of(column)
    chosen = regions.match(cells.values)
    exact = mask(pc.equal(cells.values, pa.array(chosen.tolist(), cells.values.type)))
    codes = np.where(chosen == None, BAD, np.where(exact, OK, _READ[Reading.REGION]))  # noqa: E711
    return _chosen(cells, chosen, codes.astype(np.int8))


def parse_column(column: pd.Series, spec: ColumnSpec, regions: Regions | None = None) -> Parsed:
    """Parse one column as ``spec`` says (:class:`~screening.ingest.records.ColumnSpec`);
    ``region`` among ``regions`` when they are given.

    Examples
    --------
    >>> from screening.ingest.records import VISIT_COLUMNS
    >>> spec = {s.name: s for s in VISIT_COLUMNS}["living_on_site"]
    >>> parsed = parse_column(pd.Series(["Yes", "", "maybe", "bəli"]), spec)
    >>> parsed.values.tolist(), parsed.known.tolist(), parsed.bad.tolist()
    ([True, <NA>, <NA>, True], [True, False, True, True], [False, False, True, False])
    >>> parsed.readings[Reading.AZERBAIJANI].tolist()
    [False, False, False, True]
    """
    if spec.kind is Kind.CHOICE and spec.choices:
        return parse_choice(column, spec.choices, spec.name)
    if spec.name == "region" and regions is not None:
        return parse_region(column, regions)
    return _PARSERS[spec.kind](column)


_PARSERS = {Kind.TEXT: parse_text, Kind.CHOICE: parse_text, Kind.INT: parse_int,
            Kind.NUMBER: parse_number, Kind.BOOL: parse_bool, Kind.DATE: parse_date}  # fmt: skip

__all__ = ["DTYPES", "Parsed", "parse_bool", "parse_choice", "parse_column", "parse_date",
           "parse_int", "parse_number", "parse_region", "parse_text"]
