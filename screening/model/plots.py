"""Evaluation plots as PNG: precision-recall, calibration (with the visits behind each point),
recall against capacity (the configured capacity marked)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve  # noqa: E402

from screening.model.training import Report  # noqa: E402

FIGSIZE, DPI = (8, 6), 120  # 960 x 720 pixels: readable on the page, sharp at full size


def write_plots(report: Report, folder: Path) -> list[str]:
    """Write the three evaluation plots into ``folder``; returns their file names."""
    folder = Path(folder)
    written = []
    y, risk = np.asarray(report.curves.get("y", [])), np.asarray(report.curves.get("risk", []))
    fig, ax = plt.subplots(figsize=FIGSIZE)
    if len(y) and y.any():
        precision, recall, _ = precision_recall_curve(y, risk)
        ax.plot(recall, precision, label=f"model (PR AUC {report.probability['pr_auc']:.2f})")
        ax.axhline(y.mean(), color="grey", linestyle="--", label="random")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (held-out visits)")
    ax.legend(loc="lower left")
    written.append(_save(fig, folder / "precision_recall.png"))

    fig, ax = plt.subplots(figsize=FIGSIZE)
    table = report.calibration
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    ax.plot(table["mean_predicted"], table["observed"], marker="o", label="model")
    for x, y_, n in zip(table["mean_predicted"], table["observed"], table["visits"],
                        strict=True):  # how many visits each point rests on
        ax.annotate(f"n={int(n):,}", (x, y_), textcoords="offset points", xytext=(6, -12),
                    fontsize=8)
    ax.set(xlabel="mean predicted probability", ylabel="observed share of forced labour",
           title="Calibration (held-out visits)")
    ax.legend(loc="upper left")
    written.append(_save(fig, folder / "calibration.png"))

    fig, ax = plt.subplots(figsize=FIGSIZE)
    grid = np.asarray(report.curves["capacity"])
    for name, values in report.curves.items():
        if name in ("capacity", "y", "risk"):
            continue
        ax.plot(grid * 100, values, label=name)
    ax.plot(grid * 100, grid, color="grey", linestyle="--", label="random")
    capacity = report.facts["capacity"] * 100
    ax.axvline(capacity, color="black", linewidth=0.8)
    ax.annotate(f"capacity {capacity:g}%", (capacity, 0.02), xytext=(4, 0),
                textcoords="offset points", fontsize=8)
    ax.set(xlabel="capacity (% of visits followed up)", ylabel="recall (share of forced labour "
           "found)", title="Recall against capacity")
    ax.legend(loc="lower right", fontsize=8)
    written.append(_save(fig, folder / "recall_by_capacity.png"))
    return written


def _save(fig: plt.Figure, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path.name


__all__ = ["write_plots"]
