"""One count per fact and the tier policy from the standards (catalogue.yaml).

Scoring counts each fact once: the fired indicators of a visit are taken strongest first (by
weight per fact the rule observes, then weight); one whose facts present at the visit
(catalogue.yaml ``facts``) are all new carries its weight, one sharing a fact with an indicator
already counted is *corroborating* and adds nothing. The tier follows the tier policy, not the
score: any forced-labour indicator makes a visit medium, two distinct (counted) ones with a
strong one (ILO-EC grading) make it high, an indicator's ``tier`` is a floor (urgent: a probable
victim; high: a child below the minimum age, a minor in hazardous work), and labour-law or
risk-pattern indicators never raise the tier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import TIER_ORDER
from screening.rules.catalogue import Catalogue
from screening.rules.expr import ColumnCache
from screening.rules.features import UNKNOWN_COLUMN


class Scoring:
    """The catalogue's facts and tier policy, prepared once for vectorised use.

    Parameters
    ----------
    catalogue : Catalogue
        The compiled catalogue (its site indicators, ``facts`` and ``tier_policy``).
    floors : ndarray of int8
        Each site indicator's tier floor as a rank (0 low .. 3 urgent).
    """

    def __init__(self, catalogue: Catalogue, floors: np.ndarray):
        site = catalogue.site
        self.catalogue = catalogue
        self.floors = floors
        # by weight per fact the rule observes (a broad pattern never swallows facts that
        # single-fact indicators count), then weight, floor, file order
        self.order = sorted(range(len(site)), key=lambda j: (
            -site[j].spec.weight / max(len(site[j].facts), 1), -site[j].spec.weight,
            -floors[j], j,
        ))
        facts = [name for name, _ in catalogue.facts]
        self.fact_columns = [
            np.array([facts.index(f) for f in sorted(ind.facts)], dtype=np.int64) for ind in site
        ]
        self.n_facts = len(facts)
        self.forced_labour = np.array([ind.spec.kind == "forced-labour" for ind in site])
        self.strong = self.forced_labour & np.array(
            [ind.spec.strength == "strong" for ind in site])
        self.high_distinct = catalogue.settings.tier_policy.high_distinct

    def present(self, columns: dict, cache: ColumnCache, n: int) -> np.ndarray:
        """(visits x facts): where each fact of catalogue.yaml holds (unknown does not)."""
        cat = self.catalogue
        if not cat.facts:
            return np.zeros((n, 0), dtype=bool)
        names = set().union(*(rule.columns for _, rule in cat.facts))
        missing = {c: UNKNOWN_COLUMN(n) for c in names if c not in columns}
        if missing:  # a catalogue without some worker indicators: their counts are unknown
            types = {**cat.site_types, **dict.fromkeys(missing, "number")}
            prepared = {"sector": cache.get("sector")} if "sector" in columns else {}
            cache = ColumnCache({**columns, **missing}, types, prepared=prepared)
        return np.column_stack([rule.fires(cache) for _, rule in cat.facts])

    def count_once(self, fired: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Which fired indicators carry their weight: taken strongest first (weight per fact
        observed, then weight), an indicator counts when none of its facts present at the
        visit was counted already; otherwise it is corroborating.

        ``fired`` is the (visits x site indicators) boolean matrix, ``present`` the (visits x
        facts) one of the facts that hold (name order of ``facts``); returns a matrix like
        ``fired``. An indicator that fired without any of its facts present (e.g. on arrears
        of one month with no wage records) uses all its facts.
        """
        # a visit with one fired indicator counts it: only those with several need the order
        several = np.count_nonzero(fired, axis=1) > 1
        counted = fired.copy(order="K")
        if several.any():
            counted[several] = self._count_in_order(fired[several], present[several])
        return counted

    def _count_in_order(self, fired: np.ndarray, present: np.ndarray) -> np.ndarray:
        """:meth:`count_once` of every visit, taking its fired indicators in order.

        Facts are kept fact by fact (one contiguous row of visits each), so an indicator looks
        up its one to three facts as flat arrays rather than through a two-dimensional fancy
        index over all of them.
        """
        have = np.ascontiguousarray(present.T)  # facts x visits
        used = np.zeros_like(have)
        counted = np.zeros_like(fired)
        for j in self.order:
            rows = np.flatnonzero(fired[:, j])
            if len(rows) == 0:
                continue
            facts = self.fact_columns[j]
            mine = [have[f][rows] for f in facts]
            if mine:  # none of its facts present: the indicator uses all of them
                none = ~np.logical_or.reduce(mine) if len(mine) > 1 else ~mine[0]
                mine = [m | none for m in mine]
            clash = np.zeros(len(rows), dtype=bool)
            for f, m in zip(facts, mine, strict=True):
                clash |= used[f][rows] & m
            fresh = ~clash
            counted[rows[fresh], j] = True
            for f, m in zip(facts, mine, strict=True):
                used[f][rows[fresh & m]] = True
        return counted

    def tiers(self, fired: np.ndarray, counted: np.ndarray) -> pd.Categorical:
        """The tier policy over the ``fired`` and ``counted`` (:meth:`count_once`) matrices."""
        any_fl = fired[:, self.forced_labour].any(axis=1)
        distinct = counted[:, self.forced_labour].sum(axis=1)
        strong = fired[:, self.strong].any(axis=1)
        rank = any_fl.astype(np.int8)
        rank[(distinct >= self.high_distinct) & strong] = 2
        for j in np.flatnonzero(self.floors):  # only the few indicators with a tier floor
            np.maximum(rank, np.where(fired[:, j], self.floors[j], 0).astype(np.int8), out=rank)
        return pd.Categorical.from_codes(rank, categories=list(TIER_ORDER))


__all__ = ["Scoring"]
