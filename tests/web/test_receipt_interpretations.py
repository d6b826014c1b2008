"""The upload page's receipt says what was read in a local form, in the page's language."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of, sign_in

LOCAL = ("visit_id;site_id;visit_date;inspector_id;region;sector;workers_present;"
         "workers_without_contract;foreign_workers;foreign_workers_without_permit;"
         "minors_present;avg_weekly_hours\n"
         "LOC1;S1;01.03.2025;I1;Baku;Tikinti;10;0;0;0;0;52,5\n"
         "LOC2;S2;02.03.2025;I1;Shaki;tikinti;10;0;0;0;0;40\n")


def test_the_receipt_lists_what_was_interpreted_in_english_and_azerbaijani(service):
    app, tokens = service
    client = TestClient(app)
    assert sign_in(client, tokens["inspector"]).status_code == 303
    page = client.post("/upload", data={"csrf": csrf_of(client.get("/upload").text)},
                       files={"file": ("local.csv", LOCAL.encode(), "text/csv")})
    assert page.status_code == 201, page.text
    assert 'id="interpreted"' in page.text
    assert "Read: Decimal comma read in 1 cell of avg_weekly_hours (&#39;52,5&#39; as 52.5)." \
        in page.text
    assert "Did you mean &#39;Shaki-Zagatala&#39;?" in page.text  # LOC2's region is refused

    client.get("/lang/az?next=/upload")
    again = LOCAL.replace("LOC", "AZL").encode()
    page = client.post("/upload", data={"csrf": csrf_of(client.get("/upload").text)},
                       files={"file": ("local-az.csv", again, "text/csv")})
    assert page.status_code == 201, page.text
    assert ("Oxundu: avg_weekly_hours sütununun 1 xanasında onluq vergül oxundu "
            "(&#39;52,5&#39; → 52.5).") in page.text
