"""Issue 12's quoted case as files: 25 visits with interviews, 8 of the visits bad.

The first file has 8 bad visit rows and 17 good ones; the bad visits have 30 interviews between
them (4, 4, 4, 4, 4, 4, 3, 3) and the good ones 2 each (34), so the first upload rejects 38 rows
of which 30 only repeat their visit's error ("30 of 38"). The fixed file is the same file with
the 8 bad cells put right. One good visit records violence observed: it is urgent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from screening.datasets.synthetic import generate

BAD_INTERVIEWS = (4, 4, 4, 4, 4, 4, 3, 3)
GOOD_INTERVIEWS = 2
BAD = {  # position of the visit -> (column, bad value, reason code)
    0: ("sector", "mining", "unknown_choice"),
    3: ("sector", "minning", "unknown_choice"),
    6: ("sector", "fishing", "unknown_choice"),
    9: ("workers_present", "ten", "wrong_type"),
    12: ("workers_present", "many", "wrong_type"),
    15: ("visit_date", "31/12/2025", "wrong_type"),
    18: ("visit_date", "2025-02-30", "wrong_type"),
    21: ("avg_weekly_hours", "200", "out_of_range"),
}
URGENT_AT = 1
"""The position of the good visit that records violence observed (urgent)."""


@dataclass(frozen=True)
class QuotedCase:
    """The files of the case: bad and fixed visits CSV, the interviews CSV, and the ids."""

    visits_bad: bytes
    visits_fixed: bytes
    interviews: bytes
    bad_ids: list[str]
    good_ids: list[str]
    urgent_id: str
    frames: dict[str, pd.DataFrame]


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8")


def quoted_case(prefix: str = "Q", seed: int = 12) -> QuotedCase:
    """The case with visit ids ``<prefix>01`` .. ``<prefix>25`` (unique per test)."""
    data = generate(25, seed=seed, prevalence=0.0, unknown_rate=0.0)
    visits = data.visits.copy()
    ids = [f"{prefix}{i:02d}" for i in range(1, 26)]
    visits["visit_id"] = ids
    visits["visit_date"] = visits["visit_date"].dt.strftime("%Y-%m-%d")
    visits["violence_observed"] = False
    visits.loc[URGENT_AT, "violence_observed"] = True
    visits = visits.astype(object).where(visits.notna(), "")
    template = data.interviews.astype(object).where(data.interviews.notna(), "")
    rows, n = [], 0
    bad_positions = sorted(BAD)
    for position, visit_id in enumerate(ids):
        count = (BAD_INTERVIEWS[bad_positions.index(position)] if position in BAD
                 else GOOD_INTERVIEWS)
        for k in range(count):
            row = template.iloc[n % len(template)].copy()
            row["visit_id"], row["worker_ref"] = visit_id, f"W{k + 1}"
            rows.append(row)
            n += 1
    interviews = pd.DataFrame(rows).reset_index(drop=True)
    bad = visits.copy()
    for position, (column, value, _) in BAD.items():
        bad.loc[position, column] = value
    good_ids = [v for i, v in enumerate(ids) if i not in BAD]
    return QuotedCase(_csv(bad), _csv(visits), _csv(interviews), [ids[i] for i in BAD],
                      good_ids, ids[URGENT_AT],
                      {"visits": visits, "bad": bad, "interviews": interviews})


__all__ = ["BAD", "BAD_INTERVIEWS", "GOOD_INTERVIEWS", "QuotedCase", "quoted_case"]
