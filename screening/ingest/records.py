"""The upload format as pydantic models: visits, interviews and outcomes (the contract).

The models are the one schema. Row-by-row validation (``Visit.model_validate``) is for single
records (the API, tests); the bulk loaders derive their vectorised checks from the same models
through :func:`column_specs`, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

SECTORS: tuple[str, ...] = ("construction", "agriculture", "services")
SEXES: tuple[str, ...] = ("female", "male", "other")
OUTCOMES: tuple[str, ...] = ("forced_labour", "labour_violation", "no_violation")

Sector = Literal["construction", "agriculture", "services"]
Sex = Literal["female", "male", "other"]
OutcomeValue = Literal["forced_labour", "labour_violation", "no_violation"]

# Booleans accept these spellings, case-insensitively (DESIGN.md, upload format).
TRUE_WORDS: frozenset[str] = frozenset({"true", "yes", "1"})
FALSE_WORDS: frozenset[str] = frozenset({"false", "no", "0"})


def _at_most(column: str) -> dict[str, Any]:
    """Field metadata: the value may not exceed the value of ``column`` in the same row."""
    return {"at_most": column}


def _bool_in(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        if word == "":
            return None
        # pydantic's lax bool would also take on/off, t/f, y/n: the contract does not.
        raise ValueError(
            f"{value.strip()!r} is not true/false; use true/false, yes/no or 1/0, "
            "or leave the cell empty for unknown"
        )
    return value


class _Record(BaseModel):
    """Common configuration: extra columns are kept, empty strings are unknown."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unknown(cls, data: Any) -> Any:
        if isinstance(data, dict):
            out = {}
            for key, value in data.items():
                if isinstance(value, str):  # trimmed in every column, as the bulk loaders do
                    value = value.strip() or None
                field = cls.model_fields.get(key)
                if field is not None and _base_type(field.annotation) is bool:
                    value = _bool_in(value)
                out[key] = value
            return out
        return data

    @model_validator(mode="after")
    def _cross_column_limits(self) -> _Record:
        for name, field in type(self).model_fields.items():
            extra = field.json_schema_extra or {}
            limit = extra.get("at_most") if isinstance(extra, dict) else None
            value, bound = getattr(self, name), getattr(self, str(limit), None) if limit else None
            if limit and value is not None and bound is not None and value > bound:
                raise ValueError(f"{name} ({value}) must not exceed {limit} ({bound}).")
        return self


class Visit(_Record):
    """One inspection of one site on one day (one row of the ``visits`` table)."""

    visit_id: Annotated[str, Field(min_length=1, description="The visit; unique.")]
    site_id: Annotated[str, Field(min_length=1, description="The workplace.")]
    visit_date: Annotated[dt.date, Field(description="ISO date of the visit.")]
    inspector_id: Annotated[str, Field(min_length=1)]
    region: Annotated[str, Field(min_length=1, description="Administrative region or district.")]
    sector: Sector
    subsector: str | None = None
    employer_id: str | None = None
    intermediary_id: str | None = None
    intermediary_registered: bool | None = None
    workers_present: Annotated[int, Field(ge=0)]
    workers_without_contract: Annotated[
        int, Field(ge=0, json_schema_extra=_at_most("workers_present"))
    ]
    foreign_workers: Annotated[int, Field(ge=0, json_schema_extra=_at_most("workers_present"))]
    foreign_workers_without_permit: Annotated[
        int, Field(ge=0, json_schema_extra=_at_most("foreign_workers"))
    ]
    minors_present: Annotated[int, Field(ge=0, json_schema_extra=_at_most("workers_present"))]
    avg_weekly_hours: Annotated[float | None, Field(ge=0, le=168)] = None
    wage_arrears_months: Annotated[float | None, Field(ge=0)] = None
    below_minimum_wage: bool | None = None
    employer_holds_documents: bool | None = None
    recruitment_fees_charged: bool | None = None
    debt_to_employer: bool | None = None
    premises_locked_or_guarded: bool | None = None
    living_on_site: bool | None = None
    accommodation_substandard: bool | None = None
    remote_location: bool | None = None
    threats_reported: bool | None = None
    violence_observed: bool | None = None
    hazardous_work: bool | None = None
    wage_records_available: bool | None = None
    shared_worker_details: bool | None = None
    notes: str | None = None
    # Added in issue 9: the work seen is street work (vending, washing cars in the street) or
    # begging; the national report counts children "working on the streets and begging".
    street_work_or_begging: bool | None = None


class Interview(_Record):
    """One interviewed worker, pseudonymous (one row of the ``interviews`` table)."""

    visit_id: Annotated[str, Field(min_length=1, description="Must name a visit in the upload.")]
    worker_ref: Annotated[str, Field(min_length=1, description="Unique within the visit.")]
    age: Annotated[int | None, Field(ge=5, le=90)] = None
    sex: Sex | None = None
    foreign: bool | None = None
    has_written_contract: bool | None = None
    holds_own_documents: bool | None = None
    weekly_hours: Annotated[float | None, Field(ge=0, le=168)] = None
    wage_arrears_months: Annotated[float | None, Field(ge=0)] = None
    owes_debt_to_employer: bool | None = None
    paid_recruitment_fee: bool | None = None
    deceived_about_job: bool | None = None
    free_to_leave_job: bool | None = None
    free_to_leave_premises: bool | None = None
    forced_overtime: bool | None = None
    threatened: bool | None = None
    experienced_violence: bool | None = None
    # Added for the whole ICLS 2018 test (issue 9); absent or empty = not asked (unknown).
    deceived_about_pay: bool | None = None
    recruited_through_transaction: bool | None = None
    hazardous_without_consent: bool | None = None
    very_low_or_no_wages: bool | None = None
    degrading_living_conditions: bool | None = None
    other_employer_than_agreed: bool | None = None
    longer_than_agreed: bool | None = None
    denied_rights_or_threatened_deportation: bool | None = None
    hazardous_work: bool | None = None


class Outcome(_Record):
    """What a follow-up found at a visit's site: the training label."""

    visit_id: Annotated[str, Field(min_length=1)]
    outcome: OutcomeValue
    decided_on: dt.date
    source: str | None = None


class Kind(StrEnum):
    """The value kinds the bulk validator knows how to parse and check."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table, derived from a pydantic model field.

    Attributes
    ----------
    name : str
        Column name in the upload.
    kind : Kind
        How values are parsed.
    required : bool
        The column must be present and every cell filled.
    choices : tuple of str or None
        Allowed values for a ``CHOICE`` column.
    ge, le : float or None
        Inclusive bounds for numbers.
    at_most : str or None
        Another column in the same row that this value may not exceed.
    """

    name: str
    kind: Kind
    required: bool
    choices: tuple[str, ...] | None = None
    ge: float | None = None
    le: float | None = None
    at_most: str | None = None


def _base_type(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` from a field annotation."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not Literal and args and len(args) == 1:
        return _base_type(args[0])
    return annotation


def column_specs(model: type[BaseModel]) -> list[ColumnSpec]:
    """Derive the bulk-validation column specs from a record model.

    Examples
    --------
    >>> specs = {s.name: s for s in column_specs(Visit)}
    >>> specs["sector"].choices
    ('construction', 'agriculture', 'services')
    >>> specs["workers_without_contract"].at_most
    'workers_present'
    >>> specs["subsector"].required
    False
    """
    specs = []
    for name, field in model.model_fields.items():
        base = _base_type(field.annotation)
        choices = None
        if get_origin(base) is Literal:
            kind, choices = Kind.CHOICE, tuple(get_args(base))
        else:
            kind = {
                str: Kind.TEXT,
                int: Kind.INT,
                float: Kind.NUMBER,
                bool: Kind.BOOL,
                dt.date: Kind.DATE,
            }[base]
        ge = le = None
        for meta in field.metadata:
            ge = getattr(meta, "ge", ge)
            le = getattr(meta, "le", le)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        specs.append(
            ColumnSpec(
                name=name,
                kind=kind,
                required=field.is_required(),
                choices=choices,
                ge=ge,
                le=le,
                at_most=extra.get("at_most"),  # type: ignore[arg-type]
            )
        )
    return specs


VISIT_COLUMNS: list[ColumnSpec] = column_specs(Visit)
INTERVIEW_COLUMNS: list[ColumnSpec] = column_specs(Interview)
OUTCOME_COLUMNS: list[ColumnSpec] = column_specs(Outcome)

__all__ = [
    "FALSE_WORDS",
    "INTERVIEW_COLUMNS",
    "OUTCOMES",
    "OUTCOME_COLUMNS",
    "SECTORS",
    "SEXES",
    "TRUE_WORDS",
    "VISIT_COLUMNS",
    "ColumnSpec",
    "Interview",
    "Kind",
    "Outcome",
    "Visit",
    "column_specs",
]
