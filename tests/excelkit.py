"""Helpers for the Excel tests: fill the generated upload template the way a person with a
spreadsheet does (typed cells: date cells, numbers, words from the drop-downs), and read the
cells of an exported workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl

from screening.ingest.records import Kind
from screening.outputs.column_guide import TABLES, word_for

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AZ_REGIONS = {"Gəncə-Daşkəsən": "Ganja-Dashkasan", "Şəki-Zaqatala": "Shaki-Zagatala",
              "Lənkəran-Astara": "Lankaran-Astara", "Quba-Xaçmaz": "Guba-Khachmaz",
              "Mərkəzi Aran": "Central Aran"}
"""Economic regions as an Azerbaijani inspector writes them -> the name the store keeps."""
AZ_NOTES = "İşçilər yataqxanada yaşayır; sənədləri işəgötürəndədir. Ölçü: 12,5 m² otaq"


def example_rows(table: str, n: int, prefix: str) -> list[dict[str, str]]:
    """The first ``n`` rows of ``examples/<table>.csv`` (interviews: of those visits), with
    the visit ids renamed ``<prefix>-<i>`` so they are new in a store."""
    visits = list(csv.DictReader((EXAMPLES / "visits.csv").open(encoding="utf-8")))[:n]
    names = {row["visit_id"]: f"{prefix}-{i}" for i, row in enumerate(visits, start=1)}
    if table == "visits":
        rows = visits
    else:
        rows = [r for r in csv.DictReader((EXAMPLES / "interviews.csv").open(encoding="utf-8"))
                if r["visit_id"] in names]
    return [{**row, "visit_id": names[row["visit_id"]]} for row in rows]


def as_typed(table: str, row: dict[str, str], lang: str) -> dict[str, object]:
    """A row of text as a person enters it in the template: dates as date cells, numbers as
    numbers, true/false and choices as the words the drop-downs offer in ``lang``."""
    out: dict[str, object] = {}
    for spec in TABLES[table]:
        value = (row.get(spec.name) or "").strip()
        if not value:
            continue
        if spec.kind is Kind.DATE:
            out[spec.name] = dt.datetime.fromisoformat(value)
        elif spec.kind is Kind.INT:
            out[spec.name] = int(float(value))
        elif spec.kind is Kind.NUMBER:
            out[spec.name] = float(value)
        elif spec.kind is Kind.BOOL:
            out[spec.name] = word_for(spec, value.lower() in ("true", "yes", "1"), lang)
        elif spec.kind is Kind.CHOICE:
            out[spec.name] = word_for(spec, value, lang)
        else:
            out[spec.name] = value
    return out


def azerbaijani_rows(n: int, prefix: str, lang: str = "az") -> dict[str, list[dict]]:
    """``n`` example visits and their interviews as an Azerbaijani inspector fills them in:
    Azerbaijani regions and notes, typed cells and the template's words."""
    visits = [as_typed("visits", r, lang) for r in example_rows("visits", n, prefix)]
    for i, row in enumerate(visits):
        row["region"] = list(AZ_REGIONS)[i % len(AZ_REGIONS)]
        row["notes"] = AZ_NOTES
    interviews = [as_typed("interviews", r, lang) for r in example_rows("interviews", n, prefix)]
    return {"visits": visits, "interviews": interviews}


def fill_template(template: bytes, tables: dict[str, list[dict]]) -> bytes:
    """The template with ``tables``' rows written under the headers of their sheets (openpyxl,
    as a spreadsheet program saves it)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for table, rows in tables.items():
        sheet = book[table]
        where = {cell.value: cell.column for cell in sheet[1]}
        for i, row in enumerate(rows, start=2):
            for name, value in row.items():
                sheet.cell(row=i, column=where[name], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_records(sheet) -> list[dict[str, object]]:  # noqa: ANN001 - an openpyxl Worksheet
    """The sheet's rows under its header row as ``{header: cell}``."""
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    return [dict(zip(headers, row, strict=False)) for row in rows[1:]]
