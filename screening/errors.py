"""Errors of the screening library (one hierarchy) and the reason codes for rejected rows.

Every error the library raises on purpose derives from :class:`ScreeningError`; only the shells
(``screening.api``, ``screening.web``, ``screening.cli``) turn them into HTTP answers, pages or
exit codes. Two kinds of trouble with an upload are kept apart on purpose:

* a file that cannot be used at all (not found, not UTF-8, no rows, a required column missing)
  raises :class:`LoaderError`, whose message is one whole sentence naming the file;
* a row that is bad while the file is fine is *rejected*: it is listed with a
  :class:`RejectReason` code in the ``rejected`` table of a load, and the other rows go on.
"""

from __future__ import annotations

from enum import StrEnum

from indicators import CatalogueError as _CatalogueSpecError


class ScreeningError(Exception):
    """Base class of every error raised on purpose by the screening library.

    ``kind`` says what sort of refusal it is, for the shells to map to an HTTP status, a page
    or an exit code: ``refused`` (the default), ``unusable_file``, ``not_found``, ``conflict``,
    ``forbidden``, ``too_large``, ``content_mismatch``, ``too_many`` (429).
    """

    kind: str = "refused"


class LoaderError(ScreeningError):
    """An uploaded file cannot be used at all (``kind`` ``unusable_file``).

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

    kind = "unusable_file"

    def __init__(self, source: object, reason: str) -> None:
        self.source = str(source)
        reason = reason.strip()
        self.reason = reason if reason.endswith((".", "?", "!")) else reason + "."
        super().__init__(f"{self.source}: {self.reason}")

    def __reduce__(self) -> tuple:  # pickled by its arguments: it crosses to Dask's client
        return type(self), (self.source, self.reason)


class UsageError(ScreeningError, ValueError):
    """An argument outside what a function accepts (an unknown format, a bad share, ...)."""


class NotFoundError(ScreeningError, KeyError):
    """A name that is not there (an indicator id, a visit of a screening)."""

    kind = "not_found"

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SettingsError(ScreeningError):
    """A ``SCREENING_*`` setting has a value that cannot be used (named in the message)."""


class CatalogueError(ScreeningError, _CatalogueSpecError):
    """The indicator catalogue cannot be used: names the ``file`` and, where known, the
    ``indicator``. Also an :class:`indicators.CatalogueError`, which the data-only loader of
    ``indicators/`` raises for structure and references."""


class ExpressionError(ScreeningError, ValueError):
    """A rule expression that cannot be compiled (see :mod:`screening.rules.expr_syntax`)."""

    def __init__(self, expression: str, position: int, reason: str):
        self.expression = expression
        self.position = position
        self.reason = reason
        super().__init__(f"{reason} (at character {position + 1} of {expression!r})")


class ModelError(ScreeningError):
    """A model version that cannot be used (outside the models folder, tampered, another
    library version, features unlike the catalogue), or training that cannot start."""


class TrainingError(ModelError, ValueError):
    """Training cannot go on with the data given (too few labels of a class, say)."""


class NotReadyError(TrainingError):
    """Too few decided outcomes to train: says how many of each class there are and how many
    are needed.

    Attributes
    ----------
    counts : dict of str to int
        Decided outcomes of the labelled visits per class (``forced_labour``, ``other``).
    needed : int
        How many of each class training needs.
    """

    def __init__(self, counts: dict[str, int], needed: int) -> None:
        self.counts, self.needed = counts, needed
        super().__init__(
            f"Not enough decided outcomes to train: training needs at least {needed} of each "
            f"class among the visits, and there are {counts.get('forced_labour', 0)} "
            f"forced_labour and {counts.get('other', 0)} other outcomes (labour_violation or "
            f"no_violation). Record more decided reviews (or give more outcomes) and train "
            "again.")


class StoreError(ScreeningError):
    """The store refused an operation (unknown visit, bad review, unknown role, ...)."""


class ConflictError(StoreError):
    """The store already holds what an operation would create (a user name, say)."""

    kind = "conflict"


class ForbiddenError(StoreError):
    """The user may not do this to what is named (``kind`` ``forbidden``, HTTP 403): e.g. a
    correction replacing a visit that another inspector uploaded."""

    kind = "forbidden"


class SameFileCorrectionError(ConflictError):
    """A correction whose bytes were uploaded before (it would change nothing).

    Attributes
    ----------
    upload_id : int
        The earlier upload of the same file.
    """

    def __init__(self, upload_id: int, message: str) -> None:
        self.upload_id = upload_id
        super().__init__(message)


class NotOwnVisitError(ForbiddenError):
    """A correction that would replace visits another inspector uploaded.

    Attributes
    ----------
    visit_id : str
        The first such visit.
    more : int
        How many more there are.
    """

    def __init__(self, visit_id: str, more: int, message: str) -> None:
        self.visit_id, self.more = visit_id, more
        super().__init__(message)


class UnknownVisitError(StoreError, LookupError):
    """A visit_id that is not in the store."""

    kind = "not_found"

    def __init__(self, visit_id: str) -> None:
        self.visit_id = visit_id
        super().__init__(f"Visit '{visit_id}' is not in the store.")


class UnknownCaseError(StoreError, LookupError):
    """A referral case id that is not in the store."""

    kind = "not_found"

    def __init__(self, case_id: object) -> None:
        self.case_id = case_id
        super().__init__(f"Referral case {case_id} is not in the store.")


class AppendOnlyError(StoreError):
    """An attempt to change or delete a line of the audit log."""


class TooManySignIns(ScreeningError):  # noqa: N818 - a refusal, named as the answer says it
    """Too many failed sign-ins from an address or at an account (``kind`` ``too_many``, HTTP
    429); the message says when to try again."""

    kind = "too_many"


class UploadRefused(ScreeningError):  # noqa: N818 - a refusal, named as the receipt says it
    """An upload refused as a whole before it is read: too large, or content unlike its type.

    Attributes
    ----------
    code : str
        ``too_large`` or ``content_mismatch``.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = self.kind = code
        super().__init__(message)

    def __reduce__(self) -> tuple:  # pickled by its arguments: it crosses to Dask's client
        return type(self), (self.code, str(self))


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


HTTP_STATUS: dict[str, int] = {
    "refused": 422, "unusable_file": 422, "not_found": 404, "conflict": 409, "forbidden": 403,
    "too_large": 413, "content_mismatch": 415, "too_many": 429,
}
"""The HTTP status of each error ``kind``: one table for the two shells that answer over HTTP
(their exception handlers call :func:`http_status`)."""


def http_status(error: ScreeningError) -> int:
    """The HTTP status an error of the library is answered with (422 for an unknown kind).

    >>> http_status(UnknownVisitError("V1")), http_status(ScreeningError("no"))
    (404, 422)
    """
    return HTTP_STATUS.get(error.kind, 422)


__all__ = ["HTTP_STATUS", "AppendOnlyError", "CatalogueError", "ConflictError", "ExpressionError",
           "ForbiddenError", "LoaderError", "ModelError", "NotFoundError", "NotOwnVisitError",
           "NotReadyError", "RejectReason", "SameFileCorrectionError", "ScreeningError",
           "SettingsError", "StoreError", "TooManySignIns", "TrainingError", "UnknownCaseError",
           "UnknownVisitError", "UploadRefused", "UsageError", "http_status"]
