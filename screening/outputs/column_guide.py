"""The upload contract in words: every column of the two tables with its meaning, type, unit,
allowed values, sheet and whether it is required, in English or Azerbaijani.

The columns, types, choices and bounds come from the record models
(:mod:`screening.ingest.records`, the one schema); this module adds only what a person needs
to read them: a meaning and a unit per column. A column added to the contract without its
meaning here fails ``tests/outputs/test_column_guide.py``. The column guide page (``/guide``)
and the upload template's header comments both read :func:`column_guide`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import pandas as pd

from screening.ingest.records import (
    INTERVIEW_COLUMNS,
    SECTORS,
    SEXES,
    VISIT_COLUMNS,
    ColumnSpec,
    Kind,
)
from screening.translation import N_, gettext, has_text, text

TABLES: dict[str, list[ColumnSpec]] = {"visits": VISIT_COLUMNS, "interviews": INTERVIEW_COLUMNS}
"""The upload's tables by name: the XLSX sheet names and the CSV files' roles (contract)."""

MEANINGS: dict[str, dict[str, str]] = {
    "visits": {
        "visit_id": N_("The visit: one inspection of one site on one day; unique in the "
                       "upload."),
        "site_id": N_("The workplace; the same site visited again keeps its id."),
        "visit_date": N_("The day of the visit."),
        "inspector_id": N_("The inspector who made the visit."),
        "region": N_("Administrative region; where regions are configured "
                     "(SCREENING_REGIONS), one of them, in its English or Azerbaijani "
                     "spelling."),
        "sector": N_("The sector of the site."),
        "subsector": N_("For example residential construction, cotton harvest, domestic "
                        "work, hospitality."),
        "employer_id": N_("Tax number of the employer."),
        "intermediary_id": N_("Recruitment agency or labour broker, if any; empty = unknown "
                              "(not 'no intermediary')."),
        "intermediary_registered": N_("The intermediary is in the public register of "
                                      "employment intermediaries."),
        "workers_present": N_("Workers found at the site."),
        "workers_without_contract": N_("Workers without a written employment contract "
                                       "registered in the national e-contract system."),
        "foreign_workers": N_("Foreign workers found at the site."),
        "foreign_workers_without_permit": N_("Foreign workers without a valid work permit."),
        "minors_present": N_("Workers under 18 found at the site."),
        "avg_weekly_hours": N_("Average hours worked in a week at the site."),
        "wage_arrears_months": N_("Longest wage arrears reported at the site."),
        "below_minimum_wage": N_("Wages below the national minimum wage."),
        "employer_holds_documents": N_("Identity documents kept by the employer or the "
                                       "intermediary."),
        "recruitment_fees_charged": N_("Workers paid to get the job."),
        "debt_to_employer": N_("Workers owe the employer or recruiter and work the debt off."),
        "premises_locked_or_guarded": N_("Workers cannot leave the site or the accommodation "
                                         "freely."),
        "living_on_site": N_("Accommodation provided at or by the workplace."),
        "accommodation_substandard": N_("The accommodation is below decent standards."),
        "remote_location": N_("Isolated site, no transport or phone access."),
        "threats_reported": N_("Threats of violence, denunciation to the authorities, or "
                               "dismissal without pay."),
        "violence_observed": N_("Physical or sexual violence observed or reported."),
        "hazardous_work": N_("Hazardous work without protection."),
        "wage_records_available": N_("The employer could show wage records and payslips."),
        "shared_worker_details": N_("Several workers registered with the same address, next "
                                    "of kin or bank account."),
        "notes": N_("The inspector's narrative."),
        "street_work_or_begging": N_("The work seen is street work or begging."),
    },
    "interviews": {
        "visit_id": N_("The visit this interview belongs to; it must be in the upload."),
        "worker_ref": N_("Pseudonymous reference of the worker, unique within the visit (no "
                         "names, no document numbers)."),
        "age": N_("Age of the worker; children are interviewed from 5."),
        "sex": N_("Sex of the worker (never used to score a visit)."),
        "foreign": N_("The worker is a foreign national (never used to score a visit)."),
        "has_written_contract": N_("The worker has a written employment contract."),
        "holds_own_documents": N_("The worker holds their own identity documents (no = held "
                                  "by someone else)."),
        "weekly_hours": N_("Hours the worker works in a week."),
        "wage_arrears_months": N_("How long the worker's wages are overdue."),
        "owes_debt_to_employer": N_("The worker owes the employer or recruiter a debt."),
        "paid_recruitment_fee": N_("The worker paid a fee to get the job."),
        "deceived_about_job": N_("ICLS IV2: the work differs from what was promised."),
        "free_to_leave_job": N_("ICLS IV9 (no = not free): could resign with notice and "
                                "without penalty."),
        "free_to_leave_premises": N_("ICLS CO2 (no = restricted): could leave the workplace "
                                     "or accommodation outside working hours."),
        "forced_overtime": N_("ICLS IV3: overtime that could not be refused."),
        "threatened": N_("ICLS CO1: threats of violence, denunciation, dismissal without pay, "
                         "harm to family."),
        "experienced_violence": N_("ICLS CO1: physical or sexual violence."),
        "deceived_about_pay": N_("ICLS IV2 (terms): the pay differs from what was promised."),
        "recruited_through_transaction": N_("ICLS IV1: sold, pledged or given to the "
                                            "employer, or born into bonded labour."),
        "hazardous_without_consent": N_("ICLS IV4: hazardous work the worker did not "
                                        "consent to."),
        "very_low_or_no_wages": N_("ICLS IV5: works for very low wages or none."),
        "degrading_living_conditions": N_("ICLS IV6: degrading living conditions imposed by "
                                          "the employer."),
        "other_employer_than_agreed": N_("ICLS IV7: works for another employer than agreed."),
        "longer_than_agreed": N_("ICLS IV8: has to work for a longer period than agreed."),
        "denied_rights_or_threatened_deportation": N_("ICLS CO6: denied rights or "
                                                      "privileges, or threatened with "
                                                      "dismissal or deportation."),
        "hazardous_work": N_("The worker does hazardous work (under 18: a worst form of "
                             "child labour)."),
    },
}
"""What each column means, by table (English ids, translated in ``excel.po``)."""

UNITS: dict[str, str] = {
    "workers_present": N_("workers"), "workers_without_contract": N_("workers"),
    "foreign_workers": N_("workers"), "foreign_workers_without_permit": N_("workers"),
    "minors_present": N_("workers"), "avg_weekly_hours": N_("hours a week"),
    "weekly_hours": N_("hours a week"), "wage_arrears_months": N_("months"),
    "age": N_("years"),
}
"""The unit of each column that counts or measures something."""

KIND_KEYS: dict[Kind, str] = {k: f"kind_{k.value}" for k in Kind}
"""The pages' names of the value kinds (keyed strings ``kind_text`` ... in ``pages.po``)."""
DATE_FORMS = {"en": N_("a date cell, or text such as 2025-03-01"),
              "az": N_("a date cell, or text such as 2025-03-01 or 01.03.2025")}
"""How a date may be written; the Azerbaijani form is named where the ingest reads it."""


@dataclass(frozen=True)
class ColumnText:
    """One upload column in words, in one language.

    Attributes
    ----------
    table : str
        ``visits`` or ``interviews``: the XLSX sheet, or which CSV file.
    name : str
        The column name (the header the upload needs, never translated).
    kind : str
        The value kind in words (``whole number``, ``true/false``, ...).
    required : bool
        The column must be present and every cell filled.
    meaning, unit : str
        What the column records, and its unit ("" when it has none).
    allowed : str
        The allowed values in words: choices, bounds, the column it may not exceed, or ""
        for free text.
    choices : tuple of str
        The words a drop-down offers (the contract's values; see :func:`offered_values`).
    spec : ColumnSpec
        The contract's column.
    """

    table: str
    name: str
    kind: str
    required: bool
    meaning: str
    unit: str
    allowed: str
    choices: tuple[str, ...]
    spec: ColumnSpec


LOCAL_KEYS: dict[str, dict[object, tuple[str, ...]]] = {
    "bool": {True: ("yes",), False: ("no",)},
    "sector": {code: (f"sector_{code}",) for code in SECTORS},
    "sex": {code: (f"sex_{code}",) for code in SEXES},
}
"""Keyed strings whose Azerbaijani may name a code in an upload, first choice first (``bəli``
for true, ``tikinti`` for construction)."""


@cache
def _typed_by_ingest(spec: ColumnSpec, word: str) -> object:
    """What the ingest makes of ``word`` in ``spec``'s column (None when it rejects it)."""
    from screening.ingest.validation import validate_frame

    frame = pd.DataFrame({spec.name: [word]}, dtype=object)
    valid, rejected = validate_frame(frame, [spec], source="template", table="check",
                                     first_row=2)
    return None if len(rejected) or not len(valid) else valid[spec.name].iloc[0]


def word_for(spec: ColumnSpec, code: object, lang: str = "en") -> str:
    """The word a person picks for ``code`` (True/False, or a choice) in ``lang``: the
    Azerbaijani word where the ingest reads it as that code, else the contract's own.

    >>> from screening.ingest.records import VISIT_COLUMNS
    >>> violence = next(c for c in VISIT_COLUMNS if c.name == "violence_observed")
    >>> word_for(violence, True, "en"), word_for(violence, False, "en")
    ('yes', 'no')
    """
    contract = {True: "yes", False: "no"}.get(code, code) if spec.kind is Kind.BOOL else code
    if lang != "az":
        return str(contract)
    family = "bool" if spec.kind is Kind.BOOL else spec.name
    for key in LOCAL_KEYS.get(family, {}).get(code, ()):
        if has_text(key):
            word = text("az", key)
            if word != contract and _typed_by_ingest(spec, word) == code:
                return word
    return str(contract)


def offered_values(spec: ColumnSpec, lang: str = "en") -> tuple[str, ...]:
    """The values a drop-down offers for ``spec``: the contract's own (``yes``/``no`` for
    true/false, the choices for a choice column), and in Azerbaijani first the Azerbaijani
    words (``bəli``/``xeyr``, ``tikinti``) that the ingest accepts, so that every offered
    value is accepted; empty for other kinds.

    >>> from screening.ingest.records import VISIT_COLUMNS
    >>> sector = next(c for c in VISIT_COLUMNS if c.name == "sector")
    >>> offered_values(sector)
    ('construction', 'agriculture', 'services')
    """
    if spec.kind is Kind.BOOL:
        codes: tuple[object, ...] = (True, False)
        contract = ("yes", "no")
    elif spec.kind is Kind.CHOICE and spec.choices:
        codes = contract = tuple(spec.choices)
    else:
        return ()
    local = tuple(dict.fromkeys(word_for(spec, code, lang) for code in codes))
    return tuple(dict.fromkeys((*local, *contract)))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def allowed_text(spec: ColumnSpec, lang: str = "en") -> str:
    """The allowed values of ``spec`` in words.

    >>> from screening.ingest.records import VISIT_COLUMNS
    >>> specs = {c.name: c for c in VISIT_COLUMNS}
    >>> allowed_text(specs["avg_weekly_hours"]), allowed_text(specs["minors_present"])
    ('0 to 168', '0 or more, at most workers_present')
    >>> allowed_text(specs["visit_id"])
    ''
    """
    parts = []
    if spec.kind is Kind.BOOL:
        parts.append(", ".join(offered_values(spec, lang)) + " "
                     + gettext(lang, N_("(also true/false, 1/0)")))
    elif spec.choices:
        parts.append(", ".join(offered_values(spec, lang)))
    elif spec.kind is Kind.DATE:
        local = lang == "az" and _typed_by_ingest(spec, "01.03.2025") == pd.Timestamp(
            "2025-03-01")  # said only once the ingest reads it
        parts.append(gettext(lang, DATE_FORMS["az" if local else "en"]))
    if spec.ge is not None and spec.le is not None:
        parts.append(gettext(lang, N_("{low} to {high}"), low=_number(spec.ge),
                             high=_number(spec.le)))
    elif spec.ge is not None:
        parts.append(gettext(lang, N_("{low} or more"), low=_number(spec.ge)))
    if spec.at_most:
        parts.append(gettext(lang, N_("at most {column}"), column=spec.at_most))
    return ", ".join(parts)


def column_guide(lang: str = "en", regions: Sequence[str] | None = None
                 ) -> dict[str, list[ColumnText]]:
    """Every upload column in words, by table (``visits``, ``interviews``), in ``lang``.

    ``regions`` are the configured regions' names (``SCREENING_REGIONS``), one of which the
    ``region`` column must name; None when any region is accepted.

    >>> guide = column_guide("az", regions=("Baku", "Karabakh"))
    >>> [c for c in guide["visits"] if c.name == "sector"][0].required
    True
    >>> [c.unit for c in guide["interviews"] if c.name == "age"]
    ['il']
    >>> [(c.allowed, c.choices) for c in guide["visits"] if c.name == "region"]
    [('Baku, Karabakh', ('Baku', 'Karabakh'))]
    """
    out: dict[str, list[ColumnText]] = {}
    for table, specs in TABLES.items():
        out[table] = []
        for spec in specs:
            allowed, choices = allowed_text(spec, lang), offered_values(spec, lang)
            if spec.name == "region" and regions:
                allowed, choices = ", ".join(regions), tuple(regions)
            out[table].append(ColumnText(
                table=table, name=spec.name, kind=text(lang, KIND_KEYS[spec.kind]),
                required=spec.required, meaning=gettext(lang, MEANINGS[table][spec.name]),
                unit=gettext(lang, UNITS[spec.name]) if spec.name in UNITS else "",
                allowed=allowed, choices=choices, spec=spec))
    return out


def header_note(column: ColumnText, lang: str = "en") -> str:
    """The comment of a column's header in the upload template: meaning, type and unit,
    allowed values, required or optional (empty = unknown).

    >>> note = header_note(column_guide()["visits"][0])
    >>> note.splitlines()[0]
    'visit_id'
    >>> "Required" in note
    True
    """
    kind = column.kind + (f" ({column.unit})" if column.unit else "")
    lines = [column.name, column.meaning, gettext(lang, N_("Type: {kind}"), kind=kind)]
    if column.allowed:
        lines.append(gettext(lang, N_("Allowed: {values}"), values=column.allowed))
    lines.append(gettext(lang, N_("Required: every row needs a value.")) if column.required
                 else gettext(lang, N_("Optional: an empty cell means unknown, never no.")))
    return "\n".join(lines)


__all__ = ["LOCAL_KEYS", "MEANINGS", "TABLES", "UNITS", "ColumnText", "allowed_text",
           "column_guide", "header_note", "offered_values", "word_for"]
