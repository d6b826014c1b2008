"""The service from the command line: users add, serve (seeded), train --from-store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from screening.app import create_app
from screening.cli import main
from screening.service.demo import seed_demo
from screening.settings import Settings
from screening.store import record_review, store_upload

ROOT = Path(__file__).resolve().parents[2]


def test_users_add_prints_a_token_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    runner = CliRunner()
    typed = "four words on a phone\n" * 2  # the password, and again to confirm
    result = runner.invoke(main, ["users", "add", "aysel", "--role", "monitor"], input=typed)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    again = runner.invoke(main, ["users", "add", "aysel", "--role", "monitor"], input=typed)
    assert again.exit_code == 2 and "aysel" in again.output
    app = create_app(Settings(data_dir=tmp_path))
    from fastapi.testclient import TestClient

    ok = TestClient(app).get("/api/v1/indicators", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def test_seed_demo_once(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    tokens = seed_demo(app.state.services)
    assert set(tokens) == {"inspector", "monitor", "analyst", "admin"}
    assert seed_demo(app.state.services) == {}, "a seeded store is not seeded again"
    from fastapi.testclient import TestClient

    listed = TestClient(app).get("/api/v1/visits", headers={
        "Authorization": f"Bearer {tokens['monitor']}"}).json()
    assert listed["total"] == 300
    assert listed["visits"][0]["risk_score"] is not None, "screened with the active model"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_localhost(tmp_path):
    port = _free_port()
    env = {**os.environ, "SCREENING_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("SCREENING_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "screening", "serve", "--port", str(port),
                             "--demo"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read()
                time.sleep(0.3)
        else:
            pytest.fail("the service did not answer within 60 s")
        assert page.status_code == 200 and "/docs" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/visits").status_code == 401
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    assert "demo monitor token:" in stderr
    assert "demo monitor: name demo-monitor  password " in stderr
    assert f"http://127.0.0.1:{port}/" in stderr


def test_train_from_store(tmp_path, monkeypatch, engine):
    from screening.datasets.synthetic import generate, write
    from screening.pipeline import screen_frames

    data = generate(3_000, seed=4, prevalence=0.06)
    paths = write(data, tmp_path / "in", "csv")
    app = create_app(Settings(data_dir=tmp_path / "store"))
    store = app.state.services.engine
    from screening.ingest.loaders import load_upload
    from screening.store import create_user

    user, _ = create_user(store, "inspector", "inspector")
    loaded = load_upload(paths["visits"], paths["interviews"])
    screening = screen_frames(loaded.visits, loaded.interviews, engine=engine)
    store_upload(store, user=user, file_name="visits.csv",
                 content=paths["visits"].read_bytes(), loaded=loaded, screening=screening)
    truth = data.outcomes.set_index("visit_id")
    for visit_id, row in truth.iterrows():
        record_review(store, visit_id=str(visit_id), status="decided", outcome=row["outcome"],
                      decided_on=row["decided_on"].date())
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("SCREENING_MODELS_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(main, ["train", "--from-store", "--out", "from-store"])
    assert result.exit_code == 0, result.output
    assert "From the store: 3,000 visits, 3,000 decided outcomes" in result.output
    assert (tmp_path / "models" / "from-store" / "card.json").exists()


@pytest.mark.parametrize("demo", [False, True])
def test_demo_users_only_with_an_explicit_demo(tmp_path, monkeypatch, demo):
    """Finding: demo users (admin included) were created by default and their tokens printed
    on every first start, so a production store started with known accounts."""
    import uvicorn
    from sqlalchemy import func, select

    from screening.store import create_engine_for
    from screening.store.tables import User

    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    result = CliRunner().invoke(main, ["serve", "--port", "1"] + (["--demo"] if demo else []))
    assert result.exit_code == 0, result.output
    engine = create_engine_for(Settings(data_dir=tmp_path))
    with engine.connect() as c:
        users = c.scalar(select(func.count()).select_from(User))
    engine.dispose()
    assert ("token:" in result.output) is demo
    assert ("password" in result.output) is demo
    assert users == (4 if demo else 0)
