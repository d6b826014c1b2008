"""Helpers for tests that need a small trained model in a models folder, and uploads as CSV."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from screening.datasets.synthetic import generate
from screening.model.training import train
from screening.model.versions import save
from screening.rules.catalogue import load_catalogue


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as the CSV bytes an inspector would upload."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def small_model(models: Path, name: str, *, visits: int = 6_000, prevalence: float = 0.03,
                seed: int = 8) -> Path:
    """Train a model on synthetic visits and save it as version ``name`` in ``models``."""
    data = generate(visits, seed=seed, prevalence=prevalence)
    model, report = train(data.visits, data.interviews, data.outcomes, seed=1)
    return save(model, report, load_catalogue(), Path(models) / name, synthetic=True)
