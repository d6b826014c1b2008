"""A process killed with SIGKILL in the middle of storing an upload leaves no partial upload."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from storekit import REPO, counts, make_upload, put

from screening.store import create_engine_for

CHILD = r'''
import sys, time
from pathlib import Path
from sqlalchemy import event
from screening.ingest.loaders import load_upload
from screening.pipeline import screen_frames
from screening.store import create_engine_for, store_upload
from screening.datasets.synthetic import generate, write

url, folder, marker = sys.argv[1:4]
paths = write(generate(4000, seed=13), folder)
loaded = load_upload(paths["visits"], paths["interviews"])
screening = screen_frames(loaded.visits, loaded.interviews)
engine = create_engine_for(url)

@event.listens_for(engine, "after_cursor_execute")
def stall(conn, cursor, statement, parameters, context, executemany):
    # the visits are written in bulk (COPY or executemany on the driver's cursor); the store
    # then reads their row ids back, before it writes the interviews
    text = " ".join(statement.upper().split())
    if text.startswith("SELECT VISITS.VISIT_ID, VISITS.ID FROM VISITS WHERE VISITS.UPLOAD_ID"):
        written = conn.exec_driver_sql("SELECT count(*) FROM visits").scalar()
        Path(marker + ".tmp").write_text(str(written))
        Path(marker + ".tmp").rename(marker)  # the visits are in, uncommitted
        time.sleep(300)

store_upload(engine, user=None, file_name="visits.csv", content=b"large upload",
             loaded=loaded, screening=screening)
print("stored", flush=True)
'''


def test_killed_process_leaves_no_partial_upload(store, store_url, tmp_path, synthetic_paths):
    marker = tmp_path / "inside-the-transaction"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, store_url, str(tmp_path / "files"), str(marker)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "The child never got past the visits insert."
            time.sleep(0.05)
        # The upload row and 4,000 visits are written inside the open transaction.
        assert int(marker.read_text()) == 4000
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    engine = create_engine_for(store_url)
    assert set(counts(engine).values()) == {0}
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # The store is usable afterwards (no lock left behind).
    receipt = put(engine, make_upload(synthetic_paths["visits"], synthetic_paths["interviews"]))
    assert receipt.accepted["visits"] > 0
    engine.dispose()
