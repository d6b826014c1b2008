"""Excel both ways: the upload template generated from the contract (sheets, headers, comments,
drop-downs, date cells) filled in and accepted; the exports for people (typed cells, headers
and words in the reader's language, tier colours, frozen header, filter, review notes, the
referral clock; CSV with a byte-order mark) and for machines (the contract's columns)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from screening.ingest.loaders import load_upload
from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS
from screening.ingest.regions import configured
from screening.outputs.column_guide import column_guide, header_note
from screening.outputs.exports import list_download, referral_download
from screening.outputs.reports import read_list, write_list
from screening.outputs.spreadsheets import TIER_COLOURS
from screening.outputs.statistics import statistics_download
from screening.outputs.template import upload_template
from tests.excelkit import AZ_NOTES, AZ_REGIONS, azerbaijani_rows, fill_template, sheet_records

STYLE = Path(__file__).resolve().parents[2] / "screening" / "web" / "static" / "style.css"
BOM = b"\xef\xbb\xbf"


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


# --- the upload template ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "az"])
def test_the_template_has_the_contracts_sheets_and_headers(lang):
    book = _book(upload_template(lang))
    assert book.sheetnames[:2] == ["visits", "interviews"]
    for name, specs in (("visits", VISIT_COLUMNS), ("interviews", INTERVIEW_COLUMNS)):
        sheet = book[name]
        assert [c.value for c in sheet[1]] == [s.name for s in specs]
        assert sheet.max_row == 1, "no example row: it would be uploaded as data"
        assert sheet.freeze_panes == "B2"
        assert all(c.comment is not None for c in sheet[1])


@pytest.mark.parametrize(("lang", "meaning", "required", "date_format"), [
    ("en", "The day of the visit.", "Required: every row needs a value.", "yyyy-mm-dd"),
    ("az", "Yoxlamanın günü.", "Məcburi: hər sətirdə dəyər olmalıdır.", "dd.mm.yyyy"),
])
def test_each_header_says_what_the_column_means_in_the_language(lang, meaning, required,
                                                                date_format):
    sheet = _book(upload_template(lang))["visits"]
    headers = {c.value: c for c in sheet[1]}
    note = headers["visit_date"].comment.text
    assert note.splitlines()[:2] == ["visit_date", meaning]
    assert required in note
    letter = headers["visit_date"].column_letter
    assert sheet.column_dimensions[letter].number_format == date_format
    hours = headers["avg_weekly_hours"].comment.text
    assert ("hours a week" if lang == "en" else "həftədə saat") in hours
    assert ("0 to 168" if lang == "en" else "0 ilə 168 arasında") in hours
    optional = "Optional" if lang == "en" else "İstəyə bağlı"
    assert optional in hours
    assert headers["employer_id"].column_letter
    assert sheet.column_dimensions[headers["employer_id"].column_letter].number_format == "@"


@pytest.mark.parametrize(("lang", "sectors", "yes_no"), [
    ("en", "construction,agriculture,services", "yes,no"),
    ("az", "tikinti,kənd təsərrüfatı,xidmətlər,construction,agriculture,services",
     "bəli,xeyr,yes,no"),
])
def test_drop_downs_for_choices_and_booleans_and_checks_for_numbers(lang, sectors, yes_no):
    sheet = _book(upload_template(lang))["visits"]
    letters = {c.value: c.column_letter for c in sheet[1]}
    checks = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    sector = checks[f"{letters['sector']}2"]
    assert sector.type == "list" and sector.formula1 == f'"{sectors}"'
    assert str(sector.sqref) == f"{letters['sector']}2:{letters['sector']}1048576"
    boolean = checks[f"{letters['violence_observed']}2"]
    assert boolean.type == "list" and boolean.formula1 == f'"{yes_no}"'
    assert boolean.errorStyle == "warning", "other accepted spellings (1/0, true) may be typed"
    hours = checks[f"{letters['avg_weekly_hours']}2"]
    # "between" is the operator XLSX leaves out as its default
    assert (hours.type, hours.operator, hours.formula1, hours.formula2) == (
        "decimal", None, "0", "168")
    workers = checks[f"{letters['workers_present']}2"]
    assert (workers.type, workers.operator, workers.formula1) == ("whole", "greaterThanOrEqual",
                                                                   "0")
    assert checks[f"{letters['visit_date']}2"].type == "date"
    assert f"{letters['visit_id']}2" not in checks, "free text is not restricted"
    sex = {c.value: c.column_letter for c in _book(upload_template("en"))["interviews"][1]}["sex"]
    interviews = _book(upload_template("en"))["interviews"].data_validations.dataValidation
    assert any(str(v.sqref).startswith(f"{sex}2") and v.formula1 == '"female,male,other"'
               for v in interviews)


def test_the_template_carries_the_column_guide_in_the_language():
    guide = _book(upload_template("az"))["sütun bələdçisi"]
    rows = sheet_records(guide)
    assert [c.value for c in guide[1]] == ["Vərəq və ya fayl", "Sütun", "Məcburi", "Növ",
                                           "Ölçü vahidi", "İcazə verilən dəyərlər", "Mənası"]
    assert len(rows) == len(VISIT_COLUMNS) + len(INTERVIEW_COLUMNS)
    age = next(r for r in rows if r["Sütun"].value == "age")
    assert age["Vərəq və ya fayl"].value == "interviews" and age["Ölçü vahidi"].value == "il"
    assert age["Məcburi"].value is False and age["Məcburi"].data_type == "b"


@pytest.mark.parametrize("lang", ["en", "az"])
def test_the_filled_template_is_accepted_whole(lang):
    tables = azerbaijani_rows(6, f"TPL-{lang}", lang)
    filled = fill_template(upload_template(lang), tables)
    loaded = load_upload((f"template-{lang}.xlsx", filled), regions=configured("azerbaijan"))
    assert loaded.rejected.empty, loaded.rejected.to_dict("records")
    assert len(loaded.visits) == 6 and len(loaded.interviews) == len(tables["interviews"]) > 0
    first = loaded.visits.iloc[0]
    assert first["region"] == AZ_REGIONS["Gəncə-Daşkəsən"] and first["notes"] == AZ_NOTES
    assert first["visit_date"] == pd.Timestamp(tables["visits"][0]["visit_date"])
    assert first["sector"] in ("construction", "agriculture", "services")
    if lang == "az":  # picked from the drop-downs in Azerbaijani
        assert tables["visits"][0]["sector"] in ("tikinti", "kənd təsərrüfatı", "xidmətlər")
        assert {v for row in tables["visits"] for k, v in row.items()
                if k == "violence_observed"} <= {"bəli", "xeyr"}


def test_every_contract_column_has_its_meaning_in_both_languages():
    english, azerbaijani = column_guide("en"), column_guide("az")
    for table in ("visits", "interviews"):
        for en, az in zip(english[table], azerbaijani[table], strict=True):
            assert en.meaning and az.meaning and en.meaning != az.meaning, en.name
            assert en.table == table and en.required == en.spec.required
    minors = next(c for c in english["visits"] if c.name == "minors_present")
    assert (minors.unit, minors.allowed) == ("workers", "0 or more, at most workers_present")
    assert header_note(minors).splitlines()[2] == "Type: whole number (workers)"


# --- exports for people and for machines ----------------------------------------------------


def service_rows() -> list[dict]:
    """Rows as the stored follow-up list gives them (JSON-ready), with notes and names."""
    base = {"site_id": "S1", "region": "Şəki", "sector": "agriculture", "rule_score": 9.5,
            "icls_unknown_workers": None, "model_version": "default", "upload_id": 1,
            "version": 1, "outcome": None, "scheduled_for": None, "review_notes": None,
            "referral_case": None, "referral_status": None, "referral_due_at": None,
            "referral_hours_left": None, "referral_overdue": False}
    return [
        {**base, "rank": 1, "visit_id": "V1", "visit_date": "2025-03-01T00:00:00.000",
         "tier": "urgent", "risk_score": 0.91, "icls_workers": 2,
         "indicators": "ICLS-FL-WORKERS;ILO-FL07-DOCUMENTS", "reasons": "2 workers ...",
         "exploration": False, "selected": False, "selection_probability": 1.0,
         "review_status": "scheduled", "scheduled_for": "2025-03-05",
         "review_notes": "Baxış: sənədlər işəgötürəndədir", "referral_case": 7,
         "referral_status": "open", "referral_due_at": "2025-03-02T10:00:00+00:00",
         "referral_hours_left": -1.5, "referral_overdue": True},
        {**base, "rank": 2, "visit_id": "=HYPERLINK(\"x\")", "visit_date": "2025-03-02",
         "tier": "low", "risk_score": 0.12, "icls_workers": None, "indicators": "",
         "reasons": "", "exploration": True, "selected": True,
         "selection_probability": 0.05, "review_status": "none"},
    ]


NAMES = {"ICLS-FL-WORKERS": "ICLS işçiləri", "ILO-FL07-DOCUMENTS": "Sənədlərin saxlanması"}


@pytest.mark.parametrize(("lang", "headers", "words"), [
    ("en", ("Rank", "Visit", "Visit date", "Tier", "Risk score", "Review notes",
            "Referral clock", "Why on the list"),
     ("urgent", "agriculture", "scheduled", "OVERDUE by 1h 30m", "open")),
    ("az", ("Sıra", "Yoxlama", "Yoxlama tarixi", "Səviyyə", "Risk balı", "Baxış qeydləri",
            "Yönləndirmə müddəti", "Siyahıda niyə var"),
     ("təcili", "kənd təsərrüfatı", "planlaşdırılıb", "1h 30m GECİKİB", "açıq")),
])
def test_the_xlsx_for_people_has_typed_cells_and_readable_headers(lang, headers, words):
    book = _book(list_download(service_rows(), "xlsx", lang=lang, names=NAMES).content)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    assert set(headers) <= {c.value for c in sheet[1]}
    assert all(c.font.b for c in sheet[1])
    first = {h: c for h, c in sheet_records(sheet)[0].items()}
    by = dict(zip(("rank", "visit", "date", "tier", "risk", "notes", "clock", "why"), headers,
                  strict=True))
    assert first[by["date"]].is_date and first[by["date"]].value == dt.datetime(2025, 3, 1)
    assert first[by["date"]].number_format == ("dd.mm.yyyy" if lang == "az" else "yyyy-mm-dd")
    assert first[by["rank"]].data_type == "n" and first[by["risk"]].value == pytest.approx(0.91)
    assert first[by["notes"]].value == "Baxış: sənədlər işəgötürəndədir"
    shown = {c.value for c in first.values()}
    assert set(words) <= shown
    tier = first[by["tier"]]
    assert tier.fill.fgColor.rgb == "FF" + TIER_COLOURS["urgent"][0].lstrip("#")
    assert tier.font.color.rgb == "FF" + TIER_COLOURS["urgent"][1].lstrip("#")
    due = next(c for h, c in first.items() if "(UTC)" in str(h))
    assert due.is_date and due.value == dt.datetime(2025, 3, 2, 10, 0)
    assert any(c.data_type == "b" and c.value is True for c in first.values())  # overdue
    names = next(c.value for c in first.values() if c.value and "Sənədlərin" in str(c.value))
    assert names == "ICLS işçiləri; Sənədlərin saxlanması"
    second = sheet_records(sheet)[1]
    assert second[by["visit"]].value == "=HYPERLINK(\"x\")"
    assert second[by["visit"]].data_type == "s", "text stays text, never a formula"
    assert second[by["tier"]].fill.fgColor.rgb == "FF" + TIER_COLOURS["low"][0].lstrip("#")
    why = second[by["why"]].value
    assert why.startswith("exploration slot" if lang == "en" else "kəşfiyyat yeri")
    about = book.worksheets[1]
    assert [c.value for c in about["A"]][:2] == list(headers[:2])


def test_the_csv_for_people_starts_with_the_bom_and_speaks_the_language():
    data = list_download(service_rows(), "csv", lang="az", names=NAMES).content
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    first, second = (dict(zip(header, row, strict=True)) for row in rows[1:3])
    assert header[:3] == ["Sıra", "Yoxlama", "İş yeri"]
    assert first["Region"] == "Şəki" and first["Səviyyə"] == "təcili"
    assert first["Yoxlama tarixi"] == "01.03.2025" and first["Risk balı"] == "0,910"
    assert first["Seçilmə ehtimalı"] == "100,0%" and first["Gecikib"] == "bəli"
    assert first["Qalan saat (mənfi: gecikib)"] == "-1,50"
    assert second["Yoxlama"] == "'=HYPERLINK(\"x\")", "formula starts stay neutralised"
    english = list_download(service_rows(), "csv", lang="en").content.decode("utf-8-sig")
    assert english.splitlines()[1].startswith("1,V1,S1,Şəki,agriculture,2025-03-01,urgent,")


def test_the_machine_forms_keep_the_contract():
    rows = service_rows()
    text = list_download(rows, "csv").content
    assert not text.startswith(BOM)
    frame = pd.read_csv(io.BytesIO(text), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(rows[0])
    assert frame.loc[0, "tier"] == "urgent" and frame.loc[1, "visit_id"].startswith("'=")
    sheet = _book(list_download(rows, "xlsx").content).worksheets[0]
    assert [c.value for c in sheet[1]] == list(rows[0])
    record = sheet_records(sheet)[0]
    assert record["visit_date"].is_date and record["tier"].value == "urgent"
    assert record["tier"].fill.fgColor.rgb == "FF" + TIER_COLOURS["urgent"][0].lstrip("#")


def test_the_tier_colours_are_the_pages():
    css = STYLE.read_text(encoding="utf-8")
    for tier, (fill, _) in TIER_COLOURS.items():
        found = re.search(rf"--{tier}:\s*(#[0-9a-fA-F]{{6}})", css)
        assert found and found.group(1).lower() == fill.lower(), tier


def test_the_cli_xlsx_is_for_people_and_reads_back(tmp_path):
    from screening.datasets.synthetic import generate
    from screening.pipeline import screen_frames

    data = generate(60, seed=3, prevalence=0.2)
    ranked = screen_frames(data.visits, data.interviews).follow_up
    path = write_list(ranked, tmp_path / "list.xlsx", lang="az")
    sheet = _book(path.read_bytes())["təqib siyahısı"]
    assert sheet[1][0].value == "Sıra" and sheet.cell(2, 6).is_date
    back = read_list(path)
    assert list(back.columns) == list(ranked.columns)
    assert back["tier"].tolist() == ranked["tier"].astype(str).tolist()
    assert back["sector"].tolist() == ranked["sector"].astype(str).tolist()


def test_the_statistics_for_people_and_for_the_cli():
    table = pd.DataFrame({"sector": ["agriculture", "all"], "region": ["Aran", "all"],
                          **{c: [3, 3] for c in ("visits", "visits_with_interviews",
                                                 "workers_without_contract",
                                                 "foreign_without_permit", "minors_under_18",
                                                 "children_below_minimum_age",
                                                 "children_street_work",
                                                 "icls_positive_workers",
                                                 "icls_unknown_workers", "urgent_visits",
                                                 "confirmed_forced_labour")}})
    table.attrs["year"] = 2025
    people = _book(statistics_download(table, "xlsx", "az").content).worksheets[0]
    assert [c.value for c in people[1]][:3] == ["Sahə", "Region (all = cəmi)", "Yoxlamalar"]
    assert people["A2"].value == "kənd təsərrüfatı" and people["C2"].data_type == "n"
    assert people.freeze_panes == "C2" and people.auto_filter.ref == "A1:M3"
    csv_text = statistics_download(table, "csv", "az").content
    assert csv_text.startswith(BOM) and b"Sah\xc9\x99;Region" in csv_text
    machine = statistics_download(table, "csv").content.decode("utf-8")
    assert machine.startswith("sector,region,visits,")


def test_the_referral_export_has_time_cells_and_the_clock():
    due = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)
    case = {"case_id": 3, "visit_id": "V9", "status": "open", "overdue": False,
            "seconds_left": 7 * 3600 + 5 * 60, "due_at": due, "detected_at": due,
            "workers": ["W1"], "suggested": ["special_police", "migration_service"]}
    sheet = _book(referral_download([case], "xlsx", "az").content).worksheets[0]
    row = {h: c for h, c in sheet_records(sheet)[0].items()}
    assert row["son vaxt (UTC)"].is_date and row["son vaxt (UTC)"].value == dt.datetime(
        2026, 1, 2, 9, 30)
    assert row["qalan vaxt"].value == "7h 05m qalıb" and row["status"].value == "açıq"
    assert row["gecikib"].value is False
    assert row["tövsiyə olunan alıcılar"].value.startswith("xüsusi polis bölməsi")


@pytest.mark.parametrize("lang", ["en", "az"])
def test_every_value_a_drop_down_offers_is_accepted_by_the_ingest(lang):
    from screening.ingest.validation import validate_frame
    from screening.outputs.column_guide import TABLES, offered_values, word_for

    for table, specs in TABLES.items():
        for spec in specs:
            offered = offered_values(spec, lang)
            if not offered:
                continue
            frame = pd.DataFrame({spec.name: list(offered)}, dtype=object)
            valid, rejected = validate_frame(frame, [spec], source="t", table=table,
                                             first_row=2)
            assert rejected.empty, (spec.name, rejected["value"].tolist())
            codes = (True, False) if spec.kind.value == "bool" else spec.choices
            for code in codes:  # the word a person picks stands for its code
                word = word_for(spec, code, lang)
                assert valid[spec.name].iloc[list(offered).index(word)] == code


def test_the_region_drop_down_lists_the_configured_regions():
    names = configured("azerbaijan").names
    book = _book(upload_template("az", names))
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["A"]] == list(names) and len(names) == 14
    sheet = book["visits"]
    region = {c.value: c.column_letter for c in sheet[1]}["region"]
    check = next(v for v in sheet.data_validations.dataValidation
                 if str(v.sqref).startswith(f"{region}2"))
    assert (check.type, check.formula1) == ("list", "lists!$A$1:$A$14")
    assert "Shaki-Zagatala" in sheet[f"{region}1"].comment.text
    tables = azerbaijani_rows(2, "TPL-REG", "az")
    tables["visits"][1]["region"] = names[-1]  # picked from the drop-down
    loaded = load_upload(("t.xlsx", fill_template(upload_template("az", names), tables)),
                         regions=configured("azerbaijan"))
    assert loaded.rejected.empty and loaded.visits["region"].tolist()[1] == names[-1]
