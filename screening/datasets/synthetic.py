"""Synthetic visits, interviews and hidden true outcomes, for tests, benchmarks and demos.

(Over 400 lines because this docstring lists every assumption with its figure, next to the
code that draws it.)

Everything is drawn with vectorised numpy from one ``numpy.random.Generator`` seeded by
``seed``, so a ``(n_visits, seed, options)`` triple always gives the same frames; 1,000,000
visits and about 3,000,000 interviews take a few seconds. The numbers below are assumptions,
not estimates; a figure taken from ``research/indicators.md`` (RI) or the context paragraph of
``DESIGN.md`` is cited. Outcome columns below read (clean, labour violation, forced labour).

Sites and visits
    ``round(n_visits / 2.5)`` sites, each visited at least once; a site keeps its sector,
    subsector, region, employer (10-digit tax number; 0.6 employers per site), intermediary,
    workforce size and latent risk on every visit. Sectors: construction 35 %, agriculture
    30 %, services 35 %; subsector shares in ``_SUBSECTORS``. Sites are drawn among
    Azerbaijani cities and districts (``_REGION_WEIGHTS``): construction mostly in Baku,
    Sumgayit and Absheron, where the monitoring centre's mobile group visited 226 sites (RI
    §5); agriculture in Aran, Lankaran, Shaki, Guba, Mil-Mugan. A visit's region is the
    economic region of its place (Baku, Absheron-Khizi, Central Aran, ...: the regions an
    upload is checked against). Visit dates uniform over ``days`` from ``start``; ten
    inspectors per place; visits are not sorted.
Latent risk and outcomes
    A site is a forced-labour site with probability ``prevalence / 0.9`` times its subsector's
    relative risk (normalised to mean 1; clipped at 1, so a very high ``prevalence`` is only
    approximate), and forced labour is found on 90 % of its visits (the rest: labour violation,
    e.g. the season ended). Relative risk: agriculture about 2.6 (cotton 3.5, fruit and
    vegetable harvest 3.0), construction 1.0, services 0.7 with domestic work 2.5: all 3 cases
    the inspectorate detected were in agriculture (DESIGN.md); debt bondage is over 70 % in
    agriculture and domestic work (RI §3, 2016 estimates). Other sites have a violation
    propensity ~ Beta(3m, 3(1-m)), m = 0.40, 0.35, 0.28 by sector: about 35 % of visits are
    ``labour_violation``. The follow-up decides 14..120 days after the visit.
Counts
    Workers present: Poisson around a lognormal site size (median 1 for domestic work to 40
    for cotton harvest), at least 1; 1 % of clean visits find nobody. Any worker without
    contract on 75/60/45 % of labour-violation visits (construction/agriculture/services) and
    85 % of forced-labour visits, share ~ Beta with mean 0.4 (0.6 forced) (DESIGN.md: 56
    people without contracts on 25 construction sites); on 3 % of clean visits one worker, as
    the e-contract may be registered a working day after signing (RI §5). Foreign workforce
    at 35/12/15 % of sites (x1.6 at forced-labour sites), mean share 0.4; permits missing on
    0/40/70 % of visits by outcome. Minors on 1.5/6/3 % of visits by sector, x1.5 with a
    violation and x3 with forced labour (DESIGN.md: 450 children working outside the family).
    Weekly hours ~ Normal(42/50/62, 5) + 4 for harvests and + 12 for domestic work ("on call
    24 hours", RI §4). Wage arrears on 0/35/60 % of visits, exponential with mean 1/2/4 months.
Site-level signs, P(true) by outcome (no sign is certain; RI §3 rates where given)
    below_minimum_wage .01/.25/.60; employer_holds_documents .01/.06/.55;
    recruitment_fees_charged .02/.12/.55; debt_to_employer .01/.05/.50 (debt bondage 51 %);
    premises_locked_or_guarded .02/.04/.40; threats_reported .005/.05/.35 (threats of
    violence 17 % + against family 12 %); violence_observed .002/.01/.20 (physical violence
    16 %); shared_worker_details .005/.03/.30; wage_records_available .92/.55/.15.
    Sector base rate b (construction/agriculture/services) with outcome uplift u,
    p = 1 - (1 - b)(1 - u): living_on_site b .20/.35/.08 (domestic work .90, RI §4), u
    0/.05/.60; remote_location b .08/.25/.02, u 0/.02/.35; hazardous_work b .12/.08/.03, u
    0/.25/.40. accommodation_substandard only where living on site: .10/.35/.70.
Intermediaries
    Present at 25/20/10 % of sites by sector and 60 % of forced-labour sites; one agency per
    20 sites, 80 % registered; forced-labour sites pick an unregistered one 70 % of the time
    (worker-paid fees drive debt bondage, RI §4 Verité).
Interviews
    15 % of visits have none; the others 1 + Poisson(lambda - 1), capped by workers present,
    lambda set so the mean over all visits is close to ``interviews_per_visit``. At a
    forced-labour visit a share ~ Beta(3, 2) (mean 60 %) of workers are victims; half of them
    (``DENIAL_RATE``) deny and answer like ordinary workers at a violating site. Reporting
    victims answer yes with RI §3 rates: forced_overtime .51 (longer hours than agreed 51 %),
    deceived_about_job .43 (different tasks 43 %), owes_debt_to_employer .51, threatened .29,
    experienced_violence .16, wage arrears .24 (wages withheld 24 %; .70 where the site has
    arrears), paid_recruitment_fee .50; not free_to_leave_job .30, not free_to_leave_premises
    .35 and not holds_own_documents .40 are assumptions. Each reporter then gets at least one
    involuntariness and one coercion item (the ICLS 2018 test, RI §3), has no written contract
    with probability .70 and works 8 more hours if overtime is forced. Ordinary workers say yes
    to an ICLS item with probability .001-.02 (``_IV``, ``_CO``), so ICLS-positive workers at
    ordinary sites are rare; they report arrears half the time where the site has arrears.
    Sex by subsector female share (construction 3-5 %, domestic work 90 %) plus 0.2 % other;
    adults 18 + Gamma(2.2, 9) capped at 75; interviewed minors (share minors/workers) are
    15..17 at clean sites, 12..17 in agriculture, 14..17 elsewhere. The remaining ICLS items
    (issue 9) are assumptions: deceived_about_pay .30, recruited_through_transaction .05,
    hazardous_without_consent .25, very_low_or_no_wages .40, degrading_living_conditions .30,
    other_employer_than_agreed .25 (different employer 25 %), longer_than_agreed .51 (longer
    hours or overtime than agreed 51 %), denied_rights_or_threatened_deportation .20; the
    worker's hazardous_work .03/.12/.40.
Unknowns
    Every optional cell is unknown (NaN / <NA>) with probability ``unknown_rate``;
    ``intermediary_registered`` is also unknown wherever ``intermediary_id`` is. At
    ``OLD_SHEET_RATE`` (30 %) of visits the inspector used the old interview sheet: the
    columns added in issue 9 (:data:`NEW_INTERVIEW_ITEMS`) are unknown for all its workers.
    Half of the visits have notes, short templates matching the outcome.

The module is over 400 lines on purpose: every assumption of the generator sits next to the
figure behind it, and the whole generative story reads top to bottom in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from screening.errors import UsageError
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOMES, SECTORS, VISIT_COLUMNS, Kind

_PLACES: tuple[str, ...] = (
    "Baku", "Sumgayit", "Absheron", "Ganja", "Lankaran", "Shaki", "Guba", "Mingachevir",
    "Shirvan", "Shamakhi", "Quba-Khachmaz", "Aran", "Shaki-Zagatala", "Lankaran-Astara",
    "Mil-Mugan", "Ganja-Dashkasan",
)  # fmt: skip
"""The places the sites are drawn among (weights in ``_REGION_WEIGHTS``, inspectors per
place); a visit's region is the economic region a place is in (:data:`REGIONS`)."""
_ECONOMIC_REGION = {
    "Sumgayit": "Absheron-Khizi", "Absheron": "Absheron-Khizi", "Ganja": "Ganja-Dashkasan",
    "Lankaran": "Lankaran-Astara", "Shaki": "Shaki-Zagatala", "Guba": "Guba-Khachmaz",
    "Mingachevir": "Central Aran", "Shirvan": "Shirvan-Salyan", "Shamakhi": "Mountainous Shirvan",
    "Quba-Khachmaz": "Guba-Khachmaz", "Aran": "Central Aran", "Mil-Mugan": "Mil-Mughan",
}  # fmt: skip
REGIONS: tuple[str, ...] = tuple(_ECONOMIC_REGION.get(p, p) for p in _PLACES)
"""The region of each place: Azerbaijan's economic regions, as an upload names them
(``SCREENING_REGIONS``; several places share one)."""
_REGION_WEIGHTS = np.array([  # rows follow SECTORS
    [30, 10, 12, 6, 3, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 2],
    [1, 1, 4, 4, 8, 7, 6, 3, 6, 5, 8, 12, 9, 9, 9, 6],
    [35, 8, 8, 8, 4, 4, 3, 4, 3, 3, 3, 4, 4, 3, 3, 3],
], dtype=float)  # fmt: skip
SECTOR_SHARES: tuple[float, ...] = (0.35, 0.30, 0.35)
# sector, subsector, share within sector, relative forced-labour risk, female share,
# median workforce, weekly-hours offset
_SUBSECTORS = (
    ("construction", "residential construction", 0.50, 1.0, 0.03, 25, 0),
    ("construction", "road construction", 0.20, 1.2, 0.03, 40, 0),
    ("construction", "commercial construction", 0.30, 0.8, 0.05, 30, 0),
    ("agriculture", "cotton harvest", 0.25, 3.5, 0.55, 40, 4),
    ("agriculture", "fruit and vegetable harvest", 0.35, 3.0, 0.45, 30, 4),
    ("agriculture", "livestock", 0.20, 2.0, 0.25, 8, 0),
    ("agriculture", "greenhouse", 0.20, 1.5, 0.50, 15, 0),
    ("services", "hospitality", 0.30, 0.6, 0.45, 12, 0),
    ("services", "domestic work", 0.10, 2.5, 0.90, 1, 12),
    ("services", "cleaning", 0.20, 0.6, 0.70, 8, 0),
    ("services", "car wash", 0.15, 0.8, 0.05, 5, 0),
    ("services", "retail", 0.25, 0.2, 0.50, 6, 0),
)
_SUB_NAMES: tuple[str, ...] = tuple(row[1] for row in _SUBSECTORS)
SUBSECTORS: dict[str, tuple[str, ...]] = {
    s: tuple(row[1] for row in _SUBSECTORS if row[0] == s) for s in SECTORS
}
FL_PERSISTENCE = 0.9  # share of a forced-labour site's visits that find forced labour
DENIAL_RATE = 0.5  # share of victims who answer like ordinary workers
NO_INTERVIEW_RATE = 0.15
# per sector (construction, agriculture, services)
_SECTOR = {
    "violation": (0.40, 0.35, 0.28),
    "informal": (0.75, 0.60, 0.45),
    "foreign_site": (0.35, 0.12, 0.15),
    "intermediary": (0.25, 0.20, 0.10),
    "minors": (0.015, 0.06, 0.03),
}
# sector base rate and forced-labour uplift (clean, violation, forced)
_BASE = {
    "living_on_site": ((0.20, 0.35, 0.08), (0.0, 0.05, 0.60)),
    "remote_location": ((0.08, 0.25, 0.02), (0.0, 0.02, 0.35)),
    "hazardous_work": ((0.12, 0.08, 0.03), (0.0, 0.25, 0.40)),
}
_SIGNS = {  # P(true | clean, violation, forced)
    "below_minimum_wage": (0.01, 0.25, 0.60),
    "employer_holds_documents": (0.01, 0.06, 0.55),
    "recruitment_fees_charged": (0.02, 0.12, 0.55),
    "debt_to_employer": (0.01, 0.05, 0.50),
    "premises_locked_or_guarded": (0.02, 0.04, 0.40),
    "threats_reported": (0.005, 0.05, 0.35),
    "violence_observed": (0.002, 0.01, 0.20),
    "shared_worker_details": (0.005, 0.03, 0.30),
    "wage_records_available": (0.92, 0.55, 0.15),
}
# interview items, P(yes | clean site, violating site, reporting victim); IV then CO
_IV = {"deceived_about_job": (0.005, 0.01, 0.43), "forced_overtime": (0.005, 0.01, 0.51),
       "not_free_to_leave_job": (0.002, 0.005, 0.30),
       "deceived_about_pay": (0.005, 0.02, 0.30),
       "recruited_through_transaction": (0.0005, 0.001, 0.05),
       "hazardous_without_consent": (0.002, 0.01, 0.25),
       "very_low_or_no_wages": (0.005, 0.03, 0.40),
       "degrading_living_conditions": (0.002, 0.01, 0.30),
       "other_employer_than_agreed": (0.002, 0.005, 0.25),
       "longer_than_agreed": (0.003, 0.01, 0.51)}  # fmt: skip
_CO = {"threatened": (0.002, 0.01, 0.29), "experienced_violence": (0.001, 0.003, 0.16),
       "not_free_to_leave_premises": (0.002, 0.005, 0.35),
       "not_holds_own_documents": (0.002, 0.005, 0.40),
       "owes_debt_to_employer": (0.005, 0.02, 0.51), "wage_arrears": (0.0, 0.0, 0.24),
       "denied_rights_or_threatened_deportation": (0.002, 0.01, 0.20)}  # fmt: skip
_ITEMS = {**_IV, **_CO, "paid_recruitment_fee": (0.02, 0.06, 0.50),
          "hazardous_work": (0.03, 0.12, 0.40)}
#: Interview columns added with the whole ICLS test (issue 9). A share of visits used the old
#: interview sheet: every one of these cells is unknown there, as in an old upload.
NEW_INTERVIEW_ITEMS: tuple[str, ...] = (
    "deceived_about_pay", "recruited_through_transaction", "hazardous_without_consent",
    "very_low_or_no_wages", "degrading_living_conditions", "other_employer_than_agreed",
    "longer_than_agreed", "denied_rights_or_threatened_deportation", "hazardous_work",
)
OLD_SHEET_RATE = 0.3
_NOTES = (
    ("Routine inspection; no findings.", "Records in order; manager cooperative.",
     "Workers interviewed in the site office.", "Earlier issues resolved."),
    ("Several workers without registered contracts.", "Payroll incomplete; overtime unrecorded.",
     "No protective equipment for some workers.", "Wages paid late and in cash."),
    ("Workers reluctant to speak while the supervisor was present.",
     "Dormitory door locked from the outside.", "Passports said to be kept in the office safe.",
     "Workers say they owe the recruiter for travel and housing.",
     "Supervisor answered questions for the workers."),
)  # fmt: skip
_NOTE_POOL = np.array([[1.0, 0.0, 0.0], [0.2, 0.8, 0.0], [0.1, 0.4, 0.5]])  # by outcome


@dataclass
class SyntheticData:
    """Generated upload tables and the hidden truth.

    Attributes
    ----------
    visits : pandas.DataFrame
        Exactly the ``Visit`` columns, in ``records.py`` order.
    interviews : pandas.DataFrame
        Exactly the ``Interview`` columns.
    outcomes : pandas.DataFrame
        The true outcome of every visit: ``visit_id, outcome, decided_on, source``.
    """

    visits: pd.DataFrame
    interviews: pd.DataFrame
    outcomes: pd.DataFrame


def _codes(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Format integers as zero-padded codes (``"V0000001"``), vectorised, as an object array."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if numbers.size:
        width = max(width, len(str(int(numbers.max()))))
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    buf = np.empty((numbers.size, head.size + width), dtype=np.uint8)
    buf[:, : head.size] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    buf[:, head.size :] = (numbers[:, None] // powers) % 10 + ord("0")
    return buf.view(f"S{buf.shape[1]}").ravel().astype(f"U{buf.shape[1]}").astype(object)


def _pick(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category per row of a (rows, categories) probability matrix."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random(len(probs))[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def _beta(rng: np.random.Generator, mean: np.ndarray | float, size: int, k: float = 4.0):
    """Beta draws with the given mean and concentration ``k``."""
    mean = np.clip(np.broadcast_to(mean, (size,)), 1e-3, 1 - 1e-3)
    return rng.beta(mean * k, (1 - mean) * k)


def _sites(rng: np.random.Generator, n_sites: int, prevalence: float) -> dict[str, np.ndarray]:
    """Draw the site attributes that stay fixed across visits."""
    table = _SUBSECTORS
    sub_sector = np.array([SECTORS.index(r[0]) for r in table])
    share = np.array([SECTOR_SHARES[j] * r[2] for j, r in zip(sub_sector, table, strict=True)])
    risk = np.array([r[3] for r in table]) / np.dot(share, [r[3] for r in table])
    sub = rng.choice(len(table), size=n_sites, p=share / share.sum())
    sector = sub_sector[sub]
    fl_site = rng.random(n_sites) < np.minimum(prevalence / FL_PERSISTENCE * risk[sub], 1.0)
    size = np.exp(np.log([r[5] for r in table])[sub] + 0.6 * rng.standard_normal(n_sites))
    has_foreign = rng.random(n_sites) < np.take(_SECTOR["foreign_site"], sector) * (
        1 + 0.6 * fl_site
    )
    n_int = max(2, n_sites // 20)
    registered = rng.random(n_int) < 0.8
    registered[:2] = (False, True)
    unregistered = np.flatnonzero(~registered)
    has_int = rng.random(n_sites) < np.where(fl_site, 0.6, np.take(_SECTOR["intermediary"], sector))
    intermediary = np.where(
        fl_site & (rng.random(n_sites) < 0.7),
        unregistered[rng.integers(0, unregistered.size, n_sites)],
        rng.integers(0, n_int, n_sites),
    )
    employer = rng.integers(0, max(1, int(n_sites * 0.6)), n_sites)
    tin = np.unique(employer)  # 10-digit tax numbers, unique per employer
    codes = _codes("", 1_000_000_000 + tin * 7919 % 900_000_000, 10)
    agency = np.concatenate([_codes("AG", np.arange(1, n_int + 1), 4), [np.nan]])
    return {
        "sub": sub,
        "sector": sector,
        "region": _pick(rng, _REGION_WEIGHTS[sector]),
        "site_id": _codes("S", np.arange(1, n_sites + 1), 6),
        "employer_id": codes[np.searchsorted(tin, employer)],
        "intermediary_id": agency[np.where(has_int, intermediary, -1)],
        "fl_site": fl_site,
        "violation": _beta(rng, np.take(_SECTOR["violation"], sector), n_sites, k=3.0),
        "size": size,
        "foreign_share": np.where(has_foreign, _beta(rng, 0.4, n_sites, k=5.0), 0.0),
        "has_intermediary": has_int,
        "registered": registered[intermediary],
    }


def _visit_values(rng: np.random.Generator, n: int, site: dict, start: str, days: int) -> dict:
    """Draw the true (unmasked) value of every visit column plus hidden helpers."""
    n_sites = site["sub"].size
    s = rng.permutation(np.concatenate([np.arange(n_sites), rng.integers(0, n_sites, n - n_sites)]))
    sub, sector, fl_site = site["sub"][s], site["sector"][s], site["fl_site"][s]
    fl = fl_site & (rng.random(n) < FL_PERSISTENCE)
    lv = ~fl & (fl_site | (rng.random(n) < site["violation"][s]))
    out = np.where(fl, 2, np.where(lv, 1, 0))  # 0 clean, 1 violation, 2 forced (OUTCOMES reversed)
    workers = np.maximum(1, rng.poisson(site["size"][s])) * ((out > 0) | (rng.random(n) >= 0.01))
    informal = rng.random(n) < np.where(fl, 0.85, lv * np.take(_SECTOR["informal"], sector))
    wwc = np.maximum(1, rng.binomial(workers, _beta(rng, np.where(fl, 0.6, 0.4), n)))
    wwc = np.where(informal, np.minimum(wwc, workers), 0)
    wwc = np.maximum(wwc, (out == 0) & (workers > 0) & (rng.random(n) < 0.03))  # pending e-contract
    foreign = rng.binomial(workers, site["foreign_share"][s])
    no_permit = rng.random(n) < np.array([0.0, 0.4, 0.7])[out]
    fwp = rng.binomial(foreign, _beta(rng, np.where(fl, 0.6, 0.4), n) * no_permit)
    p_minor = np.take(_SECTOR["minors"], sector) * np.array([1.0, 1.5, 3.0])[out]
    minors = np.minimum((rng.random(n) < p_minor) * (1 + rng.binomial(workers, 0.05)), workers)
    hours_off = np.array([r[6] for r in _SUBSECTORS])[sub]
    hours = np.array([42.0, 50.0, 62.0])[out] + hours_off + 5 * rng.standard_normal(n)
    has_arrears = rng.random(n) < np.array([0.0, 0.35, 0.60])[out]
    arrears = np.ceil(rng.exponential(np.array([1.0, 2.0, 4.0])[out]) * 2) / 2 * has_arrears
    inspectors = _codes("INS", np.arange(len(REGIONS) * 10), 3)
    values = {
        "visit_id": _codes("V", np.arange(1, n + 1), 7),
        "site_id": site["site_id"][s],
        "visit_date": np.datetime64(start, "D") + rng.integers(0, days, n),
        "inspector_id": inspectors[site["region"][s] * 10 + rng.integers(0, 10, n)],
        "region": np.array(REGIONS, dtype=object)[site["region"][s]],
        "sector": np.array(SECTORS, dtype=object)[sector],
        "subsector": np.array(_SUB_NAMES, dtype=object)[sub],
        "employer_id": site["employer_id"][s],
        "intermediary_id": site["intermediary_id"][s],
        "intermediary_registered": site["registered"][s],
        "workers_present": workers,
        "workers_without_contract": wwc,
        "foreign_workers": foreign,
        "foreign_workers_without_permit": fwp,
        "minors_present": minors,
        "avg_weekly_hours": np.round(np.clip(hours, 10, 120) * 2) / 2,
        "wage_arrears_months": arrears,
    }
    for name, probs in _SIGNS.items():
        values[name] = rng.random(n) < np.array(probs)[out]
    for name, (base, uplift) in _BASE.items():
        p = 1 - (1 - np.take(base, sector)) * (1 - np.array(uplift)[out])
        if name == "living_on_site":
            p = np.where(sub == _SUB_NAMES.index("domestic work"), 0.9, p)
        values[name] = rng.random(n) < p
    values["accommodation_substandard"] = values["living_on_site"] & (
        rng.random(n) < np.array([0.10, 0.35, 0.70])[out]
    )
    # street work or begging: services visits where minors were found, rarely (assumption)
    values["street_work_or_begging"] = (sector == SECTORS.index("services")) & (minors > 0) & (
        rng.random(n) < np.array([0.02, 0.10, 0.30])[out]
    )
    pool = _pick(rng, _NOTE_POOL[out])
    sizes = np.array([len(p) for p in _NOTES])
    flat = np.array([t for p in _NOTES for t in p], dtype=object)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    note = flat[offsets[pool] + (rng.random(n) * sizes[pool]).astype(np.int64)]
    no_note = rng.random(n) >= 0.5
    values["notes"] = note
    hidden = {"out": out, "sector": sector, "sub": sub, "arrears": arrears, "hours": hours}
    missing = {"notes": no_note, "intermediary_id": ~site["has_intermediary"][s]}
    return {**values, "_hidden": hidden, "_missing": missing}


def _interview_values(rng: np.random.Generator, v: dict, ipv: float) -> dict:
    """Draw interviews for the visits in ``v`` (true values, before masking)."""
    h, workers = v["_hidden"], v["workers_present"]
    n = workers.size
    lam = ipv / (1 - NO_INTERVIEW_RATE) * 1.08  # 1.08: compensates capping by workers present
    k = np.minimum(1 + rng.poisson(max(lam - 1, 0.0), n), workers) * (
        rng.random(n) >= NO_INTERVIEW_RATE
    )
    vi = np.repeat(np.arange(n), k)
    rank = np.arange(vi.size) - np.repeat(np.cumsum(k) - k, k)
    m, out = vi.size, h["out"][vi]
    victim = (out == 2) & (rng.random(m) < _beta(rng, 0.6, n, k=5.0)[vi])
    level = np.where(victim & (rng.random(m) >= DENIAL_RATE), 2, np.minimum(out, 1))
    items = {name: rng.random(m) < np.array(p)[level] for name, p in _ITEMS.items()}
    site_arrears = h["arrears"][vi] > 0
    items["wage_arrears"] |= site_arrears & (rng.random(m) < np.where(level == 2, 0.7, 0.5))
    rep = np.flatnonzero(level == 2)
    for group in (_IV, _CO):  # ICLS: every reporting victim has >= 1 IV and >= 1 CO item
        names = list(group)
        lacking = rep[~np.any([items[c][rep] for c in names], axis=0)]
        weights = np.array([group[c][2] for c in names])
        chosen = _pick(rng, np.broadcast_to(weights, (lacking.size, len(names))))
        for j, c in enumerate(names):
            items[c][lacking[chosen == j]] = True
    arrears = np.where(site_arrears, h["arrears"][vi], np.ceil(rng.exponential(3.0, m) * 2) / 2)
    share = np.array([r[4] for r in _SUBSECTORS])[h["sub"][vi]]
    u = rng.random(m)
    sex = np.where(u < 0.002, "other", np.where(u < 0.002 + share * 0.998, "female", "male"))
    is_minor = rng.random(m) < v["minors_present"][vi] / workers[vi]
    low = np.where(out == 0, 15, np.where(h["sector"][vi] == 1, 12, 14))
    adult = np.minimum(18 + rng.gamma(2.2, 9.0, m), 75).astype(np.int64)
    hours = h["hours"][vi] + 4 * rng.standard_normal(m) + 8 * (items["forced_overtime"])
    no_contract = v["workers_without_contract"][vi] / workers[vi]
    old_sheet = (rng.random(n) < OLD_SHEET_RATE)[vi]
    new_items = {name: items[name] for name in NEW_INTERVIEW_ITEMS}
    return {
        "visit_id": v["visit_id"][vi],
        "worker_ref": _codes("W", np.arange(1, max(k.max(initial=0), 1) + 1), 3)[rank],
        "age": np.where(is_minor, rng.integers(low, 18), adult),
        "sex": sex.astype(object),
        "foreign": rng.random(m) < v["foreign_workers"][vi] / workers[vi],
        "has_written_contract": rng.random(m) >= np.where(level == 2, 0.7, no_contract),
        "holds_own_documents": ~items["not_holds_own_documents"],
        "weekly_hours": np.round(np.clip(hours, 0, 168) * 2) / 2,
        "wage_arrears_months": arrears * items["wage_arrears"],
        "owes_debt_to_employer": items["owes_debt_to_employer"],
        "paid_recruitment_fee": items["paid_recruitment_fee"],
        "deceived_about_job": items["deceived_about_job"],
        "free_to_leave_job": ~items["not_free_to_leave_job"],
        "free_to_leave_premises": ~items["not_free_to_leave_premises"],
        "forced_overtime": items["forced_overtime"],
        "threatened": items["threatened"],
        "experienced_violence": items["experienced_violence"],
        **new_items,
        "_missing": {name: old_sheet for name in NEW_INTERVIEW_ITEMS},
    }


def _frame(rng: np.random.Generator, values: dict, specs: list, rate: float) -> pd.DataFrame:
    """Build a frame in spec order with the contract dtypes; optional cells unknown at ``rate``."""
    n = len(values[specs[0].name])
    columns = {}
    missing = values.get("_missing", {})
    for spec in specs:
        data = np.asarray(values[spec.name])
        mask = np.zeros(n, bool) if spec.required else rng.random(n) < rate
        if spec.name in missing:
            mask |= missing[spec.name]
        if spec.kind in (Kind.TEXT, Kind.CHOICE):
            data = data.astype(object)
            data[mask] = np.nan
            columns[spec.name] = pd.Series(data, dtype="str")
        elif spec.kind is Kind.INT:
            columns[spec.name] = pd.arrays.IntegerArray(data.astype(np.int64), mask)
        elif spec.kind is Kind.NUMBER:
            columns[spec.name] = np.where(mask, np.nan, data.astype(np.float64))
        elif spec.kind is Kind.BOOL:
            columns[spec.name] = pd.arrays.BooleanArray(data.astype(bool), mask)
        else:
            columns[spec.name] = data.astype("datetime64[ns]")
    return pd.DataFrame(columns)


def generate(
    n_visits: int,
    seed: int = 0,
    *,
    prevalence: float = 0.02,
    interviews_per_visit: float = 3.0,
    unknown_rate: float = 0.1,
    start: str = "2024-01-01",
    days: int = 730,
) -> SyntheticData:
    """Generate visits, interviews and true outcomes (see the module docstring for the model).

    Parameters
    ----------
    n_visits : int
        Number of visits (>= 1). About ``n_visits / 2.5`` distinct sites.
    seed : int
        Seed of the random generator; the same arguments always give the same data.
    prevalence : float
        Expected share of visits whose true outcome is ``forced_labour``.
    interviews_per_visit : float
        Approximate mean number of interviews per visit, including visits without any.
    unknown_rate : float
        Probability that an optional cell is unknown.
    start : str
        ISO date of the first possible visit.
    days : int
        Visits are spread uniformly over this many days.

    Returns
    -------
    SyntheticData
        ``visits``, ``interviews`` and ``outcomes`` frames with the contract dtypes.

    Examples
    --------
    >>> data = generate(1000, seed=1)
    >>> len(data.visits), data.outcomes["outcome"].isin(OUTCOMES).all()
    (1000, np.True_)
    """
    if n_visits < 1 or days < 1 or interviews_per_visit < 0:
        raise UsageError("n_visits and days must be >= 1, interviews_per_visit >= 0.")
    if not (0 <= prevalence <= 1 and 0 <= unknown_rate <= 1):
        raise UsageError("prevalence and unknown_rate must lie in [0, 1].")
    rng = np.random.default_rng(seed)
    site = _sites(rng, max(1, round(n_visits / 2.5)), prevalence)
    v = _visit_values(rng, n_visits, site, start, days)
    iv = _interview_values(rng, v, interviews_per_visit)
    visits = _frame(rng, v, VISIT_COLUMNS, unknown_rate)
    no_id = visits["intermediary_id"].isna().to_numpy()
    visits["intermediary_registered"] = visits["intermediary_registered"].mask(no_id)
    interviews = _frame(rng, iv, INTERVIEW_COLUMNS, unknown_rate)
    decided = v["visit_date"] + rng.integers(14, 121, n_visits)
    outcomes = pd.DataFrame({
        "visit_id": pd.Series(v["visit_id"], dtype="str"),
        "outcome": pd.Series(np.array(OUTCOMES[::-1], dtype=object)[v["_hidden"]["out"]],
                             dtype="str"),
        "decided_on": decided.astype("datetime64[ns]"),
        "source": pd.Series(np.full(n_visits, "synthetic", dtype=object), dtype="str"),
    })  # fmt: skip
    return SyntheticData(visits, interviews, outcomes)


def write(data: SyntheticData, out_dir: str | Path, fmt: str = "csv") -> dict[str, Path]:
    """Write the tables as upload files plus a separate outcomes file.

    Parameters
    ----------
    data : SyntheticData
        What :func:`generate` returned.
    out_dir : str or Path
        Folder to write into (created if missing).
    fmt : {"csv", "parquet", "json", "xlsx"}
        ``csv`` and ``parquet`` write ``visits``, ``interviews`` and ``outcomes`` files.
        ``json`` writes ``upload.json`` as ``{"visits": [...], "interviews": [...]}`` and
        ``outcomes.json`` (records). ``xlsx`` writes ``upload.xlsx`` with sheets ``visits`` and
        ``interviews``, and ``outcomes.csv``. XLSX is limited to 1,048,575 rows per sheet.

    Returns
    -------
    dict of str to Path
        Keys ``visits``, ``interviews`` and ``outcomes``. For json and xlsx, ``visits`` and
        ``interviews`` name the same upload file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"visits": data.visits, "interviews": data.interviews, "outcomes": data.outcomes}
    if fmt in ("csv", "parquet"):
        paths = {name: out / f"{name}.{fmt}" for name in tables}
        for name, frame in tables.items():
            if fmt == "csv":
                frame.to_csv(paths[name], index=False, date_format="%Y-%m-%d")
            else:
                frame.to_parquet(paths[name], index=False)
        return paths
    if fmt == "json":
        upload, outcomes = out / "upload.json", out / "outcomes.json"
        parts = {n: _iso_dates(t).to_json(orient="records") for n, t in tables.items()}
        upload.write_text(f'{{"visits": {parts["visits"]}, "interviews": {parts["interviews"]}}}')
        outcomes.write_text(parts["outcomes"])
        return {"visits": upload, "interviews": upload, "outcomes": outcomes}
    if fmt == "xlsx":
        if max(len(data.visits), len(data.interviews)) > 1_048_575:
            raise UsageError("Too many rows for one XLSX sheet (max 1,048,575).")
        upload, outcomes = out / "upload.xlsx", out / "outcomes.csv"
        with pd.ExcelWriter(upload, engine="openpyxl") as writer:
            _iso_dates(data.visits).to_excel(writer, sheet_name="visits", index=False)
            data.interviews.to_excel(writer, sheet_name="interviews", index=False)
        data.outcomes.to_csv(outcomes, index=False, date_format="%Y-%m-%d")
        return {"visits": upload, "interviews": upload, "outcomes": outcomes}
    raise UsageError(f"Unknown format {fmt!r}; use csv, parquet, json or xlsx.")


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with datetime columns as ISO date text (``YYYY-MM-DD``)."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%Y-%m-%d")
    return out


__all__ = ["REGIONS", "SECTOR_SHARES", "SUBSECTORS", "SyntheticData", "generate", "write"]
