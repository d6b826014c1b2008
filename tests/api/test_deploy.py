"""What a deployment needs: /healthz and /readyz, documentation served from the package under
a Content-Security-Policy, JSON logs with a request id."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from screening.app import create_app
from screening.settings import Settings


def test_healthz_and_readyz(tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path)))
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["store"]["ok"] and checks["migrations"]["current"] == checks["migrations"][
        "head"]
    assert checks["model"] == {"ok": True, "active": "default", "problem": None}


def test_readyz_says_when_the_active_model_cannot_load(tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path, active_model="missing")))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    model = ready.json()["checks"]["model"]
    assert model["ok"] is False and "missing" in model["problem"]


def test_documentation_is_served_from_the_package_under_a_csp(tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path)))
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "http" not in page.text.replace("http-equiv", ""), "nothing from a CDN"
        csp = page.headers["content-security-policy"]
        script = csp.split("script-src")[1].split(";")[0]
        assert script.strip() == "'self'", csp
        assert "<script>" not in page.text, "no inline script"
    for asset in ("/docs-assets/vendor/swagger-ui/swagger-ui-bundle.js",
                  "/docs-assets/swagger-init.js", "/docs-assets/vendor/redoc/redoc.standalone.js",
                  "/docs-assets/redoc-init.js"):
        assert client.get(asset).status_code == 200, asset


def test_each_request_is_logged_as_json_with_its_request_id(tmp_path, capfd):
    client = TestClient(create_app(Settings(data_dir=tmp_path)))
    answer = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert answer.headers["x-request-id"] == "abc-123"
    fresh = client.get("/healthz?secret=1", headers={"X-Request-ID": "bad id\n"})
    assert len(fresh.headers["x-request-id"]) == 32, "a made-up id replaces one that is not plain"
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()
             if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request"]
    assert {"request_id": "abc-123", "path": "/healthz", "status": 200, "method": "GET"}.items() \
        <= access[0].items()
    assert "secret" not in json.dumps(access), "query strings are not logged"
