"""Models load through skops.io with an explicit list of trusted types (issue 11), and an
active model that cannot load is reported as such everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import skops.io as sio
from fastapi.testclient import TestClient

from screening.errors import ModelError
from screening.model import versions
from screening.settings import EXAMPLES_DIR, PROJECT_ROOT, Settings

RAN = Path("/tmp/screening-untrusted-code-ran")


class Payload:
    """A type outside the trusted list; building it would leave a trace."""

    def __setstate__(self, state):
        RAN.write_text("ran")
        self.__dict__.update(state)


@pytest.fixture
def models(tmp_path) -> Path:
    folder = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models" / "default", folder / "default")
    return folder


def swap(folder: Path, obj: object) -> None:
    """Replace a version's model file *and* the checksum on its card (the attack)."""
    path = folder / versions.MODEL_FILE
    sio.dump(obj, path)
    card = json.loads((folder / versions.CARD_FILE).read_text())
    card["model_sha256"] = versions.sha256_of(path)
    (folder / versions.CARD_FILE).write_text(json.dumps(card))


def test_the_bundled_default_model_loads_from_its_skops_file(models, catalogue):
    model = versions.load("default", catalogue, base=models)
    assert model.features == versions.read_card(models / "default")["features"]
    assert not (models / "default" / "model.joblib").exists()


def test_a_file_and_checksum_both_replaced_cannot_run_code(models, catalogue):
    """Finding: replacing model.joblib and the checksum in card.json ran the file's code."""
    RAN.unlink(missing_ok=True)
    swap(models / "default", {"estimator": Payload()})
    with pytest.raises(ModelError, match="outside the list of trusted types.*Payload"):
        versions.load("default", catalogue, base=models)
    assert not RAN.exists(), "nothing of the file was built"


def test_a_pickle_is_never_loaded(models, catalogue):
    import joblib

    folder = models / "default"
    model = versions.read_model(folder / versions.MODEL_FILE)
    (folder / versions.MODEL_FILE).unlink()
    joblib.dump(model, folder / "model.joblib")
    with pytest.raises(ModelError, match="no model.skops.*no longer loaded"):
        versions.load("default", catalogue, base=models)


def test_an_active_model_that_cannot_load_is_reported_everywhere(models, tmp_path):
    """Finding: with a tampered model uploads silently used the rules alone while
    /api/v1/models still named the model as active."""
    from screening.app import create_app
    from screening.store import create_user

    swap(models / "default", {"estimator": Payload()})
    app = create_app(Settings(data_dir=tmp_path / "store", models_dir=models))
    engine = app.state.services.engine
    tokens = {r: create_user(engine, f"u-{r}", r)[1] for r in ("inspector", "analyst")}
    client = TestClient(app)
    status = client.get("/api/v1/models", headers={
        "Authorization": f"Bearer {tokens['analyst']}"}).json()["active_status"]
    assert status["name"] == "default" and status["loaded"] is False
    assert "trusted types" in status["problem"]
    receipt = client.post("/api/v1/uploads", headers={
        "Authorization": f"Bearer {tokens['inspector']}"}, files={
        "file": ("visits.csv", (EXAMPLES_DIR / "visits.csv").read_bytes(), "text/csv")}).json()
    assert receipt["model_version"] is None and "trusted types" in receipt["model_problem"]
