"""``screening users add`` and ``screening users password`` (issue 12): a password for the web
pages, typed twice at a hidden prompt or read from standard input; the README documents them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from screening.app import create_app
from screening.cli import main
from screening.cli.service import users
from screening.settings import Settings
from screening.store.passwords import MIN_LENGTH
from tests.web.conftest import sign_in_with_password

README = Path(__file__).resolve().parents[2] / "README.md"
GOOD = "four words on a phone"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    return tmp_path


def run(*args: str, input: str | None = None):  # noqa: A002 - click's name
    return CliRunner().invoke(main, list(args), input=input)


def signs_in(data_dir: Path, name: str, password: str) -> bool:
    client = TestClient(create_app(Settings(data_dir=data_dir)))
    return sign_in_with_password(client, name, password).status_code == 303


def test_users_add_asks_twice_then_the_password_signs_in(data_dir):
    result = run("users", "add", "aysel", "--role", "monitor", input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Password for 'aysel' (at least 15 characters)" in result.stderr
    assert "Repeat the password" in result.stderr
    assert GOOD not in result.output, "a typed password is not echoed"
    assert len(result.stdout.strip().splitlines()[-1]) >= 40, "the API token, shown once"
    assert signs_in(data_dir, "aysel", GOOD)
    assert not signs_in(data_dir, "aysel", GOOD + "?")


def test_a_short_password_is_refused_at_the_prompt_and_asked_again(data_dir):
    typed = f"too short\n{GOOD}\n{GOOD}\n"
    result = run("users", "add", "aysel", "--role", "monitor", input=typed)
    assert result.exit_code == 0, result.output
    assert "A password needs at least 15 characters; this one has 9." in result.stderr
    assert signs_in(data_dir, "aysel", GOOD)


def test_two_different_passwords_are_asked_again(data_dir):
    typed = f"{GOOD}\nfour words on a phone!\n{GOOD}\n{GOOD}\n"
    result = run("users", "add", "aysel", "--role", "monitor", input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.stderr
    assert signs_in(data_dir, "aysel", GOOD)


def test_password_stdin_for_scripts(data_dir):
    result = run("users", "add", "aysel", "--role", "inspector", "--password-stdin",
                 input=f"{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Password for" not in result.output, "no prompt"
    assert signs_in(data_dir, "aysel", GOOD)
    short = run("users", "add", "nigar", "--role", "inspector", "--password-stdin",
                input="short\n")
    assert short.exit_code == 2
    assert "A password needs at least 15 characters; this one has 5." in short.output
    assert not signs_in(data_dir, "nigar", "short")


def test_no_password_makes_a_token_only_user(data_dir):
    result = run("users", "add", "importer", "--role", "inspector", "--no-password")
    assert result.exit_code == 0, result.output
    assert "without a password" in result.stderr
    assert not signs_in(data_dir, "importer", "")
    both = run("users", "add", "x", "--role", "inspector", "--no-password", "--password-stdin")
    assert both.exit_code == 2 and "not both" in both.output


def test_users_password_resets_it(data_dir):
    run("users", "add", "aysel", "--role", "monitor", "--password-stdin", input=f"{GOOD}\n")
    new = "a new password of five words"
    result = run("users", "password", "aysel", input=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert "Password set for 'aysel'; 0 open web session(s) ended." in result.stderr
    assert signs_in(data_dir, "aysel", new) and not signs_in(data_dir, "aysel", GOOD)
    nobody = run("users", "password", "aysle", "--password-stdin", input=f"{new}\n")
    assert nobody.exit_code == 2 and "No user is named 'aysle'" in nobody.output


def test_the_help_and_the_readme_say_the_same():
    readme = README.read_text(encoding="utf-8")
    for name, command in users.commands.items():
        help_text = CliRunner().invoke(main, ["users", name, "--help"]).output
        assert f"screening users {name}" in readme, f"users {name} is not in the README"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"users {name} {opt} is not in the README"
                    assert opt in help_text
    def words(text: str) -> str:
        return " ".join(text.split())

    assert f"at least {MIN_LENGTH} characters" in words(readme)
    assert f"at least {MIN_LENGTH} characters" in words(users.commands["add"].help)
