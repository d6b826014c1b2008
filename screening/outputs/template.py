"""The upload template: an XLSX workbook generated from the upload contract, never made by
hand, in English or Azerbaijani.

Sheets ``visits`` and ``interviews`` (the names the upload needs) whose header row is the
contract's column names, each header with a comment that says what the column means, its type
and unit, the allowed values and whether it is required (:mod:`screening.outputs.column_guide`);
drop-downs for the choice and true/false columns offering the values the ingest accepts; date
columns formatted as dates (``dd.mm.yyyy`` in Azerbaijani, ``yyyy-mm-dd`` in English); whole
numbers and numbers checked against the contract's bounds; identifiers kept as text (a tax
number keeps its leading zeros); a frozen header; and a third sheet, the column guide, in the
language. A workbook filled in and uploaded as it is passes the ingest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from screening.ingest.records import Kind
from screening.outputs.column_guide import TABLES, ColumnText, column_guide, header_note
from screening.outputs.spreadsheets import DATE_FORMATS, Column, TableBook
from screening.translation import N_, gettext

LAST_ROW = 1_048_575
"""The last row (0-based) of a worksheet: the drop-downs and checks cover every row."""
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
"""The dates a date cell is checked against (a typo in the year gets a warning)."""
GUIDE_SHEET = N_("column guide")
FILENAME = "upload-template-{lang}.xlsx"


LISTS_SHEET = "lists"
"""A hidden sheet holding the long drop-down lists (the regions): an XLSX list written in the
rule itself may not pass 255 characters."""


def _validation(column: ColumnText, lang: str, source: str | None = None) -> dict | None:
    """The data validation of a column's cells (XlsxWriter's ``data_validation`` options);
    ``source`` is a range holding the column's choices, when they are kept on a sheet."""
    spec = column.spec
    title = column.name[:32]
    if column.choices:
        values = ", ".join(column.choices)
        return {"validate": "list", "source": source or list(column.choices),
                "error_type": "warning",
                "error_title": title,
                "error_message": gettext(lang, N_("Choose one of: {values}. Leave the cell "
                                                  "empty when it is not known."),
                                         values=values)[:255]}
    if spec.kind is Kind.DATE:
        return {"validate": "date", "criteria": "between", "minimum": EARLIEST,
                "maximum": LATEST, "error_type": "warning", "error_title": title,
                "error_message": gettext(lang, N_("Enter a date (a date cell)."))}
    if spec.kind in (Kind.INT, Kind.NUMBER):
        check: dict = {"validate": "integer" if spec.kind is Kind.INT else "decimal",
                       "error_type": "stop", "error_title": title,
                       "error_message": gettext(lang, N_("Enter a number: {allowed}."),
                                                allowed=column.allowed)[:255]}
        if spec.ge is not None and spec.le is not None:
            check |= {"criteria": "between", "minimum": spec.ge, "maximum": spec.le}
        elif spec.ge is not None:
            check |= {"criteria": ">=", "value": spec.ge}
        else:
            check |= {"criteria": "between", "minimum": -1e12, "maximum": 1e12}
        return check
    return None


def _cell_format(book: TableBook, spec_kind: Kind, lang: str):  # noqa: ANN202 - a Format
    if spec_kind is Kind.DATE:
        return book.book.add_format({"num_format": DATE_FORMATS.get(lang, "yyyy-mm-dd")})
    if spec_kind is Kind.INT:
        return book.book.add_format({"num_format": "0"})
    if spec_kind is Kind.NUMBER:
        return book.book.add_format({"num_format": "0.0#"})
    if spec_kind in (Kind.TEXT,):
        return book.book.add_format({"num_format": "@"})
    return None


def _table_sheet(book: TableBook, table: str, columns: list[ColumnText], lang: str,
                 sources: dict[str, str]) -> None:
    sheet = book.book.add_worksheet(table)
    required = book.book.add_format({"bold": True, "bg_color": "#C9D7E8", "bottom": 1,
                                     "text_wrap": False})
    optional = book.book.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1})
    for j, column in enumerate(columns):
        sheet.write_string(0, j, column.name, required if column.required else optional)
        sheet.write_comment(0, j, header_note(column, lang),
                            {"x_scale": 2.6, "y_scale": 2.4, "author": "screening"})
        width = max(len(column.name) + 3, 12)
        sheet.set_column(j, j, width, _cell_format(book, column.spec.kind, lang))
        check = _validation(column, lang, sources.get(column.name))
        if check is not None:
            sheet.data_validation(1, j, LAST_ROW, j, check)
    sheet.freeze_panes(1, 1)


def upload_template(lang: str = "en", regions: Sequence[str] | None = None) -> bytes:
    """The upload template in ``lang`` (``en`` or ``az``) as XLSX bytes; ``regions`` (the
    configured regions' names) become the ``region`` column's drop-down.

    >>> import io, openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(upload_template("az")))
    >>> book.sheetnames[:2], book["visits"]["A1"].value
    (['visits', 'interviews'], 'visit_id')
    """
    guide = column_guide(lang, regions)
    book = TableBook(lang)
    sources: dict[str, str] = {}
    if regions:
        sources["region"] = f"={LISTS_SHEET}!$A$1:$A${len(regions)}"
    for table in TABLES:
        _table_sheet(book, table, guide[table], lang, sources)
    rows = [{"table": c.table, "name": c.name, "required": c.required, "kind": c.kind,
             "unit": c.unit, "allowed": c.allowed, "meaning": c.meaning}
            for table in TABLES for c in guide[table]]
    headers = {"table": N_("Sheet or file"), "name": N_("Column"), "required": N_("Required"),
               "kind": N_("Type"), "unit": N_("Unit"), "allowed": N_("Allowed values"),
               "meaning": N_("Meaning")}
    kinds = {"required": "bool", "meaning": "long", "allowed": "long"}
    book.table(gettext(lang, GUIDE_SHEET), pd.DataFrame(rows),
               [Column(key, gettext(lang, header), kinds.get(key, "text"))
                for key, header in headers.items()], freeze_columns=2)
    if regions:
        lists = book.book.add_worksheet(LISTS_SHEET)
        for i, name in enumerate(regions):
            lists.write_string(i, 0, name)
        lists.hide()
    return book.close()


__all__ = ["FILENAME", "GUIDE_SHEET", "LISTS_SHEET", "upload_template"]
