"""Tests for :mod:`screening.datasets.synthetic`: determinism, the contract dtypes, record validity,
count constraints and the patterns the generator promises to encode."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from screening.datasets.synthetic import (
    NEW_INTERVIEW_ITEMS,
    OLD_SHEET_RATE,
    REGIONS,
    SUBSECTORS,
    SyntheticData,
    generate,
    write,
)
from screening.ingest import records
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOMES, VISIT_COLUMNS, Kind

N_BIG = 50_000


@pytest.fixture(scope="module")
def big() -> SyntheticData:
    return generate(N_BIG, seed=7)


@pytest.fixture(scope="module")
def small() -> SyntheticData:
    return generate(2_000, seed=3)


def _with_outcome(data: SyntheticData) -> pd.DataFrame:
    return data.visits.merge(data.outcomes[["visit_id", "outcome"]], on="visit_id")


def _icls_items(interviews: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per interview: any involuntariness item, any coercion item (unknown counts as no)."""
    iv = (
        interviews["deceived_about_job"].fillna(False)
        | interviews["forced_overtime"].fillna(False)
        | ~interviews["free_to_leave_job"].fillna(True)
    )
    co = (
        interviews["threatened"].fillna(False)
        | interviews["experienced_violence"].fillna(False)
        | ~interviews["free_to_leave_premises"].fillna(True)
        | ~interviews["holds_own_documents"].fillna(True)
        | interviews["owes_debt_to_employer"].fillna(False)
        | (interviews["wage_arrears_months"].fillna(0) > 0)
    )
    return iv.astype(bool), co.astype(bool)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, unknown -> None, timestamps -> dates (what an API would send)."""
    rows = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                clean[key] = None
            elif isinstance(value, pd.Timestamp):
                clean[key] = value.date()
            else:
                clean[key] = value
        rows.append(clean)
    return rows


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames():
    a, b = generate(3_000, seed=11), generate(3_000, seed=11)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    pd.testing.assert_frame_equal(a.interviews, b.interviews)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)


def test_different_seeds_or_options_differ():
    a, b = generate(3_000, seed=11), generate(3_000, seed=12)
    assert not a.visits.equals(b.visits)
    assert not a.interviews.equals(b.interviews)
    assert not a.outcomes["outcome"].equals(b.outcomes["outcome"])
    c = generate(3_000, seed=11, prevalence=0.2)
    assert not a.outcomes["outcome"].equals(c.outcomes["outcome"])


# --- shape and contract -----------------------------------------------------------------------


def test_sizes_and_ids(big):
    visits, interviews, outcomes = big.visits, big.interviews, big.outcomes
    assert len(visits) == len(outcomes) == N_BIG
    assert visits["visit_id"].is_unique
    assert visits["visit_id"].str.fullmatch(r"V\d{7}").all()
    assert outcomes["visit_id"].tolist() == visits["visit_id"].tolist()
    assert visits["site_id"].nunique() == round(N_BIG / 2.5)
    assert 2.7 <= len(interviews) / N_BIG <= 3.3
    assert interviews["visit_id"].isin(visits["visit_id"]).all()
    assert not interviews.duplicated(["visit_id", "worker_ref"]).any()
    assert interviews["worker_ref"].str.fullmatch(r"W\d{3,}").all()
    without = 1 - visits["visit_id"].isin(interviews["visit_id"]).mean()
    assert 0.12 <= without <= 0.25


def test_interviews_per_visit_option():
    few = generate(5_000, seed=1, interviews_per_visit=1.0)
    many = generate(5_000, seed=1, interviews_per_visit=6.0)
    assert 0.8 <= len(few.interviews) / 5_000 <= 1.3
    assert len(many.interviews) > 4 * len(few.interviews)
    per_visit = many.interviews.groupby("visit_id").size()
    present = many.visits.set_index("visit_id")["workers_present"]
    assert (per_visit <= present.loc[per_visit.index]).all()


@pytest.mark.parametrize(
    ("table", "specs"), [("visits", VISIT_COLUMNS), ("interviews", INTERVIEW_COLUMNS)]
)
def test_columns_and_dtypes(big, table, specs):
    frame = getattr(big, table)
    assert list(frame.columns) == [spec.name for spec in specs]
    expected = {
        Kind.TEXT: "str",
        Kind.CHOICE: "str",
        Kind.INT: "Int64",
        Kind.NUMBER: "float64",
        Kind.BOOL: "boolean",
        Kind.DATE: "datetime64[ns]",
    }
    for spec in specs:
        assert str(frame[spec.name].dtype) == expected[spec.kind], spec.name
        if spec.required:
            assert frame[spec.name].notna().all(), spec.name
        if spec.choices:
            assert frame[spec.name].dropna().isin(spec.choices).all(), spec.name
    text = [s.name for s in specs if s.kind in (Kind.TEXT, Kind.CHOICE)]
    for name in text:
        assert frame[name].dropna().map(type).eq(str).all(), name


def test_outcomes_frame(big):
    outcomes = big.outcomes
    assert list(outcomes.columns) == ["visit_id", "outcome", "decided_on", "source"]
    assert outcomes["outcome"].dtype == "str"
    assert outcomes["decided_on"].dtype == "datetime64[ns]"
    assert outcomes["outcome"].isin(OUTCOMES).all()
    assert (outcomes["source"] == "synthetic").all()
    lag = (outcomes["decided_on"] - big.visits["visit_date"]).dt.days
    assert lag.between(14, 120).all()


def test_rows_validate_with_the_record_models(small):
    for row in _records(small.visits.sample(200, random_state=0)):
        records.Visit.model_validate(row)
    for row in _records(small.interviews.sample(200, random_state=0)):
        records.Interview.model_validate(row)
    for row in _records(small.outcomes.sample(200, random_state=0)):
        records.Outcome.model_validate(row)


def test_count_and_range_constraints(big):
    v, i = big.visits, big.interviews
    present = v["workers_present"]
    assert (present >= 0).all()
    for name in ("workers_without_contract", "foreign_workers", "minors_present"):
        assert v[name].between(0, present).all(), name
    assert v["foreign_workers_without_permit"].between(0, v["foreign_workers"]).all()
    assert v["avg_weekly_hours"].dropna().between(0, 168).all()
    assert (v["wage_arrears_months"].dropna() >= 0).all()
    assert i["age"].dropna().between(10, 90).all()
    assert i["weekly_hours"].dropna().between(0, 168).all()
    assert (i["wage_arrears_months"].dropna() >= 0).all()
    assert set(v["region"]) <= set(REGIONS)
    for sector, subs in SUBSECTORS.items():
        assert set(v.loc[v["sector"] == sector, "subsector"].dropna()) == set(subs)
    # no accommodation, no substandard accommodation
    no_housing = v["living_on_site"].eq(False).fillna(False).astype(bool)
    assert not v.loc[no_housing, "accommodation_substandard"].fillna(False).any()


def test_sites_keep_their_attributes(big):
    per_site = big.visits.groupby("site_id")[["sector", "region", "subsector", "employer_id"]]
    assert (per_site.nunique() <= 1).all().all()
    assert big.visits["site_id"].value_counts().max() > 2
    fl = _with_outcome(big).groupby("site_id")["outcome"].agg(lambda s: set(s))
    assert (fl.map(lambda s: s >= {"forced_labour", "no_violation"})).sum() == 0


# --- encoded patterns --------------------------------------------------------------------------


def test_prevalence_close_to_requested(big):
    share = (big.outcomes["outcome"] == "forced_labour").mean()
    assert abs(share - 0.02) < 0.005
    high = generate(N_BIG, seed=2, prevalence=0.05)
    assert abs((high.outcomes["outcome"] == "forced_labour").mean() - 0.05) < 0.01
    none = generate(5_000, seed=2, prevalence=0.0)
    assert not (none.outcomes["outcome"] == "forced_labour").any()


def test_outcome_mix_and_sector_patterns(big):
    v = _with_outcome(big)
    assert 0.25 <= (v["outcome"] == "labour_violation").mean() <= 0.40
    fl_rate = (v["outcome"] == "forced_labour").groupby(v["sector"]).mean()
    assert fl_rate["agriculture"] > 2 * max(fl_rate["construction"], fl_rate["services"])
    services = v[v["sector"] == "services"]
    by_sub = (services["outcome"] == "forced_labour").groupby(services["subsector"]).mean()
    assert by_sub["domestic work"] > by_sub.drop("domestic work").max()
    informal = v["workers_without_contract"] / v["workers_present"].where(v["workers_present"] > 0)
    share = informal.groupby(v["sector"]).mean()
    assert share["construction"] > share["services"]
    any_informal = (v["workers_without_contract"] > 0).groupby(v["sector"]).mean()
    assert any_informal["construction"] > any_informal["services"]
    minors = (v["minors_present"] > 0).groupby(v["sector"]).mean()
    assert minors["agriculture"] > max(minors["construction"], minors["services"])
    foreign = (v["foreign_workers"] > 0).groupby(v["sector"]).mean()
    assert foreign["construction"] > max(foreign["agriculture"], foreign["services"])


def test_site_signs_likelier_but_not_certain_at_forced_labour(big):
    v = _with_outcome(big)
    signs = [s.name for s in VISIT_COLUMNS if s.kind is Kind.BOOL]
    rates = v.groupby("outcome")[signs].mean()
    for name in signs:
        fl, clean = rates.loc["forced_labour", name], rates.loc["no_violation", name]
        if name in ("wage_records_available", "intermediary_registered"):
            assert fl < clean, name
        else:
            assert fl > clean, name
        assert 0 < fl < 1, name
    # noise: some signs are common at innocent sites
    clean = v[v["outcome"] == "no_violation"]
    assert clean.loc[clean["sector"] == "agriculture", "living_on_site"].mean() > 0.2
    assert clean.loc[clean["sector"] == "construction", "hazardous_work"].mean() > 0.05
    hours = v.groupby("outcome")["avg_weekly_hours"].mean()
    assert hours["forced_labour"] > hours["labour_violation"] > hours["no_violation"]


def test_under_reporting_and_icls_answers(big):
    interviews = big.interviews.merge(big.outcomes[["visit_id", "outcome"]], on="visit_id")
    iv, co = _icls_items(interviews)
    at_fl = interviews["outcome"] == "forced_labour"
    denies_everything = (~iv & ~co)[at_fl].mean()
    assert denies_everything >= 0.30
    icls = iv & co
    by_outcome = icls.groupby(interviews["outcome"]).mean()
    assert by_outcome["forced_labour"] > 0.15
    assert by_outcome["labour_violation"] < 0.01
    assert by_outcome["no_violation"] < 0.002
    # most forced-labour visits with interviews have a worker who passes the ICLS test
    per_visit = icls.groupby(interviews["visit_id"]).any()
    fl_visits = interviews.loc[at_fl, "visit_id"].unique()
    assert 0.5 < per_visit.loc[fl_visits].mean() < 0.95


def test_intermediaries(big):
    v = _with_outcome(big)
    assert v["intermediary_registered"][v["intermediary_id"].isna()].isna().all()
    with_int = v[v["intermediary_id"].notna()]
    unregistered = (~with_int["intermediary_registered"]).groupby(with_int["outcome"]).mean()
    assert unregistered["forced_labour"] > 2 * unregistered["no_violation"]
    assert with_int.groupby("intermediary_id")["site_id"].nunique().max() > 1


def test_unknown_fields(big):
    for frame, specs in ((big.visits, VISIT_COLUMNS), (big.interviews, INTERVIEW_COLUMNS)):
        for spec in specs:
            if not spec.required:
                assert frame[spec.name].isna().mean() >= 0.05, spec.name
    rate = big.visits["avg_weekly_hours"].isna().mean()
    assert abs(rate - 0.1) < 0.01
    known = generate(2_000, seed=1, unknown_rate=0.0)
    # the empty intermediary, the notes, and the columns an old interview sheet never asked
    structural = {"intermediary_id", "intermediary_registered", "notes", *NEW_INTERVIEW_ITEMS}
    for frame in (known.visits, known.interviews):
        na = frame.isna().any()
        assert set(na[na].index) <= structural


def test_demographics(big):
    i = big.interviews.merge(big.visits[["visit_id", "subsector"]], on="visit_id")
    i = i[i["sex"].notna()]
    female = (i["sex"] == "female").groupby(i["subsector"]).mean()
    assert female["domestic work"] > 0.8 > 0.1 > female["road construction"]
    assert set(i["sex"].dropna()) == {"female", "male", "other"}
    assert (i["age"] < 18).any() and 30 < i["age"].mean() < 45


def test_invalid_arguments_raise():
    with pytest.raises(ValueError):
        generate(0)
    with pytest.raises(ValueError):
        generate(10, prevalence=1.5)


# --- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_round_trips(small, tmp_path, fmt):
    paths = write(small, tmp_path, fmt)
    assert set(paths) == {"visits", "interviews", "outcomes"}
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    for name in paths:
        back, original = read(paths[name]), getattr(small, name)
        assert len(back) == len(original)
        assert list(back.columns) == list(original.columns)
        assert back["visit_id"].tolist() == original["visit_id"].tolist()
    visits = read(paths["visits"])
    assert visits["visit_date"].astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert visits["hazardous_work"].isna().sum() == small.visits["hazardous_work"].isna().sum()


def test_write_json_and_xlsx(tmp_path):
    data = generate(150, seed=4)
    paths = write(data, tmp_path / "j", "json")
    upload = json.loads(paths["visits"].read_text())
    assert len(upload["visits"]) == 150 and len(upload["interviews"]) == len(data.interviews)
    assert upload["visits"][0]["visit_date"] == data.visits["visit_date"][0].strftime("%Y-%m-%d")
    assert len(json.loads(paths["outcomes"].read_text())) == 150
    paths = write(data, tmp_path / "x", "xlsx")
    sheets = pd.read_excel(paths["visits"], sheet_name=None)
    assert set(sheets) == {"visits", "interviews"}
    assert sheets["visits"]["visit_id"].tolist() == data.visits["visit_id"].tolist()
    assert len(sheets["interviews"]) == len(data.interviews)
    assert len(pd.read_csv(paths["outcomes"])) == 150
    with pytest.raises(ValueError):
        write(data, tmp_path, "xml")


def test_new_interview_columns_are_left_out_per_visit_as_in_an_old_upload():
    data = generate(3_000, seed=4, unknown_rate=0.0)
    new = data.interviews[list(NEW_INTERVIEW_ITEMS)].isna()
    per_visit = new.groupby(data.interviews["visit_id"]).agg(["all", "any"])
    for name in NEW_INTERVIEW_ITEMS:
        # a visit either used the new sheet for every worker or the old one for every worker
        assert (per_visit[(name, "all")] == per_visit[(name, "any")]).all(), name
    old_share = new.all(axis=1).groupby(data.interviews["visit_id"]).first().mean()
    assert abs(old_share - OLD_SHEET_RATE) < 0.05
    assert data.interviews["deceived_about_pay"].notna().any()
