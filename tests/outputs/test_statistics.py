"""The yearly statistics table (``screening report --year``) on hand-made visits."""

import pandas as pd
from click.testing import CliRunner

from screening.cli import main
from screening.outputs.statistics import STATISTICS_COLUMNS, yearly_statistics
from tests.conftest import make_interviews, make_visits


def test_counts_by_sector_and_region_with_totals(engine):
    visits = make_visits(
        {"visit_id": "V1", "visit_date": pd.Timestamp("2025-04-01"), "sector": "agriculture",
         "region": "Aran", "workers_without_contract": 4, "minors_present": 2},
        {"visit_id": "V2", "visit_date": pd.Timestamp("2025-09-01"), "sector": "services",
         "region": "Baku", "minors_present": 3, "street_work_or_begging": True,
         "foreign_workers": 2, "foreign_workers_without_permit": 1},
        {"visit_id": "V3", "visit_date": pd.Timestamp("2024-12-31"), "sector": "services",
         "region": "Baku", "workers_without_contract": 9},  # another year: not counted
    )
    interviews = make_interviews(
        {"visit_id": "V1", "age": 13},
        {"visit_id": "V1", "age": 30, "deceived_about_job": True, "holds_own_documents": False},
        {"visit_id": "V2", "age": 12},
    )
    outcomes = pd.DataFrame({"visit_id": ["V1", "V2"],
                             "outcome": ["forced_labour", "labour_violation"]})
    table = yearly_statistics(visits, interviews, engine.run(visits, interviews), 2025, outcomes)
    assert list(table.columns) == list(STATISTICS_COLUMNS)
    rows = table.set_index(["sector", "region"])
    aran, baku, total = rows.loc[("agriculture", "Aran")], rows.loc[("services", "Baku")], \
        rows.loc[("all", "all")]
    assert aran["visits"] == 1 and aran["workers_without_contract"] == 4
    assert aran["children_below_minimum_age"] == 1 and aran["minors_under_18"] == 2
    assert aran["icls_positive_workers"] == 1 and aran["urgent_visits"] == 1
    assert aran["confirmed_forced_labour"] == 1
    assert baku["children_street_work"] == 3 and baku["foreign_without_permit"] == 1
    assert baku["workers_without_contract"] == 0  # V3 is from 2024
    assert total["visits"] == 2 and total["workers_without_contract"] == 4
    assert total["children_below_minimum_age"] == 2
    assert rows.loc[("services", "all"), "visits"] == 1
    assert table.iloc[-1][["sector", "region"]].tolist() == ["all", "all"]


def test_a_year_without_visits_is_an_all_zero_total(engine):
    visits = make_visits({"visit_date": pd.Timestamp("2025-04-01")})
    table = yearly_statistics(visits, None, engine.run(visits), 2019)
    assert len(table) == 1 and int(table.iloc[0]["visits"]) == 0


def test_report_command_writes_csv_and_xlsx(tmp_path):
    runner = CliRunner()
    for name in ("stats.csv", "stats.xlsx"):
        out = tmp_path / name
        result = runner.invoke(main, ["report", "--year", "2025", "--visits",
                                      "examples/visits.csv", "--interviews",
                                      "examples/interviews.csv", "--out", str(out)])
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(out) if name.endswith("csv") else pd.read_excel(out)
        assert list(frame.columns) == list(STATISTICS_COLUMNS)
        assert frame.iloc[-1]["sector"] == "all" and frame.iloc[-1]["visits"] > 0
    refused = runner.invoke(main, ["report", "--year", "2025", "--visits",
                                   "examples/visits.csv", "--out", str(tmp_path / "x.json")])
    assert refused.exit_code != 0 and "csv or .xlsx" in refused.output
