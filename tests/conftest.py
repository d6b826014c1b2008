"""Shared fixtures: small hand-written record frames and the bundled catalogue."""

import pandas as pd
import pytest

from screening.rules.catalogue import load_catalogue
from screening.rules.engine import RuleEngine


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def engine(catalogue):
    return RuleEngine(catalogue)


def make_visits(*rows: dict) -> pd.DataFrame:
    """Visits with the required columns filled with harmless values, overridden per row."""
    base = {
        "site_id": "S1",
        "visit_date": pd.Timestamp("2025-03-01"),
        "inspector_id": "I1",
        "region": "Baku",
        "sector": "construction",
        "workers_present": 10,
        "workers_without_contract": 0,
        "foreign_workers": 0,
        "foreign_workers_without_permit": 0,
        "minors_present": 0,
    }
    out = []
    for i, row in enumerate(rows):
        out.append({**base, "visit_id": f"V{i + 1}", "site_id": f"S{i + 1}", **row})
    return pd.DataFrame(out)


def make_interviews(*rows: dict) -> pd.DataFrame:
    """Interviews; each row needs a visit_id, worker_ref defaults to W<n>."""
    return pd.DataFrame([{"worker_ref": f"W{i + 1}", **row} for i, row in enumerate(rows)])
