"""Every notebook in notebooks/ runs top to bottom on small data, and is committed clean.

Each ``notebooks/*.ipynb`` (found by glob, so new notebooks are picked up without editing this
file) is executed with nbclient in a ``python3`` kernel that must be this interpreter (the
virtualenv's), with ``SCREENING_NOTEBOOK_SMALL=1`` so notebooks use small data. The committed
files must carry no outputs and no execution counts.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
TIME_LIMIT = 60.0  # seconds per notebook
_PROBE = "import sys; print(sys.prefix)"


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def test_there_are_notebooks():
    assert NOTEBOOKS, "No notebooks were found in notebooks/."


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {number} has outputs; clear them."
        assert cell.get("execution_count") is None, (
            f"{path.name} cell {number} has an execution count; clear it."
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_runs_top_to_bottom_on_small_data(path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCREENING_NOTEBOOK_SMALL", "1")
    pythonpath = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO_ROOT), pythonpath])))
    nb = nbformat.read(path, as_version=4)
    # First cell (not written back): which Python the kernel runs.
    nb.cells.insert(0, nbformat.v4.new_code_cell(_PROBE))
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(REPO_ROOT)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    probe = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    assert Path(probe).resolve() == Path(sys.prefix).resolve(), (
        f"The kernel ran {probe}, not this virtualenv ({sys.prefix})."
    )
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{path.name} raised {errors[0].ename}: {errors[0].evalue}."
    assert seconds < TIME_LIMIT, f"{path.name} took {seconds:.1f} s (limit {TIME_LIMIT:.0f} s)."
