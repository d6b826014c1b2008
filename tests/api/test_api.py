"""The API: tokens and roles on every endpoint, one error shape, uploads, reviews, exports,
attacks (formula injection, oversize and mislabelled files, SQL metacharacters), audit."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_user
from screening.store.engine import transaction
from screening.store.tables import AuditEntry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROLES = ("inspector", "monitor", "analyst", "admin")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """A service on a fresh SQLite store with one user per role and the sample uploaded."""
    folder = tmp_path_factory.mktemp("store")
    app = create_app(Settings(data_dir=folder, max_upload_mb=1.0,
                              sign_in_limit_account="1000/minute"))
    client = TestClient(app)
    tokens = {role: create_user(app.state.services.engine, f"u-{role}", role)[1]
              for role in ROLES}
    files = {"file": ("visits.csv", (EXAMPLES / "visits.csv").read_bytes(), "text/csv"),
             "interviews": ("interviews.csv", (EXAMPLES / "interviews.csv").read_bytes(),
                            "text/csv")}
    response = client.post("/api/v1/uploads", files=files, headers=auth(tokens["inspector"]))
    assert response.status_code == 201, response.text
    return client, tokens, app


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def audit_actions(app) -> list[str]:
    with transaction(app.state.services.engine, write=False) as session:
        return [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# (method, path, body kind, roles allowed)
ENDPOINTS = [
    ("post", "/api/v1/uploads", "upload", {"inspector", "admin"}),
    ("get", "/api/v1/uploads", None, {"inspector", "analyst", "admin"}),
    ("get", "/api/v1/visits", None, {"monitor", "analyst", "admin"}),
    ("get", "/api/v1/visits/V0000001", None, {"monitor", "analyst", "admin"}),
    ("post", "/api/v1/visits/V0000001/reviews", "review", {"monitor", "admin"}),
    ("get", "/api/v1/export.csv", None, {"monitor", "admin"}),
    ("get", "/api/v1/export.xlsx", None, {"monitor", "admin"}),
    ("get", "/api/v1/indicators", None, set(ROLES)),
    ("get", "/api/v1/models", None, {"analyst", "admin"}),
    ("get", "/api/v1/models/active/card", None, {"analyst", "admin"}),
    ("post", "/api/v1/users", "user", {"admin"}),
    ("get", "/api/v1/uploads/1/rejected.csv", None, set(ROLES)),
]


def call(client, method, path, body, headers):
    if body == "upload":
        content = (EXAMPLES / "visits-with-errors.csv").read_bytes()
        return client.post(path, headers=headers,
                           files={"file": ("bad.csv", content, "text/csv")})
    if body == "review":
        return client.post(path, headers=headers, json={"status": "visited", "notes": "ok"})
    if body == "user":
        import uuid

        return client.post(path, headers=headers,
                           json={"name": f"n-{uuid.uuid4().hex[:8]}", "role": "monitor"})
    return getattr(client, method)(path, headers=headers)


@pytest.mark.parametrize("method, path, body, allowed", ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
@pytest.mark.parametrize("token", ["missing", "wrong", "Basic"])
def test_every_endpoint_refuses_a_missing_or_wrong_token(service, method, path, body, allowed,
                                                         token):
    client, _, _ = service
    headers = {"missing": {}, "wrong": auth("not-a-token"),
               "Basic": {"Authorization": "Basic dXNlcjpwYXNz"}}[token]
    response = call(client, method, path, body, headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("method, path, body, allowed", ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_lets_only_its_roles_through(service, method, path, body, allowed, role):
    client, tokens, _ = service
    response = call(client, method, path, body, auth(tokens[role]))
    if role in allowed:
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"


def test_one_error_shape(service):
    client, tokens, _ = service
    for response in (client.get("/api/v1/visits"),
                     client.get("/api/v1/visits/NOPE", headers=auth(tokens["monitor"])),
                     client.get("/api/v1/visits?page=0", headers=auth(tokens["monitor"])),
                     client.get("/api/v1/visits?sector=mining", headers=auth(tokens["monitor"]))):
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"status", "code", "message"}
        assert body["error"]["status"] == response.status_code


def test_upload_receipt_and_same_file_twice(service):
    client, tokens, _ = service
    content = (EXAMPLES / "visits-with-errors.csv").read_bytes()
    first = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                        files={"file": ("again.csv", content, "text/csv")})
    second = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                         files={"file": ("again.csv", content, "text/csv")})
    assert first.status_code == second.status_code == 201
    assert second.json()["upload_id"] == first.json()["upload_id"]
    assert second.json()["repeat"] is True
    rejected = first.json()["rejected_rows"]
    assert {r["reason"] for r in rejected} >= {"unknown_choice", "wrong_type", "duplicate_id"}
    csv = client.get(f"/api/v1/uploads/{first.json()['upload_id']}/rejected.csv",
                     headers=auth(tokens["inspector"]))
    frame = pd.read_csv(io.StringIO(csv.text))
    assert list(frame.columns) == ["source", "table", "row", "column", "value", "reason",
                                   "message", "visit_id", "worker_ref",  # columns only added
                                   "explanation", "reason_words"]
    assert frame.loc[frame["reason"] == "unknown_choice", "reason_words"].tolist() == [
        "not an allowed value"]


def test_upload_too_large_gets_413(service):
    client, tokens, _ = service
    big = b"visit_id,site_id\n" + b"x" * 1_100_000
    response = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                           files={"file": ("big.csv", big, "text/csv")})
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["error"]["message"]


@pytest.mark.parametrize("name, content, status", [
    ("visits.xlsx", b"visit_id,site_id\nV1,S1\n", 415),
    ("visits.parquet", b"not parquet at all", 415),
    ("visits.json", b"{not json", 422),
    ("visits.csv", "visit_id\n\xe9\n".encode("latin-1"), 422),
    ("visits.txt", b"hello", 422),
])
def test_content_that_does_not_match_its_type(service, name, content, status):
    client, tokens, _ = service
    response = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                           files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]


@pytest.mark.parametrize("value", ["x' OR '1'='1", "'; DROP TABLE visits; --", "%", "_",
                                   "\" OR 1=1 --", "Baku\x00"])
def test_sql_metacharacters_in_filters_are_harmless(service, value):
    client, tokens, _ = service
    response = client.get("/api/v1/visits", params={"region": value},
                          headers=auth(tokens["monitor"]))
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["total"] == 0
    still = client.get("/api/v1/visits", headers=auth(tokens["monitor"]))
    assert still.json()["total"] > 0, "nothing was dropped"


def test_filters_and_pagination(service):
    client, tokens, _ = service
    every = client.get("/api/v1/visits", params={"per_page": 500},
                       headers=auth(tokens["monitor"])).json()
    agriculture = client.get("/api/v1/visits", params={"sector": "agriculture", "per_page": 7},
                             headers=auth(tokens["monitor"])).json()
    assert {v["sector"] for v in agriculture["visits"]} == {"agriculture"}
    assert len(agriculture["visits"]) == 7
    assert agriculture["total"] == sum(v["sector"] == "agriculture" for v in every["visits"])
    page2 = client.get("/api/v1/visits", params={"page": 2, "per_page": 7, "sector":
                                                 "agriculture"},
                       headers=auth(tokens["monitor"])).json()
    assert not {v["visit_id"] for v in page2["visits"]} & {v["visit_id"] for v in
                                                           agriculture["visits"]}


def test_review_then_status_in_list_and_notes_kept_verbatim(service):
    client, tokens, app = service
    visit = client.get("/api/v1/visits", params={"per_page": 1},
                       headers=auth(tokens["monitor"])).json()["visits"][0]["visit_id"]
    notes = "<script>alert(1)</script> = found"
    response = client.post(f"/api/v1/visits/{visit}/reviews", headers=auth(tokens["monitor"]),
                           json={"status": "decided", "outcome": "forced_labour",
                                 "notes": notes})
    assert response.status_code == 201
    detail = client.get(f"/api/v1/visits/{visit}", headers=auth(tokens["monitor"])).json()
    assert detail["reviews"][-1]["notes"] == notes
    assert detail["reviews"][-1]["outcome"] == "forced_labour"
    decided = client.get("/api/v1/visits", params={"status": "decided", "per_page": 500},
                         headers=auth(tokens["monitor"])).json()
    assert visit in {v["visit_id"] for v in decided["visits"]}
    bad = client.post(f"/api/v1/visits/{visit}/reviews", headers=auth(tokens["monitor"]),
                      json={"status": "decided"})
    assert bad.status_code == 422


def test_exports_neutralise_formula_injection(service):
    client, tokens, app = service
    evil = "=HYPERLINK(\"http://x\")"
    rows = pd.read_csv(EXAMPLES / "visits.csv", dtype=str, keep_default_na=False).head(3)
    rows["visit_id"] = ["=cmd|' -C calc'!A0", "+SUM(1)", "@evil"]
    rows["site_id"] = [evil, "-1+1", "Baku;=HYPERLINK(C2);x"]  # regions are configured
    content = rows.to_csv(index=False).encode()
    response = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                           files={"file": ("evil.csv", content, "text/csv")})
    assert response.status_code == 201, response.text
    csv = client.get("/api/v1/export.csv", params={"per_page": 10**6},
                     headers=auth(tokens["monitor"])).text
    frame = pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False)
    for column in frame.columns:
        assert not frame[column].str.match(r"^[=+\-@]").any(), column
    assert "'=cmd|' -C calc'!A0" in set(frame["visit_id"])
    # in a ';'-separated spreadsheet (az, de, fr locales) each piece is a cell of its own
    pieces = {p for cell in csv.splitlines() for part in cell.split(",") for p in part.split(";")}
    assert not any(p.startswith(("=", "+", "-", "@")) for p in pieces)
    assert "Baku;'=HYPERLINK(C2);x" in set(frame["site_id"])
    xlsx = client.get("/api/v1/export.xlsx", headers=auth(tokens["monitor"]))
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula cell at all
    texts = {c.value for c in cells if c.data_type == "s"}
    # shown as typed: text cells, no apostrophe added
    assert {"=cmd|' -C calc'!A0", "+SUM(1)", "@evil", evil, "-1+1",
            "Baku;=HYPERLINK(C2);x"} <= texts
    assert not any(str(t).startswith("'") for t in texts)


def test_uploads_reviews_exports_and_reads_are_audited(service):
    client, tokens, app = service
    before = audit_actions(app)
    visit = client.get("/api/v1/visits", params={"per_page": 1},
                       headers=auth(tokens["monitor"])).json()["visits"][0]["visit_id"]
    client.get(f"/api/v1/visits/{visit}", headers=auth(tokens["analyst"]))
    client.post(f"/api/v1/visits/{visit}/reviews", headers=auth(tokens["monitor"]),
                json={"status": "visited"})
    client.get("/api/v1/export.csv", headers=auth(tokens["monitor"]))
    new = audit_actions(app)[len(before):]
    assert "visit.read" in new and "export" in new and any("review" in a for a in new)
    assert any("upload" in a for a in audit_actions(app))
    assert any("sign_in" in a for a in audit_actions(app))


def test_index_page_links_the_documentation(service):
    client, _, _ = service
    page = client.get("/")
    assert page.status_code == 200 and "/docs" in page.text
    assert client.get("/openapi.json").json()["info"]["title"]


def test_an_inspector_sees_only_their_own_uploads(service):
    client, tokens, app = service
    other = create_user(app.state.services.engine, "u-inspector-2", "inspector")[1]
    content = (EXAMPLES / "visits-with-errors.csv").read_bytes().replace(b"V00000", b"Z00000")
    mine = client.post("/api/v1/uploads", headers=auth(other),
                       files={"file": ("mine.csv", content, "text/csv")}).json()["upload_id"]
    seen = {u["upload_id"] for u in client.get("/api/v1/uploads", headers=auth(other)).json()}
    assert seen == {mine}
    first = {u["upload_id"] for u in client.get("/api/v1/uploads",
                                                headers=auth(tokens["inspector"])).json()}
    assert mine not in first and first
    everything = {u["upload_id"] for u in client.get("/api/v1/uploads",
                                                     headers=auth(tokens["admin"])).json()}
    assert everything >= first | {mine}
    refused = client.get(f"/api/v1/uploads/{min(first)}/rejected.csv", headers=auth(other))
    assert refused.status_code == 404
