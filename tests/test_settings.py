"""The one settings object: every SCREENING_* variable, its default, its help, and a clear
refusal of a value that cannot be used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening.errors import SettingsError
from screening.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_defaults_are_a_sqlite_file_in_the_data_folder():
    settings = Settings.from_env({})
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.url == f"sqlite:///{PROJECT_ROOT / 'data' / 'screening.sqlite3'}"
    assert settings.models_dir == PROJECT_ROOT / "models"
    assert settings.active_model == "default" and settings.max_upload_mb == 50


def test_environment_variables(tmp_path):
    settings = Settings.from_env({"SCREENING_DATA_DIR": str(tmp_path),
                                  "SCREENING_DATABASE_URL": " "})
    assert settings.data_dir == Path(tmp_path)
    assert settings.url.endswith(f"{tmp_path}/screening.sqlite3")
    url = "postgresql://screening@db.example/screening"
    assert Settings.from_env({"SCREENING_DATABASE_URL": url}).url == (
        "postgresql+psycopg://screening@db.example/screening")
    assert Settings.from_env({"SCREENING_ACTIVE_MODEL": ""}).active_model == "", (
        "empty means the rules alone")
    assert Settings.from_env({"SCREENING_MODELS_DIR": str(tmp_path)}).models_dir == tmp_path


def test_the_process_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENING_MAX_UPLOAD_MB", "2.5")
    monkeypatch.setenv("SCREENING_MODELS_DIR", str(tmp_path))
    settings = Settings.from_env()
    assert settings.max_upload_mb == 2.5 and settings.models_dir == tmp_path


@pytest.mark.parametrize("variable, value, expects", [
    ("SCREENING_MAX_UPLOAD_MB", "50MB", "a number above 0 such as 50"),
    ("SCREENING_MAX_UPLOAD_MB", "-1", "a number above 0"),
    ("SCREENING_MAX_UPLOAD_MB", "nan", "a number above 0"),
], ids=["unit-suffix", "negative", "nan"])
def test_a_bad_value_is_refused_naming_the_variable(variable, value, expects):
    with pytest.raises(SettingsError, match=re.escape(f"{variable}={value!r} cannot be used: "
                                                      "expected ") + ".*" + re.escape(expects)):
        Settings.from_env({variable: value})


def test_a_bad_value_stops_the_cli_with_one_line(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from screening.cli import main

    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCREENING_MAX_UPLOAD_MB", "50MB")
    result = CliRunner().invoke(main, ["users", "add", "x", "--role", "monitor"])
    assert result.exit_code == 2
    assert "SCREENING_MAX_UPLOAD_MB='50MB' cannot be used" in result.output
    assert "Traceback" not in result.output


def test_every_setting_has_help_and_is_in_the_readme_table():
    rows = dict(re.findall(r"^\| `(SCREENING_[A-Z_]+)` \| [^|]*\| ([^|]*) \|$", README, re.M))
    for name, field in Settings.model_fields.items():
        variable = Settings.env_name(name)
        assert field.description and field.description.endswith(".")
        assert variable in rows, f"{variable} is not in the README's settings table"
    assert set(rows) == {Settings.env_name(n) for n in Settings.model_fields}, (
        "the README lists a setting that does not exist")
