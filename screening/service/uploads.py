"""Accept an upload: check its size and type, validate, screen with the active model, store.

The one code path behind ``POST /api/v1/uploads``, the upload page and the demo data. It is a
plain (blocking) function: the shells run it off the event loop, so other users' requests keep
being answered while a large upload is processed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from screening.errors import LoaderError, UploadRefused
from screening.ingest.bounds import Bounds
from screening.ingest.readers import suffix_of
from screening.ingest.regions import configured
from screening.pipeline import screen_frames
from screening.service.context import Services
from screening.service.parsing import load_in_worker
from screening.service.referrals import open_for_upload
from screening.settings import Settings
from screening.store import Receipt, store_upload, transaction
from screening.store.tables import User

MAGIC = {".xlsx": b"PK", ".parquet": b"PAR1"}
"""The first bytes a file of these types starts with."""
NAME_LIMIT = 255
"""The longest file name accepted (most file systems' limit)."""


@dataclass(frozen=True)
class UploadedFile:
    """A file as a user sent it: their file name and its bytes."""

    name: str
    content: bytes


def check_file(file: UploadedFile, limit_bytes: int) -> None:
    """Refuse a file over the size limit, or whose content does not match its type.

    Raises
    ------
    UploadRefused
        ``too_large`` or ``content_mismatch``, naming the file.

    Examples
    --------
    >>> check_file(UploadedFile("v.xlsx", b"not a zip"), 100)
    Traceback (most recent call last):
    ...
    screening.errors.UploadRefused: The file 'v.xlsx' is named .xlsx but its content is not .xlsx.
    """
    check_name(file.name)
    if len(file.content) > limit_bytes:
        raise UploadRefused("too_large", f"The file {file.name!r} is larger than the limit of "
                                         f"{limit_bytes / 1e6:.0f} MB.")
    suffix = suffix_of(file.name)
    magic = MAGIC.get(suffix)
    if magic and not file.content.startswith(magic):
        raise UploadRefused("content_mismatch", f"The file {file.name!r} is named {suffix} but "
                                                f"its content is not {suffix}.")


def check_name(name: str) -> None:
    """Refuse a file name that cannot be a file's name: empty, only dots (``.``, ``..``), with a
    control character, or longer than :data:`NAME_LIMIT` characters. The name is only ever
    shown (escaped), never used as a path.

    Raises
    ------
    LoaderError
        Naming the file (shortened when long) and what is wrong with its name.

    Examples
    --------
    >>> check_name("..")
    Traceback (most recent call last):
    ...
    screening.errors.LoaderError: ..: the file name must be a file name such as visits.csv, not \
'.' or '..'.
    """
    shown = name if len(name) <= 60 else name[:57] + "..."
    if not name.strip() or name.strip(". ") == "":
        raise LoaderError(shown, "the file name must be a file name such as visits.csv, not "
                                 "'.' or '..'")
    if len(name) > NAME_LIMIT:
        raise LoaderError(shown, f"the file name is {len(name)} characters long; at most "
                                 f"{NAME_LIMIT} are allowed")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise LoaderError(repr(shown), "the file name holds a control character; rename the "
                                       "file")


def bounds_of(settings: Settings) -> Bounds:
    """The parsing bounds of the settings (``SCREENING_MAX_ROWS`` and the others)."""
    return Bounds(max_rows=settings.max_rows, max_columns=settings.max_columns,
                  max_cell_chars=settings.max_cell_chars,
                  max_json_depth=settings.max_json_depth, max_json_keys=settings.max_json_keys,
                  max_decompressed_mb=settings.max_decompressed_mb)


def accept_upload(services: Services, user: User | int | None, file: UploadedFile,
                  interviews: UploadedFile | None = None, *, correction: bool = False
                  ) -> Receipt:
    """Validate, screen (rules and the active model) and store an upload; its receipt.

    Parameters
    ----------
    services : Services
    user : User or int or None
        Who uploads.
    file, interviews : UploadedFile
        The visits file (which may hold the interviews too) and an optional interviews file.
    correction : bool
        Visits already stored are replaced by a new version instead of being rejected.

    Returns
    -------
    Receipt
        With ``referral_cases`` (a case opened for each urgent new visit, in the same
        transaction as the upload), ``model_version`` (None: the rules alone) and
        ``model_problem`` when the active model could not be used.

    Raises
    ------
    UploadRefused
        Too large, or content unlike its type.
    LoaderError
        A file that cannot be used at all (named as the user named it).
    """
    limit = int(services.settings.max_upload_mb * 1e6)
    for part in (file, interviews):
        if part is not None:
            check_file(part, limit)
    settings = services.settings
    loaded = load_in_worker((file.name, file.content),
                            (interviews.name, interviews.content) if interviews else None,
                            bounds_of(settings), seconds=settings.parse_timeout_s,
                            memory_mb=settings.parse_memory_mb,
                            regions=configured(settings.regions))
    model, status = services.models.get()
    screening = screen_frames(loaded.visits, loaded.interviews, engine=services.rules("en"),
                              model=model, rejected=loaded.rejected)
    content = file.content + (interviews.content if interviews else b"")

    def store() -> Receipt:
        now = services.settings.now()
        with transaction(services.engine) as session:
            receipt = store_upload(session, user=user, file_name=file.name, content=content,
                                   loaded=loaded, screening=screening, correction=correction,
                                   model_problem=status.problem)
            if not receipt.repeat:
                receipt.referral_cases = open_for_upload(session, services, receipt,
                                                         screening, user, now)
        receipt.interpretations = [i.as_dict() for i in loaded.interpretations]
        return receipt

    try:
        return store()
    except IntegrityError:
        # A concurrent upload committed the same file or the same new visit first (the unique
        # sha256 and current-visit indexes refused ours): once more, it now sees them.
        return store()


__all__ = ["MAGIC", "NAME_LIMIT", "UploadedFile", "accept_upload", "check_file", "check_name"]
