"""The service layer under the shells: uploads off the event loop, the active model kept in the
store and loud when it cannot load, uploads read from bytes with the user's file name."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import shutil
import tempfile
import threading
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from screening.app import create_app
from screening.settings import PROJECT_ROOT, Settings
from screening.store import create_user

EXAMPLES = PROJECT_ROOT / "examples"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _service(folder: Path, **settings):
    app = create_app(Settings(data_dir=folder, **settings))
    tokens = {role: create_user(app.state.services.engine, f"u-{role}", role)[1]
              for role in ("inspector", "monitor", "analyst", "admin")}
    return app, tokens


def _visits_file() -> dict:
    return {"file": ("visits.csv", (EXAMPLES / "visits.csv").read_bytes(), "text/csv"),
            "interviews": ("interviews.csv", (EXAMPLES / "interviews.csv").read_bytes(),
                           "text/csv")}


def test_other_requests_are_answered_while_an_upload_is_processed(tmp_path, monkeypatch):
    """The upload's work runs off the event loop: a request made while it is being processed is
    answered before it finishes (were the work on the loop, the read could never be answered
    and the upload would wait for it forever: the test would time out)."""
    import screening.api.uploads as routes

    app, tokens = _service(tmp_path)
    read_answered = threading.Event()
    upload_started = threading.Event()
    real = routes.accept_upload

    def slow_accept(*args, **kwargs):
        upload_started.set()
        assert read_answered.wait(timeout=30), "the read was not answered during the upload"
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "accept_upload", slow_accept)
    order: list[str] = []

    async def both() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await _upload_and_read(client)

    async def _upload_and_read(client: httpx.AsyncClient) -> None:

        async def upload() -> None:
            response = await client.post("/api/v1/uploads", files=_visits_file(),
                                         headers=auth(tokens["inspector"]))
            assert response.status_code == 201, response.text
            order.append("upload")

        async def read() -> None:
            while not upload_started.is_set():
                await anyio.sleep(0.01)
            response = await client.get("/api/v1/indicators", headers=auth(tokens["monitor"]))
            assert response.status_code == 200
            order.append("read")
            read_answered.set()

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                group.start_soon(upload)
                group.start_soon(read)

    # its own event loop in its own thread, whatever else the test session runs
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, both).result(timeout=90)
    assert order == ["read", "upload"]


def _broken_models(tmp_path: Path) -> Path:
    """A models folder with the shipped default and a copy whose model file was tampered."""
    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models" / "default", models / "default")
    shutil.copytree(PROJECT_ROOT / "models" / "default", models / "tampered")
    card = json.loads((models / "tampered" / "card.json").read_text())
    card["version"] = "tampered"
    (models / "tampered" / "card.json").write_text(json.dumps(card))
    from screening.model.versions import MODEL_FILE

    with open(models / "tampered" / MODEL_FILE, "ab") as handle:
        handle.write(b"tampered")
    return models


def test_an_active_model_that_cannot_load_is_reported_everywhere(tmp_path, caplog):
    models = _broken_models(tmp_path)
    app, tokens = _service(tmp_path / "store", models_dir=models, active_model="tampered")
    client = TestClient(app)
    with caplog.at_level(logging.ERROR, logger="screening.service"):
        response = client.post("/api/v1/uploads", files=_visits_file(),
                               headers=auth(tokens["inspector"]))
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["model_version"] is None
    assert "tampered" in receipt["model_problem"] and "does not match its card" in (
        receipt["model_problem"])
    assert any("rules alone" in r.getMessage() and "tampered" in r.getMessage()
               for r in caplog.records), "the log records the failure"
    listed = client.get("/api/v1/models", headers=auth(tokens["analyst"])).json()
    assert listed["active"] == "tampered"
    assert listed["active_status"]["loaded"] is False
    assert "does not match its card" in listed["active_status"]["problem"]
    again = client.get("/api/v1/uploads", headers=auth(tokens["inspector"])).json()
    assert len(again) == 1
    stored = client.get("/api/v1/visits", headers=auth(tokens["monitor"])).json()
    assert stored["visits"][0]["risk_score"] is None, "screened by the rules alone"


def test_a_working_active_model_screens_and_the_receipt_names_it(tmp_path):
    app, tokens = _service(tmp_path)
    response = TestClient(app).post("/api/v1/uploads", files=_visits_file(),
                                    headers=auth(tokens["inspector"]))
    receipt = response.json()
    assert receipt["model_version"] == "default" and receipt["model_problem"] is None


def test_every_process_agrees_on_the_active_model(tmp_path):
    """The choice is kept in the store: a second app on the same store (another process) sees
    the switch made through the first."""
    first, tokens = _service(tmp_path)
    second = create_app(Settings(data_dir=tmp_path))
    headers = auth(tokens["analyst"])
    assert TestClient(second).get("/api/v1/models", headers=headers).json()["active"] == (
        "default")
    first.state.services.models.choose("", None)
    assert TestClient(second).get("/api/v1/models", headers=headers).json()["active"] == ""
    from screening.errors import ModelError

    with pytest.raises(ModelError, match="no model version 'nope'"):
        second.state.services.models.choose("nope", None)


def test_messages_name_the_users_file_never_a_server_path(tmp_path, monkeypatch):
    app, tokens = _service(tmp_path)

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("an upload must not be written to a temporary file")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory",
                 "SpooledTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temporary_files)
    client = TestClient(app)
    response = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                           files={"file": ("Ayşə visits.csv", b"visit_id\n", "text/csv")})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("Ayşə visits.csv: ") and "/tmp" not in message
    bad = (EXAMPLES / "visits-with-errors.csv").read_bytes()
    response = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                           files={"file": ("march.csv", bad, "text/csv")})
    assert response.status_code == 201
    sources = {row["source"] for row in response.json()["rejected_rows"]}
    assert sources == {"march.csv"}


def test_the_catalogue_is_read_and_compiled_once_per_process(tmp_path, monkeypatch):
    import indicators.loader
    import screening.rules.catalogue as compiled

    app, tokens = _service(tmp_path)
    calls = []
    monkeypatch.setattr(indicators.loader, "read_catalogue",
                        lambda *a, **k: calls.append(a) or pytest.fail("read again"))
    monkeypatch.setattr(compiled, "read_catalogue", indicators.loader.read_catalogue)
    client = TestClient(app)
    for name in ("a.csv", "b.csv"):
        content = (EXAMPLES / "visits.csv").read_bytes() + (b"\n" if name == "b.csv" else b"")
        response = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                               files={"file": (name, content, "text/csv")})
        assert response.status_code == 201
    assert calls == []
    assert app.state.services.rules("az") is app.state.services.rules("az")
