"""The built wheel carries what the service needs: installed into a fresh virtual environment
outside the checkout, it screens with the shipped model, serves, and is ready (/readyz)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from screening.settings import PROJECT_ROOT


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", root / "dist",
          PROJECT_ROOT], timeout=600)
    wheel = next((root / "dist").glob("*.whl"))
    _run([sys.executable, "-m", "venv", root / "venv"], timeout=300)
    _run([root / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel],
         timeout=1200)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SCREENING_", "PYTHON", "VIRTUAL_ENV"))}
    run = root / "run"
    run.mkdir()
    return root, {"env": env, "cwd": run}


def test_the_installed_package_finds_its_model_and_examples(installed):
    root, where = installed
    found = _run([root / "venv" / "bin" / "python", "-c",
                  "import json, screening.settings as s; print(json.dumps({'checkout': "
                  "s.IN_CHECKOUT, 'examples': str(s.EXAMPLES_DIR), 'models': "
                  "str(s.Settings().models_dir), 'data': str(s.Settings().data_dir), 'module': "
                  "s.__file__}))"], **where, timeout=120)
    paths = json.loads(found.stdout)
    venv = str(root / "venv")
    assert paths["checkout"] is False
    assert paths["module"].startswith(venv), "imported from the wheel, not the checkout"
    assert paths["examples"].startswith(venv) and paths["models"].startswith(venv)
    assert paths["data"] == str(where["cwd"] / "data"), "never inside site-packages"
    for name in ("py.typed",):
        assert (Path(paths["module"]).parent / name).exists()


def test_it_screens_with_the_shipped_model(installed):
    root, where = installed
    share = root / "venv" / "share" / "forced-labour-screening"
    screened = _run([root / "venv" / "bin" / "screening", "screen", share / "examples" /
                     "visits.csv", "--interviews", share / "examples" / "interviews.csv",
                     "--model", "default", "--format", "csv"], **where, timeout=300)
    lines = screened.stdout.splitlines()
    assert lines[0].startswith("rank,visit_id") and len(lines) == 301
    assert lines[1].split(",")[7] != "", "risk scores from the shipped model"


def test_it_serves_and_is_ready(installed):
    root, where = installed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([root / "venv" / "bin" / "screening", "serve", "--port",
                               str(port)], stderr=subprocess.PIPE, text=True, **where)
    try:
        deadline, ready = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz",
                                            timeout=2) as answer:
                    ready = json.loads(answer.read())
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.5)
        assert ready is not None, "the installed service did not answer within 120 s"
        assert ready["status"] == "ready"
        assert ready["checks"]["model"] == {"ok": True, "active": "default", "problem": None}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=5) as docs:
            assert b"swagger-ui" in docs.read()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert (where["cwd"] / "data" / "screening.sqlite3").exists()
