"""The API's upload response carries what was read in a local form (``interpretations``), and
regions are checked against ``SCREENING_REGIONS``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from screening.app import create_app
from screening.settings import Settings
from screening.store import create_user

LOCAL = ("visit_id;site_id;visit_date;inspector_id;region;sector;workers_present;"
         "workers_without_contract;foreign_workers;foreign_workers_without_permit;"
         "minors_present;avg_weekly_hours;living_on_site\n"
         "L1;S1;01.03.2025;I1;Şəki-Zaqatala;Construction;10;0;0;0;0;52,5;bəli\n"
         "L2;S2;2025-03-02;I1;Shaki;construction;10;0;0;0;0;40;xeyr\n"
         "L3;S3;2025-03-03;I1;Baku;construction;10;0;0;0;0;41,5;\n")


def _post(settings: Settings, content: bytes):
    app = create_app(settings)
    token = create_user(app.state.services.engine, "inspector", "inspector")[1]
    return TestClient(app).post("/api/v1/uploads", headers={"Authorization": f"Bearer {token}"},
                                files={"file": ("local.csv", content, "text/csv")})


def test_the_upload_response_lists_the_interpretations(tmp_path):
    response = _post(Settings(data_dir=tmp_path), LOCAL.encode())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"]["visits"] == 2
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in body["rejected_rows"]] == [
        (3, "region", "Shaki", "unknown_choice")]
    found = [(i["table"], i["column"], i["kind"], i["cells"], i["example"], i["read_as"])
             for i in body["interpretations"]]
    assert found == [
        ("visits", "", "separator", 0, ";", ""),
        ("visits", "visit_date", "day_month_year", 1, "01.03.2025", "2025-03-01"),
        ("visits", "region", "region", 1, "Şəki-Zaqatala", "Shaki-Zagatala"),
        ("visits", "sector", "capitals", 1, "Construction", "construction"),
        ("visits", "avg_weekly_hours", "decimal_comma", 2, "52,5", "52.5"),
        ("visits", "living_on_site", "azerbaijani", 1, "bəli", "true"),
    ]
    assert body["interpretations"][4]["message"] == (
        "Decimal comma read in 2 cells of avg_weekly_hours (e.g. '52,5' as 52.5).")


def test_any_region_when_the_setting_says_so(tmp_path):
    response = _post(Settings(data_dir=tmp_path, regions="any"), LOCAL.encode())
    assert response.status_code == 201, response.text
    assert response.json()["accepted"]["visits"] == 3
