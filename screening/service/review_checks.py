"""Check a review typed into a form, field by field, before it is recorded.

The store refuses a bad review too (:func:`screening.store.record_review`), with one English
sentence; a person filling in a form needs more: every problem at once, each attached to its
field, in the reader's language. So the problems here are message ids marked with ``N_`` and
their values; the page translates them with :func:`screening.translation.gettext` and shows
each beside its field, keeping what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from screening.ingest.records import OUTCOMES
from screening.translation import N_
from screening.vocabulary import REVIEW_STATUSES

FIELDS: tuple[str, ...] = ("status", "scheduled_for", "inspector", "outcome", "notes")
"""The review form's fields, in the order they are shown (and the first problem focused)."""
INSPECTOR_LIMIT = 200
NOTES_LIMIT = 5000


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: an English message id and the values it names."""

    message: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class ReviewInput:
    """A review as typed (``typed``, kept to fill the form again) and, when every field is
    right, as the values to record (``scheduled_for`` a date, empty text as None)."""

    typed: dict[str, str]
    problems: dict[str, Problem] = field(default_factory=dict)
    scheduled_for: dt.date | None = None

    @property
    def ok(self) -> bool:
        """Whether the review can be recorded."""
        return not self.problems

    def first_problem(self) -> str | None:
        """The first field with a problem, in form order (the one the page focuses)."""
        return next((name for name in FIELDS if name in self.problems), None)

    def value(self, name: str) -> str | None:
        """A text field's value to record: stripped, None when empty."""
        return self.typed.get(name, "").strip() or None


def _control(text: str, line: bool) -> str | None:
    return next((c for c in text if c == "\x00" or (line and (ord(c) < 32 or ord(c) == 127))),
                None)


def check_review(status: str = "", scheduled_for: str = "", inspector: str = "",
                 outcome: str = "", notes: str = "") -> ReviewInput:
    """Every problem of a typed review, by field.

    Examples
    --------
    >>> checked = check_review(status="scheduled", notes="Call first.")
    >>> checked.ok, checked.first_problem(), checked.typed["notes"]
    (False, 'scheduled_for', 'Call first.')
    >>> checked.problems["scheduled_for"].message
    'A scheduled review needs the date it is scheduled for.'
    >>> check_review(status="decided", outcome="no_violation").ok
    True
    """
    typed = {"status": status, "scheduled_for": scheduled_for, "inspector": inspector,
             "outcome": outcome, "notes": notes}
    checked = ReviewInput(typed=typed)
    problems = checked.problems
    if status not in REVIEW_STATUSES:
        problems["status"] = Problem(N_("Choose what happened: scheduled, visited or decided."))
    if scheduled_for.strip():
        try:
            checked.scheduled_for = dt.date.fromisoformat(scheduled_for.strip())
        except ValueError:
            problems["scheduled_for"] = Problem(
                N_("'{value}' is not a date: write it as year-month-day, for example "
                   "2025-03-01."), {"value": scheduled_for[:40]})
    elif status == "scheduled":
        problems["scheduled_for"] = Problem(
            N_("A scheduled review needs the date it is scheduled for."))
    if len(inspector) > INSPECTOR_LIMIT or _control(inspector, line=True):
        problems["inspector"] = Problem(
            N_("The inspector is one line of at most {limit} characters."),
            {"limit": INSPECTOR_LIMIT})
    if outcome and outcome not in OUTCOMES:
        problems["outcome"] = Problem(N_("Choose an outcome from the list."))
    elif status == "decided" and not outcome:
        problems["outcome"] = Problem(
            N_("A decided review needs an outcome: what the follow-up found."))
    elif outcome and status in REVIEW_STATUSES and status != "decided":
        problems["outcome"] = Problem(
            N_("Only a decided review has an outcome: choose the status 'decided' or leave "
               "the outcome empty."))
    if len(notes) > NOTES_LIMIT:
        problems["notes"] = Problem(
            N_("The notes have {n} characters; at most {limit} are allowed."),
            {"n": len(notes), "limit": NOTES_LIMIT})
    elif _control(notes, line=False):
        problems["notes"] = Problem(N_("The notes hold a character that cannot be stored "
                                       "(NUL); remove it."))
    return checked


__all__ = ["FIELDS", "Problem", "ReviewInput", "check_review"]
