"""Excel both ways in a real browser (Debian's chromium, headless, driven by Playwright): an
inspector in Azerbaijani downloads the upload template from the upload page, fills it in as an
Azerbaijani spreadsheet does (openpyxl: date cells, numbers, the drop-downs' words) and uploads
it, all accepted; a monitor downloads the formatted export from the list page and it is checked
with openpyxl; a semicolon-separated, Windows-1254 CSV with decimal commas and dd.mm.yyyy dates,
as an Azerbaijani Excel saves "CSV", is uploaded and accepted, the receipt saying what was read
in a local form.

Explicit waits only (``wait_for_selector``, ``expect_download``), never sleeps.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import openpyxl

from tests.excelkit import azerbaijani_rows, example_rows, fill_template, sheet_records

_batch = itertools.count(1)


def in_azerbaijani(page) -> None:
    """Choose Azerbaijani with the page's language link (the choice persists)."""
    with page.expect_navigation():
        page.click("a#lang-az")
    page.wait_for_selector('html[lang="az"]')


def downloaded(page, info, name: str) -> Path:
    """The file a click downloaded; the browser reports a download as an aborted request,
    which is not a page that failed to load."""
    download = info.value
    assert download.suggested_filename == name
    page.broken[:] = [b for b in page.broken if b != f"failed {download.url}"]
    return Path(download.path())


def upload_file(page, path: Path) -> None:
    page.wait_for_selector("#upload-form")
    page.set_input_files('#upload-form input[name="file"]', str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#receipt, #upload-error")
    assert page.query_selector("#upload-error") is None, page.inner_text("#upload-error")


def test_the_azerbaijani_template_filled_in_is_accepted(web, page, sign_in, shot, tmp_path):
    sign_in(page, "inspector")
    in_azerbaijani(page)
    page.goto("/guide")
    row = page.wait_for_selector('#guide-visits tr[data-column="avg_weekly_hours"]')
    assert "həftədə saat" in row.inner_text() and "0 ilə 168 arasında" in row.inner_text()
    shot(page, "excel-guide-az")
    page.goto("/upload")
    link = page.wait_for_selector("#template-xlsx")
    assert link.inner_text().strip() == "Yükləmə şablonu (XLSX)"
    with page.expect_download() as info:
        link.click()
    template = downloaded(page, info, "upload-template-az.xlsx").read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(template))
    assert book.sheetnames[:2] == ["visits", "interviews"]
    assert "Yoxlamanın günü." in book["visits"]["C1"].comment.text

    tables = azerbaijani_rows(5, f"BX-TPL{next(_batch)}")
    filled = tmp_path / "yoxlamalar.xlsx"
    filled.write_bytes(fill_template(template, tables))
    page.goto("/upload")
    upload_file(page, filled)
    assert page.inner_text("#new-visits").strip() == "5"
    assert page.inner_text("#interview-counts").startswith(
        f"Müsahibələr: {len(tables['interviews'])} yeni yoxlamalarla saxlanılıb")
    assert page.inner_text("#rejected-count").strip() == "0"
    assert page.query_selector("#rejected-none") is not None
    shot(page, "excel-template-receipt-az")


def test_the_formatted_export_from_the_list_page(web, page, sign_in, shot):
    sign_in(page, "monitor")
    in_azerbaijani(page)
    page.goto("/list")
    page.wait_for_selector("#follow-up tr.visit-row")
    first = page.query_selector("#follow-up tr.visit-row").get_attribute("data-visit-id")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(downloaded(page, info, "follow-up-az.xlsx")
                                             .read_bytes()))
    sheet = book["təqib siyahısı"]
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref.startswith("A1:")
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["Sıra", "Yoxlama", "İş yeri", "Region", "Sahə", "Yoxlama tarixi"]
    assert {"Səviyyə", "Baxış statusu", "Yönləndirmə müddəti", "Siyahıda niyə var"} <= set(
        headers)
    rows = sheet_records(sheet)
    assert rows[0]["Yoxlama"].value == first and rows[0]["Sıra"].value == 1
    assert all(r["Yoxlama tarixi"].is_date for r in rows)
    assert all(r["Yoxlama tarixi"].number_format == "dd.mm.yyyy" for r in rows)
    tiers = {r["Səviyyə"].value: r["Səviyyə"].fill.fgColor.rgb for r in rows}
    assert tiers.get("təcili") == "FFB3141C" and set(tiers) <= {"təcili", "yüksək", "orta",
                                                               "aşağı"}
    urgent = next(r for r in rows if r["Səviyyə"].value == "təcili")
    assert urgent["Yönləndirmənin son vaxtı (UTC)"].is_date
    assert urgent["Yönləndirmə müddəti"].value.endswith(("qalıb", "GECİKİB"))
    shot(page, "excel-list-az")


def cp1254_csv(prefix: str) -> bytes:
    """Five example visits as an Azerbaijani Excel saves "CSV": ``;`` between values, decimal
    commas, dd.mm.yyyy dates, Windows-1254 (which has ç ğ ı İ ö ş ü but no ə)."""
    rows = example_rows("visits", 5, prefix)
    regions = ("Qarabağ", "Dağlıq Şirvan", "Quba-Xaçmaz", "Mil-Muğan", "Şirvan-Salyan")
    for row, region in zip(rows, regions, strict=True):
        year, month, day = row["visit_date"].split("-")
        row["visit_date"] = f"{day}.{month}.{year}"
        row["region"] = region
        row["avg_weekly_hours"] = "52,5"
        row["wage_arrears_months"] = "1,5"
        row["sector"] = {"construction": "tikinti", "agriculture": "KƏND TƏSƏRRÜFATI",
                         "services": "xidmət"}[row["sector"]]
        for name in ("living_on_site", "remote_location"):
            if row.get(name):
                row[name] = "bəli" if row[name].lower() in ("true", "1", "yes") else "xeyr"
        row["notes"] = "İşçi sayı: 12; maaş gecikir, şikayət var"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("cp1254", "replace")  # Excel too writes '?' for an 'ə'


def test_a_semicolon_cp1254_csv_from_an_azerbaijani_excel_is_accepted(web, page, sign_in,
                                                                       shot, tmp_path):
    sign_in(page, "inspector")
    in_azerbaijani(page)
    path = tmp_path / "yoxlamalar-cp1254.csv"
    path.write_bytes(cp1254_csv(f"BX-CP{next(_batch)}"))
    page.goto("/upload")
    upload_file(page, path)
    assert page.inner_text("#new-visits").strip() == "5"
    assert page.inner_text("#rejected-count").strip() == "0"
    said = page.inner_text("#interpreted")  # the receipt says what was read in a local form
    for what in ("1254", "avg_weekly_hours", "wage_arrears_months", "visit_date", "sector",
                 "region"):
        assert what in said, (what, said)
    shot(page, "excel-cp1254-receipt-az")
