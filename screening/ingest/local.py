"""What Excel writes in an Azerbaijani locale, read as the contract's values (issue 12).

Each reader takes the *distinct* trimmed values of a column (Arrow strings, null for empty;
see :class:`~screening.ingest.text.Distinct`) and returns, per value, whether it was read in a
local form, and as what; the caller spreads that to the cells and reports it
(:mod:`screening.ingest.interpretations`). Only what cannot be misread is read:

- **decimal comma**: ``52,5`` is 52.5 (a thousands separator always has three digits after it).
  ``1,234`` could be 1.234 or 1234: it is read as 1.234 only when another cell of the same
  column has a comma that can only be decimal and none has a decimal point; otherwise it is
  refused as ambiguous, never guessed.
- **dates day.month.year**: ``01.03.2025`` (or ``1.3.2025``) is 2025-03-01; dotted dates are
  always day first (slashed ones, ``01/03/2025``, are not read: month first in the US).
- **choices** ignore capitals, spaces, hyphens and underscores (``Construction``, ``forced
  labour``) and take their Azerbaijani names (:data:`AZERBAIJANI`, the words the pages use).
- **yes/no** also in Azerbaijani: ``bəli``, ``hə`` (true), ``xeyr``, ``yox`` (false).
- **a lost ə**: Windows-1254 (what Excel saves as "CSV" in an Azerbaijani or Turkish Windows)
  has no ``ə``; Excel writes ``?`` instead. A choice or yes/no that matches an Azerbaijani word
  with ``?`` standing for ``ə`` (``b?li``) is read as that word; text cells are kept as written.

Capitals are folded the Azerbaijani way: ``I`` and ``ı`` are the same letter as ``İ`` and ``i``
for matching (``KƏND TƏSƏRRÜFATI`` is ``kənd təsərrüfatı``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from screening.ingest.text import mask

AZERBAIJANI: dict[str, dict[str, str]] = {
    "sector": {"tikinti": "construction", "kənd təsərrüfatı": "agriculture",
               "xidmətlər": "services", "xidmət": "services"},
    "sex": {"qadın": "female", "kişi": "male", "digər": "other"},
    "outcome": {"məcburi əmək": "forced_labour",
                "əmək qanunvericiliyinin pozuntusu": "labour_violation",
                "pozuntu yoxdur": "no_violation"},
}  # fmt: skip
"""The Azerbaijani names of each choice column's values: the words the pages show (a test holds
them to the catalogue) and the singular of ``xidmətlər``."""

AZERBAIJANI_YES: tuple[str, ...] = ("bəli", "hə")
AZERBAIJANI_NO: tuple[str, ...] = ("xeyr", "yox")

_COMMA = r"^[+-]?[0-9]*,[0-9]+$"
_THOUSANDS = r"^[+-]?[1-9][0-9]{0,2},[0-9]{3}$"  # 1,234: a decimal or a thousands separator
_POINT = r"[0-9]?\.[0-9]"
_DOTTED_DATE = r"^(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4})$"


def fold(text: pa.Array) -> pa.Array:
    """Text folded for matching a choice: lower case (``I`` and ``ı`` as ``i``), and runs of
    spaces, hyphens and underscores as one ``_``.

    >>> fold(pa.array(["KƏND  TƏSƏRRÜFATI", "Forced labour", "ı"])).to_pylist()
    ['kənd_təsərrüfati', 'forced_labour', 'i']
    """
    lower = pc.replace_substring(pc.utf8_lower(text), "ı", "i")
    return pc.replace_substring_regex(lower, "[\\s_\\-\u2013\u2014]+", "_")


def _lookup(keys: pa.Array, table: dict[str, str]) -> np.ndarray:
    """The value of each key in ``table`` (None where absent), matched in Arrow."""
    if not table:
        return np.full(len(keys), None, dtype=object)
    names = list(table)
    where = pc.index_in(keys, value_set=pa.array(names, type=keys.type)).to_numpy(
        zero_copy_only=False)
    values = np.array([*table.values(), None], dtype=object)
    return values[np.where(np.isnan(where.astype(float)), len(names), where).astype(int)]


def read_choice(values: pa.Array, choices: tuple[str, ...], column: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read distinct values as one of ``choices``.

    Returns
    -------
    chosen : numpy.ndarray of object
        The contract's value of each, None where none matches.
    capitals, azerbaijani : numpy.ndarray of bool
        Read by folding capitals or spaces; read from its Azerbaijani name.

    Examples
    --------
    >>> chosen, capitals, az = read_choice(pa.array(["Construction", "tikinti", "b?"]),
    ...                                    ("construction", "agriculture"), "sector")
    >>> chosen.tolist(), capitals.tolist(), az.tolist()
    (['construction', 'construction', None], [True, False, False], [False, True, False])
    """
    folded = fold(values)
    own = {str(k): c for k, c in zip(fold(pa.array(list(choices))).to_pylist(), choices,
                                     strict=True)}  # fmt: skip
    names = {name: value for name, value in AZERBAIJANI.get(column, {}).items()
             if value in choices}
    local = dict(zip(fold(pa.array(list(names), pa.string())).to_pylist(), names.values(),
                     strict=True)) if names else {}  # fmt: skip
    by_case, by_name = _lookup(folded, own), _lookup(folded, local)
    if local:  # '?' where Windows-1254 lost an 'ə'
        lost = pc.replace_substring(folded, "?", "ə")
        by_name = np.where(by_name == None, _lookup(lost, local), by_name)  # noqa: E711
    chosen = np.where(by_case == None, by_name, by_case)  # noqa: E711
    exact = mask(pc.is_in(values, value_set=pa.array(list(choices), type=values.type)))
    capitals = (by_case != None) & ~exact  # noqa: E711
    azerbaijani = (by_case == None) & (by_name != None)  # noqa: E711
    return chosen, capitals, azerbaijani


def read_yes_no(lower: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Azerbaijani yes/no among lower-cased distinct values: (is yes, is no), a lost ``ə``
    written ``?`` read as ``ə``."""
    lost = pc.replace_substring(pc.replace_substring(lower, "ı", "i"), "?", "ə")
    yes = mask(pc.is_in(lost, value_set=pa.array(AZERBAIJANI_YES, type=lower.type)))
    no = mask(pc.is_in(lost, value_set=pa.array(AZERBAIJANI_NO, type=lower.type)))
    return yes, no


def read_decimal_comma(values: pa.Array, counts: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers with a decimal comma among distinct values.

    Parameters
    ----------
    values : pyarrow.Array
        Distinct trimmed values of one column.
    counts : numpy.ndarray
        How many cells hold each value (a value no cell holds is no evidence).

    Returns
    -------
    number : numpy.ndarray of float
        The number read (NaN where not read).
    read, ambiguous : numpy.ndarray of bool
        Read with a decimal comma; could be a decimal or a thousands separator (``1,234``)
        and the column does not tell which, so it is refused.

    Examples
    --------
    >>> n, read, amb = read_decimal_comma(pa.array(["52,5", "1,234", "7"]), np.ones(3))
    >>> n.tolist()[:2], read.tolist(), amb.tolist()
    ([52.5, 1.234], [True, True, False], [False, False, False])
    >>> n, read, amb = read_decimal_comma(pa.array(["1,234", "40.5"]), np.ones(2))
    >>> read.tolist(), amb.tolist()
    ([False, False], [True, False])
    """
    comma = mask(pc.match_substring_regex(values, _COMMA))
    thousands = mask(pc.match_substring_regex(values, _THOUSANDS))
    present = counts > 0
    sure = comma & ~thousands
    decided = bool((sure & present).any()) and not bool(
        (mask(pc.match_substring_regex(values, _POINT)) & present).any())
    read = sure | (thousands & decided)
    text = pc.replace_substring(values, ",", ".")
    number = pc.fill_null(pc.cast(pc.if_else(pa.array(read), text, pa.scalar(None, text.type)),
                                  pa.float64()), np.nan).to_numpy(zero_copy_only=False)
    return number, read, thousands & ~read


def read_dotted_date(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Dates written day.month.year among distinct values: (day, read), ``day`` as
    ``datetime64[D]`` (NaT where not read). A day that does not exist (31.02.2025) is not read.

    >>> day, read = read_dotted_date(pa.array(["01.03.2025", "1.3.2025", "31.02.2025"]))
    >>> [str(d) for d in day], read.tolist()
    (['2025-03-01', '2025-03-01', 'NaT'], [True, True, False])
    """
    parts = pc.extract_regex(values, _DOTTED_DATE)
    d, m, y = (pc.cast(pc.struct_field(parts, i), pa.int32()) for i in range(3))
    text = pc.binary_join_element_wise(pc.cast(y, pa.string()), pc.cast(m, pa.string()),
                                       pc.cast(d, pa.string()), "-")
    stamp = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    same = pc.and_(pc.and_(pc.equal(pc.day(stamp), d), pc.equal(pc.month(stamp), m)),
                   pc.equal(pc.year(stamp), y))  # strptime rolls 31.02 over to 03.03
    read = mask(same)
    seconds = pc.fill_null(pc.cast(stamp, pa.int64()), 0).to_numpy(zero_copy_only=False)
    day = seconds.astype("datetime64[s]").astype("datetime64[D]")
    return np.where(read, day, np.datetime64("NaT")), read


__all__ = ["AZERBAIJANI", "AZERBAIJANI_NO", "AZERBAIJANI_YES", "fold", "read_choice",
           "read_decimal_comma", "read_dotted_date", "read_yes_no"]
