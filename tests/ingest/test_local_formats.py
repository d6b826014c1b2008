"""What Excel writes in an Azerbaijani locale is read and reported (issue 12, item 2): decimal
commas, day.month.year dates, ';'-separated and Windows-1254 files, choices in other capitals and
in Azerbaijani, bəli/xeyr, regions from the configured list; ambiguity is refused, never
guessed, and every interpretation is counted."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.errors import SettingsError
from screening.ingest.interpretations import Reading, describe
from screening.ingest.loaders import load_upload
from screening.ingest.regions import Regions, configured
from screening.settings import Settings

HEADER = ("visit_id,site_id,visit_date,inspector_id,region,sector,workers_present,"
          "workers_without_contract,foreign_workers,foreign_workers_without_permit,"
          "minors_present,avg_weekly_hours,living_on_site,notes")


def row(visit_id: str, *, date: str = "2025-03-01", region: str = "Baku",
        sector: str = "construction", hours: str = "40", living: str = "", notes: str = "",
        present: str = "10") -> str:
    return ",".join([visit_id, "S1", date, "I1", region, sector, present, "0", "0", "0", "0",
                     hours, living, notes])


def csv(*rows: str, sep: str = ",") -> bytes:
    """The rows as a CSV file separated by ``sep`` (a '#' in a cell becomes a comma)."""
    text = "\n".join([HEADER, *rows]) + "\n"
    return (text.replace(",", sep) if sep != "," else text).replace("#", ",").encode()


def load(data: bytes, name: str = "visits.csv", regions: Regions | None = None):
    return load_upload((name, data), regions=regions)


def readings(loaded) -> list[tuple]:
    return [(i.column, str(i.kind), i.cells, i.example, i.read_as)
            for i in loaded.interpretations]


def rejections(loaded) -> list[tuple]:
    return [(r.row, r.column, r.value, r.reason) for r in loaded.rejected.itertuples()]


def test_a_decimal_comma_is_read_and_counted():
    loaded = load(csv(row("V1", hours='"52,5"'), row("V2", hours='"40,25"'), row("V3")))
    assert loaded.visits["avg_weekly_hours"].tolist() == [52.5, 40.25, 40.0]
    assert readings(loaded) == [("avg_weekly_hours", "decimal_comma", 2, "52,5", "52.5")]
    assert loaded.interpretations[0].message() == (
        "Decimal comma read in 2 cells of avg_weekly_hours (e.g. '52,5' as 52.5).")


def test_interpretations_count_only_the_rows_accepted():
    loaded = load(csv(row("V1", hours='"52,5"'), row("V2", hours='"41,5"', sector="mining"),
                      row("V3", hours='"42,5"'), row("V4", hours='"43,5"')))
    assert list(loaded.visits["visit_id"]) == ["V1", "V3", "V4"]
    assert readings(loaded) == [("avg_weekly_hours", "decimal_comma", 3, "52,5", "52.5")]


@pytest.mark.parametrize("others, read, refused", [
    ([], None, "1,234"),  # alone: a decimal comma or a thousands separator?
    (['"52,5"'], 1.234, None),  # the column uses decimal commas
    (["40.5"], None, "1,234"),  # the column uses a decimal point: the comma may group thousands
    (['"52,5"', "40.5"], None, "1,234"),  # both: still nothing tells
], ids=["alone", "beside-a-decimal-comma", "beside-a-decimal-point", "beside-both"])
def test_1_234_is_read_only_when_the_column_says_how(others, read, refused):
    rows = [row("V1", hours='"1,234"')] + [row(f"V{i + 2}", hours=h) for i, h in
                                           enumerate(others)]
    loaded = load(csv(*rows))
    if read is not None:
        assert loaded.visits.loc[0, "avg_weekly_hours"] == read
    else:
        assert rejections(loaded) == [(2, "avg_weekly_hours", refused, "wrong_type")]
        assert loaded.rejected.loc[0, "message"] == (
            "'1,234' could be 1.234 (a decimal comma) or 1234 (a thousands separator), and no "
            "other cell of the column tells which; write 1.234 or 1234.")


@pytest.mark.parametrize("written", ["1,234,567", "1.234,5", "52,", ",", "5,2,1"])
def test_what_is_not_one_number_is_refused(written):
    loaded = load(csv(row("V1", hours=f'"{written}"'), row("V2", hours='"52,5"')))
    assert rejections(loaded) == [(2, "avg_weekly_hours", written, "wrong_type")]


def test_dates_written_day_month_year():
    loaded = load(csv(row("V1", date="01.03.2025"), row("V2", date="1.3.2025"),
                      row("V3", date="31.02.2025"), row("V4", date="01/03/2025"),
                      row("V5", date="2025-03-05")))
    assert loaded.visits["visit_date"].tolist() == [pd.Timestamp("2025-03-01")] * 2 + [
        pd.Timestamp("2025-03-05")]
    assert rejections(loaded) == [(4, "visit_date", "31.02.2025", "wrong_type"),
                                  (5, "visit_date", "01/03/2025", "wrong_type")]
    assert readings(loaded) == [("visit_date", "day_month_year", 2, "01.03.2025",
                                 "2025-03-01")]


def test_a_semicolon_separated_file_with_decimal_commas():
    loaded = load(csv(row("V1", hours="52#5"), row("V2", hours="40"), sep=";"))
    assert loaded.visits["avg_weekly_hours"].tolist() == [52.5, 40.0]
    assert readings(loaded) == [("", "separator", 0, ";", ""),
                                ("avg_weekly_hours", "decimal_comma", 1, "52,5", "52.5")]


def test_a_tab_separated_utf16_file_as_excel_saves_unicode_text():
    text = csv(row("V1", sector="tikinti", living="bəli"), sep="\t").decode()
    loaded = load(text.encode("utf-16"), "visits.csv")
    assert loaded.visits[["sector", "living_on_site"]].values.tolist() == [["construction",
                                                                            True]]
    assert [r[1:4] for r in readings(loaded)[:2]] == [("encoding", 0, "UTF-16"),
                                                      ("separator", 0, "tab")]


def test_a_windows_1254_file_keeps_its_letters_and_says_where_e_was_lost():
    # Excel's "CSV" in an Azerbaijani Windows: Windows-1254, which has ş, ğ, ı, ç, ö, ü but no
    # ə; Excel writes '?' for it (as Python's "replace" does).
    rows = [row("V1", notes="Işçilər ağır şəraitdə yaşayır", living="bəli"),
            row("V2", notes="Ağdaş rayonu şikayət yoxdur", sector="kənd təsərrüfatı"),
            row("V3", notes="Gözlənilmədən yoxlama", living="xeyr")]
    data = csv(*rows).decode().encode("cp1254", errors="replace")
    assert b"?" in data and "ə".encode("cp1254", errors="replace") == b"?"
    loaded = load(data)
    notes = loaded.visits["notes"].tolist()
    assert notes == ["Işçil?r ağır ş?raitd? yaşayır", "Ağdaş rayonu şikay?t yoxdur",
                     "Gözl?nilm?d?n yoxlama"], "ş, ğ, ı, ç, ö kept; ə is lost, kept as '?'"
    assert loaded.visits["living_on_site"].tolist() == [True, pd.NA, False]
    assert loaded.visits["sector"].tolist() == ["construction", "agriculture", "construction"]
    assert readings(loaded) == [
        ("", "encoding", 0, "Windows-1254", ""),
        ("sector", "azerbaijani", 1, "k?nd t?s?rrüfatı", "agriculture"),
        ("living_on_site", "azerbaijani", 2, "b?li", "true"),
        ("notes", "missing_letter", 3, "Işçil?r ağır ş?raitd? yaşayır", ""),
    ]
    assert "save the file as 'CSV UTF-8'" in loaded.interpretations[-1].message()


def test_a_windows_1251_file_is_read_as_cyrillic():
    data = csv(row("V1", notes="рабочие живут на объекте"),
               row("V2", notes="нарушений нет")).decode().encode("cp1251")
    loaded = load(data)
    assert loaded.visits["notes"].tolist()[1] == "нарушений нет"
    assert readings(loaded) == [("", "encoding", 0, "Windows-1251", "")]


@pytest.mark.parametrize("written, stored, kind", [
    ("construction", "construction", None),
    ("Construction", "construction", "capitals"),
    (" CONSTRUCTION ", "construction", "capitals"),
    ("tikinti", "construction", "azerbaijani"),
    ("Tikinti", "construction", "azerbaijani"),
    ("KƏND TƏSƏRRÜFATI", "agriculture", "azerbaijani"),
    ("kənd təsərrüfatı", "agriculture", "azerbaijani"),
    ("xidmətlər", "services", "azerbaijani"),
])
def test_sectors_in_other_capitals_and_in_azerbaijani(written, stored, kind):
    loaded = load(csv(row("V1", sector=written)))
    assert loaded.visits.loc[0, "sector"] == stored
    assert [r[1] for r in readings(loaded)] == ([kind] if kind else [])


def test_an_unknown_sector_names_the_allowed_values_and_their_azerbaijani():
    loaded = load(csv(row("V1", sector="tikintı"), row("V2", sector="mining")))
    assert loaded.visits.loc[0, "sector"] == "construction", "ı and i are one letter"
    assert rejections(loaded) == [(3, "sector", "mining", "unknown_choice")]
    assert loaded.rejected.loc[0, "message"] == (
        "'mining' is not an allowed sector; allowed values: construction, agriculture, "
        "services (in Azerbaijani: tikinti, kənd təsərrüfatı, xidmətlər, xidmət).")


@pytest.mark.parametrize("written, value", [("bəli", True), ("BƏLİ", True), ("xeyr", False),
                                            ("Xeyr", False), ("hə", True), ("yox", False)])
def test_yes_and_no_in_azerbaijani(written, value):
    loaded = load(csv(row("V1", living=written)))
    assert bool(loaded.visits.loc[0, "living_on_site"]) is value
    assert readings(loaded) == [("living_on_site", "azerbaijani", 1, written,
                                 "true" if value else "false")]


def test_regions_are_checked_against_the_configured_list():
    regions = configured("azerbaijan")
    loaded = load(csv(row("V1", region="Shaki-Zagatala"), row("V2", region="shaki-zagatala"),
                      row("V3", region="Şəki-Zaqatala"), row("V4", region="Shaki"),
                      row("V5", region="Sumgayit"), row("V6", region="Atlantis"),
                      row("V7", region="SHEKI ZAGATALA")), regions=regions)
    assert loaded.visits["region"].tolist() == ["Shaki-Zagatala"] * 4
    assert readings(loaded) == [("region", "region", 3, "shaki-zagatala", "Shaki-Zagatala")]
    messages = dict(zip(loaded.rejected["value"], loaded.rejected["message"], strict=True))
    assert messages["Shaki"] == ("'Shaki' is not one of the configured regions "
                                 "(SCREENING_REGIONS). Did you mean 'Shaki-Zagatala'?")
    assert messages["Sumgayit"].endswith("Did you mean 'Absheron-Khizi'?"), "a town's region"
    assert messages["Atlantis"].endswith("The regions are: " + ", ".join(regions.names) + ".")
    assert set(loaded.rejected["reason"]) == {"unknown_choice"}


def test_without_configured_regions_any_region_is_kept_as_written():
    loaded = load(csv(row("V1", region="Shaki"), row("V2", region="North")))
    assert loaded.visits["region"].tolist() == ["Shaki", "North"] and not readings(loaded)


def test_a_regions_file_and_the_setting(tmp_path):
    path = tmp_path / "regions.txt"
    path.write_text("# two regions\nNorth | Şimal : Hilltown\nSouth\n", encoding="utf-8")
    regions = configured(str(path))
    assert regions.names == ("North", "South")
    loaded = load(csv(row("V1", region="şimal"), row("V2", region="Hilltown")), regions=regions)
    assert loaded.visits["region"].tolist() == ["North"]
    assert loaded.rejected.loc[0, "message"].endswith("Did you mean 'North'?")
    assert Settings.from_env({"SCREENING_REGIONS": str(path)}).regions == str(path)
    assert configured(Settings.from_env({"SCREENING_REGIONS": "Any"}).regions) is None
    with pytest.raises(SettingsError, match=r"SCREENING_REGIONS='nope\.txt' cannot be used"):
        Settings.from_env({"SCREENING_REGIONS": "nope.txt"})
    (tmp_path / "empty.txt").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="no region is listed"):
        configured(str(tmp_path / "empty.txt"))


def test_the_azerbaijani_names_are_the_words_the_pages_use():
    from screening.ingest.local import AZERBAIJANI
    from screening.ingest.records import SECTORS
    from screening.translation import text

    names = {value: name for name, value in AZERBAIJANI["sector"].items()}
    assert all(text("az", f"sector_{s}") in AZERBAIJANI["sector"] for s in SECTORS)
    assert set(names) == set(SECTORS)
    assert text("az", "yes") == "bəli" and text("az", "no") == "xeyr"


def test_each_interpretation_is_said_in_azerbaijani():
    loaded = load(csv(row("V1", hours='"52,5"', date="01.03.2025")))
    sentences = [describe(i, "az") for i in loaded.interpretations]
    assert sentences == [
        "visit_date sütununun 1 xanasında gün.ay.il şəklində yazılmış tarix oxundu "
        "('01.03.2025' → 2025-03-01).",
        "avg_weekly_hours sütununun 1 xanasında onluq vergül oxundu ('52,5' → 52.5).",
    ]
    assert loaded.interpretations[0].as_dict()["kind"] == "day_month_year"
    assert Reading("decimal_comma") is Reading.DECIMAL_COMMA


def test_a_header_of_two_million_commas_is_refused_by_its_column_count():
    """Found by the hostile-upload test: sniffing the separator of a 2 MB header of commas hit the
    csv module's field limit for ';' and the upload was refused for memory instead."""
    from screening.errors import LoaderError
    from screening.ingest.csv_files import _KNOWN_NAMES
    from screening.ingest.dialect import separator

    commas = b"," * 2_000_000 + b"\n"
    assert separator(commas, _KNOWN_NAMES) == ","
    with pytest.raises(LoaderError, match="2000001 columns; at most 200 are allowed "
                                          r"\(SCREENING_MAX_COLUMNS\)"):
        load_upload(("commas.csv", commas))
