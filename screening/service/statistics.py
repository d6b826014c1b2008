"""The yearly statistics of the stored visits (the monitoring centre's page and
``screening report --from-store``)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from screening.outputs.statistics import yearly_statistics
from screening.rules.engine import RuleEngine
from screening.store import outcomes_frame
from screening.store.frames import stored_frames


def stored_statistics(store: Engine, rules: RuleEngine, year: int) -> pd.DataFrame:
    """The yearly table (:func:`screening.outputs.statistics.yearly_statistics`) over the
    current version of every stored visit, with the decided outcomes of the reviews."""
    visits, interviews = stored_frames(store)
    if len(visits) == 0:
        return yearly_statistics(visits.assign(visit_date=pd.to_datetime(visits["visit_date"])),
                                 interviews, rules.run(visits, interviews), year)
    return yearly_statistics(visits, interviews, rules.run(visits, interviews), year,
                             outcomes_frame(store))


def years(store: Engine) -> list[int]:
    """The calendar years of the stored visits, latest first."""
    visits, _ = stored_frames(store)
    if len(visits) == 0:
        return []
    return sorted({int(y) for y in pd.to_datetime(visits["visit_date"]).dt.year}, reverse=True)


__all__ = ["stored_statistics", "years"]
