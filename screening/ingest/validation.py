"""Bulk validation of an uploaded table against the record specs of :mod:`screening.ingest.records`.

:func:`validate_frame` checks whole columns at once (pyarrow string kernels, numpy masks): it
loops over columns, distinct bad values and failing cells, never over rows. A column whose dtype
is already right (Parquet, spreadsheet numbers, JSON booleans) skips text parsing. Each failing
cell is one row of the rejected table; a row with any failing cell is left out whole. Typed
dtypes (a contract): text and choice ``str`` (pyarrow-backed, ``NaN`` unknown), whole numbers
``Int64``, numbers ``float64``, booleans ``boolean``, dates ``datetime64[ns]``; extra columns
are kept as text. An empty or whitespace-only cell is unknown, never false.

Over 400 lines on purpose: every check of a cell (types, bounds, choices, identifiers, NUL
characters, uniqueness, parents) shares the one :class:`_Table` of failing cells and the one
builder of the rejected table; split, they would need both as a public interface. A candidate
for a ``checks`` module of its own when it grows again.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from screening.errors import LoaderError, RejectReason
from screening.ingest.interpretations import Interpretation, Reading
from screening.ingest.local import AZERBAIJANI
from screening.ingest.parsing import DTYPES, parse_column
from screening.ingest.records import ColumnSpec, Kind
from screening.ingest.regions import Regions
from screening.ingest.text import STR, as_text, is_ascii, text_bytes, to_series, trimmed
from screening.translation import N_, gettext

REJECTED_COLUMNS = ("source", "table", "row", "column", "value", "reason", "message", "visit_id",
                    "worker_ref")
"""The columns of the rejected table, one row per failing cell (a contract: columns are only
ever added). ``source`` is the file as the user named it; ``visit_id`` (and ``worker_ref`` for
interviews) name the record the row belongs to where they can be read, else they are empty."""

UNIQUE_KEYS = {"visits": ("visit_id",), "interviews": ("visit_id", "worker_ref")}
"""Columns whose combination must be unique within a table, by table name."""

_HINTS = {
    Kind.INT: "is not a whole number; use digits such as 12",
    Kind.NUMBER: "is not a number; use digits such as 42.5 or 42,5",
    Kind.BOOL: "is not true/false; use true/false, yes/no, bəli/xeyr or 1/0",
    Kind.DATE: "is not a date; use the form YYYY-MM-DD such as 2024-03-15 (or 15.03.2024)",
}


@dataclass(frozen=True)
class ParentIds:
    """The visits an interviews table must refer to (build it with :meth:`of`).

    Attributes
    ----------
    ids : pyarrow.Array
        Every visit id read, trimmed, once each.
    rows : numpy.ndarray
        The row number where each of ``ids`` first appears.
    valid : pyarrow.Array
        The visit ids of the accepted visit rows.
    column, table : str
        The referring column, and the parent table's name for messages.
    """

    ids: pa.Array
    rows: np.ndarray
    valid: pa.Array
    column: str = "visit_id"
    table: str = "visits"

    @classmethod
    def of(cls, raw: pd.DataFrame, first_row: int, valid: pd.DataFrame) -> ParentIds:
        """Collect the visit ids read and accepted.

        Parameters
        ----------
        raw : pandas.DataFrame
            The visits as read, indexed and numbered as for :func:`validate_frame`.
        first_row : int
            The row number of position 0.
        valid : pandas.DataFrame
            The accepted visits, as :func:`validate_frame` returned them.

        Returns
        -------
        ParentIds
        """
        ids = _trimmed(raw[cls.column])[0]
        rows = first_row + _offsets(raw.index)
        keep = ids.notna().to_numpy(dtype=bool) & ~ids.duplicated().to_numpy(dtype=bool)
        accepted = valid[cls.column].astype(STR)
        return cls(pa.array(ids[keep].array), rows[keep], pa.array(accepted.array))


def _offsets(index: pd.Index) -> np.ndarray:
    """0-based positions in the file: an integer index as is, otherwise 0, 1, 2, ..."""
    if ptypes.is_integer_dtype(index.dtype):
        return index.to_numpy(dtype=np.int64)
    return np.arange(len(index), dtype=np.int64)


def empty_rejected() -> pd.DataFrame:
    """Return a rejected table without rows.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REJECTED_COLUMNS`; ``row`` is ``int64``, the others ``object``.
    """
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c == "row" else object) for c in REJECTED_COLUMNS}
    )


def _trimmed(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Trimmed text (``NaN`` where empty) and the mask of known (non-empty) cells."""
    text, known = trimmed(column)
    return to_series(text), known


def blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Find the rows whose every cell is empty (spreadsheet padding, blank CSV lines).

    Parameters
    ----------
    raw : pandas.DataFrame
        A table as read.

    Returns
    -------
    numpy.ndarray of bool
        True for blank rows (costs about one column: only rows still blank are looked at).
    """
    blank = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1]):
        rows = np.flatnonzero(blank)
        if rows.size == 0:
            break
        column = raw.iloc[:, i] if rows.size == len(raw) else raw.iloc[rows, i]
        blank[rows] = ~_trimmed(column)[1]
    return blank


def _quoted(text: pd.Series) -> pd.Series:
    return "'" + text.where(text.str.len() <= 60, text.str.slice(0, 57) + "...") + "'"


def _fmt(number: float) -> str:
    return str(int(number)) if abs(number) < 1e15 and float(number).is_integer() else f"{number:g}"


class _Table:
    """The parsed columns and the failing cells of one table while it is being checked."""

    def __init__(self, raw: pd.DataFrame) -> None:
        self.raw, self.n = raw, len(raw)
        self.typed: dict[str, pd.Series] = {}
        self.readings: dict[str, dict[Reading, np.ndarray]] = {}
        self.failed: dict[str, np.ndarray] = {}
        self.issues: list[tuple[np.ndarray, str, RejectReason, np.ndarray]] = []

    def fail(self, column: str, mask, reason: RejectReason, message: str | Callable) -> None:
        """Record the cells of ``column`` under ``mask`` that have not failed yet.

        ``message`` is a sentence, or a function of the failing positions returning one
        sentence per position. A failed cell's typed value becomes unknown.
        """
        failed = self.failed.setdefault(column, np.zeros(self.n, dtype=bool))
        mask = np.asarray(mask, dtype=bool) & ~failed
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        messages = message(positions) if callable(message) else [message] * positions.size
        messages = np.asarray(messages, dtype=object)
        failed |= mask
        self.issues.append((positions, column, reason, messages))
        if column in self.typed:
            self.typed[column] = self.typed[column].mask(mask)


_AMBIGUOUS = N_("'{value}' could be {decimal} (a decimal comma) or {whole} (a thousands "
                "separator), and no other cell of the column tells which; write {decimal} or "
                "{whole}.")
_UNKNOWN_REGION = N_("'{value}' is not one of the configured regions (SCREENING_REGIONS).")
_SUGGEST_REGION = N_("Did you mean '{name}'?")
_LIST_REGIONS = N_("The regions are: {names}.")
_IN_AZERBAIJANI = N_("(in Azerbaijani: {names})")


def _parse(t: _Table, spec: ColumnSpec, regions: Regions | None) -> None:
    """Parse one column into ``t.typed`` and record its wrong, missing or unknown cells."""
    parsed = parse_column(t.raw[spec.name], spec, regions)
    t.typed[spec.name] = parsed.values
    t.readings[spec.name] = parsed.readings
    if parsed.bad is not None and spec.kind is Kind.CHOICE:
        t.fail(spec.name, parsed.bad, RejectReason.UNKNOWN_CHOICE,
               lambda at: _unknown_choice(_shown(t, spec.name, at), spec))  # fmt: skip
    elif parsed.bad is not None and spec.name == "region" and regions is not None:
        t.fail(spec.name, parsed.bad, RejectReason.UNKNOWN_CHOICE,
               lambda at: _unknown_region(_shown(t, spec.name, at), regions))  # fmt: skip
    elif parsed.bad is not None:
        unknown = "" if spec.required else ", or leave the cell empty for unknown"
        sentence = f" {_HINTS[spec.kind]}{unknown}."
        t.fail(spec.name, parsed.bad, RejectReason.WRONG_TYPE,
               lambda at: (_quoted(_shown(t, spec.name, at)) + sentence).to_numpy())  # fmt: skip
    if parsed.ambiguous is not None:
        t.fail(spec.name, parsed.ambiguous, RejectReason.WRONG_TYPE,
               lambda at: [gettext("en", _AMBIGUOUS, value=v, decimal=v.replace(",", "."),
                                   whole=v.replace(",", ""))
                           for v in _shown(t, spec.name, at)])  # fmt: skip
    if spec.required:
        empty = f"{spec.name} is required but the cell is empty."
        t.fail(spec.name, ~parsed.known, RejectReason.MISSING_VALUE, empty)
    if spec.ge is not None or spec.le is not None:
        _check_bounds(t, spec)


def _unknown_choice(values: pd.Series, spec: ColumnSpec) -> np.ndarray:
    """One sentence per refused choice: the allowed values, their Azerbaijani names, and the
    closest of them."""
    choices = spec.choices or ()
    names = {name: value for name, value in AZERBAIJANI.get(spec.name, {}).items()
             if value in choices}
    allowed = f"is not an allowed {spec.name}; allowed values: {', '.join(choices)}"
    if names:
        allowed += " " + gettext("en", _IN_AZERBAIJANI, names=", ".join(names))
    sentences = {}
    for value in values.unique():
        close = difflib.get_close_matches(value.lower(), [*choices, *names], n=1)
        suggestion = f" Did you mean '{names.get(close[0], close[0])}'?" if close else ""
        sentences[value] = allowed + "." + suggestion
    return (_quoted(values) + " " + values.map(sentences)).to_numpy(dtype=object)


def _unknown_region(values: pd.Series, regions: Regions) -> list[str]:
    """One sentence per refused region, suggesting the closest configured name."""
    out = []
    for value in values:
        name = regions.suggest(value)
        hint = (gettext("en", _SUGGEST_REGION, name=name) if name else
                gettext("en", _LIST_REGIONS, names=", ".join(regions.names)))
        out.append(gettext("en", _UNKNOWN_REGION, value=value) + " " + hint)
    return out


def _mask(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy, null as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _shown(t: _Table, column: str, at: np.ndarray) -> pd.Series:
    """The trimmed text of ``column`` at the positions ``at``, as the user gave it."""
    return as_text(t.raw[column].iloc[at]).str.strip().reset_index(drop=True)


def _check_bounds(t: _Table, spec: ColumnSpec) -> None:
    number = t.typed[spec.name].to_numpy(dtype=float, na_value=np.nan)
    low = number < spec.ge if spec.ge is not None else np.zeros(t.n, dtype=bool)
    high = number > spec.le if spec.le is not None else np.zeros(t.n, dtype=bool)
    if spec.ge is not None and spec.le is not None:
        rule = f"between {_fmt(spec.ge)} and {_fmt(spec.le)}"
    else:
        rule = f"at least {_fmt(spec.ge)}" if spec.ge is not None else f"at most {_fmt(spec.le)}"
    sentence = f" is out of range: {spec.name} must be {rule}."
    t.fail(spec.name, low | high, RejectReason.OUT_OF_RANGE,
           lambda positions: [_fmt(number[p]) + sentence for p in positions])  # fmt: skip


def _check_at_most(t: _Table, spec: ColumnSpec) -> None:
    value = t.typed[spec.name].to_numpy(dtype=float, na_value=np.nan)
    bound = t.typed[str(spec.at_most)].to_numpy(dtype=float, na_value=np.nan)

    rule = f"{spec.name} ({{}}) must not exceed {spec.at_most} ({{}})."
    t.fail(spec.name, value > bound, RejectReason.EXCEEDS_COLUMN,
           lambda at: [rule.format(_fmt(value[p]), _fmt(bound[p])) for p in at])  # fmt: skip


def _surely_distinct(ids: pa.ChunkedArray) -> bool:
    """True when no two of the (trimmed, ASCII) ids are equal, told by a 64-bit fingerprint of
    each sorted with numpy: ids padded with spaces to whole 8-byte words, the words mixed.
    Equal ids always have equal fingerprints; False means only *maybe* (longer or non-ASCII
    ids, or two fingerprints alike), and the caller then compares the ids themselves. Hashing
    a million strings in Arrow took longer than the rest of a column's checks."""
    ids = ids.drop_null()
    width = pc.max(pc.binary_length(ids)).as_py() if len(ids) > 1 else 0
    if not width or width > 64 or not is_ascii(ids):
        return len(ids) < 2
    width = -(-width // 8) * 8  # trailing spaces were trimmed: padding keeps ids apart
    fixed = pc.cast(pc.utf8_rpad(ids, width=width, padding=" "), pa.binary(width))
    fixed = fixed.combine_chunks()
    words = np.frombuffer(fixed.buffers()[1], dtype=np.uint64, count=len(fixed) * width // 8,
                          offset=fixed.offset * width).reshape(len(fixed), width // 8)
    mixed = np.zeros(len(fixed), dtype=np.uint64)
    for k in range(words.shape[1]):
        mixed = (mixed ^ words[:, k]) * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= mixed >> np.uint64(29)
    mixed.sort()
    return not (mixed[1:] == mixed[:-1]).any()


def _check_unique(t: _Table, keys: tuple[str, ...], rows: np.ndarray) -> None:
    if len(keys) == 1:  # the usual case: tell at once that no id repeats
        ids = t.typed[keys[0]].astype(STR).array.__arrow_array__()
        if _surely_distinct(ids) or len(pc.unique(ids.drop_null())) == len(ids.drop_null()):
            return
    frame = pd.DataFrame({k: t.typed[k] for k in keys})
    duplicated = frame.duplicated(keep=False).to_numpy(dtype=bool)
    duplicated = duplicated & frame.notna().all(axis=1).to_numpy(dtype=bool)
    if not duplicated.any():
        return
    positions = np.flatnonzero(duplicated)
    key_values = list(zip(*(frame[k].to_numpy(dtype=object)[positions] for k in keys), strict=True))
    own_rows = rows[positions].tolist()
    groups: dict[tuple, list[int]] = {}
    for key, row in zip(key_values, own_rows, strict=True):
        groups.setdefault(key, []).append(row)

    def message(_: np.ndarray) -> list[str]:
        out = []
        for key, row in zip(key_values, own_rows, strict=True):
            group = groups[key]
            others = [str(r) for r in group[:6] if r != row][:5]
            more = len(group) - 1 - len(others)
            where = f"also in row(s) {', '.join(others)}" + (f" and {more} more." if more else ".")
            what = f"{keys[-1]} '{key[-1]}' appears more than once"
            parents = " and ".join(f"{k} '{v}'" for k, v in zip(keys[:-1], key, strict=False))
            out.append(f"{what}{' for ' + parents if parents else ''}; {where}")
        return out

    t.fail(keys[-1], duplicated, RejectReason.DUPLICATE_ID, message)


def _check_parent(t: _Table, parent: ParentIds) -> None:
    ids = t.typed[parent.column].astype(STR)
    probe = pa.array(ids.array)  # pyarrow hashing: fast for a million ids, pandas' str isin is not
    where = pc.fill_null(pc.index_in(probe, value_set=parent.ids), -1).to_numpy(False)
    valid = pc.fill_null(pc.is_in(probe, value_set=parent.valid), False).to_numpy(False)
    known = ids.notna().to_numpy(dtype=bool)

    def unknown(positions: np.ndarray) -> np.ndarray:
        sentence = f" is not among the {parent.table} of this upload."
        return (f"{parent.column} " + _quoted(ids.iloc[positions]) + sentence).to_numpy()

    def rejected(positions: np.ndarray) -> list[str]:
        shown = _quoted(ids.iloc[positions]).tolist()
        rows = parent.rows[where[positions]].tolist()
        return [f"the visit {v} was rejected ({parent.table} row {r}), so it cannot be used."
                for v, r in zip(shown, rows, strict=True)]  # fmt: skip

    t.fail(parent.column, known & (where < 0), RejectReason.UNKNOWN_VISIT, unknown)
    t.fail(parent.column, known & (where >= 0) & ~valid, RejectReason.VISIT_REJECTED, rejected)


def _check_columns(raw: pd.DataFrame, specs: list[ColumnSpec], source: str) -> None:
    names = [str(c) for c in raw.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        listed = ", ".join(f"'{n}'" for n in repeated)
        raise LoaderError(source, f"the column(s) {listed} appear more than once in the header")
    missing = [s.name for s in specs if s.required and s.name not in names]
    if not missing:
        return
    listed = ", ".join(f"'{m}'" for m in missing)
    head = f"the required column{'s' if len(missing) > 1 else ''} {listed} "
    head += "are missing" if len(missing) > 1 else "is missing"
    required = ", ".join(s.name for s in specs if s.required)
    optional = ", ".join(s.name for s in specs if not s.required)
    text = f"{head}. Expected columns: {required}"
    text += f" (optional: {optional})." if optional else "."
    lower = {n.strip().lower(): n for n in names}
    for name in missing:
        close = difflib.get_close_matches(name, list(lower), n=1, cutoff=0.75)
        text += f" Found '{lower[close[0]]}': did you mean '{name}'?" if close else ""
    raise LoaderError(source, text)


ID_COLUMNS = ("visit_id",)
"""Identifier columns that name a visit in links and paths (``/visits/<visit_id>``)."""
_PATHLESS = r"[/\\?#\x00-\x1f\x7f]|^\.{1,2}$"
"""What an identifier may not hold: a slash, a backslash, ``?``, ``#``, a control character, or
be ``.`` or ``..``: it could not be a part of a link."""


def _check_ids(t: _Table) -> None:
    """Reject identifiers that cannot be a part of a link or a path (see :data:`_PATHLESS`)."""
    for name in ID_COLUMNS:
        if name not in t.typed or t.typed[name].dtype != STR:
            continue
        text = t.typed[name].array.__arrow_array__()
        if _may_hold(text, _LINK_BYTES):
            bad = _mask(pc.match_substring_regex(text, _PATHLESS))
        else:  # only '.' and '..' can be wrong
            bad = _mask(pc.is_in(text, value_set=pa.array([".", ".."])))
        if bad.any():
            def message(at: np.ndarray, text: pd.Series = t.typed[name], name: str = name
                        ) -> list[str]:
                return [f"{v!r} cannot be a {name}: the characters / \\ ? # and control "
                        "characters (and '.' or '..' alone) cannot be a part of a link to it; "
                        "use letters, digits, '-', '_' or '.'." for v in text.iloc[at]]

            t.fail(name, bad, RejectReason.WRONG_TYPE, message)


_LINK_BYTES = np.zeros(256, dtype=bool)
_LINK_BYTES[[*range(0x20), 0x7F, *b"/\\?#"]] = True
"""The bytes of the characters of :data:`_PATHLESS` (in UTF-8 no other character has them)."""


def _may_hold(text: pa.ChunkedArray, wanted: np.ndarray) -> bool:
    """Whether any cell may hold a byte marked in ``wanted`` (256 booleans): the text bytes are
    looked up at once with numpy, not a cell at a time (see :func:`text_bytes`)."""
    return any(wanted[chunk].any() for chunk in text_bytes(text))


def _nul_cells(column: pd.Series) -> np.ndarray | None:
    """The cells holding a NUL character (None: no cell can, or the column is not text)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        inside = _nul_cells(pd.Series(column.dtype.categories))
        if inside is None or not inside.any():
            return None
        codes = column.cat.codes.to_numpy()
        return np.append(inside, False)[np.where(codes < 0, inside.size, codes)]
    if column.dtype == STR:
        text = column.array.__arrow_array__()
        if all(chunk.min(initial=1) > 0 for chunk in text_bytes(text)):
            return None
        return _mask(pc.match_substring(text, "\x00"))
    if ptypes.is_object_dtype(column.dtype) or ptypes.is_string_dtype(column.dtype):
        try:
            return column.str.contains("\x00", regex=False, na=False).to_numpy(dtype=bool)
        except (AttributeError, TypeError):  # not text at all
            return None
    return None


def _check_nul(t: _Table) -> None:
    """Reject text cells holding a NUL character: no database text column can store one."""
    for name in t.raw.columns:
        nul = _nul_cells(t.raw[name])
        if nul is not None and nul.any():
            t.fail(name, nul, RejectReason.WRONG_TYPE,
                   "The cell holds a NUL character (0x00), which cannot be stored; remove it.")


def validate_frame(
    raw: pd.DataFrame,
    specs: list[ColumnSpec],
    *,
    source: str,
    table: str,
    first_row: int,
    unique: tuple[str, ...] | None = None,
    parent: ParentIds | None = None,
    regions: Regions | None = None,
    interpretations: list[Interpretation] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse and check a whole table; split it into valid typed rows and rejected cells.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read: all text (CSV) or already typed (Parquet, XLSX, JSON). An integer
        index is taken as each row's 0-based position in the file, so rows dropped beforehand
        (:func:`blank_rows`) keep their numbers; any other index counts from 0.
    specs : list of ColumnSpec
        The table's columns (:data:`screening.ingest.records.VISIT_COLUMNS`, ...).
    source, table : str
        The file and the table's name, for the rejected table.
    first_row : int
        The row number a person sees for position 0: 2 for CSV/XLSX (the header is row 1),
        1 for JSON and Parquet.
    unique : tuple of str, optional
        Columns that together must be unique (default :data:`UNIQUE_KEYS` of ``table``);
        every occurrence of a repeated key is rejected (``duplicate_id``).
    parent : ParentIds, optional
        The visits that rows must refer to (``unknown_visit``, ``visit_rejected``).
    regions : Regions, optional
        The configured regions (:mod:`screening.ingest.regions`): ``region`` must name one of
        them (``unknown_choice`` otherwise, with the closest suggested) and is stored as its
        configured name. None: any text.
    interpretations : list, optional
        Extended with what the accepted rows' cells were read as where it was a local form
        (:class:`~screening.ingest.interpretations.Interpretation`: ``52,5`` as 52.5, ...).

    Returns
    -------
    valid : pandas.DataFrame
        Rows without a failing cell, unchanged but typed, with a fresh ``RangeIndex``: the spec
        columns in spec order (absent optional ones all unknown), then the extra columns.
    rejected : pandas.DataFrame
        One row per failing cell, columns :data:`REJECTED_COLUMNS`, ordered by row.

    Raises
    ------
    LoaderError
        A required column is missing (one error naming all of them), or a name is repeated.

    Examples
    --------
    >>> from screening.ingest.records import INTERVIEW_COLUMNS
    >>> raw = pd.DataFrame({"visit_id": ["V1", "V1"], "worker_ref": ["W1", "W2"],
    ...                     "age": ["34", "4"], "foreign": ["yes", ""]})
    >>> valid, rejected = validate_frame(raw, INTERVIEW_COLUMNS, source="i.csv",
    ...                                  table="interviews", first_row=2)
    >>> valid[["worker_ref", "age", "foreign"]].to_dict("records")
    [{'worker_ref': 'W1', 'age': 34, 'foreign': True}]
    >>> rejected[["row", "column", "value", "reason"]].to_dict("records")
    [{'row': 3, 'column': 'age', 'value': '4', 'reason': 'out_of_range'}]
    """
    _check_columns(raw, specs, source)
    rows = first_row + _offsets(raw.index)
    t = _Table(raw.rename(columns=str).reset_index(drop=True))
    present = set(t.raw.columns)
    for spec in specs:
        if spec.name not in present:
            t.typed[spec.name] = pd.Series(np.nan, index=range(t.n), dtype=DTYPES[spec.kind])
            continue
        _parse(t, spec, regions)
    _check_nul(t)
    _check_ids(t)
    for spec in specs:
        if spec.at_most in t.typed and spec.name in present:
            _check_at_most(t, spec)
    keys = UNIQUE_KEYS.get(table, ()) if unique is None else unique
    if keys and present.issuperset(keys):
        _check_unique(t, keys, rows)
    if parent is not None and parent.column in present and t.n:
        _check_parent(t, parent)

    columns = {}
    for spec in specs:
        typed = t.typed[spec.name]
        columns[spec.name] = typed.astype(DTYPES[spec.kind])
    for name in t.raw.columns:
        if name not in columns:
            columns[name] = _trimmed(t.raw[name])[0]
    frame = pd.DataFrame(columns, index=range(t.n), copy=False)  # fresh columns: no copy
    bad = np.zeros(t.n, dtype=bool)
    for failed in t.failed.values():
        bad |= failed
    valid = frame[~bad].reset_index(drop=True) if bad.any() else frame
    if interpretations is not None:
        interpretations.extend(_interpreted(t, bad, source, table))
    return valid, _rejected(t, rows, source, table, list(columns))


def _interpreted(t: _Table, rejected: np.ndarray, source: str, table: str
                 ) -> list[Interpretation]:
    """What the accepted rows' cells were read as, where it was a local form: one entry per
    column and kind, with the first such cell as the example."""
    out = []
    for column, readings in t.readings.items():
        for kind, cells in readings.items():
            where = np.flatnonzero(cells & ~rejected)
            if where.size:
                first = where[:1]
                stored = _stored(t.typed[column].iloc[int(first[0])])
                out.append(Interpretation(source, table, column, kind, int(where.size),
                                          str(_shown(t, column, first).iloc[0]), stored))
    return out


def _stored(value: object) -> str:
    """A typed value as stored, as text (``52.5``, ``2025-03-01``, ``true``)."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return _fmt(float(value))
    return str(value)


def _record_ids(t: _Table, column: str, positions: np.ndarray) -> np.ndarray:
    """The raw text of an identifier column at the given rows (None where empty or absent)."""
    if column not in t.raw.columns:
        return np.full(positions.size, None, dtype=object)
    text = as_text(t.raw[column].iloc[positions]).str.strip()
    return text.where(text.notna() & (text != ""), None).to_numpy(dtype=object)


def _values(t: _Table, column: str, positions: np.ndarray) -> np.ndarray:
    """The cells of ``column`` at ``positions`` as the user gave them, as text."""
    return as_text(t.raw[column].iloc[positions]).fillna("").to_numpy(dtype=object)


def _rejected(t: _Table, rows: np.ndarray, source: str, table: str, order: list[str]):
    if not t.issues:
        return empty_rejected()
    rank = {name: i for i, name in enumerate(order)}
    positions = np.concatenate([p for p, _, _, _ in t.issues])

    def each(make) -> np.ndarray:
        return np.concatenate([np.asarray(make(*issue), dtype=object) for issue in t.issues])

    columns = each(lambda p, c, r, m: np.full(p.size, c, dtype=object))
    sort = np.lexsort((np.array([rank[c] for c in columns]), positions))
    data = {
        "source": np.full(positions.size, source, dtype=object),
        "table": np.full(positions.size, table, dtype=object),
        "row": rows[positions][sort],
        "column": columns[sort],
        "value": each(lambda p, c, r, m: _values(t, c, p))[sort],
        "reason": each(lambda p, c, r, m: np.full(p.size, str(r), dtype=object))[sort],
        "message": each(lambda p, c, r, m: m)[sort],
        "visit_id": _record_ids(t, "visit_id", positions[sort]),
        "worker_ref": _record_ids(t, "worker_ref", positions[sort]) if table == "interviews"
        else np.full(positions.size, None, dtype=object),
    }
    return pd.DataFrame({k: pd.Series(v, dtype="int64" if k == "row" else object)
                         for k, v in data.items()})  # fmt: skip
