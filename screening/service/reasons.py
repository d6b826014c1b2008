"""The evidence of stored visits in the reader's language, rendered again from the stored records.

The reasons stored with a screening are in the language of the upload's screening (English),
and for a visit the model raised a tier they begin with the catalogue's escalation note. The
pages show evidence in the reader's language instead: the rules are run again on the stored
visit records and interviews (a page's worth at a time), and each stored fired indicator gets
its evidence sentence in that language. The model's part is said by the page in its own words
beside the risk score (:mod:`screening.service.visit_reading`), never as a stored sentence.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, select

from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS, ColumnSpec, Kind
from screening.priority import tier_rank
from screening.rules.engine import EngineResult, RuleEngine
from screening.store import transaction
from screening.store.bulk import as_pandas, read_arrow
from screening.store.tables import Interview, Visit

log = logging.getLogger("screening.service")
_CHUNK = 500
CACHED = 50_000
"""Rendered visits kept in memory (a stored visit version's evidence never changes: a
correction is a new version), so paging back and forth renders nothing twice."""
_rendered: OrderedDict[tuple, Rendered] = OrderedDict()
_lock = threading.Lock()


@dataclass
class Rendered:
    """One stored visit's evidence rendered again in a language.

    Attributes
    ----------
    sentences : list of (str, str)
        (indicator id, evidence sentence) for each fired indicator of the stored screening, in
        its stored order (strongest first).
    rules_tier : str or None
        The tier the rules alone give the visit now; the stored tier is higher when the model
        raised it.
    """

    sentences: list[tuple[str, str]] = field(default_factory=list)
    rules_tier: str | None = None


DTYPES = {Kind.TEXT: pd.StringDtype("pyarrow", na_value=np.nan), Kind.INT: "Int64",
          Kind.NUMBER: "float64", Kind.BOOL: "boolean", Kind.DATE: "datetime64[ns]"}
"""The dtype of each kind of column, as :func:`screening.ingest.validation.validate_frame`
gives it (a test compares the two)."""
DTYPES[Kind.CHOICE] = DTYPES[Kind.TEXT]
_ARROW = {Kind.TEXT: pa.string(), Kind.CHOICE: pa.string(), Kind.INT: pa.int64(),
          Kind.NUMBER: pa.float64(), Kind.BOOL: pa.bool_(), Kind.DATE: pa.date32()}


def _typed(table: pa.Table, specs: list[ColumnSpec]) -> pd.DataFrame:
    """Stored columns (valid when they were stored) in the dtypes of a validated upload; they
    are not validated again, which would cost most of a second per page."""
    frame = as_pandas(table)
    for spec in specs:
        if str(frame[spec.name].dtype) != str(DTYPES[spec.kind]):
            frame[spec.name] = frame[spec.name].astype(DTYPES[spec.kind])
    return frame


def stored_frames(engine: Engine, visit_ids: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current versions of the given stored visits, with their interviews, as the typed
    frames the engine takes (visits not in the store are left out; read through Arrow)."""
    ids = list(dict.fromkeys(visit_ids))
    visits, interviews = [], []
    schema_v = pa.schema([(c.name, _ARROW[c.kind]) for c in VISIT_COLUMNS])
    schema_i = pa.schema([(c.name, _ARROW[c.kind]) for c in INTERVIEW_COLUMNS])
    with transaction(engine, write=False) as session:
        for start in range(0, max(len(ids), 1), _CHUNK):
            current = (Visit.visit_id.in_(ids[start:start + _CHUNK]), Visit.is_current)
            visits.append(read_arrow(session, select(
                *(getattr(Visit, c.name) for c in VISIT_COLUMNS)).where(*current)
                .order_by(Visit.id), schema_v))
            interviews.append(read_arrow(session, select(
                *(getattr(Interview, c.name) for c in INTERVIEW_COLUMNS))
                .join(Visit, Visit.id == Interview.visit_row_id).where(*current)
                .order_by(Interview.id), schema_i))
    return (_typed(pa.concat_tables(visits), VISIT_COLUMNS),
            _typed(pa.concat_tables(interviews), INTERVIEW_COLUMNS))


def _evidence_by_visit(result: EngineResult, visit_ids: list[str]
                       ) -> dict[str, dict[str, str]]:
    evidence = result.evidence
    out: dict[str, dict[str, str]] = {v: {} for v in visit_ids}
    for row, indicator, text in zip(evidence["row"].tolist(),
                                    evidence["indicator"].astype(object).tolist(),
                                    evidence["text"].astype(object).tolist(), strict=True):
        out[visit_ids[row]][indicator] = text
    return out


def render_again(engine: Engine, rules: RuleEngine,
                 stored: Sequence[dict[str, Any]]) -> dict[str, Rendered]:
    """The evidence of stored visits in the language of ``rules``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    rules : RuleEngine
        The rule engine in the reader's language (``services.rules(lang)``).
    stored : sequence of dict
        Rows of the stored follow-up list: each has ``visit_id`` and ``indicators`` (the
        stored fired indicators, ``;``-separated or a list).

    Returns
    -------
    dict of str to Rendered
        One entry per row. A visit whose stored record cannot be screened again (it is logged)
        gets no sentences and no rules tier, so the page says nothing rather than something
        wrong. Rendered visits are kept (:data:`CACHED`, keyed by store, language, visit,
        version and stored indicators).
    """
    store = engine.url.render_as_string(hide_password=True)

    def key(row: dict[str, Any]) -> tuple:
        listed = row["indicators"]
        return (store, rules.lang, row["visit_id"], row.get("version"),
                listed if isinstance(listed, str) else ";".join(listed or ()))

    out = {row["visit_id"]: _cached(key(row)) or Rendered() for row in stored}
    wanted = {row["visit_id"]: row for row in stored if _cached(key(row)) is None}
    if not wanted:
        return out
    try:
        visits, interviews = stored_frames(engine, wanted)
        result = rules.run(visits, interviews)
    except Exception:  # noqa: BLE001 - the stored screening is still shown, without sentences
        log.exception("Could not render the evidence of %d stored visits again.", len(wanted))
        return out
    ids = visits["visit_id"].astype(object).tolist()
    evidence = _evidence_by_visit(result, ids)
    tiers = result.tier.astype(object).tolist()
    for visit_id, tier in zip(ids, tiers, strict=True):
        listed = wanted[visit_id]["indicators"]
        listed = [i for i in listed.split(";") if i] if isinstance(listed, str) else listed
        sentences = [(i, evidence[visit_id][i]) for i in listed or () if i in evidence[visit_id]]
        out[visit_id] = _keep(key(wanted[visit_id]),
                              Rendered(sentences=sentences, rules_tier=str(tier)))
    return out


def _cached(key: tuple) -> Rendered | None:
    with _lock:
        found = _rendered.get(key)
        if found is not None:
            _rendered.move_to_end(key)
        return found


def _keep(key: tuple, rendered: Rendered) -> Rendered:
    with _lock:
        _rendered[key] = rendered
        while len(_rendered) > CACHED:
            _rendered.popitem(last=False)
    return rendered


def raised_by_model(tier: str | None, rules_tier: str | None) -> bool:
    """Whether a stored tier is above the rules' tier (the model raised it; it never lowers).

    >>> raised_by_model("high", "medium"), raised_by_model("low", "low")
    (True, False)
    >>> raised_by_model("high", None)
    False
    """
    if tier is None or rules_tier is None:
        return False
    return bool(tier_rank([tier])[0] > tier_rank([rules_tier])[0])


__all__ = ["DTYPES", "Rendered", "raised_by_model", "render_again", "stored_frames"]
