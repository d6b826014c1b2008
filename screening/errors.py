"""Errors of the screening library and the reason codes for rejected rows.

Two kinds of trouble, kept apart on purpose:

* a file that cannot be used at all (not found, not UTF-8, no rows, a required column missing)
  raises :class:`LoaderError`, whose message is one whole sentence naming the file;
* a row that is bad while the file is fine is *rejected*: it is listed with a
  :class:`RejectReason` code in the ``rejected`` table of a load, and the other rows go on.
"""

from __future__ import annotations

from enum import StrEnum


class ScreeningError(Exception):
    """Base class of every error raised on purpose by the screening library."""


class LoaderError(ScreeningError):
    """An uploaded file cannot be used at all.

    Parameters
    ----------
    source : str or os.PathLike
        The file, as the user named it.
    reason : str
        What is wrong, as a sentence without the file name (e.g. ``"the required column
        'sector' is missing."``). A final full stop is added if missing.

    Attributes
    ----------
    source : str
        The file path as text.
    reason : str
        What is wrong (one or more sentences).

    Examples
    --------
    >>> error = LoaderError("examples/visits.csv", "the file is empty (0 bytes)")
    >>> str(error)
    'examples/visits.csv: the file is empty (0 bytes).'
    """

    def __init__(self, source: object, reason: str) -> None:
        self.source = str(source)
        reason = reason.strip()
        self.reason = reason if reason.endswith((".", "?", "!")) else reason + "."
        super().__init__(f"{self.source}: {self.reason}")


class RejectReason(StrEnum):
    """Why a cell made its row unusable (the ``reason`` column of the rejected table).

    A ``str`` enum: ``RejectReason.WRONG_TYPE == "wrong_type"``.
    """

    WRONG_TYPE = "wrong_type"
    """The value cannot be read as the column's kind (number, whole number, true/false, date)."""
    MISSING_VALUE = "missing_value"
    """A required column has an empty cell."""
    OUT_OF_RANGE = "out_of_range"
    """A number outside the column's bounds (e.g. a negative count, age 5)."""
    EXCEEDS_COLUMN = "exceeds_column"
    """A count larger than the count it is part of (workers_without_contract > workers_present)."""
    UNKNOWN_CHOICE = "unknown_choice"
    """A value that is not one of the allowed words (e.g. an unknown sector)."""
    DUPLICATE_ID = "duplicate_id"
    """A visit_id given twice, or a worker_ref given twice within one visit."""
    UNKNOWN_VISIT = "unknown_visit"
    """An interview for a visit_id that is not among the upload's visits."""
    VISIT_REJECTED = "visit_rejected"
    """An interview whose visit row was itself rejected."""


__all__ = ["LoaderError", "RejectReason", "ScreeningError"]
