"""What was read in a local form instead of the contract's, as data: nothing is changed silently.

A loaded upload carries a list of :class:`Interpretation`: one per column and kind of reading
(``decimal comma read in 3 cells of avg_weekly_hours, e.g. '52,5' as 52.5``), and one per file
for how the file itself was read (its encoding, its separator). The receipt, the API's upload
response and the CLI show them; :func:`describe` says one in English or Azerbaijani (the
sentences are gettext message ids, translated in ``locale/az/LC_MESSAGES/ingest.po``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import numpy as np

from screening.translation import N_, ngettext


class Reading(StrEnum):
    """The kinds of interpretation (a contract: kinds are only ever added)."""

    ENCODING = "encoding"
    """The file is not UTF-8; it was read in the encoding found (``example``)."""
    SEPARATOR = "separator"
    """The CSV values are separated by ``example`` (``;`` or a tab), not commas."""
    MISSING_LETTER = "missing_letter"
    """Cells hold ``?`` between letters: the encoding (Windows-1254) has no ``ə``, and Excel
    wrote ``?`` in its place. The cells are kept as written."""
    DECIMAL_COMMA = "decimal_comma"
    """A number written with a decimal comma (``52,5``) read as 52.5."""
    DAY_MONTH_YEAR = "day_month_year"
    """A date written day.month.year (``01.03.2025``) read as 2025-03-01."""
    CAPITALS = "capitals"
    """A choice written with other capitals (``Construction``) read as the contract's value."""
    AZERBAIJANI = "azerbaijani"
    """A choice or yes/no in Azerbaijani (``tikinti``, ``bəli``) read as the contract's value."""
    REGION = "region"
    """A region written another way (``shaki-zagatala``, ``Şəki-Zaqatala``) read as the name
    configured for it."""


_SENTENCES: dict[Reading, tuple[str, str]] = {
    Reading.ENCODING: (
        N_("The file is not UTF-8: it was read as {example} text."),
        N_("The file is not UTF-8: it was read as {example} text."),
    ),
    Reading.SEPARATOR: (
        N_("The values are separated by '{example}', not commas: read as columns."),
        N_("The values are separated by '{example}', not commas: read as columns."),
    ),
    Reading.MISSING_LETTER: (
        N_("{n} cell of {column} holds '?' between letters (e.g. '{example}'): this encoding "
           "has no 'ə' and Excel wrote '?' in its place. Kept as written; save the file as "
           "'CSV UTF-8' to keep 'ə'."),
        N_("{n} cells of {column} hold '?' between letters (e.g. '{example}'): this encoding "
           "has no 'ə' and Excel wrote '?' in its place. Kept as written; save the file as "
           "'CSV UTF-8' to keep 'ə'."),
    ),
    Reading.DECIMAL_COMMA: (
        N_("Decimal comma read in {n} cell of {column} ('{example}' as {read_as})."),
        N_("Decimal comma read in {n} cells of {column} (e.g. '{example}' as {read_as})."),
    ),
    Reading.DAY_MONTH_YEAR: (
        N_("Date written day.month.year read in {n} cell of {column} ('{example}' as "
           "{read_as})."),
        N_("Dates written day.month.year read in {n} cells of {column} (e.g. '{example}' as "
           "{read_as})."),
    ),
    Reading.CAPITALS: (
        N_("Other capitals read in {n} cell of {column} ('{example}' as '{read_as}')."),
        N_("Other capitals read in {n} cells of {column} (e.g. '{example}' as '{read_as}')."),
    ),
    Reading.AZERBAIJANI: (
        N_("Azerbaijani read in {n} cell of {column} ('{example}' as '{read_as}')."),
        N_("Azerbaijani read in {n} cells of {column} (e.g. '{example}' as '{read_as}')."),
    ),
    Reading.REGION: (
        N_("Region written another way read in {n} cell ('{example}' as '{read_as}')."),
        N_("Regions written another way read in {n} cells (e.g. '{example}' as "
           "'{read_as}')."),
    ),
}


@dataclass(frozen=True)
class Interpretation:
    """One kind of reading in one column (or of the whole file, ``column`` empty).

    Attributes
    ----------
    source, table, column : str
        The file as the user named it, the table, and the column ("" for the whole file).
    kind : Reading
        What was read.
    cells : int
        How many cells were read so (0 for the whole file).
    example : str
        The first such cell as written (for the whole file: the encoding or the separator).
    read_as : str
        What that cell was read as (as stored, e.g. ``52.5``, ``2025-03-01``,
        ``construction``); empty where nothing was changed.
    """

    source: str
    table: str
    column: str
    kind: Reading
    cells: int
    example: str
    read_as: str = ""

    def message(self, language: str = "en") -> str:
        """This interpretation as one sentence in ``language`` (see :func:`describe`)."""
        return describe(self, language)

    def as_dict(self, language: str = "en") -> dict[str, object]:
        """As JSON-ready data, with its ``message`` in ``language``."""
        return {**asdict(self), "kind": str(self.kind), "message": self.message(language)}


def describe(item: Interpretation | dict, language: str = "en") -> str:
    """One interpretation as a sentence in ``language`` (``en`` or ``az``).

    Examples
    --------
    >>> describe(Interpretation("v.csv", "visits", "avg_weekly_hours", Reading.DECIMAL_COMMA,
    ...                         3, "52,5", "52.5"))
    "Decimal comma read in 3 cells of avg_weekly_hours (e.g. '52,5' as 52.5)."
    """
    if isinstance(item, Interpretation):
        item = asdict(item)
    singular, plural = _SENTENCES[Reading(item["kind"])]
    return ngettext(language, singular, plural, int(item["cells"]), column=item["column"],
                    example=item["example"], read_as=item["read_as"])


def found(source: str, table: str, column: str, kind: Reading, cells: np.ndarray,
          written: np.ndarray | None, read_as: object) -> Interpretation | None:
    """An interpretation of the ``cells`` (a mask) of a column, or None when there is none.

    ``written`` holds each cell as written (None: not known here, the caller fills it) and
    ``read_as`` is a function of the first cell's position giving what it was read as.
    """
    where = np.flatnonzero(cells)
    if where.size == 0:
        return None
    first = int(where[0])
    example = "" if written is None else str(written[first])
    value = read_as(first) if callable(read_as) else read_as
    return Interpretation(source, table, column, kind, int(where.size), example, str(value))


__all__ = ["Interpretation", "Reading", "describe", "found"]
