"""The yearly statistics table, like the national report's own: by sector and region, the visits
of one year and what they found (``screening report --year``, the monitoring centre's page).

Counts of people are sums of what the visits recorded (the inspector's site counts) or of the
interviews (ages, the ICLS test); a count nobody could make (no interviews) adds nothing, so a
0 in the table means "none found", and the table says how many visits had interviews.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from screening.ingest.records import SECTORS
from screening.outputs.exports import CSV_TYPE, XLSX_TYPE, Download, neutralised
from screening.outputs.spreadsheets import Column, TableBook, csv_bytes
from screening.rules.engine import EngineResult
from screening.translation import N_, gettext, text

ALL = "all"
"""The ``sector`` / ``region`` value of a subtotal row."""

#: Columns of the table, in order, with their meaning (README and the page say the same).
STATISTICS_COLUMNS: dict[str, str] = {
    "sector": "sector, or 'all' for the total",
    "region": "region, or 'all' for the sector's total",
    "visits": "visits in the year",
    "visits_with_interviews": "visits where at least one worker was interviewed",
    "workers_without_contract": "workers found without a registered employment contract",
    "foreign_without_permit": "foreign workers found without a valid work permit",
    "minors_under_18": "workers under 18 found (the inspector's site count)",
    "children_below_minimum_age": "interviewed workers under 15, the minimum working age",
    "children_street_work": "workers under 18 found in street work or begging",
    "icls_positive_workers": "interviewed workers meeting the ICLS 2018 forced-labour test",
    "icls_unknown_workers": "interviewed workers who could not be tested (items never asked)",
    "urgent_visits": "visits in the urgent tier (a probable victim)",
    "confirmed_forced_labour": "visits whose follow-up outcome is forced labour",
}


def _number(values: object, n: int) -> np.ndarray:
    if values is None:
        return np.zeros(n)
    array = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
    return np.nan_to_num(array, nan=0.0)


def per_visit_counts(visits: pd.DataFrame, interviews: pd.DataFrame | None,
                     result: EngineResult, outcomes: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """One row per visit with the counts the yearly table sums (aligned with ``visits``)."""
    n = len(visits)
    minors = _number(visits.get("minors_present"), n)
    street = pd.Series(visits.get("street_work_or_begging", pd.Series([None] * n)))
    street = street.astype("boolean").fillna(False).to_numpy(dtype=bool)
    under_15 = np.zeros(n)
    if interviews is not None and len(interviews) and "age" in interviews:
        rows = result.workers["row"].to_numpy()
        young = pd.to_numeric(interviews["age"], errors="coerce").to_numpy(dtype="float64") < 15
        under_15 = np.bincount(rows, weights=young.astype("float64"), minlength=n)
    confirmed = np.zeros(n, dtype=bool)
    if outcomes is not None and len(outcomes):
        forced = outcomes.loc[outcomes["outcome"] == "forced_labour", "visit_id"]
        confirmed = visits["visit_id"].isin(set(forced)).to_numpy()
    features = result.features
    return pd.DataFrame({
        "sector": visits["sector"].astype(object).to_numpy(),
        "region": visits["region"].astype(object).to_numpy(),
        "visits": np.ones(n, dtype=np.int64),
        "visits_with_interviews": (features["interviews"].to_numpy() > 0).astype(np.int64),
        "workers_without_contract": _number(visits.get("workers_without_contract"), n),
        "foreign_without_permit": _number(visits.get("foreign_workers_without_permit"), n),
        "minors_under_18": minors,
        "children_below_minimum_age": under_15,
        "children_street_work": np.where(street, minors, 0.0),
        "icls_positive_workers": np.nan_to_num(result.icls_workers, nan=0.0),
        "icls_unknown_workers": np.nan_to_num(result.icls_unknown_workers, nan=0.0),
        "urgent_visits": (np.asarray(result.tier.codes) == 3).astype(np.int64),
        "confirmed_forced_labour": confirmed.astype(np.int64),
    }, index=visits.index)


def yearly_statistics(visits: pd.DataFrame, interviews: pd.DataFrame | None,
                      result: EngineResult, year: int,
                      outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The year's table by sector and region, with each sector's total and the grand total.

    ``result`` is the engine's result for ``visits`` (all of them; only the visits dated in
    ``year`` are counted). Columns :data:`STATISTICS_COLUMNS`; counts are whole numbers.

    Examples
    --------
    >>> from screening.rules.engine import rule_engine
    >>> v = pd.DataFrame({"visit_id": ["V1", "V2"], "visit_date": pd.to_datetime(
    ...     ["2025-03-01", "2024-03-01"]), "sector": ["agriculture"] * 2,
    ...     "region": ["Aran"] * 2, "workers_present": [9, 9], "workers_without_contract": [4, 1],
    ...     "foreign_workers": [0, 0], "foreign_workers_without_permit": [0, 0],
    ...     "minors_present": [2, 0]})
    >>> table = yearly_statistics(v, None, rule_engine().run(v), 2025)
    >>> row = table.iloc[0]
    >>> row["sector"], row["region"], int(row["visits"]), int(row["workers_without_contract"])
    ('agriculture', 'Aran', 1, 4)
    """
    counts = per_visit_counts(visits, interviews, result, outcomes)
    in_year = pd.to_datetime(visits["visit_date"]).dt.year.to_numpy() == int(year)
    counts = counts.loc[in_year]
    values = [c for c in STATISTICS_COLUMNS if c not in ("sector", "region")]
    parts = []
    if len(counts):
        parts.append(counts.groupby(["sector", "region"], sort=True)[values].sum().reset_index())
        by_sector = counts.groupby("sector", sort=True)[values].sum().reset_index()
        parts.append(by_sector.assign(region=ALL))
    total = counts[values].sum().to_frame().T.assign(sector=ALL, region=ALL)
    parts.append(total)
    table = pd.concat(parts, ignore_index=True)[list(STATISTICS_COLUMNS)]
    order = {ALL: 1}
    table = table.sort_values(
        ["sector", "region"], key=lambda s: s.map(lambda v: (order.get(v, 0), str(v))),
        kind="stable").reset_index(drop=True)
    for column in values:
        table[column] = table[column].round().astype(np.int64)
    table.attrs["year"] = int(year)
    return table


def statistics_download(table: pd.DataFrame, fmt: str, lang: str | None = None) -> Download:
    """The yearly table as a CSV or XLSX download (``statistics-<year>``).

    With ``lang`` (the page's download) the headers and sectors are in that language, the CSV
    is UTF-8 with a byte-order mark in the language's separator, and the XLSX is formatted
    (frozen header, filter, whole-number cells). Without it (``screening report``) the headers
    are the column names and the CSV is plain UTF-8; formula starts are neutralised in CSV.
    """
    name = f"statistics-{table.attrs.get('year', '')}".rstrip("-")
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Cannot write the statistics as {fmt!r}: use csv or xlsx.")
    if lang is None and fmt == "csv":
        return Download(neutralised(table).to_csv(index=False).encode("utf-8"), CSV_TYPE,
                        f"{name}.csv")
    words = ({s: text(lang, f"sector_{s}") for s in SECTORS} if lang else None)
    columns = [Column(c, text(lang, f"stat_{c}") if lang else c,
                      "text" if c in ("sector", "region") else "int",
                      words=words if c == "sector" else None) for c in STATISTICS_COLUMNS]
    if lang is not None and fmt == "csv":
        return Download(csv_bytes(table, columns, lang), CSV_TYPE, f"{name}-{lang}.csv")
    book = TableBook(lang or "en")
    book.table(gettext(lang or "en", N_("statistics")), table, columns, freeze_columns=2)
    return Download(book.close(), XLSX_TYPE, f"{name}-{lang}.xlsx" if lang else f"{name}.xlsx")


__all__ = ["ALL", "STATISTICS_COLUMNS", "per_visit_counts", "statistics_download",
           "yearly_statistics"]
