"""The indicator engine: catalogue -> ICLS test, fired matrix, evidence, rule score, tier.

Scoring counts each fact once: the fired indicators of a visit are taken strongest first (by
weight per fact the rule observes, then weight); one whose facts present at the visit
(catalogue.yaml ``facts``) are all new carries its weight, one sharing a fact with an indicator
already counted is *corroborating* and adds nothing. The tier follows the
tier policy of catalogue.yaml, not the score: any forced-labour indicator makes a visit medium,
two distinct (counted) ones with a strong one make it high, an indicator's ``tier`` is a floor
(urgent: a probable victim; high: child below the minimum age, minor in hazardous work), and
labour-law or risk-pattern indicators never raise the tier.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from indicators import TIER_ORDER
from screening.errors import UsageError
from screening.rules.catalogue import Catalogue, CompiledIndicator, load_catalogue
from screening.rules.evidence import (
    UNKNOWN_WORDS,
    evidence_table,
    join_distinct,
    render_clauses,
)
from screening.rules.expr import ColumnCache, Text, text_column
from screening.rules.features import (
    UNKNOWN_COLUMN,
    answer_counts,
    count_per_visit,
    site_features,
    visit_positions,
    worker_answers,
)
from screening.rules.scoring import Scoring

#: ICLS result per interviewed worker.
ICLS_POSITIVE, ICLS_NEGATIVE, ICLS_UNKNOWN = "positive", "negative", "unknown"
ICLS_RESULTS = (ICLS_NEGATIVE, ICLS_POSITIVE, ICLS_UNKNOWN)

Progress = Callable[[str], None]


@dataclass
class EngineResult:
    """What the engine found for a batch of visits (rows aligned with the visits frame).

    Attributes
    ----------
    features : DataFrame
        The site-level feature frame, including interview aggregates.
    fired : DataFrame
        Boolean matrix, one column per site-level indicator id.
    evidence : DataFrame
        Long table of fired cells only, sorted by visit then strength: ``row`` (position of
        the visit), ``indicator``, ``text``.
    rule_score : ndarray
        Sum of the weights of the counted indicators (each fact once).
    counted : DataFrame
        Boolean matrix like ``fired``: the fired indicators that carry their weight; a fired
        indicator that is not counted is corroborating.
    tier : Categorical
        ``urgent``, ``high``, ``medium`` or ``low`` from the rules alone (categories in
        :data:`indicators.TIER_ORDER`, so ``tier.codes`` is the rank, low = 0).
    indicators, reasons : array of str
        Per visit, joined from ``evidence`` on first use: fired ids (``;``-separated) and
        evidence sentences, strongest indicator first.
    workers : DataFrame
        One row per interview: its visit position (``row``), each worker-level indicator
        (1 true, 0 false, -1 unknown) and the ICLS result (``icls``).
    """

    features: pd.DataFrame
    fired: pd.DataFrame
    evidence: pd.DataFrame
    rule_score: np.ndarray
    tier: pd.Categorical
    workers: pd.DataFrame
    counted: pd.DataFrame | None = None

    def corroborating(self, row: int) -> list[str]:
        """The fired indicators of visit ``row`` that add nothing to the score because a
        stronger fired indicator already counted one of their facts."""
        if self.counted is None:
            return []
        fired, counted = self.fired.iloc[row], self.counted.iloc[row]
        return [name for name in self.fired.columns if fired[name] and not counted[name]]

    @cached_property
    def coded_indicators(self) -> pa.DictionaryArray:
        """:attr:`indicators`, dictionary-encoded (each distinct list spelled once)."""
        return self._joined("indicator", ";")

    @cached_property
    def coded_reasons(self) -> pa.DictionaryArray:
        """:attr:`reasons`, dictionary-encoded (each distinct text spelled once)."""
        return self._joined("text", " ")

    @property
    def indicators(self) -> pd.api.extensions.ExtensionArray:
        """Fired indicator ids per visit, ``;``-separated, strongest first ("" when none)."""
        return pd.array(self.coded_indicators.cast(pa.large_string()), dtype="str")

    @property
    def reasons(self) -> pd.api.extensions.ExtensionArray:
        """Evidence sentences per visit, strongest indicator first ("" when none)."""
        return pd.array(self.coded_reasons.cast(pa.large_string()), dtype="str")

    def _joined(self, column: str, sep: str) -> pa.DictionaryArray:
        """One text per visit: the evidence ``column`` of its fired cells joined by ``sep``
        (dictionary-encoded: visits with the same reasons share one string)."""
        return join_distinct(
            self.evidence["row"].to_numpy(), self.evidence[column].array, sep, len(self.tier)
        )

    @property
    def icls_workers(self) -> np.ndarray:
        """Interviewed workers meeting the ICLS test per visit (NaN: no worker could be
        tested, because nobody was interviewed or every answer needed was missing)."""
        return self.features["icls_workers"].to_numpy()

    @property
    def icls_unknown_workers(self) -> np.ndarray:
        """Interviewed workers whose ICLS result is unknown per visit (NaN: nobody
        interviewed)."""
        return self.features["icls_unknown_workers"].to_numpy()


def _sector_mask(ind: CompiledIndicator, cache: ColumnCache) -> np.ndarray | None:
    if not ind.spec.sectors:
        return None
    sector = cache.get("sector")
    mask = np.zeros(cache.n, dtype=bool)
    for name in ind.spec.sectors:
        mask |= sector.codes == sector.code_of(name)
    return mask


class RuleEngine:
    """Evaluate the indicator catalogue over visits and interviews, vectorised.

    Parameters
    ----------
    catalogue : Catalogue, optional
        The compiled catalogue; the bundled one by default.
    lang : {"en", "az"}
        Language of the evidence text.

    Examples
    --------
    >>> import pandas as pd
    >>> visits = pd.DataFrame({"visit_id": ["V1", "V2"], "sector": ["agriculture", "services"],
    ...     "workers_present": [10, 4], "workers_without_contract": [0, 0],
    ...     "foreign_workers": [0, 0], "foreign_workers_without_permit": [0, 0],
    ...     "minors_present": [0, 0]})
    >>> interviews = pd.DataFrame({"visit_id": ["V1"], "worker_ref": ["W1"],
    ...     "deceived_about_job": [True], "holds_own_documents": [False]})
    >>> result = RuleEngine().run(visits, interviews)
    >>> result.tier.tolist(), result.icls_workers.tolist()
    (['urgent', 'low'], [1.0, nan])
    """

    def __init__(self, catalogue: Catalogue | None = None, *, lang: str = "en"):
        if lang not in ("en", "az"):
            raise UsageError(f"The language must be 'en' or 'az'. Got {lang!r} instead.")
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.lang = lang
        site = self.catalogue.site
        # strongest first: tier floor, then weight, then catalogue order
        rank = {t: i for i, t in enumerate(TIER_ORDER)}
        self._order = sorted(
            range(len(site)),
            key=lambda j: (-rank.get(site[j].spec.tier or "low", 0), -site[j].spec.weight, j),
        )
        self.weights = np.array([ind.spec.weight for ind in site], dtype="float64")
        self.floors = np.array([rank.get(ind.spec.tier or "low", 0) for ind in site], dtype=np.int8)
        self.scoring = Scoring(self.catalogue, self.floors)

    def workers(
        self, visits: pd.DataFrame, interviews: pd.DataFrame | None, sector: Text | None = None
    ) -> pd.DataFrame:
        """Evaluate the worker-level indicators and the ICLS test per interview.

        Returns one row per interview: ``row`` (the visit's position), one column per
        worker-level indicator (1 true, 0 false, -1 unknown) and ``icls``.
        """
        cat = self.catalogue
        ids = [ind.id for ind in cat.worker]
        if interviews is None or len(interviews) == 0:
            empty = pd.DataFrame(np.zeros((0, len(ids)), dtype=np.int8), columns=ids)
            icls = pd.Categorical.from_codes(np.zeros(0, dtype=np.int8), categories=ICLS_RESULTS)
            return empty.assign(row=np.zeros(0, dtype=np.int64), icls=icls)
        positions = visit_positions(visits, interviews)
        if (positions < 0).any():
            missing = interviews["visit_id"].to_numpy()[positions < 0][:3].tolist()
            raise UsageError(f"Interviews refer to visits that are not in the batch: {missing}.")
        if sector is None:
            sector = text_column(visits["sector"]) if "sector" in visits else None
        prepared = {}
        if sector is not None:
            prepared["sector"] = Text(sector.codes[positions], sector.categories)
        cache = ColumnCache(worker_answers(interviews), cat.worker_types, prepared=prepared)
        # 1 true, 0 false, -1 unknown, written answer by answer (one column each, no
        # whole-matrix temporaries: 3 million interviews x 24 answers is 72 MB a matrix)
        values = np.empty((len(positions), len(ids)), dtype=np.int8, order="F")
        inv_true = np.zeros(len(positions), dtype=bool)
        co_true, inv_false, co_false = inv_true.copy(), ~inv_true, ~inv_true
        for j, ind in enumerate(cat.worker):
            t, f = ind.rule.truth(cache)
            column = values[:, j]
            column[:] = t
            column[~(t | f)] = -1
            if ind.spec.icls == "involuntariness":
                inv_true |= t
                inv_false &= f
            elif ind.spec.icls == "coercion":
                co_true |= t
                co_false &= f
        # positive: some involuntariness AND some coercion; negative: one dimension all "no"
        codes = np.full(len(positions), 2, dtype=np.int8)
        codes[inv_false | co_false] = 0
        codes[inv_true & co_true] = 1
        icls = pd.Categorical.from_codes(codes, categories=ICLS_RESULTS)
        out = pd.DataFrame(values, columns=ids, index=interviews.index, copy=False)
        out.insert(0, "row", positions)
        out["icls"] = pd.Series(icls, index=interviews.index)
        return out

    def run(
        self,
        visits: pd.DataFrame,
        interviews: pd.DataFrame | None = None,
        *,
        progress: Progress | None = None,
    ) -> EngineResult:
        """Screen a batch: features, ICLS test, fired matrix, evidence, rule score and tier.

        ``interviews`` must refer only to visits in ``visits`` (the loaders guarantee it).
        ``progress``, if given, is called with the name of each step as it starts.
        """
        step = progress or (lambda name: None)
        cat = self.catalogue
        n = len(visits)
        step("features")
        base = site_features(visits)
        columns: dict[str, object] = {name: base[name] for name in base.columns}
        sector = text_column(visits["sector"]) if "sector" in visits else None
        step("interviews")
        workers = self.workers(visits, interviews, sector)
        positions = workers["row"].to_numpy()
        interviewed = np.bincount(positions, minlength=n)
        columns["interviews"] = interviewed.astype("float64")
        codes = workers["icls"].cat.codes.to_numpy()
        unknown = codes == ICLS_RESULTS.index(ICLS_UNKNOWN)
        # the ICLS result counted as an answer: positives over the workers who could be
        # tested (unknown when none could be), and how many could be
        result = np.where(unknown, -1, codes == ICLS_RESULTS.index(ICLS_POSITIVE))
        columns["icls_workers"], columns["icls_tested"] = answer_counts(
            result.astype(np.int8), positions, interviewed
        )
        columns["icls_unknown_workers"] = count_per_visit(unknown, positions, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            for ind in cat.worker:
                counts, asked = answer_counts(workers[ind.id].to_numpy(), positions, interviewed)
                columns[ind.spec.count_as] = counts
                columns[f"{ind.spec.count_as}_asked"] = asked
                columns[f"{ind.spec.count_as}_share"] = (
                    counts / asked if len(positions) else UNKNOWN_COLUMN(n)
                )
        step("indicators")
        prepared = {"sector": sector} if sector is not None else {}
        cache = ColumnCache(columns, cat.site_types, prepared=prepared)
        fired = np.zeros((n, len(cat.site)), dtype=bool, order="F")
        for j, ind in enumerate(cat.site):
            hit = ind.rule.fires(cache)
            mask = _sector_mask(ind, cache)
            fired[:, j] = hit if mask is None else hit & mask
        present = self.scoring.present(columns, cache, n)
        counted = self.count_once(fired, present)
        rule_score = self.rule_score(counted)
        step("tiers")
        tier = self.tiers(fired, counted)
        step("evidence")
        evidence = self._evidence(cache, fired)
        ids = [i.id for i in cat.site]
        return EngineResult(
            features=pd.DataFrame(columns, index=visits.index, copy=False),
            fired=pd.DataFrame(fired, columns=ids, index=visits.index, copy=False),
            evidence=evidence,
            rule_score=rule_score,
            tier=tier,
            workers=workers,
            counted=pd.DataFrame(counted, columns=ids, index=visits.index, copy=False),
        )

    def rule_score(self, counted: np.ndarray) -> np.ndarray:
        """Per visit, the sum of the weights of its counted indicators, added column by column
        over the visits where each counts (a matrix product would first copy the whole
        visits x indicators matrix into floats: half a second on a million visits).

        >>> engine = rule_engine()
        >>> counted = np.zeros((2, len(engine.weights)), dtype=bool)
        >>> counted[1, :2] = True
        >>> engine.rule_score(counted).tolist() == [0.0, float(engine.weights[:2].sum())]
        True
        """
        score = np.zeros(counted.shape[0])
        for j in np.flatnonzero(self.weights):
            score[counted[:, j]] += self.weights[j]
        return score

    def count_once(self, fired: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Which fired indicators carry their weight (:meth:`Scoring.count_once`)."""
        return self.scoring.count_once(fired, present)

    def tiers(self, fired: np.ndarray, counted: np.ndarray) -> pd.Categorical:
        """The tier policy of catalogue.yaml (:meth:`Scoring.tiers`)."""
        return self.scoring.tiers(fired, counted)

    def _evidence(self, cache: ColumnCache, fired: np.ndarray) -> pd.DataFrame:
        """Render evidence for fired cells only, as a long table sorted by visit and strength."""
        parts: dict[str, list[np.ndarray]] = {"rows": [], "strength": [], "ind": [], "codes": []}
        sentences: list[str] = []
        for strength, j in enumerate(self._order):
            rows = np.flatnonzero(fired[:, j])
            if len(rows) == 0:
                continue
            spec = self.catalogue.site[j].spec
            clauses = [
                (getattr(c.text, self.lang), w)
                for c, w in zip(spec.evidence, self.catalogue.site[j].evidence_when, strict=True)
            ]
            codes, texts = render_clauses(clauses, cache.take(rows), getattr(spec.name, self.lang),
                                          UNKNOWN_WORDS[self.lang])
            parts["rows"].append(rows)
            parts["strength"].append(np.full(len(rows), strength, dtype=np.int32))
            parts["ind"].append(np.full(len(rows), j, dtype=np.int32))
            parts["codes"].append(codes + len(sentences))
            sentences += texts
        joined = {
            k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in parts.items()
        }
        return evidence_table(
            joined["rows"],
            joined["strength"],
            joined["ind"],
            [i.id for i in self.catalogue.site],
            joined["codes"],
            sentences,
        )


@functools.cache
def rule_engine(lang: str = "en") -> RuleEngine:
    """The engine over the bundled catalogue in ``lang``, built once per process and shared.

    >>> rule_engine("az") is rule_engine("az")
    True
    """
    return RuleEngine(load_catalogue(), lang=lang)


__all__ = ["ICLS_NEGATIVE", "ICLS_POSITIVE", "ICLS_UNKNOWN", "EngineResult", "RuleEngine",
           "rule_engine"]
