"""Store settings are data: each names its environment variable and says what it is for."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from screening.store import StoreSettings
from screening.store.engine import REPO_ROOT


def test_defaults_are_a_sqlite_file_in_the_data_folder():
    settings = StoreSettings.from_env({})
    assert settings.data_dir == REPO_ROOT / "data"
    assert settings.url == f"sqlite:///{REPO_ROOT / 'data' / 'screening.sqlite3'}"


def test_environment_variables(tmp_path):
    settings = StoreSettings.from_env({"SCREENING_DATA_DIR": str(tmp_path),
                                       "SCREENING_DATABASE_URL": " "})
    assert settings.data_dir == Path(tmp_path)
    assert settings.url.endswith(f"{tmp_path}/screening.sqlite3")
    url = "postgresql://screening@db.example/screening"
    assert StoreSettings.from_env({"SCREENING_DATABASE_URL": url}).url == (
        "postgresql+psycopg://screening@db.example/screening")


def test_every_setting_has_an_environment_variable_and_help():
    for f in fields(StoreSettings):
        assert f.metadata["env"].startswith("SCREENING_")
        assert f.metadata["help"].endswith(".") and len(f.metadata["help"]) > 20
