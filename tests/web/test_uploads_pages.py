"""The upload pages (issue 12): the correction option, the receipt grouped and in Azerbaijani,
the urgent visits, *My uploads* and its isolation between inspectors, the marked file and its
audit, and the same through the API."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS
from screening.store import create_user, transaction
from screening.store.tables import AuditEntry
from screening.web.i18n import STRINGS
from tests.uploadkit import BAD_INTERVIEWS, quoted_case
from tests.web.conftest import csrf_of, sign_in


def post(client: TestClient, visits: bytes, interviews: bytes | None = None, *,
         correction: bool = False, name: str = "visits.csv"):
    data = {"csrf": csrf_of(client.get("/upload").text)}
    if correction:
        data["correction"] = "true"
    files = {"file": (name, visits, "text/csv")}
    if interviews is not None:
        files["interviews"] = ("interviews.csv", interviews, "text/csv")
    return client.post("/upload", data=data, files=files)


def number(html: str, element: str) -> int:
    return int(re.search(rf'id="{element}">([\d.,]+)<', html).group(1).replace(",", ""))


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.fixture(scope="module")
def second_inspector(service):
    """Another inspector with their own signed-in client."""
    app, _ = service
    _, token = create_user(app.state.services.engine, "web-inspector-two", "inspector")
    client = TestClient(app)
    assert sign_in(client, token).status_code == 303
    return client


def audit_of(service, action: str) -> list[AuditEntry]:
    with transaction(service[0].state.services.engine, write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_upload_form_offers_the_correction_option(clients):
    page = clients["inspector"].get("/upload").text
    assert re.search(r'<input id="correction" name="correction" type="checkbox" value="true"',
                     page)
    assert '<label for="correction">This file corrects visits I uploaded before</label>' in page
    assert 'href="/uploads"' in page


def test_correcting_a_partly_rejected_file_on_the_web(clients):
    """Issue 12's case through the page: 38 rejected rows shown as 8 lines, then the fixed file
    as a correction: 0 rejected, 17 unchanged, 8 new."""
    inspector = clients["inspector"]
    case = quoted_case("WA")
    first = post(inspector, case.visits_bad, case.interviews)
    assert first.status_code == 201, text_of(first.text)[:500]
    html = first.text
    assert number(html, "rejected-count") == 38 and number(html, "new-visits") == 17
    rows = re.findall(r'<tr class="rejected-row" data-table="(\w+)" data-row="(\d+)"', html)
    assert rows == [("visits", str(r)) for r in (2, 5, 8, 11, 14, 17, 20, 23)]
    folded = [int(n) for n in re.findall(r'class="folded" data-interviews="(\d+)"', html)]
    assert folded == list(BAD_INTERVIEWS)
    assert "… and its 4 interviews (interviews rows 2–5), left out with it." in text_of(html)
    assert 'data-reason="unknown_choice"' in html and "not an allowed value" in html
    marked = re.search(r'id="marked-visits" href="([^"]+)"', html).group(1)
    assert re.search(r'id="marked-interviews" href="[^"]+"', html)
    download = inspector.get(marked)
    assert download.status_code == 200 and download.text.startswith("\ufeffvisit_id,")
    lines = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert lines[0][-1] == "upload_errors" and lines[1][-1] == (
        "'mining' is not an allowed sector; allowed values: construction, agriculture, "
        "services.")
    assert [line[-1] for line in lines[2:5]] == ["", ""] + [lines[4][-1]] and lines[4][-1]

    again = post(inspector, case.visits_fixed, case.interviews, correction=True)
    assert again.status_code == 201
    html = again.text
    assert (number(html, "new-visits"), number(html, "unchanged-visits"),
            number(html, "corrected-visits"), number(html, "rejected-count")) == (8, 17, 0, 0)
    assert 'id="rejected-none"' in html and 'id="correction-badge"' in html
    assert ("Interviews: 30 stored with new visits, 0 with corrected visits, 34 unchanged, "
            "0 rejected.") in text_of(html)


def test_a_changed_visit_without_the_option_is_refused_pointing_at_it(clients):
    inspector = clients["inspector"]
    case = quoted_case("WB")
    assert post(inspector, case.visits_fixed, case.interviews).status_code == 201
    frame = case.frames["visits"].copy()
    frame.loc[2, "region"] = "Shaki-Zagatala"
    changed = frame.to_csv(index=False).encode()
    html = post(inspector, changed, case.interviews).text
    assert 'data-reason="already_stored"' in html
    assert (f"Visit '{case.good_ids[1]}' is already stored and this row (or its interviews) "
            "differs from it; to replace it, tick 'This file corrects visits I uploaded "
            "before' and upload the file again (the earlier version is kept).") in text_of(html)
    assert "… and its 2 interviews (interviews rows 8–9), left out with it." in text_of(html)


ENGLISH = sorted({en for en, az in STRINGS.values() if en != az and "{" not in en
                  and len(en) >= 4}) + [
    "is not an allowed", "is not a whole number", "and its", "left out with it",
    "became urgent", "rows rejected", "already stored", "referral case", "Download my file"]


def test_the_azerbaijani_receipt_has_no_english_left(service, clients):
    client = TestClient(service[0])
    client.cookies.update(clients["inspector"].cookies)
    client.cookies.set("screening_lang", "az")
    case = quoted_case("WC")
    page = post(client, case.visits_bad, case.interviews)
    assert page.status_code == 201 and '<html lang="az">' in page.text
    shown = text_of(re.sub(r"<code[^>]*>.*?</code>", " ", page.text, flags=re.S))
    data = ["visits.csv", "interviews.csv", "demo-inspector", "construction (tikinti), "
            "agriculture (kənd təsərrüfatı), services (xidmət)",
            *(c.name for c in (*VISIT_COLUMNS, *INTERVIEW_COLUMNS))]
    for name in sorted(data, key=len, reverse=True):  # file, user and column names are data
        shown = re.sub(r"(?<!\w)" + re.escape(name) + r"(?!\w)", " ", shown)
    left = [en for en in ENGLISH if re.search(r"(?<!\w)" + re.escape(en) + r"(?!\w)", shown)]
    assert left == [], left
    for words in ("'mining' icazə verilən sector dəyəri deyil",
                  "… və onun 4 müsahibəsi (müsahibələr, sətirlər 2–5) də onunla birlikdə "
                  "kənarda qaldı.",
                  "1 yoxlama təcili oldu", "icazə verilən dəyər deyil",
                  "Səhvləri işarələnmiş faylımı endir (visits.csv)"):
        assert words in text_of(page.text), words
    link = re.search(r'id="marked-visits" href="([^"]+)"', page.text).group(1)
    marked = client.get(link).content.decode("utf-8-sig")
    assert "'mining' icazə verilən sector dəyəri deyil" in marked.splitlines()[1]
    rejected = client.get(re.search(r'id="rejected-csv" href="([^"]+)"', page.text).group(1))
    assert "explanation" in rejected.text.splitlines()[0]
    assert "icazə verilən sector dəyəri deyil" in rejected.text


def test_the_receipt_lists_the_urgent_visits_with_their_case(service, clients):
    case = quoted_case("WD")
    html = post(clients["inspector"], case.visits_fixed, case.interviews).text
    urgent = re.findall(r'<li class="urgent-visit" data-visit="([^"]+)">(.*?)</li>', html)
    assert [v for v, _ in urgent] == [case.urgent_id]
    assert "<a href" not in urgent[0][1], "an inspector cannot open visit pages: no link"
    assert re.search(r"referral case \d+", urgent[0][1])
    upload_id = re.search(r"Upload (\d+): visits.csv", text_of(html)).group(1)
    admin = clients["admin"].get(f"/uploads/{upload_id}").text
    assert f'<a href="/visits/{case.urgent_id}">{case.urgent_id}</a>' in admin
    listed = clients["inspector"].get("/uploads").text
    row = re.search(rf'<tr class="upload-row" data-upload="{upload_id}">(.*?)</tr>', listed,
                    flags=re.S).group(1)
    assert case.urgent_id in row and "25 new · 0 corrected · 0 unchanged visits" in row


def test_my_uploads_shows_an_inspector_only_their_own(service, clients, second_inspector):
    case = quoted_case("WE")
    mine = post(second_inspector, case.visits_bad, case.interviews).text
    upload_id = re.search(r"/uploads/(\d+)/rejected.csv", mine).group(1)
    own = second_inspector.get("/uploads").text
    assert re.findall(r'data-upload="(\d+)"', own) == [upload_id]
    first = clients["inspector"]
    assert f'data-upload="{upload_id}"' not in first.get("/uploads").text
    for path in (f"/uploads/{upload_id}", f"/uploads/{upload_id}/marked/visits",
                 f"/uploads/{upload_id}/rejected.csv"):
        assert first.get(path).status_code == 404, path
    assert first.post(f"/uploads/{upload_id}/forget",
                      data={"csrf": csrf_of(first.get("/upload").text)}).status_code == 404
    for role in ("monitor", "analyst"):
        assert clients[role].get("/uploads").status_code == 403
        assert clients[role].get(f"/uploads/{upload_id}/marked/visits").status_code == 403
    assert f'data-upload="{upload_id}"' in clients["admin"].get("/uploads").text
    assert second_inspector.get(f"/uploads/{upload_id}").status_code == 200


def test_marked_downloads_and_reopened_receipts_are_audited(service, second_inspector):
    case = quoted_case("WF")
    html = post(second_inspector, case.visits_bad, case.interviews).text
    upload_id = re.search(r"/uploads/(\d+)/rejected.csv", html).group(1)
    before = len(audit_of(service, "file.marked.read"))
    assert second_inspector.get(f"/uploads/{upload_id}/marked/interviews").status_code == 200
    entries = audit_of(service, "file.marked.read")
    assert len(entries) == before + 1
    assert (entries[-1].object_id, entries[-1].details["part"], entries[-1].details["via"]) == (
        upload_id, "interviews", "web")
    assert second_inspector.get(f"/uploads/{upload_id}").status_code == 200
    assert audit_of(service, "receipt.read")[-1].object_id == upload_id
    forget = second_inspector.post(f"/uploads/{upload_id}/forget", follow_redirects=False,
                                   data={"csrf": csrf_of(html)})
    assert forget.status_code == 303
    page = second_inspector.get(forget.headers["location"]).text
    assert 'id="forgotten-note"' in page and 'id="marked-visits"' not in page
    assert second_inspector.get(f"/uploads/{upload_id}/marked/visits").status_code == 404
    assert audit_of(service, "file.deleted")[-1].object_id == upload_id


def test_an_xlsx_upload_comes_back_with_its_bad_cells_highlighted(clients):
    case = quoted_case("WG")
    book = openpyxl.Workbook()
    for name, frame in (("visits", case.frames["bad"]), ("interviews",
                                                         case.frames["interviews"])):
        sheet = book.active if name == "visits" else book.create_sheet(name)
        sheet.title = name
        sheet.append(list(frame.columns))
        for row in frame.astype(str).itertuples(index=False):
            sheet.append(list(row))
    raw = io.BytesIO()
    book.save(raw)
    html = post(clients["inspector"], raw.getvalue(), name="day.xlsx").text
    link = re.search(r'id="marked-visits" href="([^"]+)"', html).group(1)
    assert not re.search(r'id="marked-interviews"', html), "one workbook, one download"
    answer = clients["inspector"].get(link)
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    marked = openpyxl.load_workbook(io.BytesIO(answer.content))
    visits = marked["visits"]
    header = [c.value for c in visits[1]]
    sector = header.index("sector") + 1
    bad = visits.cell(row=2, column=sector)
    assert bad.value == "mining" and bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert bad.comment.text.startswith("'mining' is not an allowed sector")
    assert visits.cell(row=3, column=sector).fill.fill_type is None
    interviews = marked["interviews"]
    assert interviews.cell(row=2, column=1).comment.text.startswith(
        f"The visit '{case.bad_ids[0]}' was rejected (visits row 2)")


def test_refusals_of_a_correction_are_in_the_pages_language(service, clients):
    client = TestClient(service[0])
    client.cookies.update(clients["inspector"].cookies)
    client.cookies.set("screening_lang", "az")
    case = quoted_case("WH")
    first = post(client, case.visits_fixed, case.interviews)
    upload_id = re.search(r"Yükləmə (\d+): visits.csv", text_of(first.text)).group(1)
    same = post(client, case.visits_fixed, case.interviews, correction=True)
    assert same.status_code == 409
    message = text_of(re.search(r'id="upload-error"[^>]*>(.*?)</p>', same.text).group(1))
    assert message.strip() == (
        f"Bu düzəliş {upload_id} nömrəli yükləmə ilə eyni fayldır, ona görə heç nəyi dəyişmir "
        "və heç nə əvəz edilməyib; sətirləri düzəldin və dəyişmiş faylı yükləyin.")
    assert 'id="correction" name="correction" type="checkbox" value="true" ' \
           'aria-describedby="correction-help" checked' in same.text


def test_the_api_gives_the_receipt_the_marked_file_and_deletes_it(service):
    app, tokens = service
    client = TestClient(app)
    inspector = {"Authorization": f"Bearer {tokens['inspector']}"}
    case = quoted_case("WI")
    answer = client.post("/api/v1/uploads", headers=inspector,
                         files={"file": ("v.csv", case.visits_bad),
                                "interviews": ("i.csv", case.interviews)})
    assert answer.status_code == 201
    body = answer.json()
    assert body["rejected"] == {"visits": 8, "interviews": 30}
    assert set(body["kept_files"]) == {"visits", "interviews"}
    upload_id = body["upload_id"]
    again = client.get(f"/api/v1/uploads/{upload_id}", headers=inspector).json()
    assert again["new"] == {"visits": 17, "interviews": 34} and again["urgent_visits"] == [
        case.urgent_id]
    marked = client.get(f"/api/v1/uploads/{upload_id}/marked/visits?lang=az", headers=inspector)
    assert marked.status_code == 200 and "icazə verilən sector" in marked.text
    monitor = {"Authorization": f"Bearer {tokens['monitor']}"}
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=monitor).status_code == 403
    listed = client.get("/api/v1/uploads", headers=inspector).json()
    mine = next(u for u in listed if u["upload_id"] == upload_id)
    assert mine["visits_unchanged"] == 0 and mine["urgent_visits"][0]["visit_id"] == \
        case.urgent_id
    fixed = client.post("/api/v1/uploads", headers=inspector, data={"correction": "true"},
                        files={"file": ("v.csv", case.visits_fixed),
                               "interviews": ("i.csv", case.interviews)}).json()
    assert (fixed["unchanged"], fixed["new"], fixed["rejected"]) == (
        {"visits": 17, "interviews": 34}, {"visits": 8, "interviews": 30},
        {"visits": 0, "interviews": 0})
    gone = client.delete(f"/api/v1/uploads/{upload_id}/files", headers=inspector)
    assert gone.json() == {"upload_id": upload_id, "deleted": 2}
    missing = client.get(f"/api/v1/uploads/{upload_id}/marked/visits", headers=inspector)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
