"""Excel on the pages, the API and the command line: the column guide in both languages, the
upload template (page, API, CLI) filled in and uploaded, the list's exports for people in the
page's language and for machines through the API, every export audited."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.app import create_app
from screening.cli import main
from screening.service.demo import seed_demo
from screening.settings import Settings
from screening.store.engine import transaction
from screening.store.tables import AuditEntry
from tests.excelkit import azerbaijani_rows, fill_template, sheet_records
from tests.web.conftest import csrf_of, sign_in

BOM = b"\xef\xbb\xbf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A service of its own (these tests upload), with a signed-in client per role."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("excel-store")))
    tokens = seed_demo(app.state.services)
    clients = {}
    for role in ("inspector", "monitor", "analyst"):
        clients[role] = TestClient(app)
        assert sign_in(clients[role], tokens[role]).status_code == 303
    return app, tokens, clients


def _az(client: TestClient) -> TestClient:
    client.cookies.set("screening_lang", "az")
    return client


def _en(client: TestClient) -> TestClient:
    client.cookies.set("screening_lang", "en")
    return client


def exports(app) -> list[dict]:
    with transaction(app.state.services.engine, write=False) as session:
        return [dict(a.details or {}, object_type=a.object_type, fmt=a.object_id)
                for a in session.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                                         .order_by(AuditEntry.id))]


@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ("The day of the visit.", "hours a week", "Meaning", "Sheet or file",
            "Upload template (XLSX)", "The template in Azerbaijani")),
    ("az", ("Yoxlamanın günü.", "həftədə saat", "Mənası", "Vərəq və ya fayl",
            "Yükləmə şablonu (XLSX)", "Şablon ingilis dilində")),
])
def test_the_guide_gives_each_columns_meaning_sheet_and_rules(site, lang, texts):
    client = {"en": _en, "az": _az}[lang](site[2]["monitor"])
    page = client.get("/guide")
    assert page.status_code == 200
    for text in texts:
        assert text in page.text, text
    assert page.text.count('class="guide-row') == 32 + 26
    assert 'data-column="street_work_or_begging"' in page.text
    assert 'id="guide-visits"' in page.text and 'id="guide-interviews"' in page.text
    assert 'href="/template.xlsx"' in page.text


def test_the_upload_page_offers_the_template_in_its_language(site):
    inspector = _az(site[2]["inspector"])
    page = inspector.get("/upload")
    assert 'id="template-xlsx" href="/template.xlsx"' in page.text
    answer = inspector.get("/template.xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert "upload-template-az.xlsx" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert "Yoxlamanın günü." in book["visits"]["C1"].comment.text
    assert book["lists"].sheet_state == "hidden" and book["lists"]["A1"].value == "Baku"
    english = inspector.get("/template.xlsx", params={"lang": "en"})
    assert "upload-template-en.xlsx" in english.headers["content-disposition"]
    _en(inspector)


def test_the_api_and_the_cli_give_the_same_template(site, tmp_path):
    app, tokens, _ = site
    client = TestClient(app)
    assert client.get("/api/v1/template.xlsx").status_code == 401
    answer = client.get("/api/v1/template.xlsx", params={"lang": "az"},
                        headers={"Authorization": f"Bearer {tokens['inspector']}"})
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    out = tmp_path / "template.xlsx"
    result = CliRunner().invoke(main, ["template", "--lang", "az", "--out", str(out)])
    assert result.exit_code == 0 and "Wrote the upload template (az)" in result.output
    api_book = openpyxl.load_workbook(io.BytesIO(answer.content))
    cli_book = openpyxl.load_workbook(out)
    assert api_book.sheetnames == cli_book.sheetnames
    assert [c.comment.text for c in api_book["interviews"][1]] == [
        c.comment.text for c in cli_book["interviews"][1]]
    refused = CliRunner().invoke(main, ["template", "--out", str(tmp_path / "t.csv")])
    assert refused.exit_code == 2 and ".xlsx" in refused.output


def test_the_filled_template_is_accepted_on_the_upload_page(site):
    inspector = _az(site[2]["inspector"])
    tables = azerbaijani_rows(4, "PAGE-TPL")
    filled = fill_template(inspector.get("/template.xlsx").content, tables)
    form = inspector.get("/upload")
    answer = inspector.post("/upload", data={"csrf": csrf_of(form.text)},
                            files={"file": ("şablon.xlsx", filled, XLSX)})
    assert answer.status_code == 201, answer.text[-2000:]
    assert 'id="new-visits">4<' in answer.text
    assert (f'id="interview-counts">Müsahibələr: {len(tables["interviews"])} yeni yoxlamalarla '
            "saxlanılıb") in answer.text
    assert 'id="rejected-none"' in answer.text
    _en(inspector)


def test_the_list_export_speaks_the_pages_language_and_is_audited(site):
    app, _, clients = site
    monitor = _az(clients["monitor"])
    row = monitor.get("/list").text.split('data-visit-id="')[1]
    visit, sector = row.split('"')[0], row.split('data-sector="')[1].split('"')[0]
    form = monitor.get(f"/visits/{visit}")
    saved = monitor.post(f"/visits/{visit}/reviews", data={
        "csrf": csrf_of(form.text), "status": "visited", "notes": "Sənədlər yoxlanıldı"},
        follow_redirects=False)
    assert saved.status_code == 303
    answer = monitor.get("/export.xlsx", params={"sector": sector})
    assert answer.status_code == 200 and "follow-up-az.xlsx" in answer.headers[
        "content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]
    assert sheet.title == "təqib siyahısı" and sheet.freeze_panes == "C2"
    rows = sheet_records(sheet)
    words = {"construction": "tikinti", "agriculture": "kənd təsərrüfatı",
             "services": "xidmətlər"}
    assert rows and all(r["Sahə"].value == words[sector] for r in rows)
    assert all(r["Yoxlama tarixi"].is_date for r in rows)
    assert {r["Səviyyə"].value for r in rows} <= {"təcili", "yüksək", "orta", "aşağı"}
    mine = next(r for r in rows if r["Yoxlama"].value == visit)
    assert mine["Baxış qeydləri"].value == "Sənədlər yoxlanıldı"
    assert mine["Baxış statusu"].value == "baş çəkilib"
    english = openpyxl.load_workbook(io.BytesIO(_en(monitor).get(
        "/export.xlsx", params={"sector": sector}).content)).worksheets[0]
    stored = next(r for r in sheet_records(english) if r["Visit"].value == visit)
    assert mine["Əsaslar"].value and stored["Reasons"].value
    assert mine["Əsaslar"].value != stored["Reasons"].value, "written again in Azerbaijani"
    _az(monitor)
    text = monitor.get("/export.csv").content
    assert text.startswith(BOM)
    header = next(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert header[:4] == ["Sıra", "Yoxlama", "İş yeri", "Region"]
    logged = [e for e in exports(app) if e["object_type"] == "follow_up"]
    assert [(e["fmt"], e.get("lang")) for e in logged[-3:]] == [
        ("xlsx", "az"), ("xlsx", "en"), ("csv", "az")]
    _en(monitor)


def test_the_api_export_keeps_the_contract_unless_a_language_is_asked_for(site):
    app, tokens, _ = site
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {tokens['monitor']}"}
    machine = client.get("/api/v1/export.csv", headers=auth).content
    assert not machine.startswith(BOM)
    assert machine.decode("utf-8").startswith("rank,visit_id,site_id,region,sector,visit_date,")
    people = client.get("/api/v1/export.csv", params={"lang": "az"}, headers=auth).content
    assert people.startswith(BOM) and people.decode("utf-8-sig").startswith("Sıra;Yoxlama;")
    book = client.get("/api/v1/export.xlsx", params={"lang": "en"}, headers=auth)
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    assert sheet["A1"].value == "Rank" and sheet["F2"].is_date
    logged = [e for e in exports(app) if e["object_type"] == "follow_up"][-3:]
    assert [(e["fmt"], e.get("lang")) for e in logged] == [("csv", None), ("csv", "az"),
                                                           ("xlsx", "en")]
