"""The indicator engine: catalogue -> ICLS test, fired matrix, evidence, rule score, tier."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from indicators import TIER_ORDER, Catalogue, CompiledIndicator, load_catalogue
from screening.expr import ColumnCache, Text, text_column
from screening.features import count_per_visit, site_features, visit_positions, worker_features

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(pct|\d))?\}")

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
        Weighted sum of fired indicators.
    tier : ndarray
        ``urgent``, ``high``, ``medium`` or ``low`` from the rules alone.
    indicators, reasons : ndarray
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
    tier: np.ndarray
    workers: pd.DataFrame

    @cached_property
    def indicators(self) -> np.ndarray:
        """Fired indicator ids per visit, ``;``-separated, strongest first ("" when none)."""
        return self._joined("indicator", ";")

    @cached_property
    def reasons(self) -> np.ndarray:
        """Evidence sentences per visit, strongest indicator first ("" when none)."""
        return self._joined("text", " ")

    def _joined(self, column: str, sep: str) -> np.ndarray:
        out = np.full(len(self.tier), "", dtype=object)
        rows = self.evidence["row"].to_numpy()
        if len(rows):
            last = np.append(rows[1:] != rows[:-1], True)
            out[rows[last]] = _group_join(self.evidence[column].to_numpy(dtype=object), last, sep)
        return out

    @property
    def icls_workers(self) -> np.ndarray:
        """Interviewed workers meeting the ICLS test per visit (NaN: nobody interviewed)."""
        return self.features["icls_workers"].to_numpy()


_INTS = np.array([str(i) for i in range(10_000)], dtype=object)
_PCTS = np.array([f"{i}%" for i in range(10_000)], dtype=object)


def _format(values: np.ndarray, fmt: str | None) -> np.ndarray:
    """Render numbers for evidence text: counts as integers, ``pct`` as percent, digits as decimals.

    Small whole numbers (the usual case: counts, percentages) come from a lookup table, which
    is several times faster than converting each number.
    """
    out = np.full(values.shape, "unknown", dtype=object)
    known = ~np.isnan(values)
    v = values[known]
    if fmt == "pct":
        v, table, suffix = np.rint(v * 100), _PCTS, "%"
    elif fmt is not None:
        out[known] = np.round(v, int(fmt)).astype(str)
        return out
    elif np.all(v == np.rint(v)):
        table, suffix = _INTS, ""
    else:
        out[known] = np.round(v, 1).astype(str)
        return out
    small = (v >= 0) & (v < len(table))
    if small.all():
        out[known] = table[v.astype(np.int64)]
    else:
        out[known] = np.char.add(v.astype(np.int64).astype(str), suffix)
    return out


def render(template: str, cache: ColumnCache, rows: np.ndarray) -> np.ndarray:
    """Render an evidence template for the given rows only (vectorised over the rows).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [3.0, 1.0], "b": [0.25, 0.5]})
    >>> cache = ColumnCache(frame, {"a": "number", "b": "number"})
    >>> render("{a} workers ({b:pct})", cache, np.array([1])).tolist()
    ['1 workers (50%)']
    """
    out = np.full(len(rows), "", dtype=object)
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        out = out + template[pos : match.start()]
        column = cache.get(match.group(1))
        if isinstance(column, Text):
            codes = column.codes[rows]
            cats = np.append(column.categories.to_numpy(dtype=object), "unknown")
            out = out + cats[np.where(codes < 0, len(cats) - 1, codes)]
        else:
            out = out + _format(np.asarray(column, dtype="float64")[rows], match.group(2))
        pos = match.end()
    return out + template[pos:]


def _sector_mask(ind: CompiledIndicator, cache: ColumnCache) -> np.ndarray | None:
    if not ind.spec.sectors:
        return None
    sector = cache.get("sector")
    return np.isin(sector.codes, [sector.code_of(s) for s in ind.spec.sectors])


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
            raise ValueError(f"The language must be 'en' or 'az'. Got {lang!r} instead.")
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
            raise ValueError(f"Interviews refer to visits that are not in the batch: {missing}.")
        if sector is None:
            sector = text_column(visits["sector"]) if "sector" in visits else None
        prepared = {}
        if sector is not None:
            prepared["sector"] = Text(sector.codes[positions], sector.categories)
        cache = ColumnCache(worker_features(interviews), cat.worker_types, prepared=prepared)
        is_true = np.empty((len(positions), len(ids)), dtype=bool, order="F")
        is_false = np.empty_like(is_true, order="F")
        inv_true = np.zeros(len(positions), dtype=bool)
        co_true, inv_false, co_false = inv_true.copy(), ~inv_true, ~inv_true
        for j, ind in enumerate(cat.worker):
            t, f = ind.rule.truth(cache)
            is_true[:, j], is_false[:, j] = t, f
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
        values = is_true.view(np.int8) - (~is_true & ~is_false).view(np.int8)  # 1, 0, -1
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
        interviewed = np.bincount(positions, minlength=n).astype("float64")
        columns["interviews"] = interviewed
        columns["icls_workers"] = count_per_visit(
            workers["icls"].cat.codes.to_numpy() == ICLS_RESULTS.index(ICLS_POSITIVE), positions, n
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            for ind in cat.worker:
                counts = count_per_visit(workers[ind.id].to_numpy() == 1, positions, n)
                columns[ind.spec.count_as] = counts
                columns[f"{ind.spec.count_as}_share"] = counts / interviewed
        step("indicators")
        prepared = {"sector": sector} if sector is not None else {}
        cache = ColumnCache(columns, cat.site_types, prepared=prepared)
        fired = np.zeros((n, len(cat.site)), dtype=bool, order="F")
        rule_score = np.zeros(n)
        for j, ind in enumerate(cat.site):
            hit = ind.rule.fires(cache)
            mask = _sector_mask(ind, cache)
            fired[:, j] = hit if mask is None else hit & mask
            rule_score += self.weights[j] * fired[:, j]
        step("tiers")
        tier = self._tiers(rule_score, fired)
        step("evidence")
        evidence = self._evidence(cache, fired)
        return EngineResult(
            features=pd.DataFrame(columns, index=visits.index, copy=False),
            fired=pd.DataFrame(fired, columns=[i.id for i in cat.site], index=visits.index),
            evidence=evidence,
            rule_score=rule_score,
            tier=tier,
            workers=workers,
        )

    def _tiers(self, rule_score: np.ndarray, fired: np.ndarray) -> np.ndarray:
        rules = self.catalogue.settings.tiers
        rank = np.where(rule_score >= rules.high, 2, np.where(rule_score >= rules.medium, 1, 0))
        if fired.shape[1]:
            floor = np.where(fired, self.floors, 0).max(axis=1)
            rank = np.maximum(rank, floor)
        return np.asarray(TIER_ORDER, dtype=object)[rank]

    def _evidence(self, cache: ColumnCache, fired: np.ndarray) -> pd.DataFrame:
        """Render evidence for fired cells only, as a long table sorted by visit and strength."""
        rows_parts, rank_parts, ids_parts, text_parts = [], [], [], []
        for rank, j in enumerate(self._order):
            rows = np.flatnonzero(fired[:, j])
            if len(rows) == 0:
                continue
            ind = self.catalogue.site[j]
            text: np.ndarray | None = None
            sub_cache = cache.take(rows)
            for clause, when in zip(ind.spec.evidence, ind.evidence_when, strict=True):
                sub = None if when is None else np.flatnonzero(when.fires(sub_cache))
                if sub is not None and len(sub) == 0:
                    continue
                sentence = render(
                    getattr(clause.text, self.lang),
                    sub_cache,
                    np.arange(len(rows)) if sub is None else sub,
                )
                if text is None and sub is None:
                    text = sentence
                    continue
                if text is None:
                    text = np.full(len(rows), "", dtype=object)
                at = slice(None) if sub is None else sub
                text[at] = np.where(text[at] == "", sentence, text[at] + " " + sentence)
            if text is None:
                text = np.full(len(rows), "", dtype=object)
            text[text == ""] = getattr(ind.spec.name, self.lang)
            rows_parts.append(rows)
            rank_parts.append(np.full(len(rows), rank, dtype=np.int32))
            ids_parts.append(np.full(len(rows), ind.id, dtype=object))
            text_parts.append(text)
        if not rows_parts:
            return pd.DataFrame(
                {
                    "row": np.zeros(0, dtype=np.int64),
                    "indicator": pd.Series([], dtype=object),
                    "text": pd.Series([], dtype=object),
                }
            )
        rows_all = np.concatenate(rows_parts)
        order = np.lexsort((np.concatenate(rank_parts), rows_all))
        rows_all = rows_all[order]
        ids_all = np.concatenate(ids_parts)[order]
        text_all = np.concatenate(text_parts)[order]
        return pd.DataFrame(
            {
                "row": rows_all,
                "indicator": pd.Series(ids_all, dtype=object, copy=False),
                "text": pd.Series(text_all, dtype=object, copy=False),
            },
            copy=False,
        )


_GROUP_END = "\x1e"  # ASCII record separator


def _group_join(values: np.ndarray, last: np.ndarray, sep: str) -> list[str]:
    """Join consecutive ``values`` into one string per group; ``last`` marks each group's end.

    One C-level join and split instead of a Python loop per group.

    >>> _group_join(np.array(["a", "b", "c"], dtype=object), np.array([False, True, True]), ";")
    ['a;b', 'c']
    """
    seps = np.where(last, _GROUP_END, sep)
    woven = np.empty(2 * len(values), dtype=object)
    woven[0::2] = values
    woven[1::2] = seps
    parts = "".join(woven.tolist()).split(_GROUP_END)[:-1]
    if len(parts) == int(last.sum()):
        return parts
    # the separator occurs inside the text itself: join group by group instead
    ends = np.flatnonzero(last) + 1
    starts = np.concatenate([[0], ends[:-1]])
    return [sep.join(values[a:b]) for a, b in zip(starts, ends, strict=True)]


__all__ = ["ICLS_NEGATIVE", "ICLS_POSITIVE", "ICLS_UNKNOWN", "EngineResult", "RuleEngine", "render"]
