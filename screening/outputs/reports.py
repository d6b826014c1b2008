"""Outputs of the follow-up list: CSV, JSON, XLSX and Parquet files (the terminal table is the
CLI's: :mod:`screening.cli.render`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from indicators import TIER_ORDER
from screening.errors import UsageError
from screening.outputs import FORMATS
from screening.outputs.list_export import list_workbook, machine_columns, machine_values
from screening.priority import FOLLOW_UP_COLUMNS, SELECTION_COLUMNS


def format_of(path: str | Path) -> str:
    """The file format implied by a path's extension (``csv``, ``json``, ``xlsx``, ``parquet``)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS[1:]:
        raise UsageError(
            f"Cannot tell the output format of '{path}': use one of .csv, .json, .xlsx, .parquet."
        )
    return suffix


def plain_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, the way every text format carries them."""
    out = frame.copy()
    if "visit_date" in out:
        out["visit_date"] = pd.to_datetime(out["visit_date"]).dt.strftime("%Y-%m-%d")
    return out


def list_text(frame: pd.DataFrame, fmt: str) -> str:
    """A follow-up list (or any table) as CSV or JSON text, as :func:`write_list` writes it.

    >>> print(list_text(pd.DataFrame({"ok": [True], "n": [None]}), "csv"), end="")
    ok,n
    true,
    """
    out = plain_dates(frame)
    if fmt == "csv":
        for col in out.columns:
            if out[col].dtype == bool:
                out[col] = np.where(out[col], "true", "false")
        return out.to_csv(index=False)
    if fmt == "json":
        records = json.loads(out.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    raise UsageError(f"'{fmt}' is not a text format; expected csv or json.")


def write_list(frame: pd.DataFrame, path: str | Path, fmt: str | None = None,
               lang: str = "en", names: dict[str, str] | None = None) -> Path:
    """Write a follow-up list (or any table) to ``path`` in ``fmt`` (default: from the suffix).

    CSV, JSON and Parquet are for machines: the contract's columns and codes. Missing values
    are empty cells (CSV) or ``null`` (JSON); booleans are ``true``/``false``. XLSX is for
    people: readable headers, tiers and sectors in ``lang``, date cells, tier colours, the
    selection in words, indicator ``names`` (:mod:`screening.outputs.list_export`);
    :func:`read_list` reads it back into the contract's columns.
    """
    path = Path(path)
    fmt = fmt or format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("csv", "json"):
        path.write_text(list_text(frame, fmt), encoding="utf-8")
    elif fmt == "xlsx":
        path.write_bytes(list_workbook(frame, lang, names))
    elif fmt == "parquet":
        # min/max statistics for numbers, dates and flags only: those of a million ids or
        # reasons cost a pass over all their text and narrow no query
        stats = [str(c) for c, t in frame.dtypes.items() if not pd.api.types.is_string_dtype(t)]
        frame.to_parquet(path, index=False, write_statistics=stats)
    else:
        raise UsageError(f"Unknown format '{fmt}'; expected one of {', '.join(FORMATS[1:])}.")
    return path


def read_list(path: str | Path) -> pd.DataFrame:
    """Read a follow-up list written by :func:`write_list` back into its typed columns."""
    path = Path(path)
    fmt = format_of(path)
    if fmt == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif fmt == "json":
        frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    elif fmt == "xlsx":
        frame = _from_people(pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl"))
    else:
        return pd.read_parquet(path)
    frame = frame.replace({"": None})
    typed = {
        "rank": lambda s: pd.to_numeric(s).astype("int64"),
        "visit_date": lambda s: pd.to_datetime(s).astype("datetime64[ns]"),
        "risk_score": lambda s: pd.to_numeric(s).astype("float64"),
        "rule_score": lambda s: pd.to_numeric(s).astype("float64"),
        "icls_workers": lambda s: pd.array(pd.to_numeric(s), dtype="Int64"),
        "icls_unknown_workers": lambda s: pd.array(pd.to_numeric(s), dtype="Int64"),
        "exploration": lambda s: s.map(lambda v: str(v).lower() == "true").astype(bool),
        "selected": lambda s: s.map(lambda v: str(v).lower() == "true").astype(bool),
        "selection_probability": lambda s: pd.to_numeric(s).astype("float64"),
    }
    for col, conv in typed.items():
        if col in frame:
            frame[col] = conv(frame[col])
    for col in ("indicators", "reasons"):
        if col in frame:
            frame[col] = frame[col].fillna("").astype(object)
    return frame


def _from_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A list written for people back in the contract's columns and codes (a list written
    with the contract's own headers is left as it is)."""
    names = machine_columns()
    frame = frame.rename(columns=names)
    known = [c for c in frame.columns if c in set(names.values())]
    contract = (*FOLLOW_UP_COLUMNS, *SELECTION_COLUMNS)
    frame = frame[[c for c in contract if c in known] + [c for c in known if c not in contract]]
    for column, words in machine_values().items():
        if column in frame:
            frame[column] = frame[column].map(lambda v, w=words: w.get(v, v) if isinstance(
                v, str) else v)
    return frame


def tier_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Visits per tier, urgent first."""
    counts = frame["tier"].value_counts()
    return {t: int(counts.get(t, 0)) for t in TIER_ORDER[::-1]}


def rejected_path(out: str | Path) -> Path:
    """Where the rejected rows of an output go: beside it, as ``<stem>.rejected.csv``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.rejected.csv")


__all__ = [
    "FOLLOW_UP_COLUMNS",
    "FORMATS",
    "format_of",
    "list_text",
    "read_list",
    "rejected_path",
    "tier_counts",
    "write_list",
]
