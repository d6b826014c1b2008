"""The follow-up list as a file for people: readable headers in the reader's language, tier,
sector, review and referral words, real date cells, the referral clock, and what exploration
and selection mean, in words.

The machine-readable list (the contract of DESIGN.md: ``rank, visit_id, ...`` headers, codes,
ISO dates) stays what the API's and the CLI's CSV, JSON and Parquet give; this module is the
form for people (the pages' downloads, the CLI's XLSX, the API with ``lang``). Its XLSX reads
back into the contract's columns (:func:`machine_columns`), so the CLI's ``read_list`` still
reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators import TIER_ORDER
from screening.ingest.records import OUTCOMES, SECTORS
from screening.outputs.spreadsheets import Column, TableBook, csv_bytes, missing
from screening.translation import N_, gettext, text
from screening.vocabulary import REFERRAL_STATUSES, REVIEW_STATUSES

SHEET = N_("follow-up list")
"""The list's sheet name (its English id is translated in ``excel.po``)."""
ABOUT_SHEET = N_("about the columns")


@dataclass(frozen=True)
class ListColumn:
    """A column of the list for people: its key, header and meaning (English ids), kind,
    decimals, the family of keyed page strings its codes are shown with, and whether it is
    derived here (not a column of the contract)."""

    key: str
    header: str
    meaning: str
    kind: str = "text"
    digits: int = 2
    words: str | None = None
    derived: bool = False


LIST_COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("rank", N_("Rank"), N_("1 = follow up first."), "int"),
    ListColumn("visit_id", N_("Visit"), N_("The visit, as uploaded.")),
    ListColumn("site_id", N_("Site"), N_("The workplace, as uploaded.")),
    ListColumn("region", N_("Region"), N_("Administrative region or district.")),
    ListColumn("sector", N_("Sector"), N_("Sector of the site."), words="sector_"),
    ListColumn("visit_date", N_("Visit date"), N_("The day of the visit."), "date"),
    ListColumn("tier", N_("Tier"), N_("From the rules: urgent = a probable victim; high = "
                                      "strong evidence of forced labour; medium = one "
                                      "forced-labour indicator; low = labour-law violations "
                                      "alone, or nothing."), "tier", words="tier_"),
    ListColumn("risk_score", N_("Risk score"), N_("0 to 1: the classifier's calibrated "
                                                  "probability of forced labour; empty "
                                                  "without a model."), "number", 3),
    ListColumn("rule_score", N_("Rule score"), N_("Sum of the weights of the fired "
                                                  "indicators, each fact counted once."),
               "number", 2),
    ListColumn("icls_workers", N_("Workers meeting the ICLS test"),
               N_("Interviewed workers who meet the ICLS 2018 forced-labour test; empty when "
                  "no worker could be tested."), "int"),
    ListColumn("icls_unknown_workers", N_("Workers who could not be tested"),
               N_("Interviewed workers whose ICLS result is unknown (items never asked)."),
               "int"),
    ListColumn("indicators", N_("Indicator ids"), N_("Fired indicator ids, strongest first.")),
    ListColumn("indicator_names", N_("Indicators"), N_("Fired indicators by name, strongest "
                                                       "first."), "long", derived=True),
    ListColumn("reasons", N_("Reasons"), N_("Plain-language evidence, one or more sentences "
                                            "per fired indicator."), "long"),
    ListColumn("selection", N_("Why on the list"), N_("In words: a referral case, the top "
                                                      "of the list, an exploration slot, or "
                                                      "outside the follow-up capacity."),
               "long", derived=True),
    ListColumn("selected", N_("Selected for follow-up"), N_("Within the follow-up capacity: "
                                                            "the top of the list or an "
                                                            "exploration slot."), "bool"),
    ListColumn("exploration", N_("Exploration slot"), N_("Drawn at random from the rest of "
                                                         "the list, to keep the labels "
                                                         "unbiased."), "bool"),
    ListColumn("selection_probability", N_("Chance of selection"),
               N_("The probability this visit had of being selected (100% at the top of the "
                  "list and for urgent visits)."), "percent", 1),
    ListColumn("review_status", N_("Review status"), N_("The latest review event: not "
                                                        "reviewed, scheduled, visited or "
                                                        "decided."), words="status_"),
    ListColumn("scheduled_for", N_("Follow-up scheduled for"), N_("Date of the scheduled "
                                                                  "follow-up visit."), "date"),
    ListColumn("outcome", N_("Outcome"), N_("What the follow-up found, once decided."),
               words="outcome_"),
    ListColumn("review_notes", N_("Review notes"), N_("The notes of the latest review event "
                                                      "that has notes."), "long"),
    ListColumn("referral_case", N_("Referral case"), N_("The referral case of an urgent "
                                                        "visit."), "int"),
    ListColumn("referral_status", N_("Referral status"), N_("Open, referred or not "
                                                            "referred."), words="ref_"),
    ListColumn("referral_due_at", N_("Referral due (UTC)"), N_("When the case must be "
                                                               "referred (24 hours after "
                                                               "the upload)."), "moment"),
    ListColumn("referral_hours_left", N_("Hours left (negative: overdue)"),
               N_("Hours until the case is due; negative when overdue; empty once closed."),
               "number", 2),
    ListColumn("referral_clock", N_("Referral clock"), N_("The clock in words: time left, "
                                                          "or overdue by how long."),
               derived=True),
    ListColumn("referral_overdue", N_("Overdue"), N_("The open case is past its due time."),
               "bool"),
    ListColumn("model_version", N_("Model version"), N_("The model that gave the risk score; "
                                                        "empty: rules alone.")),
)
"""The list's columns for people, in order (only those the rows have are written)."""
_NEEDS = {"indicator_names": "indicators", "selection": "selected",
          "referral_clock": "referral_status"}
"""A derived column is written when the rows have the column it is made from."""


FAMILIES: dict[str, tuple[str, ...]] = {
    "tier_": TIER_ORDER, "sector_": SECTORS, "status_": ("none", *REVIEW_STATUSES),
    "outcome_": OUTCOMES, "ref_": REFERRAL_STATUSES}
"""The codes of each family of keyed page strings the list shows as words."""


def _words(family: str | None, lang: str) -> dict[str, str] | None:
    if family is None:
        return None
    return {code: text(lang, family + code) for code in FAMILIES[family]}


def _true(value: object) -> bool:
    return not missing(value) and bool(value)


def selection_text(row: dict, lang: str = "en") -> str:
    """Why a visit is where it is on the list, in words.

    >>> selection_text({"tier": "urgent", "selected": False, "exploration": False})
    'referral case: a legal duty, outside the follow-up capacity'
    >>> selection_text({"tier": "low", "selected": True, "exploration": True})
    'exploration slot: drawn at random to keep the labels unbiased'
    """
    if row.get("tier") == "urgent":
        return gettext(lang, N_("referral case: a legal duty, outside the follow-up capacity"))
    if _true(row.get("exploration")):
        return gettext(lang, N_("exploration slot: drawn at random to keep the labels "
                                "unbiased"))
    if _true(row.get("selected")):
        return gettext(lang, N_("top of the list, within the follow-up capacity"))
    return gettext(lang, N_("outside the follow-up capacity"))


def clock_text(row: dict, lang: str = "en") -> str:
    """The referral clock in words, as the pages say it.

    >>> clock_text({"referral_status": "open", "referral_hours_left": -1.5})
    'OVERDUE by 1h 30m'
    >>> clock_text({"referral_status": "referred", "referral_hours_left": None})
    'closed'
    """
    status, left = row.get("referral_status"), row.get("referral_hours_left")
    if missing(status):
        return ""
    if missing(left) or status != "open":
        return text(lang, "closed")
    minutes = round(abs(float(left)) * 60)
    time = f"{minutes // 60}h {minutes % 60:02d}m"
    return text(lang, "overdue_by" if float(left) < 0 else "time_left", time=time)


def people_frame(rows: list[dict] | pd.DataFrame, lang: str = "en",
                 names: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[Column]]:
    """The list's rows (dicts, or the pipeline's frame) with the derived columns added, and
    the columns to write, in ``lang``.

    ``names`` maps indicator ids to their names in ``lang`` (for the ``Indicators`` column).
    """
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    present = set(frame.columns)
    chosen = [c for c in LIST_COLUMNS
              if (c.key in present) or (c.derived and _NEEDS[c.key] in present)]
    if "indicators" in present and names is not None:
        frame["indicator_names"] = [
            "; ".join(names.get(i, i) for i in str(ids).split(";") if i)
            if not missing(ids) else None for ids in frame["indicators"]]
    else:
        chosen = [c for c in chosen if c.key != "indicator_names"]
    if "selected" in present:
        keys = ("tier", "selected", "exploration")
        rows_of = zip(*(frame[k].tolist() if k in frame else [None] * len(frame)
                        for k in keys), strict=True)
        said: dict[tuple, str] = {}  # a few distinct combinations: say each once
        frame["selection"] = [said.get(r) or said.setdefault(
            r, selection_text(dict(zip(keys, r, strict=True)), lang)) for r in rows_of]
    if "referral_status" in present:
        keys = ("referral_status", "referral_hours_left")
        rows_of = zip(*(frame[k].tolist() if k in frame else [None] * len(frame)
                        for k in keys), strict=True)
        frame["referral_clock"] = [clock_text(dict(zip(keys, r, strict=True)), lang)
                                   if not missing(r[0]) else "" for r in rows_of]
    columns = [Column(c.key, gettext(lang, c.header), c.kind, c.digits, _words(c.words, lang))
               for c in chosen]
    return frame, columns


def list_workbook(rows: list[dict] | pd.DataFrame, lang: str = "en",
                  names: dict[str, str] | None = None) -> bytes:
    """The list as a formatted XLSX workbook for people, with a second sheet that says what
    each column means."""
    frame, columns = people_frame(rows, lang, names)
    book = TableBook(lang)
    book.table(gettext(lang, SHEET), frame, columns, freeze_columns=2)
    meanings = {c.key: c.meaning for c in LIST_COLUMNS}
    book.notes(gettext(lang, ABOUT_SHEET),
               [(c.header, gettext(lang, meanings[c.key])) for c in columns])
    return book.close()


def list_csv(rows: list[dict] | pd.DataFrame, lang: str = "en",
             names: dict[str, str] | None = None) -> bytes:
    """The list as CSV for people (BOM, the language's separator and number and date forms)."""
    frame, columns = people_frame(rows, lang, names)
    return csv_bytes(frame, columns, lang)


def machine_columns() -> dict[str, str]:
    """Each readable header (English and Azerbaijani) -> its contract column, for reading a
    list written for people back into the contract's columns."""
    out = {}
    for column in LIST_COLUMNS:
        if not column.derived:
            for lang in ("en", "az"):
                out[gettext(lang, column.header)] = column.key
    return out


def machine_values() -> dict[str, dict[str, str]]:
    """Each contract column shown with words -> {word (English or Azerbaijani): code}."""
    out: dict[str, dict[str, str]] = {}
    for column in LIST_COLUMNS:
        if column.words:
            for lang in ("en", "az"):
                for code, word in (_words(column.words, lang) or {}).items():
                    out.setdefault(column.key, {})[word] = code
    return out


__all__ = ["LIST_COLUMNS", "ListColumn", "clock_text", "list_csv", "list_workbook",
           "machine_columns", "machine_values", "people_frame", "selection_text"]
