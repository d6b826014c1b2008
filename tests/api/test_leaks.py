"""Nothing leaked (issue 11): database errors without their values, store files for the owner
only, no caching of personal data, our own host names only, every read of visit data audited."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_engine_for, create_user, transaction
from screening.store.tables import AuditEntry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leaks")
    app = create_app(Settings(data_dir=folder))
    tokens = {r: create_user(app.state.services.engine, f"u-{r}", r)[1]
              for r in ("inspector", "monitor", "analyst", "admin")}
    client = TestClient(app)
    bad = (EXAMPLES / "visits-with-errors.csv").read_bytes()
    answer = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                         files={"file": ("my visits.csv", bad, "text/csv")})
    assert answer.status_code == 201, answer.text
    return client, tokens, app, folder


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def audit_of(app) -> list[tuple[str, str | None, dict]]:
    with transaction(app.state.services.engine, write=False) as db:
        return [(a.action, a.object_id, a.details or {})
                for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_database_errors_do_not_show_the_values(tmp_path):
    """Finding (PostgreSQL): a database error wrote the statement's parameters to the log,
    a review's notes with a test passport number among them."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 's.sqlite3'}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)"))
        c.execute(text("INSERT INTO t VALUES (:x)"), {"x": 123456789})
    with pytest.raises(SQLAlchemyError) as caught, engine.begin() as c:
        c.execute(text("INSERT INTO t VALUES (:x)"), {"x": 123456789})
    assert "123456789" not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)


def test_the_sqlite_store_files_are_for_their_owner_only(service):
    """Finding: the SQLite files were created world-readable (0644)."""
    _, _, _, folder = service
    files = list(folder.glob("screening.sqlite3*"))
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize("path", ["/api/v1/visits", "/api/v1/visits/V001",
                                  "/api/v1/uploads/1/rejected.csv", "/api/v1/export.csv"])
def test_answers_with_personal_data_are_never_cached(service, path):
    client, tokens, _, _ = service
    answer = client.get(path, headers=auth(tokens["admin"]))
    assert answer.headers["cache-control"] == "no-store", path


def test_pages_are_never_cached_but_static_files_may_be(service):
    client, _, _, _ = service
    assert client.get("/sign-in").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("cache-control", "")


def test_another_host_is_refused_and_never_reflected(service):
    """Finding: the Host header was reflected in redirects."""
    client, tokens, _, _ = service
    for path in ("/", "/list", "/api/v1/visits/"):
        answer = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
        assert answer.status_code == 400, path
        assert "evil.example" not in answer.headers.get("location", "")
    slash = client.get("/api/v1/visits/", headers=auth(tokens["admin"]), follow_redirects=False)
    assert slash.status_code == 404 and "location" not in slash.headers


def test_every_read_of_visit_data_is_audited(service):
    """Finding: paging the list through the API, the list pages and rejected.csv left no
    audit entry."""
    client, tokens, app, _ = service
    before = len(audit_of(app))
    assert client.get("/api/v1/visits", params={"page": 2, "per_page": 1},
                      headers=auth(tokens["monitor"])).status_code == 200
    assert client.get("/api/v1/uploads/1/rejected.csv",
                      headers=auth(tokens["inspector"])).status_code == 200
    signed = client.get("/sign-in")
    csrf = signed.text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/sign-in", data={"token": tokens["monitor"], "csrf": csrf},
                follow_redirects=False)
    assert client.get("/list?tier=urgent").status_code == 200
    assert client.get("/uploads/1/rejected.csv").status_code == 200
    client.cookies.clear()
    new = [(a, o, d) for a, o, d in audit_of(app)[before:] if a != "sign_in"]
    assert [(a, o) for a, o, _ in new] == [("list.read", None), ("rejected.read", "1"),
                                           ("list.read", None), ("rejected.read", "1")]
    assert new[0][2]["page"] == 2 and new[2][2]["filters"] == {"tier": "urgent"}


def test_the_rejected_rows_name_the_users_file_never_a_server_path(service):
    client, tokens, _, folder = service
    csv = client.get("/api/v1/uploads/1/rejected.csv", headers=auth(tokens["inspector"])).text
    assert "my visits.csv" in csv and str(folder) not in csv and "/tmp" not in csv


def test_uploads_never_touch_a_temporary_file(service, monkeypatch):
    """Finding: an upload was written to a temporary file (and left there at a crash)."""
    import tempfile

    client, tokens, _, _ = service

    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was spooled to a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_disk)
    header = (EXAMPLES / "visits.csv").read_text().splitlines()[0]
    line = (EXAMPLES / "visits.csv").read_text().splitlines()[1].split(",", 1)[1]
    rows = [f"T{i:07d},{line}" for i in range(12_000)]
    content = ("\n".join([header, *rows]) + "\n").encode()
    assert len(content) > 2_000_000  # well over the framework's 1 MB in memory
    answer = client.post("/api/v1/uploads", headers=auth(tokens["inspector"]),
                         files={"file": ("big.csv", content, "text/csv")})
    assert answer.status_code == 201, answer.text[:300]
    assert answer.json()["accepted"]["visits"] == 12_000
