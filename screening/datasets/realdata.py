"""Reality checks against public data nobody on the team wrote (read in place, never copied).

The folder is ``$SCREENING_EXTERNAL_DATA``, else ``<repository root>/../shared/external-data``
(origin and licence in each SOURCE.md); when it is absent every function raises
:class:`ExternalDataMissing`: "External data folder not found at ...; nothing to check."

CTDC synthetic victim records -> the upload format (:func:`ctdc_as_upload`)
    Each record is ONE interviewed worker (``W1``) at its own one-worker visit (``visit_id`` =
    ``site_id`` = ``ctdc-<record number>``), with the contract dtypes. The codebook (v2024)
    codes a binary field 1 or NULL and the subset set NULL to 0, so **0 means "not recorded"
    and becomes unknown, never false**; 1 becomes true (false for a negated answer):

    - meansDebtBondageEarnings (debt bondage and/or earnings taken, merged) ->
      ``owes_debt_to_employer``. Both halves are ICLS coercion (CO3, CO4), so the ICLS result
      does not depend on which was recorded; ``wage_arrears_months`` stays unknown (no months
      recorded; writing both would count one fact in ILO-FL08 and FL09).
    - meansThreats (to person or family, use of children, law enforcement) -> ``threatened``.
    - meansAbusePsyPhySex (psychological, physical and/or sexual abuse, merged) ->
      ``experienced_violence``; overstated (ILO-FL05, urgent floor) where the abuse was only
      psychological, which the field cannot tell.
    - meansFalsePromises (tricked in by false pretences) -> ``deceived_about_job``.
    - meansExcessiveWorkHours (far more hours than contracted or promised) ->
      ``forced_overtime`` (ICLS IV3); ``weekly_hours`` stays unknown.
    - meansWithholdDocs (passport, permit, ID) -> ``holds_own_documents`` false.
    - meansDenyBasicNeeds (restricts finances, movement, medical care and/or necessities,
      merged) -> the visit's ``accommodation_substandard`` (ILO FL10; three of its four parts
      are living conditions). ``free_to_leave_premises`` stays unknown, so a merged field never
      makes the ICLS test positive on its own. meansDrugsAlcohol has no upload column.
    - Age band at registration 0-8 or 9-17 -> the visit's ``minors_present`` = 1; other bands
      leave it unknown (an adult at registration may have been a minor when exploited).
    - typeOfLabour* (raw releases only; the subset dropped them): agriculture, construction;
      domestic work and hospitality -> services with that subsector; first flag wins. With no
      flag, sector and subsector stay unknown and the record stays in (no group shrinks; the
      SEC-* variants need site facts CTDC lacks anyway).

    Never features: the labels ``isForcedLabour``, ``isSexualExploit`` (returned apart; 0 is a
    real "no" there, as the subset kept records with some exploitation type), gender (``sex``
    stays unknown: the one-hot columns cannot tell a man from a missing gender), citizenship,
    recruiter relation, trafficking duration. ``workers_present`` is 1, ``inspector_id``
    "CTDC", ``region`` the country of exploitation if given; the date and the required counts
    stay unknown rather than invented (the loaders would reject such a row: these frames are
    for the engine, which reads unknown as unknown).

Brazil's register of employers (:func:`brazil_sector_profile`)
    Every row is a confirmed slave-labour finding. CNAE codes are parsed as published, with two
    repairs seen in the 2023-03 file: read as a date (``02/07/2342`` -> 2342-7/02) and a lost
    leading zero (``134-2/00`` -> 0134-2/00); ``setor_derivado`` is wrong there and not used.
    :data:`CNAE_MAP` (longest prefix first), then :data:`CNAE_DIVISIONS`, give the upload's
    sector, a subsector and a profile: forestry, charcoal and fishing count as agriculture
    (ISIC A); mining, manufacturing and utilities are "outside" the three sectors. A catalogue
    sector variant (site indicator with ``sectors``, id ``SEC-*``) covers a finding whose sector
    it lists and, where its rule names subsectors, whose subsector it names.

The module is just over 400 lines: the two adapters share the mapping onto the upload contract
and the catalogue's checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from indicators import TIER_ORDER
from screening.errors import ScreeningError, UsageError
from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS, ColumnSpec, Kind
from screening.rules.catalogue import load_catalogue
from screening.rules.engine import ICLS_POSITIVE, ICLS_UNKNOWN, RuleEngine
from screening.settings import PROJECT_ROOT, load_settings

ENV_VAR = "SCREENING_EXTERNAL_DATA"
REPO_ROOT = PROJECT_ROOT
CTDC_FOLDER, CTDC_FILES = "ctdc-synthetic-v2025-north-america", "ctdc*.csv"
BRAZIL_FOLDER, BRAZIL_FILES = "brazil-cadastro-empregadores", "cadastro_empregadores_*.csv"


class ExternalDataMissing(ScreeningError, FileNotFoundError):
    """The external data folder (or the file asked for) is not there: nothing to check."""


def _default_dir(base: str | Path | None = None) -> Path:
    root = Path(base if base is not None else REPO_ROOT)
    configured = load_settings().external_data
    return Path(configured) if configured else root.parent / "shared" / "external-data"


def external_data_dir(base: str | Path | None = None) -> Path | None:
    """The external data folder, or None when it is absent.

    Parameters
    ----------
    base : path, optional
        The repository root the default ``<root>/../shared/external-data`` is taken from (this
        checkout by default). ``$SCREENING_EXTERNAL_DATA``, when set, wins.
    """
    return _default_dir(base) if _default_dir(base).is_dir() else None


def missing_message(base: str | Path | None = None) -> str:
    """The sentence said when the folder is absent (``base`` as in :func:`external_data_dir`)."""
    return f"External data folder not found at {_default_dir(base)}; nothing to check."


def _files(path: str | Path | None, folder: str, pattern: str) -> list[Path]:
    """The files to read: ``path`` itself, or ``pattern`` in ``path``/``folder`` or ``path``."""
    root = Path(path) if path is not None else _default_dir()
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise ExternalDataMissing(f"External data folder not found at {root}; nothing to check.")
    for where in (root / folder, root):
        if found := sorted(where.glob(pattern)):
            return found
    raise ExternalDataMissing(f"No {pattern} is in {root / folder} or {root}; nothing to check.")


def _key(name: str) -> str:
    """Normalised column name: 'Means Abuse' and 'meansAbusePsyPhySex' give one key."""
    key = re.sub(r"[^a-z0-9]", "", name.lower()).replace("sectoroflabour", "typeoflabour")
    return {"meansabuse": "meansabusepsyphysex", "meanswithholddocuments": "meanswithholddocs",
            "ageband": "agebroad", "countryofexploitation": "region"}.get(key, key)  # fmt: skip


#: CTDC means-of-control field -> (upload table, column, value written where the field is 1).
CTDC_MEANS: dict[str, tuple[str, str, bool]] = {
    "meansDebtBondageEarnings": ("interviews", "owes_debt_to_employer", True),
    "meansThreats": ("interviews", "threatened", True),
    "meansAbusePsyPhySex": ("interviews", "experienced_violence", True),
    "meansFalsePromises": ("interviews", "deceived_about_job", True),
    "meansExcessiveWorkHours": ("interviews", "forced_overtime", True),
    "meansWithholdDocs": ("interviews", "holds_own_documents", False),
    "meansDenyBasicNeeds": ("visits", "accommodation_substandard", True),
}
#: typeOfLabour flag -> (sector, subsector); the first flag set wins.
CTDC_SECTORS: tuple[tuple[str, str, str | None], ...] = (
    ("typeOfLabourAgriculture", "agriculture", None), ("typeOfLabourConstruction", "construction",
    None), ("typeOfLabourDomesticWork", "services", "domestic work"),
    ("typeOfLabourHospitality", "services", "hospitality"))  # fmt: skip
FL_ONLY, FL_AND_SEX = "forced labour only", "forced labour and sexual exploitation"
SEX_ONLY, OTHER = "sexual exploitation only", "other exploitation (neither flag)"
_DTYPES = {Kind.TEXT: "str", Kind.CHOICE: "str", Kind.INT: "Int64", Kind.NUMBER: "float64",
           Kind.BOOL: "boolean", Kind.DATE: "datetime64[ns]"}  # fmt: skip


def _typed(specs: list[ColumnSpec], values: dict[str, object], n: int) -> pd.DataFrame:
    """A frame in contract column order and dtypes; columns not in ``values`` all unknown."""
    empty = {k: pd.array([None] * n, dtype=t) for k, t in _DTYPES.items()}
    return pd.DataFrame({s.name: pd.Series(values.get(s.name, empty[s.kind]), dtype=_DTYPES[s.kind])
                         for s in specs})  # fmt: skip


def _is_one(column: np.ndarray) -> np.ndarray:
    return pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").to_numpy() == 1


def ctdc_as_upload(
    path: str | Path | None = None, *, max_records: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """CTDC victim records as (visits, interviews, labels), one worker per visit.

    Parameters
    ----------
    path : path, optional
        The CTDC CSV, or a folder holding it (default: the external data folder).
    max_records : int, optional
        Keep this many records, evenly spaced through the file (for quick runs).

    Returns
    -------
    visits, interviews, labels : DataFrame
        The upload tables with the contract dtypes (mapping in the module docstring), and
        ``visit_id``, ``is_forced_labour``, ``is_sexual_exploit`` (boolean), ``group`` and
        ``means_recorded`` (how many mapped means-of-control fields are 1): never features.
    """
    file = _files(path, CTDC_FOLDER, CTDC_FILES)[0]
    raw = pd.read_csv(file, dtype=str, keep_default_na=False)
    if max_records is not None and max_records < len(raw):
        raw = raw.iloc[np.unique(np.linspace(0, len(raw) - 1, max_records).round().astype(int))]
    cols = {_key(c): raw[c].str.strip().to_numpy(dtype=object) for c in raw.columns}
    found = [m for m in CTDC_MEANS if _key(m) in cols]
    if not found or "isforcedlabour" not in cols:
        raise UsageError(f"{file} is not a CTDC victim file: it needs isForcedLabour and the "
                         "means-of-control columns (e.g. meansThreats or 'Means Threats').")
    n, tables = len(raw), {"visits": {}, "interviews": {}}
    blank = np.full(n, "", dtype=object)
    ids = np.array([f"ctdc-{i + 1:06d}" for i in raw.index], dtype=object)
    recorded = np.zeros(n, dtype=np.int64)
    for field in found:
        table, column, value = CTDC_MEANS[field]
        one = _is_one(cols[_key(field)])
        recorded += one
        tables[table][column] = pd.arrays.BooleanArray(np.full(n, value), ~one)
    sector, subsector = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    for flag, name, sub in reversed(CTDC_SECTORS):  # reversed: the first flag set wins
        hit = _is_one(cols.get(_key(flag), blank))
        sector[hit], subsector[hit] = name, sub
    age = pd.Series(cols.get("agebroad", blank), dtype="str")
    minor = (age.isin(["1", "2"]) | age.str.match(r"^(0|9)\D+(8|17)$")).to_numpy()
    tables["visits"].update(
        visit_id=ids, site_id=ids, inspector_id=np.full(n, "CTDC", dtype=object),
        region=np.where(cols.get("region", blank) == "", None, cols.get("region", blank)),
        sector=sector, subsector=subsector, workers_present=np.ones(n, dtype=np.int64),
        minors_present=pd.array(np.where(minor, 1, None), dtype="Int64"),
    )  # fmt: skip
    tables["interviews"].update(visit_id=ids, worker_ref=np.full(n, "W1", dtype=object))
    fl, sx = (cols.get(k, blank) for k in ("isforcedlabour", "issexualexploit"))
    labels = pd.DataFrame({
        "visit_id": pd.Series(ids, dtype="str"),
        "is_forced_labour": pd.arrays.BooleanArray(fl == "1", ~np.isin(fl, ["0", "1"])),
        "is_sexual_exploit": pd.arrays.BooleanArray(sx == "1", ~np.isin(sx, ["0", "1"])),
        "group": pd.Series(np.select([(fl == "1") & (sx == "1"), fl == "1", sx == "1"],
                                     [FL_AND_SEX, FL_ONLY, SEX_ONLY], OTHER), dtype="str"),
        "means_recorded": recorded,
    })  # fmt: skip
    visits = _typed(VISIT_COLUMNS, tables["visits"], n)
    return visits, _typed(INTERVIEW_COLUMNS, tables["interviews"], n), labels


def ctdc_report(path: str | Path | None = None, *, max_records: int | None = None) -> pd.DataFrame:
    """Run the rule engine on the CTDC records and compare forced-labour victims with others.

    One row per group (forced labour, its two parts, sexual exploitation only, other, all):
    ``records``; the shares with no mapped means recorded, with an ICLS-positive worker, with
    the ICLS result unknown, with at least one fired indicator and in each tier; and the 10
    most frequent fired indicators with their shares. :func:`as_text` prints it.
    """
    visits, interviews, labels = ctdc_as_upload(path, max_records=max_records)
    result = RuleEngine().run(visits, interviews)
    icls = np.asarray(result.workers["icls"], dtype=object)  # one interview per visit, in order
    fired, tier = result.fired.to_numpy(), np.asarray(result.tier, dtype=object)
    ids = result.fired.columns
    group, none = labels["group"].to_numpy(dtype=object), labels["means_recorded"].to_numpy() == 0
    masks = {"forced labour (all)": np.isin(group, [FL_ONLY, FL_AND_SEX]),
             f"  {FL_ONLY}": group == FL_ONLY, f"  {FL_AND_SEX}": group == FL_AND_SEX,
             SEX_ONLY: group == SEX_ONLY, OTHER: group == OTHER, "all records": group == group}
    rows = []
    for name, mask in masks.items():
        size, counts = max(int(mask.sum()), 1), fired[mask].sum(axis=0)
        top = [j for j in np.argsort(-counts, kind="stable")[:10] if counts[j] > 0]
        share = {"no means recorded": none[mask], "ICLS positive": icls[mask] == ICLS_POSITIVE,
                 "ICLS unknown": icls[mask] == ICLS_UNKNOWN,
                 "any indicator": fired[mask].any(axis=1),
                 **{t: tier[mask] == t for t in TIER_ORDER[::-1]}}  # fmt: skip
        rows.append({"group": name, "records": int(mask.sum()),
                     **{k: float(v.sum()) / size for k, v in share.items()}, "top indicators":
                     "; ".join(f"{ids[j]} {100 * counts[j] / size:.1f}%" for j in top)})
    report = pd.DataFrame(rows)
    report.attrs.update(
        title=f"CTDC synthetic victim records through the rule engine ({len(visits):,} records)",
        percent=[c for c in report.columns if c not in ("group", "records", "top indicators")],
        long=["top indicators"], notes=["Source: Counter-Trafficking Data Collaborative (CTDC). "
        "A record with no means recorded can only fire LAW-MINORS; 0 was read as unknown."])
    return report


HARVEST, LIVESTOCK = "agriculture: harvest work", "agriculture: livestock"
FORESTRY, FV = "agriculture: forestry and charcoal", "fruit and vegetable harvest"
CLEANING = "services: cleaning and car wash"
#: CNAE 2.x prefix (digits of class, check digit, subclass) -> (sector, subsector, profile).
CNAE_MAP: dict[str, tuple[str, str, str]] = {
    **{p: ("agriculture", sub, HARVEST) for p, sub in (
        ("0112", "cotton harvest"), ("0113", "sugarcane harvest"), ("011", "field crop harvest"),
        *((f"011990{d}", FV) for d in "12478"),  # pineapple, garlic, onion, melon, watermelon
        ("0121", FV), ("0131", FV), ("0132", FV), ("0133", FV), ("0122", "flower growing"),
        ("0134", "coffee harvest"), ("0135", "cocoa harvest"), ("013", "permanent crop harvest"),
        ("014", "seed and seedling production"), ("0161", "harvest services"),
        ("0163", "post-harvest work"))},
    **{p: ("agriculture", "livestock", LIVESTOCK) for p in ("015", "0162")},
    **{p: ("agriculture", "charcoal production", FORESTRY) for p in ("0210108", "0220902")},
    "4211": ("construction", "road construction", "construction"),
    "4520005": ("services", "car wash", CLEANING), "812": ("services", "cleaning", CLEANING),
}  # fmt: skip
#: Fallback per CNAE division range: (first, last, sector, subsector, profile); first match.
CNAE_DIVISIONS: tuple[tuple[int, int, str, str, str], ...] = (
    (1, 1, "agriculture", "other agriculture", "agriculture: other"),
    (2, 2, "agriculture", "forestry", FORESTRY),
    (3, 3, "agriculture", "fishing and aquaculture", "agriculture: fishing and aquaculture"),
    *((d, d, "construction", s, "construction") for d, s in ((41, "building construction"),
        (42, "infrastructure construction"), (43, "specialised construction work"))),
    (97, 97, "services", "domestic work", "services: domestic work"),
    (55, 56, "services", "hospitality", "services: hospitality"),
    (45, 99, "services", "other services", "services: other"),
    *((a, b, "outside", s, f"outside: {s}") for a, b, s in ((5, 9, "mining and quarrying"),
        (10, 33, "manufacturing"), (35, 39, "utilities and waste"))),
)  # fmt: skip
UNKNOWN_CNAE, SECTOR_ORDER = ("unknown", "", "CNAE not recorded"), ("agriculture",
                              "construction", "services", "outside", "unknown")  # fmt: skip
_CNAE_FORMS = (  # pattern, groups giving class / check digit / subclass, padding
    (re.compile(r"^(\d{4})-?(\d)/?(\d{2})$"), (1, 2, 3), ""),  # 0134-2/00 as published
    (re.compile(r"^(\d{3})-(\d)/(\d{2})$"), (1, 2, 3), "0"),  # 134-2/00: leading zero lost
    (re.compile(r"^(\d{2})/0?(\d)/(\d{4})$"), (3, 2, 1), ""),  # 02/07/2342: read as a date
)


def parse_cnae(code: object) -> str | None:
    """The 7 digits of a published CNAE code (class, check digit, subclass), repaired.

    >>> parse_cnae("0134-2/00"), parse_cnae("134-2/00"), parse_cnae("02/07/2342"), parse_cnae("")
    ('0134200', '0134200', '2342702', None)
    """
    text = code.strip() if isinstance(code, str) else ""
    for pattern, order, pad in _CNAE_FORMS:
        if match := pattern.match(text):
            return pad + "".join(match.group(i) for i in order)
    return None


def map_cnae(code: object) -> tuple[str, str, str]:
    """(sector, subsector, profile) of a published CNAE code; sector "outside" is none of three.

    >>> map_cnae("0134-2/00")
    ('agriculture', 'coffee harvest', 'agriculture: harvest work')
    >>> map_cnae("9700-5/00")[2], map_cnae("2342-7/02")[0], map_cnae("")[0]
    ('services: domestic work', 'outside', 'unknown')
    """
    digits = parse_cnae(code)
    if digits is None:
        return UNKNOWN_CNAE
    for prefix in sorted(CNAE_MAP, key=len, reverse=True):
        if digits.startswith(prefix):
            return CNAE_MAP[prefix]
    division = int(digits[:2])
    match = next((d for d in CNAE_DIVISIONS if d[0] <= division <= d[1]), None)
    return UNKNOWN_CNAE if match is None else (match[2], match[3], match[4])


def sector_variants() -> dict[str, tuple[frozenset[str], frozenset[str] | None]]:
    """Catalogue sector variants: id -> (sectors, subsectors its rule names, or None)."""
    out = {}
    for ind in load_catalogue().site:
        if ind.id.startswith("SEC-") and ind.spec.sectors:
            named = re.findall(r"subsector\s*(?:==\s*'[^']*'|in\s*\([^)]*\))", ind.spec.rule)
            subs = frozenset(s.strip().lower() for n in named for s in re.findall(r"'([^']*)'", n))
            out[ind.id] = (frozenset(ind.spec.sectors), subs if named else None)
    return out


def brazil_sector_profile(path: str | Path | None = None) -> pd.DataFrame:
    """Findings and workers per mapped sector profile of Brazil's register of employers.

    Rows per profile, then "all findings": ``findings`` (register rows), ``share``, ``workers``
    (``trabalhadores_envolvidos``), findings per snapshot, ``rural address`` (share naming a
    fazenda, sítio, chácara or zona rural), top subsectors and the covering SEC-* ``variants``
    (with the share covered when partial). ``attrs["outside_share"]``: outside the 3 sectors.
    """
    data = pd.concat([
        pd.read_csv(f, dtype=str, keep_default_na=False).assign(
            snapshot=(re.findall(r"\d{4}-\d{2}", f.name) or [f.stem])[0])
        for f in _files(path, BRAZIL_FOLDER, BRAZIL_FILES)], ignore_index=True)  # fmt: skip
    mapped = pd.DataFrame([map_cnae(c) for c in data["cnae"]], dtype="str")
    data["sector"], data["sub"], data["profile"] = mapped[0], mapped[1], mapped[2]
    data["workers"] = pd.to_numeric(data["trabalhadores_envolvidos"], errors="coerce").fillna(0)
    data["rural"] = data["estabelecimento"].str.contains(r"zona rural|fazenda|s[ií]tio|ch[aá]cara",
                                                         case=False)  # fmt: skip
    variants = sector_variants()
    for vid, (sectors, subs) in variants.items():
        named = True if subs is None else data["sub"].str.lower().isin(subs)
        data[vid] = data["sector"].isin(sectors) & named
    snapshots = sorted(data["snapshot"].unique())
    order = data.groupby("profile")["sector"].agg(lambda x: SECTOR_ORDER.index(x.iloc[0]))
    names = sorted(order.index, key=lambda p: (order[p], -(data["profile"] == p).sum(), p))
    parts = [(p, data[data["profile"] == p]) for p in names] + [("all findings", data)]
    rows = [{
        "profile": name, "sector": part["sector"].iloc[0] if name in names else "",
        "findings": len(part), "share": len(part) / len(data),
        "workers": int(part["workers"].sum()),
        **{f"findings {s}": int((part["snapshot"] == s).sum()) for s in snapshots},
        "rural address": float(part["rural"].mean()),
        "top subsectors": ", ".join(f"{k} {v}" for k, v in part["sub"].value_counts().head(3)
                                    .items() if k and name in names),
        "variants": ", ".join(v if part[v].all() else f"{v} ({part[v].mean():.0%})"
                              for v in variants if part[v].any() and name in names),
    } for name, part in parts if len(part)]  # fmt: skip
    profile, outside = pd.DataFrame(rows), data["sector"] == "outside"
    published = data["cnae"].str.strip().str.match(r"^\d{4}-\d/\d{2}$")
    repaired = int((~published & data["cnae"].map(parse_cnae).notna()).sum())
    profile.attrs.update(
        title=f"Brazil register of employers (lista suja), {' and '.join(snapshots)}: "
        "findings per mapped sector and the catalogue's sector variants",
        percent=["share", "rural address"], long=["variants"],
        outside_share=float(outside.mean()), notes=[
            f"{outside.sum()} of {len(data)} findings ({outside.mean():.1%}) and "
            f"{int(data.loc[outside, 'workers'].sum())} of {int(data['workers'].sum())} workers "
            "fall outside the three sectors the upload format knows (construction, agriculture, "
            "services).",
            *(f"In {s}: {outside[data['snapshot'] == s].mean():.1%} of findings are outside the "
              "three sectors." for s in snapshots),
            f"{repaired} CNAE codes were repaired (read as dates or missing a leading zero).",
        ],
    )  # fmt: skip
    return profile


def as_text(frame: pd.DataFrame) -> str:
    """The printable text form of a report: title, table, long columns, then notes."""
    shown = frame.drop(columns=frame.attrs.get("long", []))
    for name in frame.attrs.get("percent", []):
        shown[name] = frame[name].map(lambda x: f"{100 * x:.1f}%")
    lines = [frame.attrs.get("title", ""), shown.to_string(index=False), ""]
    for name in frame.attrs.get("long", []):
        lines += [f"{name}:", *(f"  {r.iloc[0].strip()}: {r[name]}"
                                for _, r in frame.iterrows() if r[name])]
    return "\n".join([*lines, "", *frame.attrs.get("notes", [])])
