"""The reality-check mappings, on tiny hand-written CTDC-like and cadastro-like files.

No external data is read here: every file is written by the test into ``tmp_path`` with the
real column names and a few made-up rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from screening.datasets import realdata
from screening.datasets.synthetic import generate
from screening.rules.engine import RuleEngine

CTDC_HEADER = [
    "Age Band", "Trafficking Duration", "Means Debt Bondage Earnings", "Means Threats",
    "Means Abuse", "Means False Promises", "Means Drugs Alcohol", "Means Deny Basic Needs",
    "Means Excessive Work Hours", "Means Withhold Docs", "isForcedLabour", "isSexualExploit",
    "Recruiter Relation Intimate Partner", "Recruiter Relation Friend",
    "Recruiter Relation Family", "Recruiter Relation Other", "Trans/NonConforming", "Woman",
    "Is Citizen of Country",
]  # fmt: skip
CADASTRO_HEADER = [
    "secao", "id", "ano_acao_fiscal", "uf", "tipo_empregador", "estabelecimento",
    "trabalhadores_envolvidos", "cnae", "cnae_divisao", "setor_derivado",
    "decisao_administrativa_procedencia", "inclusao_no_cadastro",
]  # fmt: skip
INTERVIEW_ANSWERS = [
    "owes_debt_to_employer", "threatened", "experienced_violence", "deceived_about_job",
    "forced_overtime", "holds_own_documents",
]  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    """Write ``rows`` (missing columns: "0" for CTDC flags, "" otherwise) under ``header``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    default = "0" if header is CTDC_HEADER else ""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(name, default) for name in header])
    return path


def cell(frame: pd.DataFrame, column: str, row: int) -> object:
    """One cell as a plain Python value (True, False, a number, a string or pd.NA)."""
    return frame[column].tolist()[row]


@pytest.fixture
def ctdc_file(tmp_path: Path) -> Path:
    """Five records: nothing recorded, false promises + documents, threats only, a sexual
    exploitation victim with abuse, and a child forced-labour victim with several means."""
    rows = [
        {"isForcedLabour": "1"},
        {"isForcedLabour": "1", "Means False Promises": "1", "Means Withhold Docs": "1"},
        {"isForcedLabour": "1", "Means Threats": "1"},
        {"isSexualExploit": "1", "Means Abuse": "1", "Woman": "1", "Age Band": "5"},
        {"isForcedLabour": "1", "isSexualExploit": "1", "Age Band": "2",
         "Means Excessive Work Hours": "1", "Means Debt Bondage Earnings": "1",
         "Means Deny Basic Needs": "1"},
    ]  # fmt: skip
    folder = tmp_path / "external" / realdata.CTDC_FOLDER
    return write_csv(folder / "ctdc_na_final_data.csv", CTDC_HEADER, rows)


def test_zero_is_unknown_never_false(ctdc_file):
    visits, interviews, labels = realdata.ctdc_as_upload(ctdc_file)
    first = interviews.iloc[0]
    for column in INTERVIEW_ANSWERS:
        assert pd.isna(first[column]), f"{column} should be unknown for a 0 in the file"
    assert pd.isna(visits.loc[0, "accommodation_substandard"])
    assert pd.isna(visits.loc[0, "minors_present"])
    # A 1 is true, or false for the negated answer; labels keep 0 as a real "no".
    assert cell(interviews, "deceived_about_job", 1) is True
    assert cell(interviews, "holds_own_documents", 1) is False
    assert labels["is_forced_labour"].tolist() == [True, True, True, False, True]
    assert labels["is_sexual_exploit"].tolist() == [False, False, False, True, True]


def test_only_the_negated_answer_is_ever_false(ctdc_file):
    _, interviews, _ = realdata.ctdc_as_upload(ctdc_file)
    falses = {c: int(interviews[c].eq(False).sum()) for c in INTERVIEW_ANSWERS}
    assert falses == {c: int(c == "holds_own_documents") for c in INTERVIEW_ANSWERS}


def test_frames_have_the_contract_dtypes(ctdc_file):
    visits, interviews, _ = realdata.ctdc_as_upload(ctdc_file)
    synthetic = generate(5, seed=1)
    assert list(visits.columns) == list(synthetic.visits.columns)
    assert list(interviews.columns) == list(synthetic.interviews.columns)
    assert visits.dtypes.astype(str).tolist() == synthetic.visits.dtypes.astype(str).tolist()
    assert (
        interviews.dtypes.astype(str).tolist() == synthetic.interviews.dtypes.astype(str).tolist()
    )
    assert visits["workers_present"].tolist() == [1] * 5
    assert interviews["sex"].isna().all(), "gender must never reach the interview"
    assert visits["visit_id"].is_unique
    assert interviews["visit_id"].tolist() == visits["visit_id"].tolist()


def test_mapping_of_the_other_fields(ctdc_file):
    visits, interviews, _ = realdata.ctdc_as_upload(ctdc_file)
    child = interviews.iloc[4]
    assert cell(interviews, "forced_overtime", 4) is True
    assert cell(interviews, "owes_debt_to_employer", 4) is True
    assert pd.isna(child["wage_arrears_months"]) and pd.isna(child["free_to_leave_premises"])
    assert cell(visits, "accommodation_substandard", 4) is True
    assert visits.loc[4, "minors_present"] == 1 and pd.isna(visits.loc[3, "minors_present"])
    assert cell(interviews, "experienced_violence", 3) is True
    assert visits["sector"].isna().all(), "the subset has no typeOfLabour columns"


def test_icls_positive_and_not(ctdc_file):
    visits, interviews, _ = realdata.ctdc_as_upload(ctdc_file)
    icls = RuleEngine().run(visits, interviews).workers["icls"].tolist()
    # false promises + withheld documents: positive; threats only: not positive (unknown).
    assert icls[1] == "positive"
    assert icls[2] == "unknown"
    assert icls[0] == "unknown"  # nothing recorded
    assert icls[4] == "positive"  # forced overtime + debt


def test_report_counts_add_up(ctdc_file):
    report = realdata.ctdc_report(ctdc_file).set_index("group")
    records = report["records"]
    assert records["all records"] == 5
    fl_all = records["forced labour (all)"]
    assert fl_all == records[f"  {realdata.FL_ONLY}"] + records[f"  {realdata.FL_AND_SEX}"] == 4
    assert fl_all + records[realdata.SEX_ONLY] + records[realdata.OTHER] == 5
    tiers = report[["urgent", "high", "medium", "low"]].sum(axis=1)
    assert tiers.loc[records > 0].round(9).eq(1).all()
    assert (report["ICLS positive"] + report["ICLS unknown"]).loc[records > 0].le(1).all()
    assert report.loc["forced labour (all)", "ICLS positive"] == pytest.approx(2 / 4)
    assert report.loc["forced labour (all)", "no means recorded"] == pytest.approx(1 / 4)
    assert "ICLS-FL-WORKERS 50.0%" in report.loc["forced labour (all)", "top indicators"]
    text = realdata.as_text(realdata.ctdc_report(ctdc_file))
    assert "forced labour (all)" in text and "top indicators:" in text


def test_raw_camel_case_names_and_sectors(tmp_path: Path):
    header = ["meansThreats", "meansFalsePromises", "isForcedLabour", "isSexualExploit",
              "typeOfLabourAgriculture", "typeOfLabourDomesticWork", "typeOfLabourHospitality",
              "ageBroad", "CountryOfExploitation"]  # fmt: skip
    path = tmp_path / "ctdc_raw.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(header) + "\n")
        handle.write("1,1,1,,1,,,9--17,USA\n")  # raw file: NULL is an empty cell
        handle.write(",,1,,,1,1,48+,\n")
        handle.write(",,,1,,,,,MEX\n")
    visits, interviews, labels = realdata.ctdc_as_upload(path, max_records=3)
    assert visits["sector"].tolist()[:2] == ["agriculture", "services"]
    assert visits.loc[1, "subsector"] == "domestic work"  # first flag set wins
    assert pd.isna(visits.loc[2, "sector"])
    assert visits["region"].tolist()[0] == "USA" and pd.isna(visits.loc[1, "region"])
    assert visits["minors_present"].tolist()[:2] == [1, pd.NA]
    assert cell(interviews, "threatened", 0) is True and pd.isna(interviews.loc[1, "threatened"])
    assert labels["is_sexual_exploit"].isna().tolist() == [True, True, False]


def test_max_records_is_an_even_sample(ctdc_file):
    visits, _, labels = realdata.ctdc_as_upload(ctdc_file, max_records=2)
    assert visits["visit_id"].tolist() == ["ctdc-000001", "ctdc-000005"]
    assert len(labels) == 2


def test_not_a_ctdc_file(tmp_path: Path):
    path = write_csv(tmp_path / "ctdc_other.csv", ["a", "b"], [{"a": "1"}])
    with pytest.raises(ValueError, match=r"is not a CTDC victim file: .*\.$"):
        realdata.ctdc_as_upload(path)


def test_absent_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv(realdata.ENV_VAR, str(missing))
    assert realdata.external_data_dir() is None
    message = f"External data folder not found at {missing}; nothing to check."
    assert realdata.missing_message() == message
    for check in (realdata.ctdc_report, realdata.brazil_sector_profile):
        with pytest.raises(realdata.ExternalDataMissing) as info:
            check()
        assert str(info.value) == message
    with pytest.raises(realdata.ExternalDataMissing, match="nothing to check"):
        realdata.ctdc_as_upload(tmp_path)  # the folder exists but holds no CTDC file


def test_folder_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(realdata.ENV_VAR, raising=False)
    repo, shared = tmp_path / "main", tmp_path / "shared" / "external-data"
    assert realdata.external_data_dir(repo) is None
    shared.mkdir(parents=True)
    assert realdata.external_data_dir(repo) == shared
    monkeypatch.setenv(realdata.ENV_VAR, str(tmp_path))
    assert realdata.external_data_dir(repo) == tmp_path


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0134-2/00", ("agriculture", "coffee harvest", realdata.HARVEST)),
        ("0112-1/01", ("agriculture", "cotton harvest", realdata.HARVEST)),
        ("0151-2/01", ("agriculture", "livestock", realdata.LIVESTOCK)),
        ("0210-1/08", ("agriculture", "charcoal production", realdata.FORESTRY)),
        ("4120-4/00", ("construction", "building construction", "construction")),
        ("9700-5/00", ("services", "domestic work", "services: domestic work")),
        ("5611-2/01", ("services", "hospitality", "services: hospitality")),
        ("4520-0/05", ("services", "car wash", realdata.CLEANING)),
        ("1412-6/01", ("outside", "manufacturing", "outside: manufacturing")),
        ("0810-0/09", ("outside", "mining and quarrying", "outside: mining and quarrying")),
        ("02/07/2342", ("outside", "manufacturing", "outside: manufacturing")),  # a date
        ("119-9/06", ("agriculture", "field crop harvest", realdata.HARVEST)),  # lost zero
        ("", realdata.UNKNOWN_CNAE),
    ],
)
def test_cnae_mapping(code, expected):
    assert realdata.map_cnae(code) == expected


def test_brazil_profile(tmp_path: Path):
    folder = tmp_path / realdata.BRAZIL_FOLDER
    base = {"secao": "I", "uf": "MG", "ano_acao_fiscal": "2024"}
    write_csv(folder / "cadastro_empregadores_2025-10_deidentified.csv", CADASTRO_HEADER, [
        {**base, "cnae": "0134-2/00", "trabalhadores_envolvidos": "10",
         "estabelecimento": "Fazenda Boa Vista, zona rural"},
        {**base, "cnae": "0121-1/02", "trabalhadores_envolvidos": "4", "estabelecimento": "Sítio"},
        {**base, "cnae": "9700-5/00", "trabalhadores_envolvidos": "1", "estabelecimento": "Rua A"},
        {**base, "cnae": "1412-6/01", "trabalhadores_envolvidos": "5", "estabelecimento": "Rua B"},
    ])  # fmt: skip
    write_csv(folder / "cadastro_empregadores_2023-03_deidentified.csv", CADASTRO_HEADER, [
        {**base, "cnae": "02/07/2342", "trabalhadores_envolvidos": "3",
         "estabelecimento": "Olaria"},
    ])  # fmt: skip
    profile = realdata.brazil_sector_profile(tmp_path).set_index("profile")
    assert profile.loc["all findings", "findings"] == 5
    assert profile.loc["all findings", "workers"] == 23
    assert profile.loc[realdata.HARVEST, "findings"] == 2
    assert profile.loc[realdata.HARVEST, "workers"] == 14
    assert profile.loc["outside: manufacturing", "findings 2023-03"] == 1
    assert profile.loc["outside: manufacturing", "findings 2025-10"] == 1
    harvest_variants = profile.loc[realdata.HARVEST, "variants"]
    assert "SEC-AGR-LABOUR-PROVIDER" in harvest_variants
    assert "SEC-AGR-HARVEST-CAMP (50%)" in harvest_variants  # fruit yes, coffee no
    assert "SEC-SRV-DOMESTIC-CONTROL" in profile.loc["services: domestic work", "variants"]
    assert profile.loc["outside: manufacturing", "variants"] == ""
    assert profile.attrs["outside_share"] == pytest.approx(2 / 5)
    notes = " ".join(profile.attrs["notes"])
    assert "2 of 5 findings (40.0%)" in notes and "1 CNAE codes were repaired" in notes
    assert profile["share"].iloc[:-1].sum() == pytest.approx(1.0)


def test_sector_variants_read_the_catalogue():
    variants = realdata.sector_variants()
    assert all(v.startswith("SEC-") for v in variants)
    sectors, subsectors = variants["SEC-AGR-HARVEST-CAMP"]
    assert sectors == {"agriculture"}
    assert subsectors == {"cotton harvest", "fruit and vegetable harvest"}
    assert variants["SEC-AGR-LABOUR-PROVIDER"][1] is None
