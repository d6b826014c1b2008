"""Hostile and careless input through the service, on SQLite and PostgreSQL (issue 11): every
finding answers in the one error shape, never a 500, and good data is never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_user

HEADER = ("visit_id,site_id,visit_date,inspector_id,region,sector,workers_present,"
          "workers_without_contract,foreign_workers,foreign_workers_without_permit,"
          "minors_present\n")


def visits_csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def row(visit_id: str = "V1", region: str = "Baku", date: str = "2025-01-01",
        site: str = "S1") -> str:
    return f"{visit_id},{site},{date},I1,{region},construction,10,0,0,0,0"


@pytest.fixture
def service(store, tmp_path):
    """The app on the store (SQLite file or PostgreSQL schema), screening with models/default,
    and a token per role. Unexpected errors become answers (as in production), not raises."""
    app = create_app(Settings(data_dir=tmp_path), engine=store)
    tokens = {r: create_user(store, f"u-{r}", r)[1]
              for r in ("inspector", "monitor", "analyst", "admin")}
    return TestClient(app, raise_server_exceptions=False), tokens


def auth(tokens, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def post(client, tokens, name: str, content: bytes, role: str = "inspector", **data):
    return client.post("/api/v1/uploads", headers=auth(tokens, role), data=data,
                       files={"file": (name, content, "text/csv")})


def one_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["status"] == status and body["message"]
    if code:
        assert body["code"] == code
    return body


def test_an_upload_whose_rows_are_all_rejected_returns_its_receipt(service):
    """Finding: screened with the default model, the all-rejected upload answered 500."""
    client, tokens = service
    answer = post(client, tokens, "bad.csv", visits_csv(row(date="notadate"), row("V2", date="x")))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["accepted"]["visits"] == 0 and receipt["rejected"]["visits"] == 2
    assert receipt["model_version"] == "default"
    assert [(c["row"], c["column"], c["reason"]) for c in receipt["rejected_rows"]] == [
        (2, "visit_date", "wrong_type"), (3, "visit_date", "wrong_type")]


def test_a_control_character_in_a_site_does_not_break_the_xlsx_export(service):
    """Finding: one '\\x0b' in a stored region made every XLSX export answer 500. Regions are
    now checked against the configured list, so the character goes in a free-text column."""
    import io

    import openpyxl

    client, tokens = service
    assert post(client, tokens, "v.csv", visits_csv(row(site="S\x0b1"))).status_code == 201
    export = client.get("/api/v1/export.xlsx", headers=auth(tokens, "monitor"))
    assert export.status_code == 200, export.text
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    # the OOXML escape of the character (Excel shows the text as stored; openpyxl keeps it)
    assert sheet.cell(2, header.index("site_id") + 1).value == "S_x000B_1"


@pytest.mark.parametrize("path", ["/api/v1/visits?page=99999999999999999999",
                                  "/api/v1/visits?page=999999999999999999",
                                  "/api/v1/uploads/99999999999999999999/rejected.csv"])
def test_huge_page_and_id_numbers_are_refused_in_the_one_shape(service, path):
    """Finding: ?page=99999999999999999999 answered 500 (an integer the database cannot take)."""
    client, tokens = service
    one_shape(client.get(path, headers=auth(tokens, "admin")), 422, "invalid_request")


def test_a_huge_page_number_on_the_list_page_is_a_page_not_a_500(service):
    client, tokens = service
    signed = client.get("/sign-in")
    csrf = signed.text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/sign-in", data={"token": tokens["monitor"], "csrf": csrf})
    for page in ("99999999999999999999", "-5", "abc"):
        answer = client.get(f"/list?page={page}")
        assert answer.status_code in (200, 422), answer.text
        assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("name, says", [
    ("..", "not '.' or '..'"),
    (".", "not '.' or '..'"),
    ("a" * 300 + ".csv", "304 characters long; at most 255"),
])
def test_file_names_that_cannot_be_files_are_refused(service, name, says):
    """Finding: a file name '..' or longer than 255 characters answered 500 (PostgreSQL)."""
    client, tokens = service
    body = one_shape(post(client, tokens, name, visits_csv(row())), 422, "unusable_file")
    assert says in body["message"]


def test_a_control_character_in_a_file_name_is_refused():
    from screening.errors import LoaderError
    from screening.service.uploads import check_name

    with pytest.raises(LoaderError, match="control character"):
        check_name("v\x00.csv")
    check_name("visits (2).csv")


def test_json_nested_5000_deep_is_refused_in_the_one_shape(service):
    """Finding: JSON nested 5,000 deep answered 500 (upload) or a bare 400 (a review body)."""
    client, tokens = service
    deep = ("[" * 5000 + "]" * 5000).encode()
    answer = client.post("/api/v1/uploads", headers=auth(tokens, "inspector"),
                         files={"file": ("deep.json", deep, "application/json")})
    assert "nested too deeply" in one_shape(answer, 422, "unusable_file")["message"]
    review = client.post("/api/v1/visits/V1/reviews", content=deep,
                         headers={**auth(tokens, "monitor"), "content-type": "application/json"})
    assert review.status_code in (400, 422) and review.json()["error"]["message"]


def test_a_nul_byte_in_a_review_is_refused_naming_the_field(service):
    """Finding (PostgreSQL): a NUL byte in a review's notes answered 500."""
    client, tokens = service
    assert post(client, tokens, "v.csv", visits_csv(row())).status_code == 201
    answer = client.post("/api/v1/visits/V1/reviews", headers=auth(tokens, "monitor"),
                         json={"status": "visited", "notes": "passport\x00AB123"})
    assert "notes" in one_shape(answer, 422, "refused")["message"]
    fine = client.post("/api/v1/visits/V1/reviews", headers=auth(tokens, "monitor"),
                       json={"status": "visited", "notes": "line one\nline two"})
    assert fine.status_code == 201, fine.text
    missing = client.get("/api/v1/visits/V%001", headers=auth(tokens, "monitor"))
    one_shape(missing, 404, "not_found")


def test_a_nul_byte_in_an_upload_rejects_its_row_and_keeps_the_others(service):
    """Finding (PostgreSQL): a NUL byte in an uploaded cell answered 500; good rows were lost."""
    client, tokens = service
    answer = post(client, tokens, "v.csv", visits_csv(row("V1", site="S\x001"), row("V2")))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["accepted"]["visits"] == 1
    [cell] = receipt["rejected_rows"]
    assert (cell["row"], cell["column"], cell["value"]) == (2, "site_id", "S\\x001")
    assert "NUL" in cell["message"]
    csv = client.get(f"/api/v1/uploads/{receipt['upload_id']}/rejected.csv",
                     headers=auth(tokens, "inspector"))
    assert csv.status_code == 200 and "S\\x001" in csv.text


def test_over_long_names_are_refused_naming_the_limit(service):
    """Finding (PostgreSQL): a user name over the column's width answered 500."""
    client, tokens = service
    answer = client.post("/api/v1/users", headers=auth(tokens, "admin"),
                         json={"name": "n" * 300, "role": "monitor"})
    assert "at most 200" in one_shape(answer, 422)["message"]
    fine = client.post("/api/v1/users", headers=auth(tokens, "admin"),
                       json={"name": "n" * 200, "role": "monitor"})
    assert fine.status_code == 201, fine.text


def test_an_unexpected_error_is_answered_in_the_one_shape(service, monkeypatch):
    """Whatever fails unexpectedly answers JSON under /api/v1 and a page elsewhere, never a
    traceback or plain text."""
    import screening.api.routes as routes

    client, tokens = service

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /srv/screening")

    monkeypatch.setattr(routes, "follow_up_list", broken)
    answer = client.get("/api/v1/visits", headers=auth(tokens, "monitor"))
    body = one_shape(answer, 500, "internal_error")
    assert "secret" not in body["message"] and "/srv" not in answer.text
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


def test_sample_still_uploads(service):
    client, tokens = service
    examples = Path(__file__).resolve().parents[2] / "examples"
    answer = post(client, tokens, "visits.csv", (examples / "visits.csv").read_bytes())
    assert answer.status_code == 201 and answer.json()["accepted"]["visits"] == 300


def test_a_correction_may_replace_only_the_inspectors_own_visits(service, store):
    """Finding: any inspector could replace any visit (another inspector's urgent visit became
    low and lost its interviews)."""
    client, tokens = service
    other = create_user(store, "u-other-inspector", "inspector")[1]
    tokens = {**tokens, "other": other}
    first = post(client, tokens, "v.csv", visits_csv(row("V1", region="Baku"), row("V2")))
    assert first.status_code == 201, first.text
    answer = post(client, tokens, "fix.csv",
                  visits_csv(row("V1", region="Ganja-Dashkasan"), row("V3")),
                  role="other", correction="true")
    body = one_shape(answer, 403, "forbidden")
    assert "Visit 'V1'" in body["message"] and "V3" not in body["message"]
    detail = client.get("/api/v1/visits/V1", headers=auth(tokens, "monitor")).json()
    assert detail["visit"]["region"] == "Baku" and detail["visit"]["version"] == 1
    listed = client.get("/api/v1/visits", headers=auth(tokens, "monitor")).json()
    assert listed["total"] == 2, "nothing of the refused correction was stored"
    own = post(client, tokens, "fix2.csv", visits_csv(row("V1", region="Ganja-Dashkasan")),
               correction="true")
    assert own.status_code == 201 and own.json()["accepted"]["visits"] == 1
    admin = post(client, tokens, "fix3.csv", visits_csv(row("V1", region="Shaki-Zagatala")),
                 role="admin", correction="true")
    assert admin.status_code == 201, admin.text
    assert client.get("/api/v1/visits/V1", headers=auth(tokens, "monitor")
                      ).json()["visit"]["region"] == "Shaki-Zagatala"


def test_a_correction_with_bytes_sent_before_is_refused_not_ignored(service):
    """Finding: correction=true with bytes sent before silently returned the old receipt."""
    client, tokens = service
    content = visits_csv(row("V1"))
    assert post(client, tokens, "v.csv", content).status_code == 201
    again = post(client, tokens, "v.csv", content)
    assert again.status_code == 201 and again.json()["repeat"] is True  # plain repeat: receipt
    body = one_shape(post(client, tokens, "v.csv", content, correction="true"), 409, "conflict")
    assert "same file as upload 1" in body["message"] and "nothing was replaced" in body["message"]


@pytest.mark.parametrize("visit_id", ["A/1", "A\\1", "A?1", "A#1", "..", "A\x0b1"])
def test_visit_ids_that_cannot_be_in_a_link_are_rejected_with_a_clear_row(service, visit_id):
    """Finding: a visit_id holding '/' was stored, but its detail and reviews answered 404."""
    client, tokens = service
    answer = post(client, tokens, "v.csv", visits_csv(row(visit_id), row("V2")))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["accepted"]["visits"] == 1
    [cell] = receipt["rejected_rows"]
    assert (cell["row"], cell["column"], cell["reason"]) == (2, "visit_id", "wrong_type")
    assert "cannot be a visit_id" in cell["message"]


def test_rejected_rows_name_the_visit_and_the_worker(service):
    """Rejected rows gain the record they belong to (visit_id, and worker_ref for interviews),
    and their source is the user's file name."""
    client, tokens = service
    interviews = b"visit_id,worker_ref,age\nV1,W1,4\nV1,W2,30\n"
    answer = client.post("/api/v1/uploads", headers=auth(tokens, "inspector"), files={
        "file": ("my visits.csv", visits_csv(row("V1"), row("V2", date="x")), "text/csv"),
        "interviews": ("my interviews.csv", interviews, "text/csv")})
    assert answer.status_code == 201, answer.text
    cells = {(c["source"], c["column"], c["visit_id"], c["worker_ref"])
             for c in answer.json()["rejected_rows"]}
    assert cells == {("my visits.csv", "visit_date", "V2", None),
                     ("my interviews.csv", "age", "V1", "W1")}
    csv = client.get(f"/api/v1/uploads/{answer.json()['upload_id']}/rejected.csv",
                     headers=auth(tokens, "inspector")).text
    header = csv.splitlines()[0].split(",")
    assert header[header.index("message") + 1:][:2] == ["visit_id", "worker_ref"]
    assert "my interviews.csv,interviews,2,age,4,out_of_range" in csv


@pytest.mark.parametrize("limits, says", [
    ({"parse_timeout_s": 0.001}, "took longer than 0.001 s (SCREENING_PARSE_TIMEOUT_S)"),
    ({"parse_memory_mb": 1}, "needed more than 1 MB of memory (SCREENING_PARSE_MEMORY_MB)"),
], ids=["time", "memory"])
def test_parsing_runs_in_a_worker_with_a_time_and_memory_limit(tmp_path, limits, says):
    """The backstop behind the bounds: a parse that runs away is killed and refused (413)
    naming its setting, and the server goes on answering."""
    from screening.errors import UploadRefused
    from screening.service.uploads import UploadedFile, accept_upload
    from screening.settings import EXAMPLES_DIR

    app = create_app(Settings(data_dir=tmp_path, **limits))
    svc = app.state.services
    with pytest.raises(UploadRefused, match=says.replace("(", r"\(").replace(")", r"\)")):
        accept_upload(svc, None, UploadedFile("visits.csv",
                                              (EXAMPLES_DIR / "visits.csv").read_bytes()))
    fine = create_app(Settings(data_dir=tmp_path / "fine")).state.services
    receipt = accept_upload(fine, None, UploadedFile(
        "visits.csv", (EXAMPLES_DIR / "visits.csv").read_bytes()))
    assert receipt.accepted["visits"] == 300
