"""An uploaded file given back with its errors marked, so that the inspector fixes it in place.

* CSV: the original rows, in their order, with one column added at the end,
  :data:`MARK_COLUMN`, holding the sentences of each rejected row (empty for good rows). The
  delimiter and line endings are the file's own; the text is written as UTF-8 with a byte-order
  mark (so that Excel shows Azerbaijani letters).
* XLSX: the original workbook with every failing cell filled red and carrying a comment with
  its sentence, and the same :data:`MARK_COLUMN` at the end of each marked sheet.

A file that comes back with :data:`MARK_COLUMN` (the marked file, fixed and uploaded again)
is read without that column (the service drops it), and marking such a file again replaces the
column instead of adding a second one.
"""

from __future__ import annotations

import csv
import io

from screening.errors import UsageError
from screening.outputs.exports import neutral_text
from screening.outputs.rejections import Problem

MARK_COLUMN = "upload_errors"
"""The column of messages a marked file has (ignored when the file is uploaded again)."""
MARKABLE = (".csv", ".xlsx")
"""The file types that can be given back marked (JSON and Parquet have no cells to colour)."""
FILL = "FFC7CE"
"""The fill of a failing cell (Excel's light red of "bad")."""
AUTHOR = "screening"


def _sentences(problems: list[Problem]) -> str:
    seen = dict.fromkeys(p.sentence for p in problems)
    return neutral_text(" ".join(seen))


def decode_csv(content: bytes) -> str:
    """The text of an uploaded CSV file (UTF-8, with or without a byte-order mark).

    Raises
    ------
    UsageError
        The bytes are not UTF-8 (such a file was refused when it was uploaded).
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError("The kept file is not UTF-8 text, so it cannot be marked.") from None


def _dialect(text: str) -> tuple[str, str]:
    """The delimiter (of ``,``, ``;``, tab) and the line ending of a CSV text."""
    first = text.split("\n", 1)[0]
    ending = "\r\n" if first.endswith("\r") else "\n"
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return delimiter, ending


def marked_csv(content: bytes, messages: dict[int, list[Problem]]) -> bytes:
    """The CSV file with :data:`MARK_COLUMN` added (or refilled) at the end.

    Parameters
    ----------
    content : bytes
        The file as uploaded.
    messages : dict of int to list of Problem
        The problems of each rejected row, by spreadsheet row number (the header is row 1).

    Returns
    -------
    bytes
        UTF-8 with a byte-order mark, the file's own delimiter and line endings.

    Examples
    --------
    >>> p = Problem("age", "4", "out_of_range", "4 is out of range.")
    >>> marked_csv(b"visit_id;age\\nV1;30\\nV1;4\\n", {3: [p]}).decode("utf-8-sig")
    'visit_id;age;upload_errors\\nV1;30;\\nV1;4;4 is out of range.\\n'
    """
    text = decode_csv(content)
    delimiter, ending = _dialect(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending)
    if not rows:
        return b""
    header = rows[0]
    names = [h.strip() for h in header]
    at = names.index(MARK_COLUMN) if MARK_COLUMN in names else len(header)
    width = max(at + 1, len(header))
    for number, row in enumerate(rows, start=1):
        if not row and number > 1:
            writer.writerow([])  # a blank line stays blank
            continue
        cells = row + [""] * (width - len(row))
        cells[at] = MARK_COLUMN if number == 1 else _sentences(messages.get(number, []))
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _sheet_for(book, table: str):  # noqa: ANN001, ANN202 - openpyxl objects
    """The sheet of ``table`` as the loader finds it: named so (any case), else the only one."""
    names = {name.strip().lower(): name for name in book.sheetnames}
    if table in names:
        return book[names[table]]
    if table == "visits" and len(book.sheetnames) == 1:
        return book[book.sheetnames[0]]
    return None


def _clear_marks(sheet) -> None:  # noqa: ANN001 - an openpyxl sheet
    """Remove the fills and comments of an earlier marking (a marked file uploaded again)."""
    from openpyxl.styles import PatternFill

    for row in sheet.iter_rows():
        for cell in row:
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
                cell.fill = PatternFill(fill_type=None)


def marked_xlsx(content: bytes, messages: dict[str, dict[int, list[Problem]]]) -> bytes:
    """The workbook with each failing cell filled red with a comment, and :data:`MARK_COLUMN`.

    Parameters
    ----------
    content : bytes
        The workbook as uploaded.
    messages : dict
        ``table -> row number -> problems`` (``visits``, ``interviews``).

    Returns
    -------
    bytes
        The workbook (``.xlsx``).
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    book = openpyxl.load_workbook(io.BytesIO(content))
    fill = PatternFill(start_color=FILL, end_color=FILL, fill_type="solid")
    for table, rows in messages.items():
        sheet = _sheet_for(book, table)
        if sheet is None or not rows:
            continue
        header = {str(c.value).strip(): c.column for c in sheet[1] if c.value is not None}
        if MARK_COLUMN in header:
            _clear_marks(sheet)
        mark = header.get(MARK_COLUMN) or (sheet.max_column + 1)
        sheet.cell(row=1, column=mark, value=MARK_COLUMN).font = Font(bold=True)
        for number in range(2, sheet.max_row + 1):
            sheet.cell(row=number, column=mark).value = None
        for number, problems in rows.items():
            for problem in problems:
                column = header.get(problem.column)
                if column is None:
                    continue
                cell = sheet.cell(row=number, column=column)
                cell.fill = fill
                note = problem.sentence
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    note = f"{cell.comment.text}\n{note}"
                cell.comment = Comment(note, AUTHOR, width=320, height=120)
            sheet.cell(row=number, column=mark, value=_sentences(problems))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["FILL", "MARKABLE", "MARK_COLUMN", "decode_csv", "marked_csv", "marked_xlsx"]
